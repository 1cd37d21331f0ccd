// Reads a deployment's catalog facts, and the `routing:` section, — prices (cached input too), maximum output,
// capabilities, quality per task type and the provider's RPM/TPM limits — from its
// `deployments.<name>` mapping (docs/configuration.md). Part of load_config_text();
// problems are recorded on the reader. Not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

// Reads `price`, `max_output_tokens`, `capabilities`, `quality` and `limits`.
void read_catalog_facts(YamlReader& r, const std::string& path, const YAML::Node& n,
                        DeploymentConfig& d);

// Reads the `routing:` section (health: the circuit breakers).
void read_routing(YamlReader& r, const YAML::Node& n, RoutingConfig& routing);

}  // namespace sy
