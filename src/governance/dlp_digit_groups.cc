#include "governance/dlp_digit_groups.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sy::governance {
namespace {

// Bit i set where p[i] is an ASCII digit, for p[0, 64).
std::uint64_t digit_mask(const unsigned char* p) {
  std::uint64_t mask = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  for (int k = 0; k < 4; ++k) {
    const __m128i x =
        _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k)), zero);
    const auto bits =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, nine), x)));
    mask |= static_cast<std::uint64_t>(bits) << (16 * k);
  }
#else
  for (int i = 0; i < 64; ++i) {
    mask |= static_cast<std::uint64_t>(p[i] >= '0' && p[i] <= '9') << i;
  }
#endif
  return mask;
}

}  // namespace

void find_digit_groups(std::string_view text, std::vector<DigitGroup>& out) {
  out.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  bool in_group = false;
  std::size_t start = 0;
  unsigned char last[64];
  for (std::size_t base = 0; base < n; base += 64) {
    const unsigned char* block = p + base;
    if (n - base < 64) {  // the last, short block: padded with non-digits
      std::memset(last, 0, sizeof last);
      std::memcpy(last, block, n - base);
      block = last;
    }
    const std::uint64_t digits = digit_mask(block);
    // Bit i set where text[base + i] differs from the byte before it in being a digit.
    std::uint64_t flips = digits ^ ((digits << 1) | (in_group ? 1u : 0u));
    while (flips != 0) {
      const auto i = static_cast<std::size_t>(__builtin_ctzll(flips));
      flips &= flips - 1;
      if (!in_group) {
        start = base + i;
      } else {
        out.push_back({start, base + i});
      }
      in_group = !in_group;
    }
  }
  if (in_group) out.push_back({start, n});
}

}  // namespace sy::governance
