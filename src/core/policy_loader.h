// Reading the `policies:` section of a config file into PolicyConfig (core/policy_config.h).
// Part of load_config_text(); problems go to the YamlReader with their path, like every
// other section. Not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

// `n` is the `policies` node: a list of rules, or {default: allow|deny, rules: [...]}.
void read_policies(YamlReader& r, const YAML::Node& n, PolicyConfig& out);

// Checks that restrict rules name only deployments that exist.
void check_policy_references(YamlReader& r, const YAML::Node& root, const Config& c);

}  // namespace sy
