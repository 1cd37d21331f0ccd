#include "core/config_mcp.h"

#include <fmt/format.h>

#include <array>

#include "core/time_spec.h"
#include "core/url.h"

namespace sy {
namespace {

using YAML::Node;

void read_string_map(YamlReader& r, const Node& n, const std::string& path,
                     std::map<std::string, std::string>& out) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, path)) return;
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    std::string value;
    if (key.empty()) {
      r.problem(kv.first, path, "empty name");
    } else if (r.scalar(kv.second, path + "." + key, value)) {
      out[key] = std::move(value);
    }
  }
}

// "30s", "500ms", "2m", or a bare number of milliseconds.
void read_timeout(YamlReader& r, const Node& n, const std::string& path, uint64_t& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  std::string text;
  if (!r.scalar(n, path, text)) return;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    out = std::stoull(text.substr(0, 15));
  } else if (auto ms = parse_duration_ms(text); ms) {
    out = static_cast<uint64_t>(*ms);
  } else {
    r.problem(n, path, "expected a duration such as 30s or 500ms, got \"" + text + "\"");
    return;
  }
  if (out == 0) r.problem(n, path, "must be positive");
}

void read_server(YamlReader& r, const std::string& name, const Node& n, McpServerConfig& s) {
  const std::string path = "workflows.mcp_servers." + name;
  s.name = name;
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"transport", "command", "env", "cwd", "url", "headers", "tools", "timeout"});
  std::string transport;
  r.read(n, path, "transport", transport, true);
  if (transport == "http") {
    s.transport = McpTransportKind::Http;
  } else if (transport != "stdio" && !transport.empty()) {
    r.problem(n["transport"], path + ".transport",
              "unknown transport \"" + transport + "\" (expected stdio or http)");
  }
  const bool stdio = s.transport == McpTransportKind::Stdio;
  // Each transport's keys only: a url on a stdio server is a mistake worth reporting.
  static constexpr std::array<const char*, 3> kHttpOnly = {"url", "headers", nullptr};
  static constexpr std::array<const char*, 3> kStdioOnly = {"command", "env", "cwd"};
  for (const char* key : stdio ? kHttpOnly : kStdioOnly) {
    if (key != nullptr && n[key].IsDefined()) {
      r.problem(n[key], path + "." + key,
                fmt::format("not used by a {} server", stdio ? "stdio" : "http"));
    }
  }
  if (stdio) {
    r.read_list(n, path, "command", s.command);
    if (s.command.empty()) {
      r.problem(n["command"].IsDefined() ? n["command"] : n, path + ".command",
                "a stdio server needs a command (a non-empty list: program and arguments)");
    }
    read_string_map(r, n["env"], path + ".env", s.env);
    r.read(n, path, "cwd", s.cwd);
  } else {
    r.read(n, path, "url", s.url, true);
    if (!s.url.empty()) {
      if (!s.url.starts_with("http://") && !s.url.starts_with("https://")) {
        r.problem(n["url"], path + ".url", "must start with http:// or https://");
      } else if (auto ep = parse_endpoint(s.url.substr(0, s.url.find_first_of("?#"))); !ep) {
        r.problem(n["url"], path + ".url", ep.error().message);
      }
    }
    read_string_map(r, n["headers"], path + ".headers", s.headers);
  }
  if (const Node t = n["tools"]; t.IsDefined() && !t.IsNull()) {
    std::vector<std::string> tools;
    r.read_list(n, path, "tools", tools);
    s.tools = std::move(tools);
  }
  read_timeout(r, n["timeout"], path + ".timeout", s.timeout_ms);
}

}  // namespace

void read_mcp_servers(YamlReader& r, const Node& n, std::map<std::string, McpServerConfig>& out) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, "workflows.mcp_servers")) return;
  for (const auto& kv : n) {
    const std::string name = kv.first.as<std::string>();
    if (name.empty() || name.find_first_of(" \t\n/") != std::string::npos) {
      r.problem(kv.first, "workflows.mcp_servers",
                "a server name must be non-empty, without spaces or '/'");
      continue;
    }
    read_server(r, name, kv.second, out[name]);
  }
}

}  // namespace sy
