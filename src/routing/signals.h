// Signals: what the router knows about one request beyond its shape — the caller's hints
// (task type, cost–quality knob, maximum cost, maximum time to first token; from the
// x-switchyard-* request headers, docs/routing-strategies.md) and the classifier's
// prediction when one was made. Plain values; the route stage fills them in.
#pragma once

#include <optional>
#include <string_view>

#include "routing/classifier.h"

namespace sy::routing {

struct Hints {
  std::optional<TaskType> task;            // x-switchyard-task
  std::optional<double> quality;           // x-switchyard-quality, in [0, 1]
  std::optional<double> max_cost_usd;      // x-switchyard-max-cost
  std::optional<uint32_t> max_latency_ms;  // x-switchyard-max-latency-ms (time to first token)
  bool any() const { return task || quality || max_cost_usd || max_latency_ms; }
};

struct Signals {
  Hints hints;
  std::optional<Prediction> prediction;  // the classifier's, when it ran

  // The task type: the caller's hint, else the classifier's prediction.
  std::optional<TaskType> task() const {
    if (hints.task) return hints.task;
    if (prediction) return prediction->task;
    return std::nullopt;
  }
  // "hint", "classifier" or "" (unknown).
  const char* task_source() const {
    return hints.task ? "hint" : prediction ? "classifier" : "";
  }
};

// What the classifier must predict for a request to `model`: its task type (rules routes,
// the quality knob of cheapest routes, policies on task types) and its difficulty
// (threshold routes). Routes reachable through rules count.
struct ClassifierUse {
  bool task = false;
  bool difficulty = false;
  bool any() const { return task || difficulty; }
};

}  // namespace sy::routing
