#include "governance/dlp_digit_groups.h"

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sy::governance {
namespace {

// Bit i set where p[i] is an ASCII digit, for p[0, 64).
std::uint64_t digit_mask_generic(const unsigned char* p) {
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

#if defined(__x86_64__)
[[gnu::target("avx2")]] std::uint64_t digit_mask_avx2(const unsigned char* p) {
  const __m256i zero = _mm256_set1_epi8('0');
  const __m256i nine = _mm256_set1_epi8(9);
  const __m256i lo = _mm256_sub_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), zero);
  const __m256i hi =
      _mm256_sub_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32)), zero);
  const auto lo_bits = static_cast<std::uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(lo, nine), lo)));
  const auto hi_bits = static_cast<std::uint32_t>(
      _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(hi, nine), hi)));
  return lo_bits | static_cast<std::uint64_t>(hi_bits) << 32;
}
#endif

// The edges of the digit groups of p[0, n): for each 64-byte block, the bits where a byte
// differs from the one before it in being a digit, in order. Returns how many were written.
template <std::uint64_t (*Mask)(const unsigned char*)>
[[gnu::always_inline]] inline std::size_t find_edges(const unsigned char* p, std::size_t n,
                                                     std::vector<std::size_t>& edges) {
  std::size_t count = 0;
  std::uint64_t carry = 0;  // 1 when the byte before the block is a digit
  unsigned char last[64];
  for (std::size_t base = 0; base < n; base += 64) {
    const unsigned char* block = p + base;
    if (n - base < 64) {  // the last, short block: padded with non-digits
      std::memset(last, 0, sizeof last);
      std::memcpy(last, block, n - base);
      block = last;
    }
    const std::uint64_t digits = Mask(block);
    std::uint64_t flips = digits ^ ((digits << 1) | carry);
    carry = digits >> 63;
    if (edges.size() < count + 64) edges.resize(2 * (count + 64));
    while (flips != 0) {
      edges[count++] = base + static_cast<std::size_t>(std::countr_zero(flips));
      flips &= flips - 1;
    }
  }
  if (carry != 0) {  // a group running to the end of a whole block
    if (edges.size() == count) edges.resize(count + 64);
    edges[count++] = n;
  }
  return count;
}

#if defined(__x86_64__)
[[gnu::target("avx2,bmi"), gnu::flatten]] std::size_t find_edges_avx2(
    const unsigned char* p, std::size_t n, std::vector<std::size_t>& edges) {
  return find_edges<digit_mask_avx2>(p, n, edges);
}
#endif

bool has_avx2() {
#if defined(__x86_64__)
  static const bool yes =
      (__builtin_cpu_init(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"));
  return yes;
#else
  return false;
#endif
}

}  // namespace

void DigitGroups::find(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
#if defined(__x86_64__)
  if (has_avx2()) {
    count_ = find_edges_avx2(p, text.size(), edges_);
    return;
  }
#endif
  count_ = find_edges<digit_mask_generic>(p, text.size(), edges_);
}

}  // namespace sy::governance
