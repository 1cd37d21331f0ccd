// chat.completion bodies ⇄ canonical model::Response, plus the finish-reason and usage
// mapping the stream translation shares (protocols/openai_wire.h).
#include <simdjson.h>

#include <ctime>
#include <string>
#include <string_view>

#include "protocols/openai_wire.h"

namespace sy::protocols::openai_wire {
namespace {

namespace dom = simdjson::dom;
using model::Part;

dom::parser& parser() {
  thread_local dom::parser p;
  return p;
}

std::unexpected<Error> bad(const std::string& field, std::string_view what) {
  return fail(ErrorKind::UpstreamError, "upstream response " + field + ": " + std::string(what));
}

// An optional string member: absent or null is "", another type is an error.
Result<std::string_view> optional_string(dom::object obj, std::string_view key,
                                         const std::string& field) {
  dom::element e;
  if (obj[key].get(e) || e.is_null()) return std::string_view();
  std::string_view s;
  if (e.get(s)) return bad(field, "expected a string");
  return s;
}

Result<void> read_tool_calls(dom::element calls, model::Response& resp) {
  dom::array arr;
  if (calls.get(arr)) return bad("choices[0].message.tool_calls", "expected an array");
  size_t i = 0;
  for (dom::element call : arr) {
    const std::string field = "choices[0].message.tool_calls[" + std::to_string(i++) + "]";
    dom::object obj, fn;
    if (call.get(obj)) return bad(field, "expected an object");
    if (obj["function"].get(fn)) return bad(field + ".function", "expected an object");
    Part p;
    p.kind = Part::Kind::ToolUse;
    auto id = optional_string(obj, "id", field + ".id");
    auto name = optional_string(fn, "name", field + ".function.name");
    auto args = optional_string(fn, "arguments", field + ".function.arguments");
    if (!id) return std::unexpected(id.error());
    if (!name) return std::unexpected(name.error());
    if (!args) return std::unexpected(args.error());
    if (name->empty()) return bad(field + ".function.name", "missing");
    p.tool_use.id.assign(*id);
    p.tool_use.name.assign(*name);
    p.tool_use.arguments.assign(*args);
    resp.content.push_back(std::move(p));
  }
  return {};
}

}  // namespace

model::FinishReason finish_from_wire(std::string_view reason) {
  using F = model::FinishReason;
  if (reason == "stop") return F::EndTurn;
  if (reason == "length") return F::MaxTokens;
  if (reason == "tool_calls" || reason == "function_call") return F::ToolUse;
  if (reason == "content_filter") return F::ContentFilter;
  return F::Other;
}

const char* finish_to_wire(model::FinishReason reason) {
  using F = model::FinishReason;
  switch (reason) {
    case F::MaxTokens:
      return "length";
    case F::ToolUse:
      return "tool_calls";
    case F::ContentFilter:
      return "content_filter";
    case F::Unset:
    case F::EndTurn:
    case F::StopSequence:
    case F::Other:
      return "stop";
  }
  return "stop";
}

void read_usage(dom::element usage, model::Usage& u) {
  auto get = [](dom::element e, const char* key) -> uint32_t {
    int64_t n = 0;
    if (e[key].get_int64().get(n) || n < 0) return 0;
    return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n);
  };
  u.input_tokens = get(usage, "prompt_tokens");
  u.output_tokens = get(usage, "completion_tokens");
  dom::element details;
  if (!usage["prompt_tokens_details"].get(details) && details.is_object()) {
    u.cached_input_tokens = get(details, "cached_tokens");
  }
  if (!usage["completion_tokens_details"].get(details) && details.is_object()) {
    u.reasoning_tokens = get(details, "reasoning_tokens");
  }
  u.reported = true;
}

void write_usage(json::Writer& w, const model::Usage& u) {
  w.key("usage").begin_object();
  w.field("prompt_tokens", static_cast<uint64_t>(u.input_tokens));
  w.field("completion_tokens", static_cast<uint64_t>(u.output_tokens));
  w.field("total_tokens", static_cast<uint64_t>(u.input_tokens) + u.output_tokens);
  w.key("prompt_tokens_details").begin_object();
  w.field("cached_tokens", static_cast<uint64_t>(u.cached_input_tokens)).end_object();
  w.key("completion_tokens_details").begin_object();
  w.field("reasoning_tokens", static_cast<uint64_t>(u.reasoning_tokens)).end_object();
  w.end_object();
}

