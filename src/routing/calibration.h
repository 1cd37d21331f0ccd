// Calibration: turns a target share of strong-model calls into a threshold on the
// classifier's p_cheap_ok, RouteLLM-style. It holds the quantiles of p_cheap_ok over a
// calibration sample of prompts (written by `switchyard eval-router --calibrate`), so
// `threshold_for(0.3)` is the value below which 30% of that sample falls: routing each
// request to the strong model when its p_cheap_ok is below it sends about 30% of similar
// traffic there. The file names the model it was made for (its FNV-1a hash); a mismatch
// is refused, since another model's scores have another distribution. Immutable after
// load; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy::routing {

class Calibration {
 public:
  static constexpr std::size_t kPoints = 101;  // quantiles at 0%, 1%, …, 100%

  // From the p_cheap_ok of every prompt of the sample; `model_hash` of the model that scored them.
  static Calibration from_scores(std::span<const float> p_cheap_ok, uint64_t model_hash,
                                 std::string sample);
  // Parses a calibration file; `model_hash` must be the one it was made for.
  static Result<Calibration> parse(std::string_view json, uint64_t model_hash);
  static Result<Calibration> load(const std::string& path, uint64_t model_hash);

  // The p_cheap_ok threshold that sends `strong_share` (clamped to [0, 1]) of the sample
  // to the strong model, interpolated between quantiles. 0 → 0 (none), 1 → above every score.
  double threshold_for(double strong_share) const;

  std::string to_json() const;
  const std::string& sample() const { return sample_; }
  std::size_t prompts() const { return prompts_; }

 private:
  std::array<double, kPoints> quantiles_{};
  uint64_t model_hash_ = 0;
  std::size_t prompts_ = 0;
  std::string sample_;  // what the sample was, for people
};

// FNV-1a (64-bit) of a model file's bytes: how a calibration names its model.
uint64_t model_hash(std::string_view bytes);

// Where the calibration of the model at `model_path` lives: the same directory,
// router-calibration.json.
std::string calibration_path_for(const std::string& model_path);

}  // namespace sy::routing
