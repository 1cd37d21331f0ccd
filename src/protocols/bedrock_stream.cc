// Bedrock ConverseStream, event by event (the event contract is in bedrock_converse.h).
//
// Decoder (Bedrock events → canonical): canonical indices number Bedrock's
// contentBlockIndex values in order of first appearance. Text and reasoning blocks have no
// contentBlockStart in Bedrock: their first delta opens them. toolUse input fragments pass
// through verbatim, in order. reasoningContent.redactedContent deltas (opaque data with no
// canonical stream form) are skipped, as the Anthropic decoder skips redacted_thinking.
// The Stop of messageStop is held back until metadata (usage) arrives or finish().
//
// Encoder (canonical → Bedrock event-stream frames): blocks get Bedrock indices 0, 1, … in
// the order they are opened; a text or thinking block is stopped when another block opens
// or at the end (text resuming after that gets a new Bedrock block, since a stopped block
// cannot reopen); tool blocks stop at ToolCallEnd. messageStop is followed by metadata.
#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "core/json_writer.h"
#include "protocols/aws_eventstream.h"
#include "protocols/bedrock_converse.h"
#include "protocols/bedrock_json.h"

namespace sy::protocols {
namespace {

using model::StreamEvent;
namespace dom = simdjson::dom;

constexpr std::string_view kExceptionPrefix = "exception:";

std::unexpected<Error> stream_error(std::string_view what) {
  return fail(ErrorKind::UpstreamError, "upstream stream: " + std::string(what));
}

dom::parser& event_parser() {
  thread_local dom::parser p;
  return p;
}

enum class BlockKind { Text, Tool, Thinking, Redacted };

// ---------------------------------------------------------------- decoder

class BedrockStreamDecoder final : public StreamDecoder {
 public:
  Result<void> decode(std::string_view event, std::string_view data,
                      std::vector<StreamEvent>& out) override;
  Result<void> finish(std::vector<StreamEvent>& out) override;

 private:
  struct Block {
    uint32_t wire;
    uint32_t index;
    BlockKind kind;
    bool open;
  };
  Block* find(uint32_t wire) {
    for (auto& b : blocks_) {
      if (b.wire == wire) return &b;
    }
    return nullptr;
  }
  Block& open_block(uint32_t wire, BlockKind kind) {
    blocks_.push_back({wire, static_cast<uint32_t>(blocks_.size()), kind, true});
    return blocks_.back();
  }
  Result<void> block_start(dom::object root, std::vector<StreamEvent>& out);
  Result<void> block_delta(dom::object root, std::vector<StreamEvent>& out);
  Result<void> block_stop(dom::object root, std::vector<StreamEvent>& out);
  Result<void> metadata(dom::object root, std::vector<StreamEvent>& out);

