// chat.completion.chunk streams ⇄ canonical stream events. The decoder is a state machine
// over an upstream's chunks (one per SSE event); the encoder renders canonical events as
// chunks for an OpenAI client. Neither buffers more than one event; see docs/protocols.md.
#include <simdjson.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/openai_wire.h"

namespace sy::protocols::openai_wire {
namespace {

namespace dom = simdjson::dom;
using model::FinishReason;
using model::StreamEvent;

dom::parser& chunk_parser() {
  thread_local dom::parser p;
  return p;
}

std::unexpected<Error> bad_chunk(std::string_view field, std::string_view what) {
  return fail(ErrorKind::UpstreamError,
              "upstream stream chunk " + std::string(field) + ": " + std::string(what));
}

// A string member that may be absent or null ("" then); another type is an error.
Result<std::string_view> member_string(dom::element obj, std::string_view key,
                                       std::string_view field) {
  dom::element e;
  if (obj[key].get(e) || e.is_null()) return std::string_view();
  std::string_view s;
  if (e.get(s)) return bad_chunk(field, "expected a string");
  return s;
}

class ChunkDecoder final : public StreamDecoder {
 public:
  Result<void> decode(std::string_view /*event*/, std::string_view data,
                      std::vector<StreamEvent>& out) override {
    if (done_ || errored_) return {};  // nothing follows the end of a stream
    if (data == "[DONE]") {
      done_ = true;
      stop(out);
      return {};
    }
    dom::element root;
    if (auto ec = chunk_parser().parse(data.data(), data.size(), true).get(root)) {
      return fail(
          ErrorKind::UpstreamError,
          std::string("upstream stream chunk is not valid JSON: ") + simdjson::error_message(ec));
    }
    if (!root.is_object()) return bad_chunk("(root)", "expected an object");
    dom::element e;
    if (!root["error"].get(e) && !e.is_null()) {
      report_error(e, out);
      return {};
    }
    if (!started_) {
      auto id = member_string(root, "id", "id");
      auto model = member_string(root, "model", "model");
      if (!id) return std::unexpected(id.error());
      if (!model) return std::unexpected(model.error());
      StreamEvent start;
      start.kind = StreamEvent::Kind::MessageStart;
      start.id.assign(*id);
      start.name.assign(*model);
      out.push_back(std::move(start));
      started_ = true;
    }
    if (!root["choices"].get(e) && !e.is_null()) {
      dom::array choices;
      if (e.get(choices)) return bad_chunk("choices", "expected an array");
      for (dom::element choice : choices) {
        int64_t index = 0;
        if (!choice.is_object()) return bad_chunk("choices[]", "expected an object");
        if (dom::element i; !choice["index"].get(i) && i.get_int64().get(index)) {
          return bad_chunk("choices[].index", "expected an integer");
        }
        if (index != 0) continue;  // n > 1: only the first choice is translated
        if (auto r = decode_choice(choice, out); !r) return r;
      }
    }
    if (!root["usage"].get(e) && !e.is_null()) {
      if (!e.is_object()) return bad_chunk("usage", "expected an object");
      StreamEvent usage;
      usage.kind = StreamEvent::Kind::Usage;
      read_usage(e, usage.usage);
      out.push_back(std::move(usage));
    }
    return {};
  }

  Result<void> finish(std::vector<StreamEvent>& out) override {
    if (errored_ || done_) return {};
    if (!finish_) {
      return fail(ErrorKind::UpstreamError,
                  "upstream stream ended before [DONE] or a finish_reason");
    }
    stop(out);
    return {};
  }

 private:
  enum class Block { None, Text, Thinking, Tool };
  struct Call {
    int64_t wire_index = 0;
    uint32_t block = 0;
    bool open = false;
  };

  void close_calls(std::vector<StreamEvent>& out) {
    for (Call& c : calls_) {
      if (!c.open) continue;
      c.open = false;
      StreamEvent end;
      end.kind = StreamEvent::Kind::ToolCallEnd;
      end.index = c.block;
      out.push_back(std::move(end));
    }
  }

  void stop(std::vector<StreamEvent>& out) {
    close_calls(out);
    if (stopped_) return;
    stopped_ = true;
    StreamEvent s;
    s.kind = StreamEvent::Kind::Stop;
    s.finish = finish_.value_or(FinishReason::Unset);
    out.push_back(std::move(s));
  }

  void report_error(dom::element e, std::vector<StreamEvent>& out) {
    StreamEvent err;
    err.kind = StreamEvent::Kind::Error;
    std::string_view s;
    if (!e.get(s)) {
      err.text.assign(s);
    } else {
      if (!e["message"].get(s)) err.text.assign(s);
      if (!e["type"].get(s)) err.error_type.assign(s);
    }
    if (err.text.empty()) err.text = "upstream reported an error in the stream";
    out.push_back(std::move(err));
    errored_ = true;
  }

