// Digit groups: the maximal runs of ASCII digits in a text, found 64 bytes at a time (one
// bit per byte, SSE2 where available). Every built-in number detector's match ends where a
// digit group ends and every IBAN starts two letters before one, so the scanner looks at
// these places only (dlp_shapes.h), not at every byte. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace sy::governance {

struct DigitGroup {
  std::size_t start = 0;  // text[start, end) are digits; text[start - 1] and text[end]
  std::size_t end = 0;    // are not (or lie outside the text)
};

// Replaces `out` with the digit groups of `text`, in text order.
void find_digit_groups(std::string_view text, std::vector<DigitGroup>& out);

}  // namespace sy::governance
