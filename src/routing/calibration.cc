#include "routing/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "core/json_writer.h"

namespace sy::routing {

uint64_t model_hash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string calibration_path_for(const std::string& model_path) {
  return (std::filesystem::path(model_path).parent_path() / "router-calibration.json").string();
}

Calibration Calibration::from_scores(std::span<const float> p_cheap_ok, uint64_t hash,
                                     std::string sample) {
  Calibration c;
  c.model_hash_ = hash;
  c.prompts_ = p_cheap_ok.size();
  c.sample_ = std::move(sample);
  std::vector<double> sorted(p_cheap_ok.begin(), p_cheap_ok.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return c;
  // quantile i: the score at rank i% of the sample (linear interpolation between ranks).
  for (std::size_t i = 0; i < kPoints; ++i) {
    const double pos = (sorted.size() - 1) * (static_cast<double>(i) / (kPoints - 1));
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(sorted.size() - 1, lo + 1);
    c.quantiles_[i] = sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
  return c;
}

double Calibration::threshold_for(double strong_share) const {
  const double s = std::clamp(strong_share, 0.0, 1.0);
  if (s <= 0) return 0.0;               // nothing is below 0: every request to the weak target
  if (s >= 1) return std::nextafter(1.0, 2.0);  // every score is below: all to the strong one
  const double pos = s * (kPoints - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(kPoints - 1, lo + 1);
  return quantiles_[lo] + (quantiles_[hi] - quantiles_[lo]) * (pos - lo);
}

std::string Calibration::to_json() const {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("format", "switchyard-router-calibration/1");
  w.field("model_fnv1a64", fmt::format("{:016x}", model_hash_));
  w.field("sample", sample_);
  w.field("prompts", static_cast<uint64_t>(prompts_));
  w.key("quantiles").begin_array();
  for (double q : quantiles_) w.value(std::round(q * 1e6) / 1e6);
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

namespace {
std::string string_member(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

Result<Calibration> Calibration::parse(std::string_view text, uint64_t hash) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [](std::string what) {
    return fail(ErrorKind::InvalidRequest, "router calibration: " + std::move(what));
  };
  if (!j.is_object() || string_member(j, "format") != "switchyard-router-calibration/1") {
    return bad("not a calibration file (format switchyard-router-calibration/1)");
  }
  const std::string want = fmt::format("{:016x}", hash);
  if (string_member(j, "model_fnv1a64") != want) {
    return bad("made for another classifier model (model_fnv1a64 " + string_member(j, "model_fnv1a64") +
               ", the loaded model is " + want +
               "); regenerate it with `switchyard eval-router --calibrate`");
  }
  const auto& q = j["quantiles"];
  if (!q.is_array() || q.size() != kPoints) return bad("expected 101 quantiles");
  Calibration c;
  c.model_hash_ = hash;
  if (j.contains("prompts") && j["prompts"].is_number_unsigned()) c.prompts_ = j["prompts"].get<std::size_t>();
  c.sample_ = string_member(j, "sample");
  for (std::size_t i = 0; i < kPoints; ++i) {
    if (!q[i].is_number()) return bad(fmt::format("quantiles[{}] is not a number", i));
    c.quantiles_[i] = q[i].get<double>();
    if (c.quantiles_[i] < 0 || c.quantiles_[i] > 1 || (i > 0 && c.quantiles_[i] < c.quantiles_[i - 1])) {
      return bad(fmt::format("quantiles[{}] must be in [0, 1] and not below the one before", i));
    }
  }
  return c;
}

Result<Calibration> Calibration::load(const std::string& path, uint64_t hash) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::NotFound, "router calibration: cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse(ss.str(), hash);
  if (!c) return fail(c.error().kind, c.error().message + " (" + path + ")");
  return c;
}

}  // namespace sy::routing
