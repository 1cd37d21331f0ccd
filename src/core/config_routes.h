// Reads the `routes:` section — each route's strategy, targets, task rules, quality knob,
// cascade checks and retry policy — and checks the routes against the deployments (every
// target exists; rules lead nowhere circular). Part of load_config_text(); problems are
// recorded on the reader. Not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

void read_route(YamlReader& r, const std::string& name, const YAML::Node& n, RouteConfig& route);

// After every section is read: targets name deployments, rules name routes or
// deployments, no route shares a deployment's name, and following rules never loops.
void check_routes(YamlReader& r, const YAML::Node& root, const Config& c);

}  // namespace sy
