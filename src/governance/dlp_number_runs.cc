#include "governance/dlp_number_runs.h"

#include <algorithm>
#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "governance/dlp_detectors.h"

namespace sy::governance {
namespace {

// 0: not a number character, 1: separator, 2: digit.
constexpr std::array<unsigned char, 256> kClass = [] {
  std::array<unsigned char, 256> t{};
  for (char c : kNumberChars) t[static_cast<unsigned char>(c)] = 1;
  for (char c = '0'; c <= '9'; ++c) t[static_cast<unsigned char>(c)] = 2;
  return t;
}();

// The index of the first ASCII digit in p[i, n), or n. Sixteen bytes at a time: digits
// are a few percent of ordinary text, so most blocks are skipped whole.
std::size_t next_digit(const unsigned char* p, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
  const __m128i zero = _mm_set1_epi8('0');
  const __m128i nine = _mm_set1_epi8(9);
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), zero);
    const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, nine), x));
    if (mask != 0) {
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
  }
#endif
  while (i < n && kClass[p[i]] != 2) ++i;
  return i;
}

}  // namespace

void find_number_runs(std::string_view text, std::vector<NumberRun>& runs) {
  runs.clear();
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    i = next_digit(p, i, n);
    if (i == n) break;
    std::size_t from = i;
    while (from > 0 && kClass[p[from - 1]] != 0) --from;
    std::size_t digits = 0;
    while (i < n && kClass[p[i]] != 0) digits += kClass[p[i++]] == 2;
    if (digits < kNumberMinDigits && (i == n || (p[i] != 'x' && p[i] != 'e'))) continue;
    runs.push_back({from, i - from, std::min(kNumberTail, n - i), 0});
  }
}

void copy_number_run(std::string_view text, NumberRun& run, std::string& buf) {
  run.at = buf.size();
  buf.append(text.data() + run.start, run.size + run.tail);
  buf.push_back('\n');
}

const NumberRun& run_at(std::span<const NumberRun> runs, std::size_t at) {
  auto it = std::upper_bound(runs.begin(), runs.end(), at,
                             [](std::size_t v, const NumberRun& r) { return v < r.at; });
  return *std::prev(it);
}

}  // namespace sy::governance
