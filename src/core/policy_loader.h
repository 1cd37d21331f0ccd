// Reading the `policies:` section of a config file into PolicyConfig (core/policy_config.h).
// Part of load_config_text(), and on its own for the admin API (load_policies_text);
// problems go to the YamlReader with their path, like every other section. Not
// thread-safe (one reader per load); load_policies_text is thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/env.h"
#include "core/yaml_reader.h"

namespace sy {

// `n` is the `policies` node: a list of rules, or {default: allow|deny, rules: [...]}.
void read_policies(YamlReader& r, const YAML::Node& n, PolicyConfig& out);

// A `policies:` section given on its own (the admin API's body: YAML, or JSON, which
// yaml-cpp reads as YAML), read exactly as read_policies() reads the config file's and
// checked against `config`'s deployments. Problems name `source`, the line in `text` and
// the path ("policies[0].effect"), all at once, in one InvalidRequest error. The result's
// `text` is `text` as given.
Result<PolicyConfig> load_policies_text(std::string_view text, const std::string& source,
                                        const Config& config, const EnvLookup& env);

// Checks that restrict rules name only deployments that exist.
void check_policy_references(YamlReader& r, const YAML::Node& root, const Config& c);

}  // namespace sy
