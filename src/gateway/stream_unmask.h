// StreamUnmasker: gives a streamed answer back the values a policy masked on the way
// out. It rewrites canonical stream events: text and tool-argument fragments get their
// placeholders replaced (one StreamRestorer per content block, so a placeholder split
// across deltas is still found), and what a block still holds is released before the
// block ends or the answer stops. One per response; not thread-safe.
#pragma once

#include <span>
#include <vector>

#include "governance/mask_stream.h"
#include "model/canonical.h"

namespace sy::gateway {

class StreamUnmasker {
 public:
  explicit StreamUnmasker(std::span<const governance::MaskedValue> masked) : masked_(masked) {}

  // Rewrites `events` in place.
  void apply(std::vector<model::StreamEvent>& events);

 private:
  struct Block {
    uint32_t index;
    model::StreamEvent::Kind kind;  // TextDelta or ToolCallDelta
    governance::StreamRestorer restorer;
  };
  // Releases what the blocks other than `except` hold (all when `except` is null).
  void flush_others(const uint32_t* except);

  std::span<const governance::MaskedValue> masked_;
  std::vector<Block> blocks_;
  std::vector<model::StreamEvent> out_;
};

}  // namespace sy::gateway
