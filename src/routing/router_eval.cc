#include "routing/router_eval.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

namespace sy::routing {

RouterMetrics evaluate_router(std::span<const float> p_cheap_ok, std::span<const uint8_t> weak_ok,
                              std::span<const uint8_t> strong_ok) {
  RouterMetrics m;
  const std::size_t n = p_cheap_ok.size();
  m.prompts = n;
  if (n == 0) return m;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_cheap_ok[a] < p_cheap_ok[b]; });
  long weak = 0, strong = 0;
  for (std::size_t i = 0; i < n; ++i) {
    weak += weak_ok[i] != 0;
    strong += strong_ok[i] != 0;
  }
  m.weak_accuracy = double(weak) / double(n);
  m.strong_accuracy = double(strong) / double(n);
  const double gap = double(strong - weak);
  long correct = weak;
  m.curve.reserve(n + 1);
  auto push = [&](std::size_t strong_calls) {
    PgrPoint p;
    p.strong_share = double(strong_calls) / double(n);
    p.performance = double(correct) / double(n);
    p.pgr = gap != 0 ? double(correct - weak) / gap : 0.0;
    m.curve.push_back(p);
  };
  push(0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    correct += long(strong_ok[i] != 0) - long(weak_ok[i] != 0);
    push(k + 1);
  }
  for (std::size_t k = 1; k < m.curve.size(); ++k) {
    const auto& a = m.curve[k - 1];
    const auto& b = m.curve[k];
    m.apgr += (b.strong_share - a.strong_share) * (a.pgr + b.pgr) / 2;
  }
  auto cpt = [&](double target) {
    for (const auto& p : m.curve) {
      if (p.pgr >= target - 1e-12) return p.strong_share;
    }
    return 1.0;
  };
  m.cpt50 = cpt(0.5);
  m.cpt80 = cpt(0.8);
  return m;
}

double pgr_at(const RouterMetrics& m, double strong_share) {
  if (m.curve.empty()) return 0;
  const double x = std::clamp(strong_share, 0.0, 1.0) * double(m.prompts);
  const auto lo = std::size_t(x);
  if (lo + 1 >= m.curve.size()) return m.curve.back().pgr;
  const double t = x - double(lo);
  return m.curve[lo].pgr * (1 - t) + m.curve[lo + 1].pgr * t;
}

std::vector<float> cross_validate_difficulty(std::span<const LabelledPrompt> prompts,
                                             std::span<const FeatureVector> features,
                                             std::span<const std::size_t> mmlu_rows,
                                             std::size_t folds, const TrainOptions& options) {
  std::map<std::string, std::size_t> fold_of;  // sorted subject names
  for (std::size_t r : mmlu_rows) fold_of.emplace(prompts[r].group, 0);
  std::size_t next = 0;
  for (auto& [subject, fold] : fold_of) fold = next++ % folds;
  std::vector<float> p(mmlu_rows.size(), 0.0f);
  std::array<float, kOutputs> z;
  for (std::size_t f = 0; f < folds; ++f) {
    std::vector<std::size_t> train;
    for (std::size_t r : mmlu_rows) {
      if (fold_of[prompts[r].group] != f) train.push_back(r);
    }
    ClassifierWeights w;
    w.params = options.params;
    w.resize();
    fit_difficulty(prompts, features, train, options, w);
    for (std::size_t i = 0; i < mmlu_rows.size(); ++i) {
      const std::size_t r = mmlu_rows[i];
      if (fold_of[prompts[r].group] != f) continue;
      score(w, features[r], z);
      p[i] = 1.0f / (1.0f + std::exp(-z[kDifficultyOutput]));
    }
  }
  return p;
}

TaskEval cross_validate_task(std::span<const LabelledPrompt> prompts,
                             std::span<const FeatureVector> features, std::size_t folds,
                             const TrainOptions& options) {
  std::vector<std::size_t> fold(prompts.size(), folds);  // folds = no task label
  std::mt19937_64 rng(options.seed + 7);
  for (std::size_t t = 0; t < kTaskTypeCount; ++t) {
    std::vector<std::size_t> rows;
    for (std::size_t r = 0; r < prompts.size(); ++r) {
      if (prompts[r].task == int(t)) rows.push_back(r);
    }
    for (std::size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng() % i]);
    for (std::size_t i = 0; i < rows.size(); ++i) fold[rows[i]] = i % folds;
  }
  TaskEval out;
  std::array<float, kOutputs> z;
  for (std::size_t f = 0; f < folds; ++f) {
    std::vector<std::size_t> train;
    for (std::size_t r = 0; r < prompts.size(); ++r) {
      if (fold[r] < folds && fold[r] != f) train.push_back(r);
    }
    ClassifierWeights w;
    w.params = options.params;
    w.resize();
    fit_task(prompts, features, train, options, w);
    for (std::size_t r = 0; r < prompts.size(); ++r) {
      if (fold[r] != f) continue;
      score(w, features[r], z);
      const auto best =
          std::size_t(std::max_element(z.begin(), z.begin() + kTaskTypeCount) - z.begin());
      out.confusion[std::size_t(prompts[r].task)][best] += 1;
      out.prompts += 1;
      out.accuracy += best == std::size_t(prompts[r].task);
    }
  }
  if (out.prompts > 0) out.accuracy /= double(out.prompts);
  return out;
}

SavingsReport estimate_savings(std::span<const float> p_cheap_ok, std::span<const double> tokens,
                               double strong_price, double weak_price, double threshold) {
  SavingsReport r;
  r.prompts = p_cheap_ok.size();
  for (std::size_t i = 0; i < p_cheap_ok.size(); ++i) {
    const bool weak = p_cheap_ok[i] >= threshold;
    r.to_weak += weak;
    r.tokens += tokens[i];
    r.cost_always_strong += tokens[i] * strong_price / 1e6;
    r.cost_routed += tokens[i] * (weak ? weak_price : strong_price) / 1e6;
  }
  r.saved_share = r.cost_always_strong > 0 ? 1 - r.cost_routed / r.cost_always_strong : 0;
  return r;
}

}  // namespace sy::routing
