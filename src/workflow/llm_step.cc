#include "workflow/llm_step.h"

#include <nlohmann/json.hpp>

#include "routing/token_estimate.h"

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

// Summaries are asked for with this instruction before the chunk.
constexpr std::string_view kSummaryInstruction =
    "Summarize the text between <<< and >>> so that the summary can stand in for it in a "
    "later task. Keep every fact, name, number, date and instruction in it. Answer with the "
    "summary only.\n\n<<<\n";

struct Fitted {
  std::vector<PromptPart> parts;
  json detail;  // null: nothing was done
};

// The prompt fitted to the window `model` can reach (context_fit.h). The summary calls
// go to settings.summary_route as task "summarization", request ids key:summary:N.
Result<Fitted> fit_prompt(std::vector<PromptPart> parts, const LlmRequest& request,
                          const std::string& model, const LlmSettings& settings,
                          const governance::Principal& who, const std::string& key,
                          StepPorts& ports) {
  Fitted out;
  uint32_t other = 3 + 4;  // needs_of: the reply's priming, the user message's framing
  if (!request.system.empty()) other += 4 + routing::estimate_tokens(request.system);
  const std::optional<RouteWindow> window = ports.context_window(model, request.task, who);
  if (!window || window->largest == 0) {
    out.parts = std::move(parts);
    return out;
  }
  FitRequest fit;
  fit.budget = prompt_budget(window->largest);
  fit.other_tokens = other;
  fit.overflow = request.overflow;
  if (prompt_tokens(parts, other) <= fit.budget) {
    out.parts = std::move(parts);
    return out;
  }
  fit.parts = std::move(parts);
  json summary_calls = json::array();
  if (fit.overflow == ContextOverflow::Summarize) {
    const uint32_t framing = routing::estimate_tokens(kSummaryInstruction) + 16;
    const auto sw = ports.context_window(settings.summary_route, "summarization", who);
    const uint32_t room = sw && sw->smallest > 0 ? prompt_budget(sw->smallest) : fit.budget;
    fit.chunk_tokens = room > framing + 64 ? room - framing : 64;
    fit.summarize = [&](std::string_view chunk) -> Result<std::string> {
      ChatCall call;
      const std::string prompt = std::string(kSummaryInstruction) + std::string(chunk) + "\n>>>";
      json messages = json::array();
      messages.push_back({{"role", "user"}, {"content", prompt}});
      call.body =
          json{{"model", settings.summary_route}, {"messages", messages}, {"stream", false}}.dump();
      call.task = "summarization";
      call.request_id = key + ":summary:" + std::to_string(summary_calls.size() + 1);
      call.principal = &who;
      call.timeout = settings.timeout;
      call.cancel = settings.cancel;
      const ChatReply reply = ports.chat(call);
      summary_calls.push_back({{"model", settings.summary_route},
                               {"request_id", call.request_id},
                               {"status", reply.status},
                               {"deployment", reply.deployment}});
      if (reply.status != 200) {
        return fail(ErrorKind::UpstreamError, "summary call " + call.request_id + ": " +
                                                  error_message(reply.status, reply.body));
      }
      return reply_content(reply.body);
    };
  }
  auto fitted = fit_context(std::move(fit));
  if (!fitted) return std::unexpected(fitted.error());
  out.parts = std::move(fitted->parts);
  if (!fitted->changed) return out;
  out.detail = json::parse(fitted->detail_json);
  out.detail["window"] = window->largest;
  out.detail["model"] = model;
  if (!summary_calls.empty()) out.detail["summary_calls"] = std::move(summary_calls);
  return out;
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
  auto parts = step.prompt.render_parts(context_json);
  if (!parts) return StepOutcome::failed("prompt: " + parts.error().message);
  LlmRequest request;
  for (RenderedPart& p : *parts) {
    request.prompt.push_back(
        {std::move(p.text), p.ref < 0 ? std::string() : step.prompt.references()[p.ref].text});
  }
  if (!step.system.empty()) {
    auto system = step.system.render(context_json);
    if (!system) return StepOutcome::failed("system: " + system.error().message);
    request.system = std::move(*system);
  }
  request.task = step.task;
  request.model = !step.model.empty() ? step.model : step.route;
  request.output_schema = step.output_schema ? &*step.output_schema : nullptr;
  request.overflow = step.context_overflow;
  return run_llm_request(request, step_id, settings, who, key, ports);
}

StepOutcome run_llm_request(const LlmRequest& request, std::string_view step_id,
                            const LlmSettings& settings, const governance::Principal& who,
                            const std::string& key, StepPorts& ports) {
  const std::string first_model = request.model.empty() ? settings.default_route : request.model;
  std::vector<PromptPart> parts = request.prompt;
  if (request.output_schema) {
    parts.push_back({"\n\nAnswer with only a JSON value that conforms to this JSON Schema:\n" +
                         request.output_schema->source(),
                     ""});
  }
  auto fitted = fit_prompt(std::move(parts), request, first_model, settings, who, key, ports);
  if (!fitted) return StepOutcome::failed(fitted.error().message);
  parts = std::move(fitted->parts);
  const json fit_detail = std::move(fitted->detail);

  json messages = json::array();
  if (!request.system.empty()) {
    messages.push_back({{"role", "system"}, {"content", request.system}});
  }
  std::string user;
  for (const PromptPart& p : parts) user += p.text;
  messages.push_back({{"role", "user"}, {"content", user}});

  json calls = json::array();
  bool repaired = false, escalated = false;
  std::string last_errors;
  const auto detail = [&](bool schema) {
    json d = {{"calls", calls}};
    if (schema) {
      d["repaired"] = repaired;
      d["escalated"] = escalated;
    }
    if (!fit_detail.is_null()) d["context_fit"] = fit_detail;
    return d.dump();
  };
  const bool checked = request.output_schema != nullptr || request.check != nullptr;
  // Call 1: as asked. Call 2: the same model, told what was wrong. Call 3: the
  // escalation route, with the whole conversation.
  for (int n = 1; n <= 3; ++n) {
    const std::string model = n == 3 ? settings.escalation_route : first_model;
    ChatCall call;
    call.body = json{{"model", model}, {"messages", messages}, {"stream", false}}.dump();
    call.task = request.task;
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
      return StepOutcome::failed(error_message(reply.status, reply.body), detail(false));
    }
    auto content = reply_content(reply.body);
    if (!content) {
      record["outcome"] = "error";
      calls.push_back(record);
      return StepOutcome::failed(content.error().message, detail(false));
    }
    if (!checked) {
      record["outcome"] = "ok";
      calls.push_back(record);
      return StepOutcome::ok(json(*content).dump(), detail(false));
    }
    const std::string candidate = strip_json_fence(*content);
    if (request.output_schema) {
      last_errors = describe(request.output_schema->validate(candidate));
    } else if (!json::accept(candidate)) {
      last_errors = "- at the top level: the answer is not JSON";
    } else {
      last_errors.clear();
    }
    if (last_errors.empty() && request.check) last_errors = request.check(candidate);
    if (last_errors.empty()) {
      record["outcome"] = "ok";
      calls.push_back(record);
      return StepOutcome::ok(json::parse(candidate).dump(), detail(true));
    }
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
  return StepOutcome::failed(
      "the output does not conform to the step's output_schema after a repair and an escalation "
      "to route '" +
          settings.escalation_route + "':\n" + last_errors,
      detail(true));
}

}  // namespace sy::workflow
