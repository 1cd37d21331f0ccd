// Reads the `limits:`, `budgets:` and `rate_limits:` sections of a gateway config
// (docs/budgets.md) into Config. Part of load_config_text(); problems are recorded on the
// reader like every other section's. Not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

void read_limits_sections(YamlReader& r, const YAML::Node& root, Config& c);

}  // namespace sy
