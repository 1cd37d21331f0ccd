// Router evaluation, RouteLLM-style: given each prompt's predicted probability that the
// weak model suffices and whether the weak and the strong model actually answered it
// correctly, route the least likely prompts to the strong model and measure, for every
// share of strong calls, the performance gap recovered (PGR = (perf - weak) / (strong -
// weak)). APGR is the area under that curve; CPT(x) the smallest share of strong calls
// reaching PGR x. A random router recovers the gap in proportion: PGR(s) = s, APGR 0.5,
// CPT(x) = x. Also the cross-validation drivers behind `switchyard eval-router`: by MMLU
// subject for difficulty, stratified k-fold for the task type. Pure computation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "routing/classifier_train.h"

namespace sy::routing {

struct PgrPoint {
  double strong_share = 0;  // share of prompts sent to the strong model
  double performance = 0;   // share answered correctly
  double pgr = 0;
};

struct RouterMetrics {
  std::size_t prompts = 0;
  double weak_accuracy = 0;
  double strong_accuracy = 0;
  std::vector<PgrPoint> curve;  // one point per strong-call count 0..prompts
  double apgr = 0;              // trapezoid area under PGR over strong share [0, 1]
  double cpt50 = 0;             // smallest strong share with PGR >= 0.5
  double cpt80 = 0;
};

// Prompts go to the strong model in ascending p_cheap_ok (ties: lower index first).
// The spans have one entry per prompt. Needs strong accuracy != weak accuracy for PGR.
RouterMetrics evaluate_router(std::span<const float> p_cheap_ok, std::span<const uint8_t> weak_ok,
                              std::span<const uint8_t> strong_ok);
// The curve's PGR at a strong share (linear between points).
double pgr_at(const RouterMetrics& m, double strong_share);

// Difficulty by subject-held-out cross-validation: subjects (sorted) go to `folds` folds
// round-robin; each fold's prompts are scored by a model trained on the other folds.
// Returns p_cheap_ok per row of `mmlu_rows` (indices into prompts/features).
std::vector<float> cross_validate_difficulty(std::span<const LabelledPrompt> prompts,
                                             std::span<const FeatureVector> features,
                                             std::span<const std::size_t> mmlu_rows,
                                             std::size_t folds, const TrainOptions& options);

struct TaskEval {
  std::size_t prompts = 0;
  double accuracy = 0;
  // confusion[truth][predicted]
  std::array<std::array<std::size_t, kTaskTypeCount>, kTaskTypeCount> confusion{};
};

// Task type by stratified k-fold cross-validation over the prompts with a known task:
// within each task type, prompts go to folds round-robin in a seeded shuffled order.
TaskEval cross_validate_task(std::span<const LabelledPrompt> prompts,
                             std::span<const FeatureVector> features, std::size_t folds,
                             const TrainOptions& options);

// The cost of a traffic sample routed at `threshold` (a prompt goes to the weak model when
// its p_cheap_ok >= threshold) against sending everything to the strong model. Prices are
// USD per million tokens; tokens[i] is prompt i's token count (input plus output).
struct SavingsReport {
  std::size_t prompts = 0;
  std::size_t to_weak = 0;
  double tokens = 0;
  double cost_always_strong = 0;
  double cost_routed = 0;
  double saved_share = 0;  // 1 - routed / always-strong
};
SavingsReport estimate_savings(std::span<const float> p_cheap_ok, std::span<const double> tokens,
                               double strong_price, double weak_price, double threshold);

}  // namespace sy::routing
