#include "routing/token_estimate.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sy::routing {
namespace {

// Costs are in 48ths of a token (so that a third is whole).
constexpr uint32_t kOne = 48;
constexpr uint32_t kCapital = 24;  // extra for a word that starts with a capital
constexpr uint32_t kLetter = 12;   // each letter of a word after its third
constexpr uint32_t kDigit = 16;    // each digit of a number after its first
constexpr uint32_t kPunctAfterPunct = 24;
static_assert(kCapital == kPunctAfterPunct, "counted together below");

enum Class : uint8_t { Lower, Upper, Digit, Space, Newline, Punct, Lead, Continuation };

constexpr std::array<uint8_t, 256> make_class() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 'a' && c <= 'z') {
      t[c] = Lower;
    } else if (c >= 'A' && c <= 'Z') {
      t[c] = Upper;
    } else if (c >= '0' && c <= '9') {
      t[c] = Digit;
    } else if (c == ' ' || c == '\t') {
      t[c] = Space;
    } else if (c == '\n' || c == '\r') {
      t[c] = Newline;
    } else if (c >= 0xC0) {
      t[c] = Lead;
    } else if (c >= 0x80) {
      t[c] = Continuation;
    } else {
      t[c] = Punct;
    }
  }
  return t;
}

// The cost of a non-ASCII character, by its UTF-8 lead byte (which says the script).
// Measured against cl100k_base, the costlier of the two tokenizers outside English.
constexpr std::array<uint8_t, 256> make_lead_cost() {
  std::array<uint8_t, 256> t{};
  auto set = [&t](int lo, int hi, uint8_t v) {
    for (int b = lo; b <= hi; ++b) t[b] = v;
  };
  set(0xC0, 0xC1, 48);   // invalid (overlong): a byte token each
  set(0xC2, 0xCB, 24);   // U+0080–02FF: Latin-1, Latin Extended, IPA, modifiers
  set(0xCC, 0xCF, 54);   // U+0300–03FF: combining marks, Greek
  set(0xD0, 0xD4, 30);   // U+0400–052F: Cyrillic
  set(0xD5, 0xDB, 60);   // U+0530–06FF: Armenian, Hebrew, Arabic
  set(0xDC, 0xDF, 72);   // U+0700–07FF: Syriac, Thaana, N'Ko
  set(0xE0, 0xE0, 72);   // U+0800–0FFF: Indic scripts, Thai, Lao, Tibetan
  set(0xE1, 0xE2, 72);   // U+1000–2FFF: Georgian, Jamo, punctuation, symbols, arrows
  set(0xE3, 0xE9, 66);   // U+3000–9FFF: CJK punctuation, kana, CJK ideographs
  set(0xEA, 0xED, 66);   // U+A000–DFFF: Hangul syllables
  set(0xEE, 0xEF, 72);   // U+E000–FFFF: private use, compatibility, full-width forms
  set(0xF0, 0xF4, 120);  // beyond U+FFFF: emoji, rare ideographs
  set(0xF5, 0xFF, 48);   // invalid
  return t;
}

constexpr auto kClass = make_class();
constexpr auto kLeadCost = make_lead_cost();

// One bit a byte of a 64-byte block, per class (bit i is byte i).
struct Masks {
  uint64_t lower = 0, upper = 0, digit = 0, space = 0, newline = 0, punct = 0, lead = 0,
           continuation = 0;
};

#if defined(__SSE2__)
// Bytes in [lo, hi] of 16 bytes, as 16 bits (signed compares after a shift of range).
inline uint64_t in_range(__m128i x, char lo, char hi) {
  const __m128i shifted = _mm_sub_epi8(x, _mm_set1_epi8(char(lo - 128)));
  return uint32_t(
      _mm_movemask_epi8(_mm_cmplt_epi8(shifted, _mm_set1_epi8(char(-128 + (hi - lo) + 1)))));
}

inline uint64_t equal(__m128i x, char c) {
  return uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(c))));
}

