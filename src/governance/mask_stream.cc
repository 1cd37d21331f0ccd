#include "governance/mask_stream.h"

namespace sy::governance {

size_t StreamRestorer::unfinished_start() const {
  // Only a '[' close enough to the end to begin a placeholder that has not ended yet.
  const size_t n = held_.size();
  size_t from = n;
  for (const MaskedValue& m : masked_) from = std::min(from, n >= m.placeholder.size() ? n - m.placeholder.size() + 1 : 0);
  for (size_t p = held_.find('[', from); p != std::string::npos; p = held_.find('[', p + 1)) {
    const std::string_view tail = std::string_view(held_).substr(p);
    for (const MaskedValue& m : masked_) {
      if (tail.size() < m.placeholder.size() && std::string_view(m.placeholder).starts_with(tail)) {
        return p;
      }
    }
  }
  return n;
}

void StreamRestorer::push(std::string_view piece, std::string& out) {
  held_.append(piece);
  const size_t keep = unfinished_start();
  if (keep == 0) return;
  std::string ready = held_.substr(0, keep);
  held_.erase(0, keep);
  restore_masked(ready, masked_, json_escape_);
  out += ready;
}

void StreamRestorer::flush(std::string& out) {
  restore_masked(held_, masked_, json_escape_);
  out += held_;
  held_.clear();
}

}  // namespace sy::governance
