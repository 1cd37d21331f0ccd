// Anthropic Messages streams, event by event.
//
// Decoder (Anthropic SSE → canonical): the canonical index of a block is Anthropic's content
// block index; input_json_delta fragments pass through verbatim, in order. redacted_thinking
// blocks (opaque data no other protocol can use) are skipped; server-tool blocks fail.
//
// Encoder (canonical → Anthropic SSE): blocks get Anthropic indices 0, 1, … in the order
// they are opened. Anthropic blocks cannot interleave, so while a tool call is open, events
// of any other block are held back (in arrival order) and replayed once it ends; a text or
// thinking block simply closes when another block starts.
#include <simdjson.h>

#include <vector>

#include "core/ids.h"
#include "protocols/anthropic_json.h"
#include "protocols/anthropic_messages.h"

namespace sy::protocols {
namespace {

using namespace anthropic;  // NOLINT(google-build-using-namespace): the codec's own helpers
using namespace json_read;  // NOLINT(google-build-using-namespace): the shared typed JSON reads
using model::StreamEvent;
namespace dom = simdjson::dom;

constexpr ErrorKind kKind = ErrorKind::UpstreamError;

std::unexpected<Error> stream_error(std::string_view what) {
  return fail(kKind, "upstream stream: " + std::string(what));
}

dom::parser& event_parser() {
  thread_local dom::parser p;
  return p;
}

// ---------------------------------------------------------------- decoder

class AnthropicStreamDecoder final : public StreamDecoder {
 public:
  Result<void> decode(std::string_view event, std::string_view data,
                      std::vector<StreamEvent>& out) override;
  Result<void> finish(std::vector<StreamEvent>& out) override;

 private:
  enum class Block { Text, ToolUse, Thinking, Skipped };
  struct Open {
    uint32_t index;
    Block kind;
  };
  Open* find(uint32_t index) {
    for (auto& o : open_) {
      if (o.index == index) return &o;
    }
    return nullptr;
  }
  Result<void> block_start(dom::object root, std::vector<StreamEvent>& out);
  Result<void> block_delta(dom::object root, std::vector<StreamEvent>& out);

