// GeminiCodec streams: streamGenerateContent?alt=sse chunks ⇄ canonical stream events.
// Every SSE data line is a whole GenerateContentResponse; function calls arrive whole.
#include <map>
#include <memory>

#include "core/json_writer.h"
#include "protocols/gemini.h"
#include "protocols/gemini_json.h"
#include "protocols/gemini_wire.h"

namespace sy::protocols {
namespace {

using model::Part;
using model::StreamEvent;
using Kind = StreamEvent::Kind;

class GeminiStreamDecoder final : public StreamDecoder {
 public:
  Result<void> decode(std::string_view /*event*/, std::string_view data,
                      std::vector<StreamEvent>& out) override {
    if (data.find_first_not_of(" \t\r\n") == std::string_view::npos) return {};
    if (ended_) {
      return fail(ErrorKind::UpstreamError, "Gemini stream: data after the stream ended");
    }
    SY_TRY(chunk, gemini_wire::decode_chunk(data, next_call_));
    if (chunk.is_error) {
      StreamEvent e{.kind = Kind::Error};
      e.text = chunk.error_message.empty() ? std::string("upstream error") : chunk.error_message;
      e.error_type = chunk.error_status;
      out.push_back(std::move(e));
      ended_ = true;
      return {};
    }
    if (stopped_) {
      // A trailing chunk may repeat metadata; content after the finish is a broken stream.
      if (!chunk.parts.empty()) {
        return fail(ErrorKind::UpstreamError, "Gemini stream: content after finishReason");
      }
      return {};
    }
    if (!started_) {
      StreamEvent s{.kind = Kind::MessageStart};
      s.id = chunk.id;
      s.name = chunk.model;
      out.push_back(std::move(s));
      started_ = true;
    }
    for (auto& p : chunk.parts) emit_part(p, out);
    if (chunk.has_usage) {
      StreamEvent u{.kind = Kind::Usage};
      u.usage = chunk.usage;
      out.push_back(std::move(u));
    }
    const bool finished =
        !chunk.finish_reason.empty() && chunk.finish_reason != "FINISH_REASON_UNSPECIFIED";
    const bool blocked = !chunk.has_candidates && !chunk.block_reason.empty();
    if (finished || blocked) {
      StreamEvent s{.kind = Kind::Stop};
      s.finish = finished ? gemini_wire::decode_finish(chunk.finish_reason, tool_calls_)
                          : model::FinishReason::ContentFilter;
      out.push_back(std::move(s));
      stopped_ = true;
    }
    return {};
  }

  Result<void> finish(std::vector<StreamEvent>& /*out*/) override {
    if (stopped_ || ended_) return {};
    return fail(ErrorKind::UpstreamError, "Gemini stream ended without a finishReason");
  }

 private:
  enum class Open { None, Text, Thinking };

  uint32_t block(Open kind) {
    if (open_ != kind) {
      open_ = kind;
      open_index_ = next_index_++;
    }
    return open_index_;
  }

  void emit_part(Part& p, std::vector<StreamEvent>& out) {
    switch (p.kind) {
      case Part::Kind::Text: {
        // A signature on a text part is not carried by the canonical stream (see docs).
        if (p.text.empty()) return;
        StreamEvent e{.kind = Kind::TextDelta, .index = block(Open::Text)};
        e.text = std::move(p.text);
        out.push_back(std::move(e));
        return;
      }
      case Part::Kind::Thinking: {
        if (p.text.empty() && p.signature.empty()) return;
        const uint32_t index = block(Open::Thinking);
        if (!p.text.empty()) {
          StreamEvent e{.kind = Kind::ThinkingDelta, .index = index};
          e.text = std::move(p.text);
          out.push_back(std::move(e));
        }
        if (!p.signature.empty()) {
          StreamEvent e{.kind = Kind::ThinkingDelta, .index = index};
          e.signature = std::move(p.signature);
          out.push_back(std::move(e));
        }
        return;
      }
      case Part::Kind::ToolUse: {
        open_ = Open::None;
        const uint32_t index = next_index_++;
        tool_calls_ = true;
        StreamEvent start{.kind = Kind::ToolCallStart, .index = index};
        start.id = std::move(p.tool_use.id);
        start.name = std::move(p.tool_use.name);
        start.signature = std::move(p.signature);
        out.push_back(std::move(start));
        StreamEvent delta{.kind = Kind::ToolCallDelta, .index = index};
        delta.text = std::move(p.tool_use.arguments);
        out.push_back(std::move(delta));
        out.push_back(StreamEvent{.kind = Kind::ToolCallEnd, .index = index});
        return;
      }
      case Part::Kind::Image:
      case Part::Kind::ToolResult:
      case Part::Kind::RedactedThinking:
        return;  // not produced by decode_chunk
    }
  }

