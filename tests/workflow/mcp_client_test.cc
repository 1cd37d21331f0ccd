// McpClients over in-process channels (the lifecycle, the allow-list, tools the server
// does not list, isError and JSON-RPC errors, one restart after a dead session,
// concurrent callers sharing one session) and McpStdioChannel's process handling with
// ordinary programs (a command that does not exist, a process that exits, one that
// never answers). Real MCP servers are driven by tests/e2e/workflows_mcp.test.mjs.
#include "workflow/mcp_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "workflow/mcp_protocol.h"
#include "workflow/mcp_stdio.h"

namespace sy::workflow {
namespace {

using nlohmann::json;

// Answers like a server with tools `echo` (text), `weather` (structured), `broken`
// (isError), `rpc_error` (a JSON-RPC error) and `slow` (never answers in time); lists
// them on two pages.
class FakeServer final : public McpChannel {
 public:
  // The next `*dying_calls` tools/call requests (on any session) find the process dead.
  explicit FakeServer(std::atomic<int>* dying_calls) : dying_calls_(dying_calls) {}

  Result<std::string> request(const std::string& message, int64_t id, const McpDeadline&) override {
    const json m = json::parse(message);
    EXPECT_EQ(m["id"], id);
    const std::string method = m["method"];
    std::lock_guard lock(mu_);
    log.push_back(method);
    json result;
    if (method == "initialize") {
      result = {{"protocolVersion", "2025-03-26"}, {"capabilities", json::object()}};
    } else if (method == "tools/list") {
      if (!m["params"].contains("cursor")) {
        result = {{"tools", {{{"name", "echo"}}, {{"name", "weather"}}}}, {"nextCursor", "p2"}};
      } else {
        result = {{"tools", {{{"name", "broken"}}, {{"name", "rpc_error"}}, {{"name", "slow"}}}}};
      }
    } else if (method == "tools/call") {
      last_call_id = id;
      if (dying_calls_ != nullptr && dying_calls_->fetch_sub(1) > 0) {
        return fail(ErrorKind::Unavailable, "the process has exited");
      }
      const std::string tool = m["params"]["name"];
      const json& args = m["params"]["arguments"];
      if (tool == "echo") {
        result = {
            {"content", {{{"type", "text"}, {"text", "Echo: " + args.value("message", "")}}}}};
      } else if (tool == "weather") {
        result = {{"content", json::array()}, {"structuredContent", {{"t", 36}}}};
      } else if (tool == "slow") {
        return fail(ErrorKind::UpstreamTimeout, "no answer from the MCP server in time");
      } else if (tool == "broken") {
        result = {{"content", {{{"type", "text"}, {"text", "disk on fire"}}}}, {"isError", true}};
      } else {
        return json{
            {"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", -32603}, {"message", "boom"}}}}
            .dump();
      }
    }
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
  }
  Result<void> notify(const std::string& message, const McpDeadline&) override {
    std::lock_guard lock(mu_);
    const json m = json::parse(message);
    log.push_back(m["method"]);
    if (m.contains("params")) notice_params.push_back(m["params"]);
    return {};
  }
  void set_protocol_version(const std::string& v) override { version = v; }

  std::mutex mu_;
  std::vector<std::string> log;
  std::vector<json> notice_params;
  int64_t last_call_id = 0;
  std::string version;
  std::atomic<int>* dying_calls_;
};

struct Fixture {
  std::atomic<int> opened{0};
  std::atomic<int> dying_calls{0};
  std::vector<FakeServer*> servers;  // owned by the clients' sessions
  std::mutex mu;

  McpChannelFactory factory() {
    return [this](const McpServerConfig&) -> Result<std::unique_ptr<McpChannel>> {
      ++opened;
      auto s = std::make_unique<FakeServer>(&dying_calls);
      std::lock_guard lock(mu);
      servers.push_back(s.get());
      return std::unique_ptr<McpChannel>(std::move(s));
    };
  }
};

std::map<std::string, McpServerConfig> declared(
    std::optional<std::vector<std::string>> tools = {}) {
  McpServerConfig c;
  c.name = "fake";
  c.command = {"unused"};
  c.tools = std::move(tools);
  return {{"fake", c}};
}

McpToolRequest call(std::string tool, std::string args = "{}") {
  return {.server = "fake",
          .tool = std::move(tool),
          .arguments_json = std::move(args),
          .timeout = std::chrono::seconds(5)};
}

