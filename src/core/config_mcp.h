// Reads `workflows.mcp_servers` of a gateway config (docs/configuration.md): the MCP
// servers workflow tool steps may call, each over stdio (command, env, cwd) or
// streamable HTTP (url, headers), with an optional tool allow-list and timeout. Part of
// load_config_text(); problems are recorded on the reader like every other section's.
// Not thread-safe (one reader per load).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

#include "core/config.h"
#include "core/yaml_reader.h"

namespace sy {

// `n` is the `mcp_servers` node (may be undefined).
void read_mcp_servers(YamlReader& r, const YAML::Node& n,
                      std::map<std::string, McpServerConfig>& out);

}  // namespace sy
