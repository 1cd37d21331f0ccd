#include "workflow/mcp_client.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "core/log.h"
#include "workflow/mcp_http.h"
#include "workflow/mcp_protocol.h"
#include "workflow/mcp_stdio.h"

namespace sy::workflow {

class McpServerSession {
 public:
  McpServerSession(std::unique_ptr<McpChannel> channel, std::set<std::string> tools)
      : channel_(std::move(channel)), tools_(std::move(tools)) {}

  McpChannel& channel() { return *channel_; }
  bool lists(const std::string& tool) const {
    std::lock_guard lock(mu_);
    return tools_.contains(tool);
  }
  void set_tools(std::set<std::string> tools) {
    std::lock_guard lock(mu_);
    tools_ = std::move(tools);
  }

 private:
  std::unique_ptr<McpChannel> channel_;
  mutable std::mutex mu_;
  std::set<std::string> tools_;
};

struct McpClients::Server {
  McpServerConfig config;
  std::mutex mu;  // starting (or replacing) the session
  std::shared_ptr<McpServerSession> session;
};

namespace {

McpToolReply failure(const Error& e) { return {.status = status_for(e.kind), .error = e.message}; }

// How long telling a server that a request was given up may take.
constexpr auto kCancelNoticeTime = std::chrono::seconds(1);

// One request and its response's result; a JSON-RPC error becomes UpstreamError. A request
// given up (timed out or cancelled) is cancelled at the server too, so that it can stop
// the work — except initialize, which the spec says must not be cancelled.
Result<std::string> exchange(McpChannel& channel, std::atomic<int64_t>& next_id,
                             std::string_view method, const std::string& params,
                             const McpDeadline& deadline) {
  const int64_t id = next_id++;
  auto answer = channel.request(mcp_request(id, method, params), id, deadline);
  if (!answer && answer.error().kind == ErrorKind::UpstreamTimeout && method != "initialize") {
    const McpDeadline notice{std::chrono::steady_clock::now() + kCancelNoticeTime};
    (void)channel.notify(mcp_cancelled(id, answer.error().message), notice);
  }
  if (!answer) return std::unexpected(answer.error());
  McpMessage m = parse_mcp_message(*answer);
  if (m.kind == McpMessage::Kind::Error) {
    return fail(ErrorKind::UpstreamError, std::string(method) + " failed: JSON-RPC error " +
                                              std::to_string(m.error_code) + ": " +
                                              m.error_message);
  }
  if (m.kind != McpMessage::Kind::Response) {
    return fail(ErrorKind::UpstreamError,
                std::string(method) + ": the answer is not a JSON-RPC response");
  }
  return std::move(m.result_json);
}

Result<std::set<std::string>> list_tools(McpChannel& channel, std::atomic<int64_t>& next_id,
                                         const McpDeadline& deadline) {
  std::set<std::string> tools;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    auto result = exchange(channel, next_id, "tools/list", mcp_tools_list_params(cursor), deadline);
    if (!result) return std::unexpected(result.error());
    auto p = parse_tool_page(*result);
    if (!p) return std::unexpected(p.error());
    tools.insert(p->names.begin(), p->names.end());
    if (p->next_cursor.empty()) return tools;
    cursor = std::move(p->next_cursor);
  }
  return fail(ErrorKind::UpstreamError, "tools/list: more than 100 pages");
}

}  // namespace

McpChannelFactory default_mcp_channel_factory() {
  return [](const McpServerConfig& config) -> Result<std::unique_ptr<McpChannel>> {
    if (config.transport == McpTransportKind::Http) {
      auto c = McpHttpChannel::open(config);
      if (!c) return std::unexpected(c.error());
      return std::unique_ptr<McpChannel>(std::move(*c));
    }
    auto c = McpStdioChannel::spawn(config);
    if (!c) return std::unexpected(c.error());
    return std::unique_ptr<McpChannel>(std::move(*c));
  };
}

McpClients::McpClients(std::map<std::string, McpServerConfig> servers, McpChannelFactory factory)
    : factory_(std::move(factory)) {
  for (auto& [name, config] : servers) {
    auto s = std::make_unique<Server>();
    s->config = std::move(config);
    s->config.name = name;
    servers_.emplace(name, std::move(s));
  }
}

