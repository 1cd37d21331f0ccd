// workflows.mcp_servers of the gateway config: both transports, ${ENV} in headers and
// env, the allow-list and timeout, and the problems reported for a wrong declaration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/config_loader.h"

namespace sy {
namespace {

using ::testing::HasSubstr;

EnvLookup env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& k) -> std::optional<std::string> {
    if (auto it = vars.find(k); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

constexpr const char* kBase = R"(
providers: {p: {type: openai_compatible, base_url: "http://h"}}
deployments: {a: {provider: p}}
)";

TEST(ConfigMcp, ReadsStdioAndHttpServers) {
  auto c = load_config_text(std::string(kBase) + R"(
workflows:
  mcp_servers:
    files:
      transport: stdio
      command: [node, server.js, "--root", /srv]
      env: {API_TOKEN: "${FILES_TOKEN}", MODE: ro}
      cwd: /srv/mcp
      tools: [read_file, list_dir]
      timeout: 30s
    crm:
      transport: http
      url: "https://mcp.example.com/mcp?tenant=7"
      headers: {Authorization: "Bearer ${CRM_TOKEN}"}
      timeout: 1500
)",
                            "f.yaml", env({{"FILES_TOKEN", "ft"}, {"CRM_TOKEN", "ct"}}));
  ASSERT_TRUE(c) << c.error().message;
  const auto& servers = (*c)->workflows.mcp_servers;
  ASSERT_EQ(servers.size(), 2u);
  const McpServerConfig& files = servers.at("files");
  EXPECT_EQ(files.name, "files");
  EXPECT_EQ(files.transport, McpTransportKind::Stdio);
  EXPECT_EQ(files.command, (std::vector<std::string>{"node", "server.js", "--root", "/srv"}));
  EXPECT_EQ(files.env.at("API_TOKEN"), "ft");
  EXPECT_EQ(files.env.at("MODE"), "ro");
  EXPECT_EQ(files.cwd, "/srv/mcp");
  ASSERT_TRUE(files.tools.has_value());
  EXPECT_EQ(*files.tools, (std::vector<std::string>{"read_file", "list_dir"}));
  EXPECT_EQ(files.timeout_ms, 30'000u);
  const McpServerConfig& crm = servers.at("crm");
  EXPECT_EQ(crm.transport, McpTransportKind::Http);
  EXPECT_EQ(crm.url, "https://mcp.example.com/mcp?tenant=7");
  EXPECT_EQ(crm.headers.at("Authorization"), "Bearer ct");
  EXPECT_FALSE(crm.tools.has_value());  // absent: every tool the server lists
  EXPECT_EQ(crm.timeout_ms, 1500u);
}

TEST(ConfigMcp, AnEmptyAllowListAllowsNothing) {
  auto c = load_config_text(std::string(kBase) + R"(
workflows:
  mcp_servers:
    s: {transport: stdio, command: [x], tools: []}
)",
                            "f.yaml", env({}));
  ASSERT_TRUE(c) << c.error().message;
  const auto& s = (*c)->workflows.mcp_servers.at("s");
  ASSERT_TRUE(s.tools.has_value());
  EXPECT_TRUE(s.tools->empty());
}

TEST(ConfigMcp, ReportsEveryWrongDeclaration) {
  auto c = load_config_text(std::string(kBase) + R"(
workflows:
  mcp_servers:
    no_command: {transport: stdio}
    no_url: {transport: http}
    bad_url: {transport: http, url: "ftp://x/mcp"}
    mixed: {transport: http, url: "http://x/mcp", command: [a]}
    odd: {transport: pigeon, command: [a]}
    slow: {transport: stdio, command: [a], timeout: soon}
    extra: {transport: stdio, command: [a], port: 3}
    secret: {transport: http, url: "http://x/mcp", headers: {Authorization: "${MISSING}"}}
)",
                            "f.yaml", env({}));
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(
      m, HasSubstr("workflows.mcp_servers.no_command.command: a stdio server needs a command"));
  EXPECT_THAT(m, HasSubstr("workflows.mcp_servers.no_url.url"));
  EXPECT_THAT(m,
              HasSubstr("workflows.mcp_servers.bad_url.url: must start with http:// or https://"));
  EXPECT_THAT(m, HasSubstr("workflows.mcp_servers.mixed.command: not used by a http server"));
  EXPECT_THAT(m, HasSubstr("unknown transport \"pigeon\""));
  EXPECT_THAT(m, HasSubstr("workflows.mcp_servers.slow.timeout: expected a duration"));
  EXPECT_THAT(m, HasSubstr("workflows.mcp_servers.extra"));
  EXPECT_THAT(m, HasSubstr("port"));
  EXPECT_THAT(m, HasSubstr("workflows.mcp_servers.secret.headers.Authorization"));
}

}  // namespace
}  // namespace sy
