#include "workflow/tool_step.h"

#include <nlohmann/json.hpp>

namespace sy::workflow {

using nlohmann::json;

bool url_allowed(std::string_view url, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (!url.starts_with(p)) continue;
    if (p.ends_with('/') || url.size() == p.size()) return true;
    const char next = url[p.size()];
    if (next == '/' || next == '?' || next == '#') return true;
  }
  return false;
}

StepOutcome run_http_tool(const HttpCall& call, std::string_view step_id,
                          const std::string& context_json, const ToolSettings& settings,
                          const governance::Principal& who, const std::string& key,
                          StepPorts& ports) {
  auto url = call.url.render(context_json);
  if (!url) return StepOutcome::failed("url: " + url.error().message);
  ToolRequest request;
  request.method = call.method;
  request.url = *url;
  request.timeout = settings.timeout;
  for (const auto& [name, value] : call.headers) {
    auto v = value.render(context_json);
    if (!v) return StepOutcome::failed("headers." + name + ": " + v.error().message);
    request.headers.emplace_back(name, std::move(*v));
  }
  request.headers.emplace_back("Idempotency-Key", key);
  if (!call.body.empty()) {
    auto body = call.body.render(context_json);
    if (!body) return StepOutcome::failed("body: " + body.error().message);
    request.body = std::move(*body);
  }
  const json audit_detail = {
      {"step", step_id}, {"method", call.method}, {"url", *url}, {"idempotency_key", key}};
  if (!url_allowed(*url, settings.http_allow)) {
    std::string error = "the URL " + *url +
                        " is not allowed: it matches no prefix in "
                        "workflows.http_allow";
    ports.audit("workflow.tool.http", who, 403, error, audit_detail.dump());
    return StepOutcome::failed(std::move(error), json{{"denied", true}, {"url", *url}}.dump());
  }
  const ToolReply reply = ports.http(request);
  ports.audit("workflow.tool.http", who, static_cast<int>(reply.status), reply.error,
              audit_detail.dump());
  const json detail = {{"url", *url}, {"status", reply.status}};
  if (reply.status == 0)
    return StepOutcome::failed(call.method + " " + *url + ": " + reply.error, detail.dump());
  if (reply.status >= 400) {
    return StepOutcome::failed(call.method + " " + *url + " answered HTTP " +
                                   std::to_string(reply.status) + ": " + reply.body.substr(0, 300),
                               detail.dump());
  }
  const auto parsed = json::parse(reply.body, nullptr, false);
  return StepOutcome::ok(parsed.is_discarded() ? json(reply.body).dump() : parsed.dump(),
                         detail.dump());
}

}  // namespace sy::workflow