McpClients::~McpClients() {
  // Each stdio server may take seconds to stop (mcp_stdio.h): end them side by side.
  std::vector<std::thread> enders;
  for (auto& [name, s] : servers_) {
    if (s->session)
      enders.emplace_back([session = std::move(s->session)]() mutable { session.reset(); });
  }
  for (std::thread& t : enders) t.join();
}

namespace {

Result<std::shared_ptr<McpServerSession>> start_session(const McpServerConfig& config,
                                                        const McpChannelFactory& factory,
                                                        std::atomic<int64_t>& next_id,
                                                        const McpDeadline& deadline) {
  auto channel = factory(config);
  if (!channel) return std::unexpected(channel.error());
  auto init = exchange(**channel, next_id, "initialize", mcp_initialize_params(), deadline);
  if (!init) return std::unexpected(init.error());
  auto version = mcp_negotiated_version(*init);
  if (!version) return std::unexpected(version.error());
  (*channel)->set_protocol_version(*version);
  if (auto n = (*channel)->notify(mcp_notification("notifications/initialized"), deadline); !n) {
    return std::unexpected(n.error());
  }
  auto tools = list_tools(**channel, next_id, deadline);
  if (!tools) return std::unexpected(tools.error());
  spdlog::info("mcp server {}: session started (MCP {}, {} tools)", config.name, *version,
               tools->size());
  return std::make_shared<McpServerSession>(std::move(*channel), std::move(*tools));
}

}  // namespace

McpToolReply McpClients::call(const McpToolRequest& request) {
  const auto found = servers_.find(request.server);
  if (found == servers_.end()) {
    return {.status = 404,
            .error = "the MCP server \"" + request.server +
                     "\" is not declared in workflows.mcp_servers"};
  }
  Server& s = *found->second;
  if (s.config.tools && std::ranges::find(*s.config.tools, request.tool) == s.config.tools->end()) {
    return {.status = 403,
            .error = "the tool \"" + request.tool +
                     "\" is not allowed: it is not in workflows.mcp_servers." + request.server +
                     ".tools"};
  }
  const auto timeout =
      s.config.timeout_ms > 0 ? std::chrono::milliseconds(s.config.timeout_ms) : request.timeout;
  const McpDeadline deadline{std::chrono::steady_clock::now() + timeout, request.cancel};
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<McpServerSession> session;
    {
      std::lock_guard lock(s.mu);
      if (!s.session) {
        auto started = start_session(s.config, factory_, next_id_, deadline);
        if (!started) {
          McpToolReply r = failure(started.error());
          r.error = "MCP server " + request.server + ": " + r.error;
          return r;
        }
        s.session = std::move(*started);
      }
      session = s.session;
      // A tool the cached list lacks: the server's tools may have changed; list again.
      if (!session->lists(request.tool)) {
        if (auto tools = list_tools(session->channel(), next_id_, deadline)) {
          session->set_tools(std::move(*tools));
        }
      }
    }
    if (!session->lists(request.tool)) {
      return {
          .status = 404,
          .error = "the MCP server " + request.server + " has no tool \"" + request.tool + "\""};
    }
    auto result = exchange(session->channel(), next_id_, "tools/call",
                           mcp_tools_call_params(request.tool, request.arguments_json), deadline);
    if (!result && result.error().kind == ErrorKind::Unavailable && attempt == 0) {
      spdlog::warn("mcp server {}: {}; starting a new session", request.server,
                   result.error().message);
      std::lock_guard lock(s.mu);
      if (s.session == session) s.session.reset();
      continue;
    }
    if (!result) {
      McpToolReply r = failure(result.error());
      r.error = "MCP server " + request.server + ": " + r.error;
      return r;
    }
    auto parsed = parse_tool_result(*result);
    if (!parsed) return failure(parsed.error());
    McpToolReply reply{.status = 200, .is_error = parsed->is_error};
    if (parsed->is_error) {
      reply.error = parsed->text.empty() ? "the tool reported an error" : parsed->text;
    } else {
      reply.output_json = std::move(parsed->output_json);
    }
    return reply;
  }
}

}  // namespace sy::workflow
