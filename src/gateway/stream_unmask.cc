#include "gateway/stream_unmask.h"

#include <algorithm>

namespace sy::gateway {

using Kind = model::StreamEvent::Kind;

void StreamUnmasker::flush_others(const uint32_t* except) {
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    if (except != nullptr && it->index == *except) {
      ++it;
      continue;
    }
    std::string rest;
    it->restorer.flush(rest);
    if (!rest.empty()) {
      model::StreamEvent e;
      e.kind = it->kind;
      e.index = it->index;
      e.text = std::move(rest);
      out_.push_back(std::move(e));
    }
    it = blocks_.erase(it);
  }
}

void StreamUnmasker::apply(std::vector<model::StreamEvent>& events) {
  out_.clear();
  for (auto& e : events) {
    switch (e.kind) {
      case Kind::TextDelta:
      case Kind::ToolCallDelta: {
        flush_others(&e.index);
        auto it = std::find_if(blocks_.begin(), blocks_.end(),
                               [&](const Block& b) { return b.index == e.index; });
        if (it == blocks_.end()) {
          blocks_.push_back({e.index, e.kind,
                             governance::StreamRestorer(masked_, e.kind == Kind::ToolCallDelta)});
          it = blocks_.end() - 1;
        }
        std::string text;
        it->restorer.push(e.text, text);
        if (text.empty()) continue;  // all of it may be a placeholder's start
        e.text = std::move(text);
        out_.push_back(std::move(e));
        break;
      }
      case Kind::ToolCallStart:
      case Kind::ToolCallEnd:
      case Kind::ThinkingDelta:
        flush_others(e.kind == Kind::ToolCallEnd ? nullptr : &e.index);
        out_.push_back(std::move(e));
        break;
      case Kind::Stop:
      case Kind::Error:
        flush_others(nullptr);
        out_.push_back(std::move(e));
        break;
      default:
        out_.push_back(std::move(e));
    }
  }
  events.swap(out_);
}

}  // namespace sy::gateway