TEST(McpClients, InitializesOnceThenCallsTools) {
  Fixture f;
  McpClients clients(declared(), f.factory());
  auto r = clients.call(call("echo", R"({"message":"hi"})"));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(json::parse(r.output_json), "Echo: hi");
  r = clients.call(call("weather"));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(json::parse(r.output_json), json({{"t", 36}}));
  ASSERT_EQ(f.opened, 1);
  FakeServer& s = *f.servers[0];
  EXPECT_EQ(s.version, "2025-03-26");
  EXPECT_EQ(s.log,
            (std::vector<std::string>{"initialize", "notifications/initialized", "tools/list",
                                      "tools/list", "tools/call", "tools/call"}));
}

TEST(McpClients, RefusesUndeclaredServersToolsOffTheAllowListAndUnlistedTools) {
  Fixture f;
  McpClients clients(declared(std::vector<std::string>{"echo", "ghost"}), f.factory());
  McpToolRequest other = call("echo");
  other.server = "elsewhere";
  auto r = clients.call(other);
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.error.find("not declared in workflows.mcp_servers"), std::string::npos) << r.error;
  EXPECT_EQ(f.opened, 0);

  r = clients.call(call("weather"));  // listed by the server, not allowed here
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.error.find("workflows.mcp_servers.fake.tools"), std::string::npos) << r.error;
  EXPECT_EQ(f.opened, 0);  // refused before any session starts

  r = clients.call(call("ghost"));  // allowed, but the server has no such tool
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.error.find("has no tool \"ghost\""), std::string::npos) << r.error;
}

TEST(McpClients, ToolErrorsAndJsonRpcErrorsAreFailures) {
  Fixture f;
  McpClients clients(declared(), f.factory());
  auto r = clients.call(call("broken"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error, "disk on fire");
  r = clients.call(call("rpc_error"));
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(r.error.find("JSON-RPC error -32603: boom"), std::string::npos) << r.error;
}

TEST(McpClients, ACallWithoutAnAnswerInTimeIsCancelledAtTheServer) {
  Fixture f;
  McpClients clients(declared(), f.factory());
  auto r = clients.call(call("slow"));
  EXPECT_EQ(r.status, 504) << r.error;
  ASSERT_EQ(f.opened, 1);
  FakeServer& s = *f.servers[0];
  ASSERT_EQ(s.log.size(), 6u);
  EXPECT_EQ(s.log[4], "tools/call");
  EXPECT_EQ(s.log[5], "notifications/cancelled");
  ASSERT_EQ(s.notice_params.size(), 1u);
  EXPECT_EQ(s.notice_params[0]["requestId"], s.last_call_id);
  EXPECT_EQ(s.notice_params[0]["reason"], "no answer from the MCP server in time");
  EXPECT_EQ(clients.call(call("echo")).status, 200);  // the session is kept
  EXPECT_EQ(f.opened, 1);
}

TEST(McpClients, ADeadSessionIsReplacedOnceThenTheCallFails) {
  Fixture f;
  McpClients clients(declared(), f.factory());
  EXPECT_EQ(clients.call(call("echo")).status, 200);
  f.dying_calls = 1;  // the next call finds the session dead; the new one works
  auto r = clients.call(call("echo", R"({"message":"again"})"));
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(json::parse(r.output_json), "Echo: again");
  EXPECT_EQ(f.opened, 2);

  f.dying_calls = 2;  // dead again on the new session too: one restart only
  r = clients.call(call("echo"));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.error.find("the process has exited"), std::string::npos) << r.error;
  EXPECT_EQ(f.opened, 3);
}

TEST(McpClients, ConcurrentCallersShareOneSession) {
  Fixture f;
  McpClients clients(declared(), f.factory());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = clients.call(call("echo", json{{"message", std::to_string(i)}}.dump()));
      if (r.status == 200 && json::parse(r.output_json) == "Echo: " + std::to_string(i)) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(f.opened, 1);
}

McpServerConfig command(std::vector<std::string> argv) {
  McpServerConfig c;
  c.name = "proc";
  c.command = std::move(argv);
  return c;
}

McpDeadline in(std::chrono::milliseconds ms) { return {std::chrono::steady_clock::now() + ms}; }

