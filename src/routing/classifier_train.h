// Training the classifier's two linear models (routing/classifier.h) from labelled prompts:
// AdaGrad stochastic gradient descent with L2 decay, class-balanced sample weights for the
// task type, a fixed seed and a fixed example order, so the same data and options give the
// same weights bit for bit on the same build. Pure computation; single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "routing/classifier.h"

namespace sy::routing {

// One prompt with what is known about it: its task type and/or whether the cheap (weak)
// and the strong model answered it correctly (-1 where unknown). `group` names its source
// or MMLU subject. Only cheap_ok is learnt; strong_ok is for evaluation.
struct LabelledPrompt {
  std::string text;
  int task = -1;      // a TaskType index, or -1
  int cheap_ok = -1;  // 1 / 0, or -1
  std::string group;
  int strong_ok = -1;
};

// A prompt's features, extracted once and reused across epochs and folds.
struct FeatureVector {
  std::vector<uint32_t> sparse;  // one index per occurrence
  float scale = 0;               // 1/sqrt(occurrences)
  DenseFeatures dense{};
};

FeatureVector featurize(std::string_view text, const FeatureParams& params);
std::vector<FeatureVector> featurize_all(std::span<const LabelledPrompt> prompts,
                                         const FeatureParams& params);

// The defaults were chosen by `switchyard eval-router` cross-validation (docs/routing.md).
struct TrainOptions {
  FeatureParams params;
  uint64_t seed = 20240401;
  int task_epochs = 12;
  float task_rate = 0.2f;
  float task_l2 = 1e-6f;
  int difficulty_epochs = 3;
  float difficulty_rate = 0.2f;
  float difficulty_l2 = 1e-5f;
};

// Fits the task-type outputs of `weights` on prompts[rows] whose task is known.
void fit_task(std::span<const LabelledPrompt> prompts, std::span<const FeatureVector> features,
              std::span<const std::size_t> rows, const TrainOptions& options,
              ClassifierWeights& weights);
// Fits the difficulty output of `weights` on prompts[rows] whose cheap_ok is known.
void fit_difficulty(std::span<const LabelledPrompt> prompts,
                    std::span<const FeatureVector> features, std::span<const std::size_t> rows,
                    const TrainOptions& options, ClassifierWeights& weights);

// Both models on every prompt: the weights of a model file.
ClassifierWeights train_classifier(std::span<const LabelledPrompt> prompts,
                                   const TrainOptions& options);

// The outputs of `weights` for already-extracted features (equal to Classifier::logits).
void score(const ClassifierWeights& weights, const FeatureVector& x,
           std::array<float, kOutputs>& out);

}  // namespace sy::routing