  std::vector<Block> blocks_;
  bool started_ = false;
  bool stopped_ = false;  // messageStop seen
  bool ended_ = false;    // metadata after messageStop, or an exception
  StreamEvent pending_stop_;
  model::Usage usage_;
};

Result<uint32_t> block_index(dom::object root) {
  int64_t index = -1;
  if (root["contentBlockIndex"].get_int64().get(index) || index < 0 || index > UINT32_MAX) {
    return stream_error("a content block event without a valid contentBlockIndex");
  }
  return static_cast<uint32_t>(index);
}

Result<void> BedrockStreamDecoder::decode(std::string_view event, std::string_view data,
                                          std::vector<StreamEvent>& out) {
  if (ended_) return stream_error("an event after the end of the stream");
  if (event.starts_with(kExceptionPrefix)) {
    StreamEvent e;
    e.kind = StreamEvent::Kind::Error;
    e.error_type.assign(event.substr(kExceptionPrefix.size()));
    e.text = bedrock_converse_codec().decode_error_message(data);
    if (e.text == "(empty body)") e.text = "upstream stream exception " + e.error_type;
    out.push_back(std::move(e));
    ended_ = true;
    return {};
  }
  if (data.empty()) return stream_error(std::string(event) + " has an empty payload");
  dom::element root_el;
  if (auto ec = event_parser().parse(data.data(), data.size(), true).get(root_el)) {
    return stream_error(std::string(event) + " is not valid JSON: " + simdjson::error_message(ec));
  }
  dom::object root;
  if (root_el.get_object().get(root))
    return stream_error(std::string(event) + " is not a JSON object");

  if (event == "messageStart") {
    if (started_) return stream_error("a second messageStart");
    std::string_view role;
    if (!root["role"].get_string().get(role) && role != "assistant") {
      return stream_error("messageStart.role: expected \"assistant\"");
    }
    started_ = true;
    StreamEvent e;
    e.kind = StreamEvent::Kind::MessageStart;
    out.push_back(std::move(e));
    return {};
  }
  const bool content =
      event == "contentBlockStart" || event == "contentBlockDelta" || event == "contentBlockStop";
  if (!content && event != "messageStop" && event != "metadata") return {};  // future events
  if (!started_) return stream_error(std::string(event) + " before messageStart");
  if (content && stopped_) return stream_error(std::string(event) + " after messageStop");
  if (event == "contentBlockStart") return block_start(root, out);
  if (event == "contentBlockDelta") return block_delta(root, out);
  if (event == "contentBlockStop") return block_stop(root, out);
  if (event == "messageStop") {
    if (stopped_) return stream_error("a second messageStop");
    std::string_view reason;
    if (root["stopReason"].get_string().get(reason))
      return stream_error("messageStop without a stopReason");
    for (auto& b : blocks_) {  // Bedrock stops every block first; close what it did not
      if (b.open && b.kind == BlockKind::Tool) {
        StreamEvent e;
        e.kind = StreamEvent::Kind::ToolCallEnd;
        e.index = b.index;
        out.push_back(std::move(e));
      }
      b.open = false;
    }
    stopped_ = true;
    pending_stop_.kind = StreamEvent::Kind::Stop;
    pending_stop_.finish = bedrock::finish_from_stop_reason(reason);
    return {};
  }
  return metadata(root, out);
}

Result<void> BedrockStreamDecoder::block_start(dom::object root, std::vector<StreamEvent>& out) {
  auto wire = block_index(root);
  if (!wire) return std::unexpected(wire.error());
  if (find(*wire)) return stream_error("contentBlockStart for a block already seen");
  dom::object tool;
  if (root["start"]["toolUse"].get_object().get(tool)) {
    return stream_error("contentBlockStart: only toolUse blocks can be translated");
  }
  std::string_view id, name;
  if (tool["toolUseId"].get_string().get(id) || tool["name"].get_string().get(name) || id.empty()) {
    return stream_error("contentBlockStart.start.toolUse needs toolUseId and name");
  }
  Block& b = open_block(*wire, BlockKind::Tool);
  StreamEvent e;
  e.kind = StreamEvent::Kind::ToolCallStart;
  e.index = b.index;
  e.id.assign(id);
  e.name.assign(name);
  out.push_back(std::move(e));
  return {};
}

Result<void> BedrockStreamDecoder::block_delta(dom::object root, std::vector<StreamEvent>& out) {
  auto wire = block_index(root);
  if (!wire) return std::unexpected(wire.error());
  dom::object delta;
  if (root["delta"].get_object().get(delta))
    return stream_error("contentBlockDelta without a delta");
  Block* b = find(*wire);
  if (b && !b->open) return stream_error("contentBlockDelta for a stopped block");
  // The block's kind from the delta; text and reasoning blocks open on their first delta.
  auto expect = [&](BlockKind kind) -> Result<Block*> {
    if (!b) return &open_block(*wire, kind);
    if (b->kind != kind) return stream_error("contentBlockDelta changes the kind of its block");
    return b;
  };
  StreamEvent e;
  std::string_view s;
  dom::object sub;
  if (!delta["text"].get_string().get(s)) {
    auto blk = expect(BlockKind::Text);
    if (!blk) return std::unexpected(blk.error());
    e.kind = StreamEvent::Kind::TextDelta;
    e.index = (*blk)->index;
    e.text.assign(s);
  } else if (!delta["toolUse"].get_object().get(sub)) {
    if (!b || b->kind != BlockKind::Tool)
      return stream_error("a toolUse delta without contentBlockStart");
    if (sub["input"].get_string().get(s))
      return stream_error("contentBlockDelta.delta.toolUse.input: expected a string");
    e.kind = StreamEvent::Kind::ToolCallDelta;
    e.index = b->index;
    e.text.assign(s);
  } else if (!delta["reasoningContent"].get_object().get(sub)) {
    if (!sub["redactedContent"].get_string().get(s)) {
      auto blk = expect(BlockKind::Redacted);
      if (!blk) return std::unexpected(blk.error());
      return {};
    }
    auto blk = expect(BlockKind::Thinking);
    if (!blk) return std::unexpected(blk.error());
    e.kind = StreamEvent::Kind::ThinkingDelta;
    e.index = (*blk)->index;
    if (!sub["text"].get_string().get(s)) {
      e.text.assign(s);
    } else if (!sub["signature"].get_string().get(s)) {
      e.signature.assign(s);
    } else {
      return stream_error("contentBlockDelta.delta.reasoningContent needs text or signature");
    }
  } else {
    return stream_error("contentBlockDelta: a delta kind that cannot be translated");
  }
  out.push_back(std::move(e));
  return {};
}

Result<void> BedrockStreamDecoder::block_stop(dom::object root, std::vector<StreamEvent>& out) {
  auto wire = block_index(root);
  if (!wire) return std::unexpected(wire.error());
  Block* b = find(*wire);
  if (!b) return {};  // a block that carried no delta: nothing was opened for it
  if (!b->open) return stream_error("contentBlockStop for a block already stopped");
  b->open = false;
  if (b->kind == BlockKind::Tool) {
    StreamEvent e;
    e.kind = StreamEvent::Kind::ToolCallEnd;
    e.index = b->index;
    out.push_back(std::move(e));
  }
  return {};
}

Result<void> BedrockStreamDecoder::metadata(dom::object root, std::vector<StreamEvent>& out) {
  dom::object usage;
  if (!root["usage"].get_object().get(usage)) {
    uint32_t input = 0, cache_read = 0, cache_write = 0;
    for (auto field : usage) {
      uint32_t* slot = field.key == "inputTokens"             ? &input
                       : field.key == "outputTokens"          ? &usage_.output_tokens
                       : field.key == "cacheReadInputTokens"  ? &cache_read
                       : field.key == "cacheWriteInputTokens" ? &cache_write
                                                              : nullptr;
      if (!slot) continue;
      uint64_t n = 0;
      if (field.value.get_uint64().get(n) || n > UINT32_MAX) {
        return stream_error("metadata.usage." + std::string(field.key) + ": expected a count");
      }
      *slot = static_cast<uint32_t>(n);
    }
    const uint64_t total = uint64_t{input} + cache_read + cache_write;
    usage_.input_tokens = static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX));
    usage_.cached_input_tokens = cache_read;
    usage_.reported = true;
    StreamEvent e;
    e.kind = StreamEvent::Kind::Usage;
    e.usage = usage_;
    out.push_back(std::move(e));
  }
  if (stopped_) {
    out.push_back(std::move(pending_stop_));
    ended_ = true;
  }
  return {};
}

