// Canonical model::Request → an OpenAI Chat Completions request body, for clients of other
// protocols (Anthropic, Gemini) reaching an OpenAI-compatible model. What Chat Completions
// cannot express fails with unsupported(); the choices are documented in docs/protocols.md.
#include <string>
#include <string_view>

#include "protocols/openai_wire.h"

namespace sy::protocols::openai_wire {
namespace {

using model::Part;
using model::Role;
using model::Turn;

std::unexpected<Error> cannot(std::string_view feature) { return unsupported(feature, kProtocol); }

// Anthropic's thinking budget as an OpenAI effort level (see docs/protocols.md).
const char* effort_for_budget(uint32_t budget) {
  if (budget <= 2048) return "low";
  if (budget <= 16384) return "medium";
  return "high";
}

void write_image(json::Writer& w, const model::Image& image) {
  w.begin_object().field("type", "image_url").key("image_url").begin_object();
  if (image.source == model::Image::Source::Base64) {
    std::string url;
    url.reserve(image.media_type.size() + image.data.size() + 13);
    url.append("data:").append(image.media_type).append(";base64,").append(image.data);
    w.field("url", url);
  } else {
    w.field("url", image.url);
  }
  if (!image.detail.empty()) w.field("detail", image.detail);
  w.end_object().end_object();
}

// A system/developer/user message from parts[begin, end) (text and images only).
Result<void> write_message(json::Writer& w, const Turn& turn, const char* role, size_t begin,
                           size_t end) {
  w.begin_object().field("role", role);
  if (!turn.name.empty()) w.field("name", turn.name);
  w.key("content");
  if (end - begin == 1 && turn.parts[begin].kind == Part::Kind::Text) {
    w.value(turn.parts[begin].text);
  } else {
    w.begin_array();
    for (size_t i = begin; i < end; ++i) {
      const Part& p = turn.parts[i];
      if (p.kind == Part::Kind::Text) {
        w.begin_object().field("type", "text").field("text", p.text).end_object();
      } else if (p.kind == Part::Kind::Image) {
        if (turn.role != Role::User) return cannot("images in system or developer messages");
        write_image(w, p.image);
      } else if (p.kind == Part::Kind::ToolUse) {
        return cannot("tool calls outside assistant turns");
      } else {
        return cannot("thinking outside assistant turns");
      }
    }
    w.end_array();
  }
  w.end_object();
  return {};
}

void write_tool_result(json::Writer& w, const model::ToolResult& result) {
  w.begin_object().field("role", "tool").field("tool_call_id", result.tool_use_id);
  if (result.is_error) {
    // Chat Completions has no error flag on tool results: say it in the content.
    w.field("content", "Error: " + result.text);
  } else {
    w.field("content", result.text);
  }
  w.end_object();
}

// Non-assistant turns: tool results become one "tool" message each, in order; runs of other
// parts between them become one message of the turn's role.
Result<void> write_turn(json::Writer& w, const Turn& turn) {
  const char* role = turn.role == Role::System      ? "system"
                     : turn.role == Role::Developer ? "developer"
                                                    : "user";
  if (turn.parts.empty()) {  // an empty message is still a turn of the conversation
    w.begin_object().field("role", role);
    if (!turn.name.empty()) w.field("name", turn.name);
    w.field("content", "").end_object();
    return {};
  }
  size_t run = 0;
  for (size_t i = 0; i <= turn.parts.size(); ++i) {
    const bool result = i < turn.parts.size() && turn.parts[i].kind == Part::Kind::ToolResult;
    if (i == turn.parts.size() || result) {
      if (i > run) {
        if (auto r = write_message(w, turn, role, run, i); !r) return r;
      }
      if (result) write_tool_result(w, turn.parts[i].tool_result);
      run = i + 1;
    }
  }
  return {};
}

// Assistant turns: text as content, tool uses as tool_calls. Thinking is left out: Chat
// Completions takes no reasoning input (OpenAI's own clients do not send it back either).
Result<void> write_assistant(json::Writer& w, const Turn& turn) {
  size_t texts = 0, calls = 0;
  for (const Part& p : turn.parts) {
    if (p.kind == Part::Kind::Text)
      ++texts;
    else if (p.kind == Part::Kind::ToolUse)
      ++calls;
    else if (p.kind == Part::Kind::Image)
      return cannot("images in assistant messages");
    else if (p.kind == Part::Kind::ToolResult)
      return cannot("tool results in assistant messages");
  }
  if (texts == 0 && calls == 0 && !turn.parts.empty()) {
    return {};  // only reasoning: nothing Chat Completions takes
  }
  w.begin_object().field("role", "assistant");
  if (!turn.name.empty()) w.field("name", turn.name);
  w.key("content");
  if (texts == 0 && calls == 0) {
    w.value("");
  } else if (texts == 0) {
    w.null();
  } else if (texts == 1) {
    for (const Part& p : turn.parts) {
      if (p.kind == Part::Kind::Text) w.value(p.text);
    }
  } else {
    w.begin_array();
    for (const Part& p : turn.parts) {
      if (p.kind == Part::Kind::Text) {
        w.begin_object().field("type", "text").field("text", p.text).end_object();
      }
    }
    w.end_array();
  }
  if (calls > 0) {
    w.key("tool_calls").begin_array();
    for (const Part& p : turn.parts) {
      if (p.kind != Part::Kind::ToolUse) continue;
      w.begin_object().field("id", p.tool_use.id).field("type", "function");
      w.key("function").begin_object().field("name", p.tool_use.name);
      w.field("arguments", p.tool_use.arguments).end_object().end_object();
    }
    w.end_array();
  }
  w.end_object();
  return {};
}

void write_tools(json::Writer& w, const model::Request& req) {
  w.key("tools").begin_array();
  for (const auto& t : req.tools) {
    w.begin_object().field("type", "function").key("function").begin_object();
    w.field("name", t.name);
    if (!t.description.empty()) w.field("description", t.description);
    w.key("parameters").raw(t.parameters.empty() ? std::string_view("{}") : t.parameters);
    if (t.strict) w.field("strict", true);
    w.end_object().end_object();
  }
  w.end_array();
}

void write_tool_choice(json::Writer& w, const model::ToolChoice& choice) {
  using Mode = model::ToolChoice::Mode;
  switch (choice.mode) {
    case Mode::Unset:
      break;
    case Mode::Auto:
      w.field("tool_choice", "auto");
      break;
    case Mode::None:
      w.field("tool_choice", "none");
      break;
    case Mode::Required:
      w.field("tool_choice", "required");
      break;
    case Mode::Named:
      w.key("tool_choice").begin_object().field("type", "function");
      w.key("function").begin_object().field("name", choice.name).end_object().end_object();
      break;
  }
  if (choice.parallel) w.field("parallel_tool_calls", *choice.parallel);
}

void write_response_format(json::Writer& w, const model::ResponseFormat& format) {
  using Kind = model::ResponseFormat::Kind;
  if (format.kind == Kind::Text) return;
  w.key("response_format").begin_object();
  if (format.kind == Kind::JsonObject) {
    w.field("type", "json_object");
  } else {
    w.field("type", "json_schema").key("json_schema").begin_object();
    w.field("name", format.name.empty() ? std::string_view("response") : format.name);
    w.key("schema").raw(format.schema.empty() ? std::string_view("{}") : format.schema);
    if (format.strict) w.field("strict", true);
    w.end_object();
  }
  w.end_object();
}

}  // namespace

Result<std::string> encode_request(const model::Request& req, std::string_view upstream_model) {
  if (!req.unportable.empty()) return cannot(req.unportable.front());
  if (req.top_k) return cannot("top_k");
  std::string out;
  size_t estimate = 256;
  for (const Turn& t : req.turns) {
    for (const Part& p : t.parts) {
      estimate += p.text.size() + p.image.data.size() + p.tool_use.arguments.size() +
                  p.tool_result.text.size() + 64;
    }
  }
  for (const auto& t : req.tools) estimate += t.parameters.size() + t.description.size() + 64;
  out.reserve(estimate);
  json::Writer w(out);
  w.begin_object().field("model", upstream_model).key("messages").begin_array();
  for (const Turn& turn : req.turns) {
    auto r = turn.role == Role::Assistant ? write_assistant(w, turn) : write_turn(w, turn);
    if (!r) return std::unexpected(r.error());
  }
  w.end_array();
  if (!req.tools.empty()) write_tools(w, req);
  write_tool_choice(w, req.tool_choice);
  write_response_format(w, req.response_format);
  if (!req.stop.empty()) {
    w.key("stop").begin_array();
    for (const auto& s : req.stop) w.value(s);
    w.end_array();
  }
  if (req.max_tokens) w.field("max_completion_tokens", static_cast<uint64_t>(*req.max_tokens));
  if (req.temperature) w.field("temperature", *req.temperature);
  if (req.top_p) w.field("top_p", *req.top_p);
  if (req.presence_penalty) w.field("presence_penalty", *req.presence_penalty);
  if (req.frequency_penalty) w.field("frequency_penalty", *req.frequency_penalty);
  if (req.seed) w.field("seed", *req.seed);
  if (req.n) w.field("n", static_cast<uint64_t>(*req.n));
  if (req.reasoning) {
    if (!req.reasoning->effort.empty()) {
      w.field("reasoning_effort", req.reasoning->effort);
    } else if (req.reasoning->budget_tokens) {
      w.field("reasoning_effort", effort_for_budget(*req.reasoning->budget_tokens));
    }
  }
  if (!req.user.empty()) w.field("user", req.user);
  if (req.stream) {
    // Always ask for usage, so the gateway can meter the stream.
    w.field("stream", true).key("stream_options").begin_object();
    w.field("include_usage", true).end_object();
  }
  w.end_object();
  return out;
}

}  // namespace sy::protocols::openai_wire