void classify_block(const unsigned char* b, Masks& m) {
  for (int part = 0; part < 4; ++part) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16 * part));
    const int shift = 16 * part;
    m.lower |= in_range(x, 'a', 'z') << shift;
    m.upper |= in_range(x, 'A', 'Z') << shift;
    m.digit |= in_range(x, '0', '9') << shift;
    m.space |= (equal(x, ' ') | equal(x, '\t')) << shift;
    m.newline |= (equal(x, '\n') | equal(x, '\r')) << shift;
    m.lead |= in_range(x, char(0xC0), char(0xFF)) << shift;
    m.continuation |= in_range(x, char(0x80), char(0xBF)) << shift;
  }
  m.punct = ~(m.lower | m.upper | m.digit | m.space | m.newline | m.lead | m.continuation);
}
#else
void classify_block(const unsigned char* b, Masks& m) {
  uint64_t* by_class[] = {&m.lower,   &m.upper, &m.digit, &m.space,
                          &m.newline, &m.punct, &m.lead,  &m.continuation};
  for (std::size_t i = 0; i < 64; ++i) *by_class[kClass[b[i]]] |= uint64_t{1} << i;
}

#endif

// The mask of the byte before each one: this block's shifted, the last bits of the one
// before carried in.
inline uint64_t before(uint64_t x, uint64_t carry) { return (x << 1) | (carry >> 63); }
inline uint64_t two_before(uint64_t x, uint64_t carry) { return (x << 2) | (carry >> 62); }

// Set bits, without relying on the POPCNT instruction (not in baseline x86-64).
inline uint64_t count(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ULL);
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
  return (x * 0x0101010101010101ULL) >> 56;
}

}  // namespace

uint32_t estimate_tokens(std::string_view text) {
  // 64 bytes at a time: each rule of the model is a combination of per-class bit masks
  // of the block and of the block shifted by a byte or two.
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  uint64_t cost = 0;
  Masks prev;            // the block before (for its last two bytes)
  prev.newline = ~0ULL;  // the text starts as if after a newline
  uint64_t prev_cont = 0;
  for (std::size_t at = 0; at < size; at += 64) {
    Masks m;
    const std::size_t n = size - at < 64 ? size - at : 64;
    const uint64_t valid = n == 64 ? ~0ULL : (uint64_t{1} << n) - 1;
    if (n == 64) {
      classify_block(bytes + at, m);
    } else {
      unsigned char tail[64] = {};
      std::memcpy(tail, bytes + at, n);
      classify_block(tail, m);
      for (uint64_t* x : {&m.lower, &m.upper, &m.digit, &m.space, &m.newline, &m.punct, &m.lead,
                          &m.continuation}) {
        *x &= valid;
      }
    }
    const uint64_t letter = m.lower | m.upper;
    const uint64_t non_ascii = m.lead | m.continuation;
    // A letter continues a word after a small letter (unless it is a capital: camelCase
    // splits), after a capital, or after a non-ASCII character.
    const uint64_t cont =
        (m.lower & before(m.lower, prev.lower)) |
        (letter & before(m.upper | non_ascii, prev.upper | prev.lead | prev.continuation));
    const uint64_t word_start = letter & ~cont;
    const uint64_t long_letter = cont & before(cont, prev_cont) & two_before(cont, prev_cont);
    const uint64_t digit_after = m.digit & before(m.digit, prev.digit);
    const uint64_t punct_after = m.punct & before(m.punct, prev.punct);
    // The byte after a run of spaces: two or more spaces are a token; a single one joins
    // a word or punctuation after it, not a number or a newline.
    const uint64_t after_space = valid & ~m.space & before(m.space, prev.space);
    const uint64_t space_token =
        after_space & (two_before(m.space, prev.space) | m.digit | m.newline);
    // Bytes that cost a whole token (at most one whole token a byte: a space run's token
    // is counted at a word start, so it is counted apart).
    const uint64_t whole =
        word_start | (m.digit & ~digit_after) | m.newline | (m.punct & ~punct_after);
    cost +=
        (count(whole) + count(space_token)) * kOne +
        count((word_start & m.upper) | punct_after) * kCapital +  // kCapital == kPunctAfterPunct
        count(long_letter) * kLetter + count(digit_after) * kDigit;
    for (uint64_t lead = m.lead; lead != 0; lead &= lead - 1) {
      cost += kLeadCost[bytes[at + std::countr_zero(lead)]];
    }
    prev = m;
    prev_cont = cont;
  }
  if (size > 0 && kClass[bytes[size - 1]] == Space) cost += kOne;  // trailing whitespace
  return static_cast<uint32_t>((cost + kOne - 1) / kOne);
}

}  // namespace sy::routing