  // Text and reasoning deltas: a new block whenever the kind changes.
  void append_text(Block kind, std::string_view text, std::vector<StreamEvent>& out) {
    if (current_ != kind) {
      close_calls(out);
      current_ = kind;
      current_block_ = next_block_++;
    }
    StreamEvent d;
    d.kind = kind == Block::Text ? StreamEvent::Kind::TextDelta : StreamEvent::Kind::ThinkingDelta;
    d.index = current_block_;
    d.text.assign(text);
    out.push_back(std::move(d));
  }

  Result<void> decode_tool_call(dom::element call, std::vector<StreamEvent>& out) {
    constexpr std::string_view kField = "choices[0].delta.tool_calls[]";
    if (!call.is_object()) return bad_chunk(kField, "expected an object");
    auto id = member_string(call, "id", "choices[0].delta.tool_calls[].id");
    if (!id) return std::unexpected(id.error());
    std::string_view name, args;
    if (dom::element fn; !call["function"].get(fn) && !fn.is_null()) {
      if (!fn.is_object())
        return bad_chunk("choices[0].delta.tool_calls[].function", "expected an object");
      auto n = member_string(fn, "name", "choices[0].delta.tool_calls[].function.name");
      auto a = member_string(fn, "arguments", "choices[0].delta.tool_calls[].function.arguments");
      if (!n) return std::unexpected(n.error());
      if (!a) return std::unexpected(a.error());
      name = *n;
      args = *a;
    }
    int64_t wire_index = 0;
    if (dom::element i; !call["index"].get(i)) {
      if (i.get_int64().get(wire_index))
        return bad_chunk("choices[0].delta.tool_calls[].index", "expected an integer");
    } else if (!id->empty() || calls_.empty()) {
      wire_index = static_cast<int64_t>(calls_.size());  // no index: a new id is a new call
    } else {
      wire_index = calls_.back().wire_index;
    }
    Call* call_state = nullptr;
    for (Call& c : calls_) {
      if (c.wire_index == wire_index) call_state = &c;
    }
    if (call_state == nullptr) {
      if (name.empty())
        return bad_chunk("choices[0].delta.tool_calls[].function.name",
                         "missing on a new tool call");
      close_calls(out);
      current_ = Block::Tool;
      calls_.push_back(Call{wire_index, next_block_++, true});
      call_state = &calls_.back();
      StreamEvent start;
      start.kind = StreamEvent::Kind::ToolCallStart;
      start.index = call_state->block;
      start.id = id->empty() ? "call_" + std::to_string(call_state->block) : std::string(*id);
      start.name.assign(name);
      out.push_back(std::move(start));
    } else if (!call_state->open) {
      if (args.empty()) return {};
      return bad_chunk(kField,
                       "arguments for tool call " + std::to_string(wire_index) + " after it ended");
    }
    if (!args.empty()) {
      StreamEvent d;
      d.kind = StreamEvent::Kind::ToolCallDelta;
      d.index = call_state->block;
      d.text.assign(args);
      out.push_back(std::move(d));
    }
    return {};
  }

  Result<void> decode_choice(dom::element choice, std::vector<StreamEvent>& out) {
    dom::element delta;
    if (!choice["delta"].get(delta) && !delta.is_null()) {
      if (!delta.is_object()) return bad_chunk("choices[0].delta", "expected an object");
      for (const char* key : {"reasoning_content", "reasoning"}) {
        auto r = member_string(delta, key, std::string("choices[0].delta.") + key);
        if (!r) return std::unexpected(r.error());
        if (!r->empty()) append_text(Block::Thinking, *r, out);
      }
      for (const char* key : {"content", "refusal"}) {
        auto t = member_string(delta, key, std::string("choices[0].delta.") + key);
        if (!t) return std::unexpected(t.error());
        if (!t->empty()) append_text(Block::Text, *t, out);
      }
      dom::element calls;
      if (!delta["tool_calls"].get(calls) && !calls.is_null()) {
        dom::array arr;
        if (calls.get(arr)) return bad_chunk("choices[0].delta.tool_calls", "expected an array");
        for (dom::element call : arr) {
          if (auto r = decode_tool_call(call, out); !r) return r;
        }
      }
    }
    auto reason = member_string(choice, "finish_reason", "choices[0].finish_reason");
    if (!reason) return std::unexpected(reason.error());
    if (!reason->empty()) {
      close_calls(out);
      finish_ = finish_from_wire(*reason);
    }
    return {};
  }

  bool started_ = false;
  bool done_ = false;
  bool errored_ = false;
  bool stopped_ = false;
  std::optional<FinishReason> finish_;
  Block current_ = Block::None;
  uint32_t current_block_ = 0;
  uint32_t next_block_ = 0;
  std::vector<Call> calls_;
};

class ChunkEncoder final : public StreamEncoder {
 public:
  explicit ChunkEncoder(const StreamOptions& options) : include_usage_(options.include_usage) {}