Result<model::Response> decode_response(std::string_view body) {
  dom::element root;
  if (auto ec = parser().parse(body.data(), body.size(), true).get(root)) {
    return fail(ErrorKind::UpstreamError,
                std::string("upstream response is not valid JSON: ") + simdjson::error_message(ec));
  }
  dom::object obj;
  if (root.get(obj))
    return fail(ErrorKind::UpstreamError, "upstream response is not a JSON object");
  dom::element err;
  if (!obj["error"].get(err) && !err.is_null()) {
    std::string_view msg;
    if (err["message"].get(msg)) msg = "(no message)";
    return fail(ErrorKind::UpstreamError, "upstream error: " + std::string(msg));
  }
  model::Response resp;
  auto id = optional_string(obj, "id", "id");
  auto model_name = optional_string(obj, "model", "model");
  if (!id) return std::unexpected(id.error());
  if (!model_name) return std::unexpected(model_name.error());
  resp.id.assign(*id);
  resp.model.assign(*model_name);

  dom::array choices;
  if (obj["choices"].get(choices)) return bad("choices", "expected an array");
  // n > 1: only the first choice is translated (docs/protocols.md).
  dom::element first;
  if (choices.at(0).get(first)) return bad("choices", "must not be empty");
  dom::object choice, message;
  if (first.get(choice)) return bad("choices[0]", "expected an object");
  if (choice["message"].get(message)) return bad("choices[0].message", "expected an object");

  auto reasoning =
      optional_string(message, "reasoning_content", "choices[0].message.reasoning_content");
  if (!reasoning) return std::unexpected(reasoning.error());
  if (!reasoning->empty()) {
    Part p;
    p.kind = Part::Kind::Thinking;
    p.text.assign(*reasoning);
    resp.content.push_back(std::move(p));
  }
  auto content = optional_string(message, "content", "choices[0].message.content");
  if (!content) return std::unexpected(content.error());
  if (!content->empty()) resp.content.push_back(Part::make_text(std::string(*content)));
  auto refusal = optional_string(message, "refusal", "choices[0].message.refusal");
  if (!refusal) return std::unexpected(refusal.error());
  if (!refusal->empty()) resp.content.push_back(Part::make_text(std::string(*refusal)));
  dom::element calls;
  if (!message["tool_calls"].get(calls) && !calls.is_null()) {
    if (auto r = read_tool_calls(calls, resp); !r) return std::unexpected(r.error());
  }
  auto finish = optional_string(choice, "finish_reason", "choices[0].finish_reason");
  if (!finish) return std::unexpected(finish.error());
  if (!finish->empty()) resp.finish = finish_from_wire(*finish);

  dom::element usage;
  if (!obj["usage"].get(usage) && usage.is_object()) read_usage(usage, resp.usage);
  return resp;
}

std::string encode_response(const model::Response& resp) {
  std::string out;
  size_t estimate = 320;
  for (const Part& p : resp.content) estimate += p.text.size() + p.tool_use.arguments.size() + 96;
  out.reserve(estimate);
  std::string text, reasoning;
  size_t calls = 0;
  for (const Part& p : resp.content) {
    if (p.kind == Part::Kind::Text)
      text += p.text;
    else if (p.kind == Part::Kind::Thinking)
      reasoning += p.text;
    else if (p.kind == Part::Kind::ToolUse)
      ++calls;
  }
  json::Writer w(out);
  w.begin_object().field("id", resp.id).field("object", "chat.completion");
  w.field("created", static_cast<int64_t>(std::time(nullptr))).field("model", resp.model);
  w.key("choices").begin_array().begin_object().field("index", 0);
  w.key("message").begin_object().field("role", "assistant").key("content");
  if (text.empty() && calls > 0)
    w.null();
  else
    w.value(text);
  if (!reasoning.empty()) w.field("reasoning_content", reasoning);
  if (calls > 0) {
    w.key("tool_calls").begin_array();
    for (const Part& p : resp.content) {
      if (p.kind != Part::Kind::ToolUse) continue;
      w.begin_object().field("id", p.tool_use.id).field("type", "function");
      w.key("function").begin_object().field("name", p.tool_use.name);
      w.field("arguments", p.tool_use.arguments).end_object().end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.key("logprobs").null().field("finish_reason", finish_to_wire(resp.finish));
  w.end_object().end_array();
  if (resp.usage.reported) write_usage(w, resp.usage);
  w.end_object();
  return out;
}

}  // namespace sy::protocols::openai_wire
