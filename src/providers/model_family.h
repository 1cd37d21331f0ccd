// Defaults for well-known model families: context window, maximum output, capabilities
// and a quality prior per task type, found by the upstream model id's longest matching
// prefix ("gpt-4o-mini-2024-07-18" → gpt-4o-mini). They are starting points for the
// catalog: a deployment's own config always wins. Quality priors are rough, public-
// benchmark-informed judgements on a 0–1 scale, meant to order models, not to measure
// them (docs/routing.md). Immutable data; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace sy::providers {

struct TaskQuality {
  std::string_view task;
  float quality;
};

struct ModelFamily {
  std::string_view prefix;
  uint32_t context_window;
  uint32_t max_output;
  bool tools, vision, json_schema;
  float quality;  // for task types not listed below
  TaskQuality overrides[4];
};

// The family of `upstream_model` (case-insensitive prefix match), or null.
const ModelFamily* model_family(std::string_view upstream_model);

}  // namespace sy::providers
