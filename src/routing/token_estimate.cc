#include "routing/token_estimate.h"

#include <array>

namespace sy::routing {
namespace {

// Costs are in sixteenths of a token.
constexpr uint32_t kOne = 16;
constexpr uint32_t kCapital = 8;        // extra for a word that starts with a capital
constexpr uint32_t kFreeLetters = 3;    // letters of a word covered by its first token
constexpr uint32_t kLetter = 4;         // each letter after those
constexpr uint32_t kPunctAfterPunct = 8;

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
  set(0xC0, 0xC1, 16);  // invalid (overlong): a byte token each
  set(0xC2, 0xCB, 8);   // U+0080–02FF: Latin-1, Latin Extended, IPA, modifiers
  set(0xCC, 0xCF, 18);  // U+0300–03FF: combining marks, Greek
  set(0xD0, 0xD4, 10);  // U+0400–052F: Cyrillic
  set(0xD5, 0xDB, 20);  // U+0530–06FF: Armenian, Hebrew, Arabic
  set(0xDC, 0xDF, 24);  // U+0700–07FF: Syriac, Thaana, N'Ko
  set(0xE0, 0xE0, 24);  // U+0800–0FFF: Indic scripts, Thai, Lao, Tibetan
  set(0xE1, 0xE2, 24);  // U+1000–2FFF: Georgian, Jamo, punctuation, symbols, arrows
  set(0xE3, 0xE9, 22);  // U+3000–9FFF: CJK punctuation, kana, CJK ideographs
  set(0xEA, 0xED, 22);  // U+A000–DFFF: Hangul syllables
  set(0xEE, 0xEF, 24);  // U+E000–FFFF: private use, compatibility, full-width forms
  set(0xF0, 0xF4, 40);  // beyond U+FFFF: emoji, rare ideographs
  set(0xF5, 0xFF, 16);  // invalid
  return t;
}

constexpr auto kClass = make_class();
constexpr auto kLeadCost = make_lead_cost();

}  // namespace

uint32_t estimate_tokens(std::string_view text) {
  uint64_t cost = 0;
  uint32_t run = 0;     // letters of the current word, or digits of the current number
  uint32_t spaces = 0;  // spaces and tabs since the last other byte
  uint8_t prev = Newline;
  for (unsigned char c : text) {
    const uint8_t k = kClass[c];
    if (k == Space) {
      ++spaces;
      continue;
    }
    if (spaces > 0) {
      // A single space joins the word or punctuation after it, not a number or a newline.
      if (spaces > 1 || k == Digit || k == Newline) cost += kOne;
      spaces = 0;
      prev = Space;
    }
    switch (k) {
      case Lower:
      case Upper:
        if ((prev == Lower && k == Lower) || prev == Upper || prev == Lead ||
            prev == Continuation) {
          if (++run > kFreeLetters) cost += kLetter;
        } else {
          run = 1;
          cost += k == Upper ? kOne + kCapital : kOne;
        }
        break;
      case Digit:
        run = prev == Digit ? run + 1 : 1;
        if (run % 3 == 1) cost += kOne;
        break;
      case Newline:
        cost += kOne;
        break;
      case Punct:
        cost += prev == Punct ? kPunctAfterPunct : kOne;
        break;
      case Lead:
        cost += kLeadCost[c];
        break;
      default:  // a continuation byte: its character was counted at the lead byte
        break;
    }
    prev = k;
  }
  if (spaces > 0) cost += kOne;
  return static_cast<uint32_t>((cost + kOne - 1) / kOne);
}

}  // namespace sy::routing