Result<void> BedrockStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (ended_) return {};
  if (!stopped_) return stream_error("the stream ended before messageStop");
  out.push_back(std::move(pending_stop_));
  ended_ = true;
  return {};
}

// ---------------------------------------------------------------- encoder

class BedrockStreamEncoder final : public StreamEncoder {
 public:
  void encode(const StreamEvent& event, std::string& out) override;
  void finish(std::string& out) override;

 private:
  struct Block {
    uint32_t index;  // canonical
    uint32_t wire;
    BlockKind kind;
    bool open;
  };
  Block* find(uint32_t index) {
    for (auto& b : blocks_) {
      if (b.index == index) return &b;
    }
    return nullptr;
  }
  // The block for a delta of `kind`, opened (and the open text/thinking block stopped)
  // when new; nullptr when the index names a block of another kind or a stopped one.
  Block* block_for(uint32_t index, BlockKind kind, std::string& out);
  void start(std::string& out);
  void stop_block(Block& b, std::string& out);
  void metadata(std::string& out);
  void emit(std::string_view type, std::string_view payload, std::string& out);

  std::vector<Block> blocks_;
  bool started_ = false;
  bool stopped_ = false;
  bool done_ = false;
  model::Usage usage_;
  std::string json_;
  std::string stop_json_;
  uint32_t next_wire_ = 0;
};

void BedrockStreamEncoder::emit(std::string_view type, std::string_view payload, std::string& out) {
  if (auto frame = aws::encode_event(type, payload)) {
    out += *frame;
    return;
  }
  // Only an event past AWS's 16 MiB limit fails: report it in-band.
  if (auto frame =
          aws::encode_exception("internalServerException",
                                R"({"message":"an event exceeds the event-stream size limit"})")) {
    out += *frame;
  }
  done_ = true;
}

void BedrockStreamEncoder::start(std::string& out) {
  if (started_) return;
  started_ = true;
  emit("messageStart", R"({"role":"assistant"})", out);
}

void BedrockStreamEncoder::stop_block(Block& b, std::string& out) {
  if (!b.open) return;
  b.open = false;
  // Its own buffer: block_for() stops blocks while encode() is writing json_.
  stop_json_.clear();
  json::Writer(stop_json_)
      .begin_object()
      .field("contentBlockIndex", static_cast<int64_t>(b.wire))
      .end_object();
  emit("contentBlockStop", stop_json_, out);
}

