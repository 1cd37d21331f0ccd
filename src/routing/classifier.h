// Classifier: predicts a prompt's task type (code, math, translation, …) and its
// difficulty — the probability that a cheap model answers it as well as a strong one —
// with two linear models over the hashed features of routing/features.h: a multinomial
// logistic regression for the task type and a binary one for difficulty. Both share one
// weight row per feature (one cache line), so a prompt costs one pass over its text and
// one row read per feature occurrence.
//
// The model comes from a file written by `switchyard-train` (format in docs/routing.md:
// magic, version, feature parameters, task names, weights, checksum); a file from another
// version or feature layout is refused with a message that says so. A Classifier is
// immutable after load and thread-safe; predict() does not allocate and performs no I/O.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "routing/features.h"

namespace sy::routing {

enum class TaskType : uint8_t {
  Extraction,
  Summarization,
  Classification,
  Code,
  Math,
  Reasoning,  // analysis, knowledge questions that need thought
  Creative,   // creative writing
  Chat,
  Translation,
};
inline constexpr std::size_t kTaskTypeCount = 9;

// "extraction", "summarization", "classification", "code", "math", "reasoning", "creative",
// "chat", "translation".
std::string_view task_type_name(TaskType type);
// The names above; also "analysis" (reasoning) and "writing" (creative).
std::optional<TaskType> parse_task_type(std::string_view name);

struct Prediction {
  TaskType task = TaskType::Chat;
  float task_confidence = 0;  // the softmax probability of `task`
  float p_cheap_ok = 0;       // probability that the cheap model suffices
};

// Outputs per weight row: kTaskTypeCount task logits, then the difficulty logit.
inline constexpr std::size_t kOutputs = kTaskTypeCount + 1;
inline constexpr std::size_t kDifficultyOutput = kTaskTypeCount;

// The trained weights as the file stores them: (2^bits sparse rows, kDenseCount dense
// rows, one bias row) × kOutputs floats, row-major.
struct ClassifierWeights {
  FeatureParams params;
  std::vector<float> w;

  std::size_t sparse_rows() const { return std::size_t{1} << params.bits; }
  std::size_t rows() const { return sparse_rows() + kDenseCount + 1; }
  std::size_t dense_row(std::size_t i) const { return sparse_rows() + i; }
  std::size_t bias_row() const { return sparse_rows() + kDenseCount; }
  void resize() { w.assign(rows() * kOutputs, 0.0f); }
};

inline constexpr uint32_t kModelVersion = 1;

// The model file's bytes for `weights` (little-endian; deterministic).
std::string serialize_model(const ClassifierWeights& weights);
// Parses and checks a model file: magic, version, feature layout, task names, size and
// checksum. Errors name what did not match.
Result<ClassifierWeights> parse_model(std::string_view bytes);

class Classifier {
 public:
  static Result<Classifier> load(const std::string& path);
  static Result<Classifier> from_bytes(std::string_view bytes);
  static Classifier from_weights(const ClassifierWeights& weights);

  Prediction predict(std::string_view prompt) const;
  // The raw outputs (task logits, difficulty logit) behind predict().
  void logits(std::string_view prompt, std::array<float, kOutputs>& out) const;
  const FeatureParams& params() const { return params_; }
  // FNV-1a of the model file's bytes (routing/calibration.h names its model by it).
  uint64_t hash() const { return hash_; }

 private:
  // One feature's outputs padded to a cache line.
  struct alignas(64) Row {
    float v[16];
  };
  FeatureParams params_;
  std::vector<Row> rows_;  // 2^bits sparse rows
  std::array<std::array<float, kOutputs>, kDenseCount> dense_{};
  std::array<float, kOutputs> bias_{};
  uint64_t hash_ = 0;
};

// Where the gateway and the CLI find the model: $SWITCHYARD_CLASSIFIER when set, else
// models/router-classifier.bin next to the executable's share dir
// (<exe>/../share/switchyard/models/) when that exists, else the source tree's models/.
std::string default_classifier_path();

}  // namespace sy::routing
