#include "routing/classifier_train.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sy::routing {
namespace {

// Fisher–Yates with our own index draw: std::shuffle and the standard distributions
// are implementation-defined, the engine is not.
void shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

// AdaGrad state for a slice of outputs [first, first + count) of every row.
class AdaGrad {
 public:
  AdaGrad(ClassifierWeights& weights, std::size_t first, std::size_t count, float rate, float l2)
      : w_(weights.w),
        g_(weights.w.size(), 0.0f),
        first_(first),
        count_(count),
        rate_(rate),
        l2_(l2) {}

  // grads[k] is d(loss)/d(logit first+k); x the feature's value in this example.
  void update(std::size_t row, float x, const float* grads, bool decay) {
    float* w = w_.data() + row * kOutputs + first_;
    float* g = g_.data() + row * kOutputs + first_;
    for (std::size_t k = 0; k < count_; ++k) {
      const float grad = grads[k] * x + (decay ? l2_ * w[k] : 0.0f);
      g[k] += grad * grad;
      w[k] -= rate_ * grad / (std::sqrt(g[k]) + 1e-8f);
    }
  }

 private:
  std::vector<float>& w_;
  std::vector<float> g_;
  std::size_t first_, count_;
  float rate_, l2_;
};

void apply(AdaGrad& opt, const ClassifierWeights& weights, const FeatureVector& x,
           const float* grads) {
  for (std::size_t i = 0; i < x.sparse.size();) {
    std::size_t j = i;
    while (j < x.sparse.size() && x.sparse[j] == x.sparse[i]) ++j;
    opt.update(x.sparse[i], x.scale * float(j - i), grads, true);
    i = j;
  }
  for (std::size_t d = 0; d < kDenseCount; ++d) {
    if (x.dense[d] != 0.0f) opt.update(weights.dense_row(d), x.dense[d], grads, true);
  }
  opt.update(weights.bias_row(), 1.0f, grads, false);
}

}  // namespace

FeatureVector featurize(std::string_view text, const FeatureParams& params) {
  FeatureVector x;
  const std::size_t n =
      extract_features(text, params, x.dense, [&](uint32_t i) { x.sparse.push_back(i); });
  std::sort(x.sparse.begin(), x.sparse.end());
  x.scale = n > 0 ? 1.0f / std::sqrt(float(n)) : 0.0f;
  return x;
}

std::vector<FeatureVector> featurize_all(std::span<const LabelledPrompt> prompts,
                                         const FeatureParams& params) {
  std::vector<FeatureVector> out;
  out.reserve(prompts.size());
  for (const auto& p : prompts) out.push_back(featurize(p.text, params));
  return out;
}

void score(const ClassifierWeights& weights, const FeatureVector& x,
           std::array<float, kOutputs>& out) {
  std::array<float, kOutputs> acc{};
  for (uint32_t i : x.sparse) {
    const float* v = weights.w.data() + std::size_t{i} * kOutputs;
    for (std::size_t k = 0; k < kOutputs; ++k) acc[k] += v[k];
  }
  const float* bias = weights.w.data() + weights.bias_row() * kOutputs;
  for (std::size_t k = 0; k < kOutputs; ++k) out[k] = bias[k] + acc[k] * x.scale;
  for (std::size_t d = 0; d < kDenseCount; ++d) {
    const float* v = weights.w.data() + weights.dense_row(d) * kOutputs;
    for (std::size_t k = 0; k < kOutputs; ++k) out[k] += v[k] * x.dense[d];
  }
}

void fit_task(std::span<const LabelledPrompt> prompts, std::span<const FeatureVector> features,
              std::span<const std::size_t> rows, const TrainOptions& options,
              ClassifierWeights& weights) {
  std::vector<std::size_t> order;
  std::array<double, kTaskTypeCount> counts{};
  for (std::size_t r : rows) {
    if (prompts[r].task < 0) continue;
    order.push_back(r);
    counts[std::size_t(prompts[r].task)] += 1;
  }
  if (order.empty()) return;
  std::size_t present = 0;
  for (double c : counts) present += c > 0;
  std::array<float, kTaskTypeCount> class_weight{};
  for (std::size_t k = 0; k < kTaskTypeCount; ++k) {
    class_weight[k] = counts[k] > 0 ? float(double(order.size()) / (present * counts[k])) : 0.0f;
  }
  AdaGrad opt(weights, 0, kTaskTypeCount, options.task_rate, options.task_l2);
  std::mt19937_64 rng(options.seed);
  std::array<float, kOutputs> z;
  float grads[kTaskTypeCount];
  for (int epoch = 0; epoch < options.task_epochs; ++epoch) {
    shuffle(order, rng);
    for (std::size_t r : order) {
      score(weights, features[r], z);
      float top = z[0];
      for (std::size_t k = 1; k < kTaskTypeCount; ++k) top = std::max(top, z[k]);
      float sum = 0;
      for (std::size_t k = 0; k < kTaskTypeCount; ++k) sum += (grads[k] = std::exp(z[k] - top));
      const auto y = std::size_t(prompts[r].task);
      for (std::size_t k = 0; k < kTaskTypeCount; ++k) {
        grads[k] = (grads[k] / sum - (k == y ? 1.0f : 0.0f)) * class_weight[y];
      }
      apply(opt, weights, features[r], grads);
    }
  }
}

void fit_difficulty(std::span<const LabelledPrompt> prompts,
                    std::span<const FeatureVector> features, std::span<const std::size_t> rows,
                    const TrainOptions& options, ClassifierWeights& weights) {
  std::vector<std::size_t> order;
  for (std::size_t r : rows) {
    if (prompts[r].cheap_ok >= 0) order.push_back(r);
  }
  if (order.empty()) return;
  AdaGrad opt(weights, kDifficultyOutput, 1, options.difficulty_rate, options.difficulty_l2);
  std::mt19937_64 rng(options.seed + 1);
  std::array<float, kOutputs> z;
  for (int epoch = 0; epoch < options.difficulty_epochs; ++epoch) {
    shuffle(order, rng);
    for (std::size_t r : order) {
      score(weights, features[r], z);
      const float p = 1.0f / (1.0f + std::exp(-z[kDifficultyOutput]));
      const float grad = p - float(prompts[r].cheap_ok);
      apply(opt, weights, features[r], &grad);
    }
  }
}

ClassifierWeights train_classifier(std::span<const LabelledPrompt> prompts,
                                   const TrainOptions& options) {
  ClassifierWeights weights;
  weights.params = options.params;
  weights.resize();
  const auto features = featurize_all(prompts, options.params);
  std::vector<std::size_t> rows(prompts.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  fit_task(prompts, features, rows, options, weights);
  fit_difficulty(prompts, features, rows, options, weights);
  return weights;
}

}  // namespace sy::routing
