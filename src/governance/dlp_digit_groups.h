// Digit groups: the maximal runs of ASCII digits in a text, found 64 bytes at a time (one
// bit per byte, AVX2 where the CPU has it, else SSE2) as the places where a byte differs
// from the one before it in being a digit. Every built-in number detector's match ends
// where a digit group ends and every IBAN starts two letters before one, so the scanner
// looks at these places only (dlp_shapes.h), not at every byte. Not thread-safe: one
// DigitGroups per thread (it lives in DlpScratch).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace sy::governance {

struct DigitGroup {
  std::size_t start = 0;  // text[start, end) are digits; text[start - 1] and text[end]
  std::size_t end = 0;    // are not (or lie outside the text)
};

// The digit groups of the last text given to find(), in text order.
class DigitGroups {
 public:
  // Replaces the groups with those of `text`.
  void find(std::string_view text);

  std::size_t size() const { return count_ / 2; }

  // Iteration in text order: for (const DigitGroup g : groups).
  class Iterator {
   public:
    explicit Iterator(const std::size_t* p) : p_(p) {}
    DigitGroup operator*() const { return {p_[0], p_[1]}; }
    Iterator& operator++() {
      p_ += 2;
      return *this;
    }
    bool operator==(const Iterator&) const = default;

   private:
    const std::size_t* p_;
  };
  Iterator begin() const { return Iterator(edges_.data()); }
  Iterator end() const { return Iterator(edges_.data() + count_); }

 private:
  // Where groups start and end, alternately: the first count_. Each 64-byte block can add
  // 64, so find() keeps that much room past count_ before each.
  std::vector<std::size_t> edges_;
  std::size_t count_ = 0;
};

}  // namespace sy::governance