  void encode(const StreamEvent& ev, std::string& out) override {
    using K = StreamEvent::Kind;
    if (errored_) return;
    if (ev.kind == K::Error) {
      errored_ = true;
      out += "data: ";
      json::Writer w(out);
      w.begin_object().key("error").begin_object().field("message", ev.text);
      w.field("type", ev.error_type.empty() ? std::string_view("api_error") : ev.error_type);
      w.key("param").null().key("code").null().end_object().end_object();
      out += "\n\n";
      return;
    }
    if (ev.kind == K::MessageStart) {
      if (!started_) start(ev.id, ev.name, out);
      return;
    }
    if (!started_) start("", "", out);
    switch (ev.kind) {
      case K::TextDelta:
        delta_chunk(out).begin_object().field("content", ev.text).end_object();
        end_chunk(out, nullptr);
        break;
      case K::ThinkingDelta:
        if (ev.text.empty()) break;  // a signature alone: nothing an OpenAI client can use
        delta_chunk(out).begin_object().field("reasoning_content", ev.text).end_object();
        end_chunk(out, nullptr);
        break;
      case K::ToolCallStart: {
        const uint64_t wire = wire_index(ev.index);
        auto& w = delta_chunk(out).begin_object().key("tool_calls").begin_array().begin_object();
        w.field("index", wire).field("id", ev.id).field("type", "function");
        w.key("function").begin_object().field("name", ev.name).field("arguments", "");
        w.end_object().end_object().end_array().end_object();
        end_chunk(out, nullptr);
        break;
      }
      case K::ToolCallDelta: {
        const uint64_t wire = wire_index(ev.index);
        auto& w = delta_chunk(out).begin_object().key("tool_calls").begin_array().begin_object();
        w.field("index", wire).key("function").begin_object().field("arguments", ev.text);
        w.end_object().end_object().end_array().end_object();
        end_chunk(out, nullptr);
        break;
      }
      case K::Usage:
        usage_ = ev.usage;
        break;
      case K::Stop:
        delta_chunk(out).begin_object().end_object();
        end_chunk(out, finish_to_wire(ev.finish));
        emit_usage(out);
        break;
      case K::ToolCallEnd:
      case K::MessageStart:
      case K::Error:
        break;
    }
  }

  void finish(std::string& out) override {
    if (errored_) return;  // the error event ended the stream
    emit_usage(out);
    out += "data: [DONE]\n\n";
  }

 private:
  void start(std::string_view id, std::string_view model, std::string& out) {
    started_ = true;
    prefix_ = "data: ";
    json::Writer w(prefix_);
    w.begin_object().field("id", id).field("object", "chat.completion.chunk");
    w.field("created", static_cast<int64_t>(std::time(nullptr))).field("model", model);
    // Left open: each chunk adds its choices and closes it.
    delta_chunk(out).begin_object().field("role", "assistant").field("content", "").end_object();
    end_chunk(out, nullptr);
  }

  // Opens a chunk up to its delta, which the caller writes with the returned writer.
  json::Writer& delta_chunk(std::string& out) {
    out += prefix_;
    out += ",\"choices\":[{\"index\":0,\"delta\":";
    writer_.emplace(out);
    return *writer_;
  }

  void end_chunk(std::string& out, const char* finish_reason) {
    out += ",\"logprobs\":null,\"finish_reason\":";
    if (finish_reason == nullptr) {
      out += "null";
    } else {
      out += '"';
      out += finish_reason;
      out += '"';
    }
    out += "}]}\n\n";
  }

  void emit_usage(std::string& out) {
    if (!include_usage_ || usage_sent_ || !usage_.reported) return;
    usage_sent_ = true;
    if (!started_) start("", "", out);
    out += prefix_;
    out += ",\"choices\":[],";
    json::Writer w(out);
    write_usage(w, usage_);
    out += "}\n\n";
  }

  uint64_t wire_index(uint32_t block) {
    for (size_t i = 0; i < tool_blocks_.size(); ++i) {
      if (tool_blocks_[i] == block) return i;
    }
    tool_blocks_.push_back(block);
    return tool_blocks_.size() - 1;
  }

  bool include_usage_;
  bool started_ = false;
  bool errored_ = false;
  bool usage_sent_ = false;
  std::string prefix_;
  std::optional<json::Writer> writer_;
  model::Usage usage_;
  std::vector<uint32_t> tool_blocks_;  // canonical block index per OpenAI tool_calls index
};

}  // namespace

std::unique_ptr<StreamDecoder> make_stream_decoder() { return std::make_unique<ChunkDecoder>(); }

std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamOptions& options) {
  return std::make_unique<ChunkEncoder>(options);
}

}  // namespace sy::protocols::openai_wire
