// StreamRestorer: puts masked values back into text that arrives in pieces (a streamed
// answer's deltas). A placeholder split across pieces ("[EMA" + "IL_1]") is held back
// until it is complete or proven not to be one, so at most the longest placeholder's
// length is ever withheld. One per content block; not thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "governance/dlp_mask.h"

namespace sy::governance {

class StreamRestorer {
 public:
  // `json_escape`: the pieces are JSON text (tool arguments), so values go in escaped.
  StreamRestorer(std::span<const MaskedValue> masked, bool json_escape)
      : masked_(masked), json_escape_(json_escape) {}

  // Appends to `out` what can be released once `piece` is added.
  void push(std::string_view piece, std::string& out);
  // Releases whatever is held (the block ended).
  void flush(std::string& out);

 private:
  // Where the held text's possible placeholder start is (held_.size() when none).
  size_t unfinished_start() const;

  std::span<const MaskedValue> masked_;
  bool json_escape_;
  std::string held_;
};

}  // namespace sy::governance