  bool started_ = false, stopped_ = false, ended_ = false, tool_calls_ = false;
  size_t next_call_ = 0;
  uint32_t next_index_ = 0, open_index_ = 0;
  Open open_ = Open::None;
};

class GeminiStreamEncoder final : public StreamEncoder {
 public:
  void encode(const StreamEvent& ev, std::string& out) override {
    switch (ev.kind) {
      case Kind::MessageStart:
        id_ = ev.id;
        model_ = ev.name;
        started_ = true;
        return;
      case Kind::TextDelta:
        emit_parts(out,
                   [&](json::Writer& w) { w.begin_object().field("text", ev.text).end_object(); });
        return;
      case Kind::ThinkingDelta:
        emit_parts(out, [&](json::Writer& w) {
          w.begin_object().field("text", ev.text).field("thought", true);
          if (!ev.signature.empty()) w.field("thoughtSignature", ev.signature);
          w.end_object();
        });
        return;
      case Kind::ToolCallStart: {
        auto& call = calls_[ev.index];
        call.id = ev.id;
        call.name = ev.name;
        call.signature = ev.signature;
        call.arguments.clear();
        return;
      }
      case Kind::ToolCallDelta: {
        auto it = calls_.find(ev.index);
        if (it == calls_.end()) {
          emit_error(out, "tool call delta for block " + std::to_string(ev.index) +
                              " that was not started");
          return;
        }
        it->second.arguments += ev.text;
        return;
      }
      case Kind::ToolCallEnd: {
        auto it = calls_.find(ev.index);
        if (it == calls_.end()) {
          emit_error(
              out, "tool call end for block " + std::to_string(ev.index) + " that was not started");
          return;
        }
        const Call call = std::move(it->second);
        calls_.erase(it);
        std::string part;
        json::Writer pw(part);
        pw.begin_object().key("functionCall").begin_object();
        if (!call.id.empty()) pw.field("id", call.id);
        pw.field("name", call.name).key("args");
        if (auto r =
                gemini_wire::write_args(call.arguments, "functionCall \"" + call.name + "\".args",
                                        ErrorKind::UpstreamError, pw);
            !r) {
          emit_error(out, r.error().message);
          return;
        }
        pw.end_object();
        if (!call.signature.empty()) pw.field("thoughtSignature", call.signature);
        pw.end_object();
        emit_parts(out, [&](json::Writer& w) { w.raw(part); });
        return;
      }
      case Kind::Usage:
        usage_ = ev.usage;
        usage_pending_ = true;
        if (stopped_) flush_usage(out);
        return;
      case Kind::Stop: {
        emit_chunk(out, [&](json::Writer& w) {
          w.key("candidates").begin_array().begin_object();
          w.field("finishReason", gemini_wire::encode_finish(ev.finish)).field("index", 0);
          w.end_object().end_array();
          write_usage_if_pending(w);
        });
        stopped_ = true;
        return;
      }
      case Kind::Error: {
        // A started message that failed before any output still shows its start: a
        // chunk with only the response's id and model.
        if (started_ && !emitted_) emit_chunk(out, [](json::Writer&) {});
        std::string body;
        json::Writer w(body);
        w.begin_object().key("error").begin_object().field("code", 500).field("message", ev.text);
        w.field("status", ev.error_type.empty() ? std::string("INTERNAL") : ev.error_type);
        w.end_object().end_object();
        frame(out, body);
        return;
      }
    }
  }

  void finish(std::string& out) override { flush_usage(out); }

 private:
  struct Call {
    std::string id, name, signature, arguments;
  };

  static void frame(std::string& out, std::string_view body) {
    out += "data: ";
    out += body;
    out += "\n\n";
  }

  template <class F>
  void emit_chunk(std::string& out, F&& body) {
    std::string chunk;
    json::Writer w(chunk);
    w.begin_object();
    body(w);
    if (!model_.empty()) w.field("modelVersion", model_);
    if (!id_.empty()) w.field("responseId", id_);
    w.end_object();
    frame(out, chunk);
    emitted_ = true;
  }

  template <class F>
  void emit_parts(std::string& out, F&& part) {
    emit_chunk(out, [&](json::Writer& w) {
      w.key("candidates").begin_array().begin_object().key("content").begin_object();
      w.key("parts").begin_array();
      part(w);
      w.end_array().field("role", "model").end_object().field("index", 0).end_object().end_array();
    });
  }

  void write_usage_if_pending(json::Writer& w) {
    if (!usage_pending_) return;
    w.key("usageMetadata");
    gemini_wire::write_usage(usage_, w);
    usage_pending_ = false;
  }

  void flush_usage(std::string& out) {
    if (!usage_pending_) return;
    emit_chunk(out, [&](json::Writer& w) { write_usage_if_pending(w); });
  }

  void emit_error(std::string& out, const std::string& message) {
    StreamEvent e{.kind = Kind::Error};
    e.text = message;
    e.error_type = "INTERNAL";
    encode(e, out);
  }

  std::string id_, model_;
  std::map<uint32_t, Call> calls_;
  model::Usage usage_;
  bool usage_pending_ = false, stopped_ = false, started_ = false, emitted_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> GeminiCodec::stream_decoder() const {
  return std::make_unique<GeminiStreamDecoder>();
}

std::unique_ptr<StreamEncoder> GeminiCodec::stream_encoder(const StreamOptions& /*options*/) const {
  return std::make_unique<GeminiStreamEncoder>();
}

}  // namespace sy::protocols
