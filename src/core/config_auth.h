// Reads the `auth:` section of the config (static virtual keys, JWT issuers) into
// AuthConfig, reporting every problem through the YamlReader. Part of load_config();
// not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

void read_auth(YamlReader& r, const YAML::Node& n, AuthConfig& out);

// The role names RBAC knows (governance/principal.h spells the same four).
bool known_role_name(std::string_view s);

}  // namespace sy