TEST(McpStdioChannel, ACommandThatDoesNotExistIsUnavailable) {
  auto c = McpStdioChannel::spawn(command({"/nonexistent/mcp-server"}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::Unavailable);
}

TEST(McpStdioChannel, AProcessThatExitsFailsItsRequestsAsUnavailable) {
  auto c = McpStdioChannel::spawn(command({"true"}));
  ASSERT_TRUE(c) << c.error().message;
  // Writing to a pipe nobody reads must not raise SIGPIPE in this process.
  for (int i = 0; i < 3; ++i) {
    auto r = (*c)->request(mcp_request(i, "ping", "{}"), i, in(std::chrono::seconds(5)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << r.error().message;
  }
}

TEST(McpStdioChannel, AProcessThatDiesWithoutReadingARequestFailsItAsUnavailable) {
  // The request lands in the pipe while `sleep` runs, unread: it cannot have run, so it
  // may be sent again on a new process.
  auto c = McpStdioChannel::spawn(command({"sleep", "0.3"}));
  ASSERT_TRUE(c) << c.error().message;
  auto r = (*c)->request(mcp_request(1, "tools/call", "{}"), 1, in(std::chrono::seconds(10)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << r.error().message;
}

TEST(McpStdioChannel, AProcessThatDiesAfterReadingARequestFailsItWithoutARetry) {
  // Reads one line, then exits without answering: the request was delivered and may
  // have run, so it is an UpstreamError (not retried); the next one finds it dead.
  auto c = McpStdioChannel::spawn(command({"sh", "-c", "read line; exit 0"}));
  ASSERT_TRUE(c) << c.error().message;
  auto r = (*c)->request(mcp_request(1, "tools/call", "{}"), 1, in(std::chrono::seconds(10)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError) << r.error().message;
  EXPECT_NE(r.error().message.find("may have run"), std::string::npos) << r.error().message;
  r = (*c)->request(mcp_request(2, "ping", "{}"), 2, in(std::chrono::seconds(10)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << r.error().message;
}

TEST(McpStdioChannel, NoAnswerTimesOutAndTheProcessIsStoppedAndReaped) {
  pid_t pid = 0;
  {
    auto c = McpStdioChannel::spawn(command({"sleep", "60"}));
    ASSERT_TRUE(c) << c.error().message;
    pid = (*c)->pid();
    auto r = (*c)->request(mcp_request(1, "ping", "{}"), 1, in(std::chrono::milliseconds(200)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::UpstreamTimeout);
    std::atomic<bool> cancel{true};
    r = (*c)->request(mcp_request(2, "ping", "{}"), 2,
                      {std::chrono::steady_clock::now() + std::chrono::minutes(1), &cancel});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::UpstreamTimeout);
  }
  EXPECT_NE(kill(pid, 0), 0);  // gone and reaped (no zombie left to signal)
}

TEST(McpStdioChannel, AProcessThatStopsReadingMidMessageEndsTheChannel) {
  // `sleep` never reads: a message larger than the pipe's buffer is cut off part way.
  auto c = McpStdioChannel::spawn(command({"sleep", "60"}));
  ASSERT_TRUE(c) << c.error().message;
  const std::string big = json{{"text", std::string(1 << 20, 'x')}}.dump();
  auto r = (*c)->request(mcp_request(1, "tools/call", big), 1, in(std::chrono::milliseconds(200)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::UpstreamTimeout) << r.error().message;
  r = (*c)->request(mcp_request(2, "ping", "{}"), 2, in(std::chrono::seconds(5)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("stopped reading mid-message"), std::string::npos)
      << r.error().message;
}

TEST(McpStdioChannel, MatchesAnswersByIdAndAnswersTheServersRequests) {
  // `cat` sends every line back: our request comes back as a request from the "server",
  // which the channel answers (method not found); that answer comes back in turn and
  // is the response to our id.
  auto c = McpStdioChannel::spawn(command({"cat"}));
  ASSERT_TRUE(c) << c.error().message;
  auto r = (*c)->request(mcp_request(42, "tools/list", "{}"), 42, in(std::chrono::seconds(5)));
  ASSERT_TRUE(r) << r.error().message;
  const McpMessage m = parse_mcp_message(*r);
  EXPECT_EQ(m.kind, McpMessage::Kind::Error);
  EXPECT_EQ(m.id, 42);
  EXPECT_EQ(m.error_code, -32601);
}

}  // namespace
}  // namespace sy::workflow