BedrockStreamEncoder::Block* BedrockStreamEncoder::block_for(uint32_t index, BlockKind kind,
                                                             std::string& out) {
  Block* b = find(index);
  if (b && (b->kind != kind || (!b->open && kind == BlockKind::Tool))) return nullptr;
  if (b && b->open) return b;
  for (auto& other : blocks_) {
    if (other.kind != BlockKind::Tool) stop_block(other, out);
  }
  if (b) {  // text resuming after another block: Bedrock cannot reopen, so a new block
    b->wire = next_wire_++;
    b->open = true;
    return b;
  }
  blocks_.push_back({index, next_wire_++, kind, true});
  return &blocks_.back();
}

void BedrockStreamEncoder::metadata(std::string& out) {
  json_.clear();
  json::Writer w(json_);
  w.begin_object();
  bedrock::write_usage(w, usage_);
  w.key("metrics").begin_object().field("latencyMs", static_cast<int64_t>(0)).end_object();
  w.end_object();
  emit("metadata", json_, out);
  done_ = true;
}

void BedrockStreamEncoder::encode(const StreamEvent& event, std::string& out) {
  if (done_) return;
  using Kind = StreamEvent::Kind;
  if (event.kind == Kind::Error) {
    std::string type = event.error_type;
    if (!type.ends_with("Exception")) type = "internalServerException";
    json_.clear();
    json::Writer(json_).begin_object().field("message", event.text).end_object();
    if (auto frame = aws::encode_exception(type, json_)) out += *frame;
    done_ = true;
    return;
  }
  if (event.kind == Kind::Usage) {
    usage_ = event.usage;
    if (stopped_) metadata(out);
    return;
  }
  if (stopped_) return;  // the message is over; only usage may follow
  start(out);
  json_.clear();
  json::Writer w(json_);
  switch (event.kind) {
    case Kind::MessageStart:
      return;
    case Kind::TextDelta:
    case Kind::ThinkingDelta: {
      const bool text = event.kind == Kind::TextDelta;
      Block* b = block_for(event.index, text ? BlockKind::Text : BlockKind::Thinking, out);
      if (!b) return;
      w.begin_object()
          .field("contentBlockIndex", static_cast<int64_t>(b->wire))
          .key("delta")
          .begin_object();
      if (text) {
        w.field("text", event.text);
      } else {
        w.key("reasoningContent").begin_object();
        if (event.signature.empty())
          w.field("text", event.text);
        else
          w.field("signature", event.signature);
        w.end_object();
      }
      w.end_object().end_object();
      emit("contentBlockDelta", json_, out);
      return;
    }
    case Kind::ToolCallStart: {
      if (find(event.index)) return;
      Block* b = block_for(event.index, BlockKind::Tool, out);
      w.begin_object()
          .field("contentBlockIndex", static_cast<int64_t>(b->wire))
          .key("start")
          .begin_object();
      w.key("toolUse").begin_object().field("toolUseId", event.id).field("name", event.name);
      w.end_object().end_object().end_object();
      emit("contentBlockStart", json_, out);
      return;
    }
    case Kind::ToolCallDelta: {
      Block* b = find(event.index);
      if (!b || b->kind != BlockKind::Tool || !b->open) return;
      w.begin_object()
          .field("contentBlockIndex", static_cast<int64_t>(b->wire))
          .key("delta")
          .begin_object();
      w.key("toolUse").begin_object().field("input", event.text).end_object();
      w.end_object().end_object();
      emit("contentBlockDelta", json_, out);
      return;
    }
    case Kind::ToolCallEnd: {
      Block* b = find(event.index);
      if (b && b->kind == BlockKind::Tool) stop_block(*b, out);
      return;
    }
    case Kind::Stop: {
      for (auto& b : blocks_) stop_block(b, out);
      json_.clear();
      json::Writer(json_)
          .begin_object()
          .field("stopReason", bedrock::stop_reason_name(event.finish))
          .end_object();
      emit("messageStop", json_, out);
      stopped_ = true;
      if (usage_.reported) metadata(out);
      return;
    }
    case Kind::Usage:
    case Kind::Error:
      return;  // handled above
  }
}

void BedrockStreamEncoder::finish(std::string& out) {
  if (stopped_ && !done_) metadata(out);
}

}  // namespace

std::unique_ptr<StreamDecoder> BedrockConverseCodec::stream_decoder() const {
  return std::make_unique<BedrockStreamDecoder>();
}

std::unique_ptr<StreamEncoder> BedrockConverseCodec::stream_encoder(const StreamOptions&) const {
  return std::make_unique<BedrockStreamEncoder>();
}

}  // namespace sy::protocols