  std::vector<Open> open_;
  int64_t last_started_ = -1;  // blocks start in increasing index order
  bool started_ = false;
  bool ended_ = false;    // message_stop or error seen
  bool stopped_ = false;  // message_delta gave the stop reason
  model::Usage usage_;
};

Result<uint32_t> block_index(dom::object root) {
  int64_t index = -1;
  if (root["index"].get_int64().get(index) || index < 0 || index > UINT32_MAX) {
    return stream_error("a content block event without a valid index");
  }
  return static_cast<uint32_t>(index);
}

// Reads a usage object into `usage` through the on-demand reader shared with responses.
Result<void> read_usage_text(std::string_view json, model::Usage& usage) {
  const std::string copy = padded_copy(json);
  thread_local od::parser parser;
  od::document doc;
  if (auto ec = parser.iterate(copy.data(), copy.size(), copy.capacity()).get(doc)) {
    return malformed(kKind, ec);
  }
  od::value v;
  if (auto ec = doc.get_value().get(v)) return malformed(kKind, ec);
  return read_usage(v, "usage", usage);
}

Result<void> AnthropicStreamDecoder::decode(std::string_view event, std::string_view data,
                                            std::vector<StreamEvent>& out) {
  if (ended_) return stream_error("an event after the end of the message");
  dom::element root_el;
  if (auto ec = event_parser().parse(data.data(), data.size(), true).get(root_el)) {
    return stream_error(std::string("an event is not valid JSON: ") + simdjson::error_message(ec));
  }
  dom::object root;
  if (root_el.get_object().get(root)) return stream_error("an event is not a JSON object");
  std::string_view type = event;
  if (std::string_view t; !root["type"].get_string().get(t)) type = t;

  if (type == "ping") return {};
  if (type == "error") {
    StreamEvent e;
    e.kind = StreamEvent::Kind::Error;
    std::string_view s;
    if (!root["error"]["type"].get_string().get(s)) e.error_type.assign(s);
    if (!root["error"]["message"].get_string().get(s)) e.text.assign(s);
    if (e.text.empty()) e.text = "upstream stream error";
    out.push_back(std::move(e));
    ended_ = true;
    return {};
  }
  if (type == "message_start") {
    if (started_) return stream_error("a second message_start");
    started_ = true;
    dom::object message;
    if (root["message"].get_object().get(message)) return stream_error("message_start without a message");
    StreamEvent e;
    e.kind = StreamEvent::Kind::MessageStart;
    std::string_view s;
    if (!message["id"].get_string().get(s)) e.id.assign(s);
    if (!message["model"].get_string().get(s)) e.name.assign(s);
    out.push_back(std::move(e));
    dom::object usage;
    if (!message["usage"].get_object().get(usage)) {
      if (auto r = read_usage_text(simdjson::minify(usage), usage_); !r) return r;
      StreamEvent u;
      u.kind = StreamEvent::Kind::Usage;
      u.usage = usage_;
      out.push_back(std::move(u));
    }
    return {};
  }
  if (!started_) {
    if (type == "content_block_start" || type == "content_block_delta" ||
        type == "content_block_stop" || type == "message_delta" || type == "message_stop") {
      return stream_error(std::string(type) + " before message_start");
    }
    return {};
  }
  const bool content = type == "content_block_start" || type == "content_block_delta" ||
                       type == "content_block_stop";
  if (content && stopped_) return stream_error(std::string(type) + " after the stop reason");
  if (type == "content_block_start") return block_start(root, out);
  if (type == "content_block_delta") return block_delta(root, out);
  if (type == "content_block_stop") {
    auto index = block_index(root);
    if (!index) return std::unexpected(index.error());
    Open* o = find(*index);
    if (!o) return stream_error("content_block_stop for a block that is not open");
    if (o->kind == Block::ToolUse) {
      StreamEvent e;
      e.kind = StreamEvent::Kind::ToolCallEnd;
      e.index = *index;
      out.push_back(std::move(e));
    }
    open_.erase(open_.begin() + (o - open_.data()));
    return {};
  }
  if (type == "message_delta") {
    dom::object usage;
    if (!root["usage"].get_object().get(usage)) {
      if (auto r = read_usage_text(simdjson::minify(usage), usage_); !r) return r;
      StreamEvent u;
      u.kind = StreamEvent::Kind::Usage;
      u.usage = usage_;
      out.push_back(std::move(u));
    }
    std::string_view reason;
    if (!root["delta"]["stop_reason"].get_string().get(reason)) {
      StreamEvent e;
      e.kind = StreamEvent::Kind::Stop;
      e.finish = finish_from_stop_reason(reason);
      std::string_view seq;
      if (!root["delta"]["stop_sequence"].get_string().get(seq)) e.stop_sequence.assign(seq);
      stopped_ = true;
      out.push_back(std::move(e));
    }
    return {};
  }
  if (type == "message_stop") {
    ended_ = true;
    return {};
  }
  return {};  // Anthropic may add event types; unknown ones are ignored, as its docs ask.
}

Result<void> AnthropicStreamDecoder::block_start(dom::object root, std::vector<StreamEvent>& out) {
  auto index = block_index(root);
  if (!index) return std::unexpected(index.error());
  if (find(*index)) return stream_error("content_block_start for a block already open");
  // Anthropic streams one block at a time: each is stopped before the next starts.
  if (!open_.empty()) {
    return stream_error("content_block_start for block " + std::to_string(*index) +
                        " while block " + std::to_string(open_.back().index) + " is open");
  }
  if (int64_t{*index} <= last_started_) {
    return stream_error("content_block_start for block " + std::to_string(*index) +
                        " after block " + std::to_string(last_started_));
  }
  last_started_ = *index;
  dom::object block;
  if (root["content_block"].get_object().get(block)) {
    return stream_error("content_block_start without a content_block");
  }
  std::string_view type;
  if (block["type"].get_string().get(type)) type = {};
  StreamEvent e;
  e.index = *index;
  std::string_view s;
  if (type == "text") {
    open_.push_back({*index, Block::Text});
    if (!block["text"].get_string().get(s) && !s.empty()) {
      e.kind = StreamEvent::Kind::TextDelta;
      e.text.assign(s);
      out.push_back(std::move(e));
    }
  } else if (type == "tool_use") {
    open_.push_back({*index, Block::ToolUse});
    e.kind = StreamEvent::Kind::ToolCallStart;
    if (block["id"].get_string().get(s) || s.empty()) return stream_error("tool_use without an id");
    e.id.assign(s);
    if (!block["name"].get_string().get(s)) e.name.assign(s);
    out.push_back(std::move(e));
    // The input normally starts empty and arrives as input_json_delta; a non-empty one is
    // sent on as the first fragment.
    dom::object input;
    if (!block["input"].get_object().get(input) && input.size() > 0) {
      StreamEvent d;
      d.kind = StreamEvent::Kind::ToolCallDelta;
      d.index = *index;
      d.text = simdjson::minify(input);
      out.push_back(std::move(d));
    }
  } else if (type == "thinking") {
    open_.push_back({*index, Block::Thinking});
    if (!block["thinking"].get_string().get(s) && !s.empty()) {
      e.kind = StreamEvent::Kind::ThinkingDelta;
      e.text.assign(s);
      out.push_back(std::move(e));
    }
  } else if (type == "redacted_thinking") {
    open_.push_back({*index, Block::Skipped});
  } else {
    return stream_error("the content block type \"" + std::string(type) +
                        "\" cannot be translated");
  }
  return {};
}

Result<void> AnthropicStreamDecoder::block_delta(dom::object root, std::vector<StreamEvent>& out) {
  auto index = block_index(root);
  if (!index) return std::unexpected(index.error());
  Open* o = find(*index);
  if (!o) return stream_error("content_block_delta for a block that is not open");
  dom::object delta;
  if (root["delta"].get_object().get(delta)) return stream_error("content_block_delta without a delta");
  std::string_view type, s;
  if (delta["type"].get_string().get(type)) type = {};
  StreamEvent e;
  e.index = *index;
  auto need = [&](Block kind, const char* field) -> Result<void> {
    if (o->kind != kind) {
      return stream_error(std::string(type) + " in a block of another type");
    }
    if (delta[field].get_string().get(s)) {
      return stream_error(std::string(type) + " without " + field);
    }
    return {};
  };
  if (type == "text_delta") {
    if (auto r = need(Block::Text, "text"); !r) return r;
    e.kind = StreamEvent::Kind::TextDelta;
    e.text.assign(s);
  } else if (type == "input_json_delta") {
    if (auto r = need(Block::ToolUse, "partial_json"); !r) return r;
    if (s.empty()) return {};
    e.kind = StreamEvent::Kind::ToolCallDelta;
    e.text.assign(s);
  } else if (type == "thinking_delta") {
    if (auto r = need(Block::Thinking, "thinking"); !r) return r;
    e.kind = StreamEvent::Kind::ThinkingDelta;
    e.text.assign(s);
  } else if (type == "signature_delta") {
    if (auto r = need(Block::Thinking, "signature"); !r) return r;
    e.kind = StreamEvent::Kind::ThinkingDelta;
    e.signature.assign(s);
  } else {
    return {};  // citations_delta and future delta types carry nothing canonical
  }
  out.push_back(std::move(e));
  return {};
}

Result<void> AnthropicStreamDecoder::finish(std::vector<StreamEvent>&) {
  if (ended_) return {};
  return stream_error("the upstream closed the stream before message_stop");
}

// ---------------------------------------------------------------- encoder

// The length of `s` without a UTF-8 sequence cut off at its end. A canonical fragment may
// end inside a character (the canonical model counts bytes); a JSON string on the wire
// must not, so the cut-off bytes wait for the block's next fragment.
size_t complete_utf8_prefix(std::string_view s) {
  const size_t n = s.size();
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: look further back
    const size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

class AnthropicStreamEncoder final : public StreamEncoder {
 public:
  void encode(const StreamEvent& event, std::string& out) override;
  void finish(std::string& out) override;

 private:
  enum class Block { None, Text, Thinking, Tool };
  void handle(const StreamEvent& event, std::string& out);
  void ensure_started(std::string& out);
  void open(Block kind, const StreamEvent& event, std::string& out);
  void close(std::string& out);
  // Ends the active tool call and replays the events held back meanwhile.
  void end_tool(std::string& out);
  void close_all(std::string& out);
  void emit_stop(std::string& out);
  void emit(std::string_view name, std::string& out) {
    out += "event: ";
    out += name;
    out += "\ndata: ";
    out += json_;
    out += "\n\n";
  }
  bool tool_known(uint32_t index) const {
    for (uint32_t i : tools_seen_) {
      if (i == index) return true;
    }
    return false;
  }

  // Writes a delta of the active block; `field` is "text", "thinking" or "partial_json".
  void write_delta(std::string_view type, std::string_view field, std::string_view text,
                   std::string& out);
  void flush_carry(std::string& out);

  std::string json_;  // the data of the event being written
  std::string carry_;  // the active block's cut-off UTF-8 bytes (see complete_utf8_prefix)
  std::string_view carry_type_, carry_field_;
  bool started_ = false;
  bool done_ = false;          // message_stop or error written
  bool stop_pending_ = false;  // Stop seen, message_delta waits for usage
  Block active_ = Block::None;
  uint32_t active_index_ = 0;  // canonical index of the active block
  uint32_t next_wire_ = 0;     // Anthropic index of the next block
  std::vector<StreamEvent> held_;
  std::vector<uint32_t> tools_seen_;  // canonical indices of tool calls opened or held
  model::FinishReason finish_ = model::FinishReason::Unset;
  std::string stop_sequence_;
  model::Usage usage_;
};

void AnthropicStreamEncoder::ensure_started(std::string& out) {
  if (started_) return;
  StreamEvent none;
  none.kind = StreamEvent::Kind::MessageStart;
  handle(none, out);
}

void AnthropicStreamEncoder::open(Block kind, const StreamEvent& event, std::string& out) {
  close(out);
  json_.clear();
  json::Writer w(json_);
  w.begin_object().field("type", "content_block_start");
  w.field("index", static_cast<int64_t>(next_wire_)).key("content_block").begin_object();
  if (kind == Block::Text) {
    w.field("type", "text").field("text", "");
  } else if (kind == Block::Thinking) {
    w.field("type", "thinking").field("thinking", "").field("signature", "");
  } else {
    w.field("type", "tool_use");
    w.field("id", event.id.empty() ? "toolu_" + new_message_id().substr(4) : event.id);
    w.field("name", event.name).key("input").begin_object().end_object();
  }
  w.end_object().end_object();
  emit("content_block_start", out);
  active_ = kind;
  active_index_ = event.index;
}

void AnthropicStreamEncoder::write_delta(std::string_view type, std::string_view field,
                                         std::string_view text, std::string& out) {
  if (!carry_.empty() && carry_type_ != type) flush_carry(out);
  std::string_view whole = text;
  std::string joined;
  if (!carry_.empty()) {
    joined = std::move(carry_) + std::string(text);
    whole = joined;
  }
  carry_.clear();
  if (type != "signature_delta") {
    const size_t n = complete_utf8_prefix(whole);
    carry_.assign(whole.substr(n));
    carry_type_ = type;
    carry_field_ = field;
    whole = whole.substr(0, n);
  }
  if (whole.empty()) return;
  json_.clear();
  json::Writer w(json_);
  w.begin_object().field("type", "content_block_delta").field("index", static_cast<int64_t>(next_wire_));
  w.key("delta").begin_object().field("type", type).field(field, whole).end_object().end_object();
  emit("content_block_delta", out);
}

// The delta ended inside a character and nothing completes it: the bytes go as they are.
void AnthropicStreamEncoder::flush_carry(std::string& out) {
  if (carry_.empty()) return;
  const std::string rest = std::move(carry_);
  carry_.clear();
  json_.clear();
  json::Writer w(json_);
  w.begin_object().field("type", "content_block_delta").field("index", static_cast<int64_t>(next_wire_));
  w.key("delta").begin_object().field("type", carry_type_).field(carry_field_, rest);
  w.end_object().end_object();
  emit("content_block_delta", out);
}

void AnthropicStreamEncoder::close(std::string& out) {
  if (active_ == Block::None) return;
  flush_carry(out);
  json_.clear();
  json::Writer w(json_);
  w.begin_object().field("type", "content_block_stop").field("index", static_cast<int64_t>(next_wire_));
  w.end_object();
  emit("content_block_stop", out);
  ++next_wire_;
  active_ = Block::None;
}

void AnthropicStreamEncoder::end_tool(std::string& out) {
  close(out);
  std::vector<StreamEvent> held = std::move(held_);
  held_.clear();
  for (const auto& e : held) handle(e, out);
}

void AnthropicStreamEncoder::close_all(std::string& out) {
  close(out);
  while (!held_.empty()) end_tool(out);
  close(out);
}

void AnthropicStreamEncoder::emit_stop(std::string& out) {
  json_.clear();
  json::Writer w(json_);
  w.begin_object().field("type", "message_delta").key("delta").begin_object();
  w.field("stop_reason", stop_reason_name(finish_)).key("stop_sequence");
  if (stop_sequence_.empty()) w.null(); else w.value(stop_sequence_);
  w.end_object();
  write_usage(w, usage_);
  w.end_object();
  emit("message_delta", out);
  json_ = R"({"type":"message_stop"})";
  emit("message_stop", out);
  done_ = true;
  stop_pending_ = false;
}

void AnthropicStreamEncoder::encode(const StreamEvent& event, std::string& out) {
  if (done_) return;
  if (event.kind != StreamEvent::Kind::MessageStart && event.kind != StreamEvent::Kind::Error) {
    ensure_started(out);
  }
  handle(event, out);
}

void AnthropicStreamEncoder::handle(const StreamEvent& event, std::string& out) {
  using Kind = StreamEvent::Kind;
  const bool tool_active = active_ == Block::Tool;
  switch (event.kind) {
    case Kind::MessageStart: {
      if (started_) return;  // one message_start, explicit or implied by the first event
      started_ = true;
      json_.clear();
      json::Writer w(json_);
      w.begin_object().field("type", "message_start").key("message").begin_object();
      w.field("id", event.id.empty() ? new_message_id() : event.id).field("type", "message");
      w.field("role", "assistant").field("model", event.name);
      w.key("content").begin_array().end_array();
      w.key("stop_reason").null().key("stop_sequence").null();
      write_usage(w, usage_);
      w.end_object().end_object();
      emit("message_start", out);
      return;
    }
    case Kind::TextDelta:
    case Kind::ThinkingDelta: {
      if (stop_pending_) return;
      const Block kind = event.kind == Kind::TextDelta ? Block::Text : Block::Thinking;
      if (tool_active) {
        held_.push_back(event);
        return;
      }
      if (active_ != kind || active_index_ != event.index) open(kind, event, out);
      if (kind == Block::Text) {
        write_delta("text_delta", "text", event.text, out);
      } else if (!event.signature.empty()) {
        write_delta("signature_delta", "signature", event.signature, out);
      } else {
        write_delta("thinking_delta", "thinking", event.text, out);
      }
      return;
    }
    case Kind::ToolCallStart:
      if (stop_pending_) return;
      if (!tool_known(event.index)) tools_seen_.push_back(event.index);
      if (tool_active) {
        held_.push_back(event);
        return;
      }
      open(Block::Tool, event, out);
      return;
    case Kind::ToolCallDelta:
      if (stop_pending_) return;
      if (tool_active && active_index_ == event.index) {
        write_delta("input_json_delta", "partial_json", event.text, out);
      } else if (tool_active) {
        held_.push_back(event);
      } else if (!tool_known(event.index)) {  // a delta without its start: open the call
        StreamEvent start = event;
        start.kind = Kind::ToolCallStart;
        handle(start, out);
        handle(event, out);
      }
      return;
    case Kind::ToolCallEnd:
      if (tool_active && active_index_ == event.index) {
        end_tool(out);
      } else if (tool_active) {
        held_.push_back(event);
      }
      return;
    case Kind::Usage:
      usage_ = event.usage;
      if (stop_pending_) emit_stop(out);
      return;
    case Kind::Stop:
      close_all(out);
      finish_ = event.finish;
      stop_sequence_ = event.stop_sequence;
      stop_pending_ = true;
      if (usage_.reported) emit_stop(out);
      return;
    case Kind::Error: {
      std::string_view type = event.error_type;
      static constexpr std::string_view kTypes[] = {
          "invalid_request_error", "authentication_error", "permission_error", "not_found_error",
          "request_too_large",     "rate_limit_error",     "api_error",        "overloaded_error"};
      bool known = false;
      for (auto t : kTypes) known |= t == type;
      json_.clear();
      json::Writer w(json_);
      w.begin_object().field("type", "error").key("error").begin_object();
      w.field("type", known ? type : std::string_view("api_error")).field("message", event.text);
      w.end_object().end_object();
      emit("error", out);
      done_ = true;
      return;
    }
  }
}

void AnthropicStreamEncoder::finish(std::string& out) {
  if (stop_pending_ && !done_) emit_stop(out);
}

}  // namespace

std::unique_ptr<StreamDecoder> AnthropicMessagesCodec::stream_decoder() const {
  return std::make_unique<AnthropicStreamDecoder>();
}

std::unique_ptr<StreamEncoder> AnthropicMessagesCodec::stream_encoder(const StreamOptions&) const {
  return std::make_unique<AnthropicStreamEncoder>();
}

}  // namespace sy::protocols
