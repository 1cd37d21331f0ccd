#include "workflow/llm_step.h"

#include <nlohmann/json.hpp>

namespace sy::workflow {
namespace {

using nlohmann::json;

// The error message of an OpenAI-shaped error body, else the body itself (shortened).
std::string error_message(unsigned status, std::string_view body) {
  if (status == 0) return "no answer from the gateway in time";
  const auto j = json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("error") && j["error"].is_object()) {
    return "HTTP " + std::to_string(status) + ": " + j["error"].value("message", "");
  }
  return "HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 300));
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Result<std::string> reply_content(std::string_view body) {
  const auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("choices") || !j["choices"].is_array() ||
      j["choices"].empty()) {
    return fail(ErrorKind::UpstreamError, "the answer is not a chat completion");
  }
  const json& message = j["choices"][0].value("message", json::object());
  if (!message.contains("content") || !message["content"].is_string()) {
    return fail(ErrorKind::UpstreamError, "the answer has no text content");
  }
  return message["content"].get<std::string>();
}

std::string strip_json_fence(std::string_view text) {
  std::string t = trim(text);
  if (!t.starts_with("```")) return t;
  const auto first_line_end = t.find('\n');
  const auto close = t.rfind("```");
  if (first_line_end == std::string::npos || close <= first_line_end) return t;
  return trim(std::string_view(t).substr(first_line_end + 1, close - first_line_end - 1));
}

StepOutcome run_llm_step(const LlmStep& step, std::string_view step_id,
                         const std::string& context_json, const LlmSettings& settings,
                         const governance::Principal& who, const std::string& key,
                         StepPorts& ports) {
  auto prompt = step.prompt.render(context_json);
  if (!prompt) return StepOutcome::failed("prompt: " + prompt.error().message);
  json messages = json::array();
  if (!step.system.empty()) {
    auto system = step.system.render(context_json);
    if (!system) return StepOutcome::failed("system: " + system.error().message);
    messages.push_back({{"role", "system"}, {"content", *system}});
  }
  std::string user = *prompt;
  if (step.output_schema) {
    user += "\n\nAnswer with only a JSON value that conforms to this JSON Schema:\n" +
            step.output_schema->source();
  }
  messages.push_back({{"role", "user"}, {"content", user}});
  const std::string first_model = !step.model.empty()   ? step.model
                                  : !step.route.empty() ? step.route
                                                        : settings.default_route;

  json calls = json::array();
  bool repaired = false, escalated = false;
  std::string last_errors;
  // Call 1: as asked. Call 2: the same model, told what was wrong. Call 3: the
  // escalation route, with the whole conversation.
  for (int n = 1; n <= 3; ++n) {
    const std::string model = n == 3 ? settings.escalation_route : first_model;
    ChatCall call;
    call.body = json{{"model", model}, {"messages", messages}, {"stream", false}}.dump();
    call.task = step.task;
    call.request_id = key + ":" + std::to_string(n);
    call.principal = &who;
    call.timeout = settings.timeout;
    call.cancel = settings.cancel;
    const ChatReply reply = ports.chat(call);
    json record = {{"call", n},
                   {"model", model},
                   {"request_id", call.request_id},
                   {"status", reply.status},
                   {"deployment", reply.deployment}};
    if (reply.status != 200) {
      record["outcome"] = "error";
      calls.push_back(record);
      return StepOutcome::failed(error_message(reply.status, reply.body),
                                 json{{"calls", calls}}.dump());
    }
    auto content = reply_content(reply.body);
    if (!content) {
      record["outcome"] = "error";
      calls.push_back(record);
      return StepOutcome::failed(content.error().message, json{{"calls", calls}}.dump());
    }
    if (!step.output_schema) {
      record["outcome"] = "ok";
      calls.push_back(record);
      return StepOutcome::ok(json(*content).dump(), json{{"calls", calls}}.dump());
    }
    const std::string candidate = strip_json_fence(*content);
    const auto errors = step.output_schema->validate(candidate);
    if (errors.empty()) {
      record["outcome"] = "ok";
      calls.push_back(record);
      const json detail = {{"calls", calls}, {"repaired", repaired}, {"escalated", escalated}};
      return StepOutcome::ok(json::parse(candidate).dump(), detail.dump());
    }
    last_errors = describe(errors);
    record["outcome"] = "schema_invalid";
    record["errors"] = last_errors;
    calls.push_back(record);
    if (n == 1) repaired = true;
    if (n == 2) escalated = true;
    messages.push_back({{"role", "assistant"}, {"content", *content}});
    messages.push_back({{"role", "user"},
                        {"content", "Your answer to step `" + std::string(step_id) +
                                        "` did not conform to the JSON Schema:\n" + last_errors +
                                        "\nAnswer again with only the corrected JSON."}});
  }
  const json detail = {{"calls", calls}, {"repaired", repaired}, {"escalated", escalated}};
  return StepOutcome::failed(
      "the output does not conform to the step's output_schema after a repair and an escalation "
      "to route '" +
          settings.escalation_route + "':\n" + last_errors,
      detail.dump());
}

}  // namespace sy::workflow
