#include "governance/dlp_text_gen.h"

#include <array>

namespace sy::governance::testing {
namespace {

using Rng = std::mt19937_64;

std::size_t pick(Rng& rng, std::size_t n) {
  return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
}
bool chance(Rng& rng, int percent) { return static_cast<int>(pick(rng, 100)) < percent; }

constexpr std::array<std::string_view, 34> kWords{"phone",
                                                  "Tel",
                                                  "call",
                                                  "mobile",
                                                  "cell",
                                                  "fax",
                                                  "office",
                                                  "home",
                                                  "work",
                                                  "reach",
                                                  "contact",
                                                  "SSN",
                                                  "social security",
                                                  "ss#",
                                                  "taxpayer",
                                                  "card",
                                                  "IBAN",
                                                  "ext.",
                                                  "ext",
                                                  "x",
                                                  "extension",
                                                  "e",
                                                  "the",
                                                  "and",
                                                  "Court Street",
                                                  "mob.",
                                                  "ph.",
                                                  "text me",
                                                  "order",
                                                  "room",
                                                  "on",
                                                  "to",
                                                  "date",
                                                  "id"};
constexpr std::array<std::string_view, 12> kPrefixes{
    "+1 ", "+44 ", "001-", "1-", "(", "+", "+33 (0)", "0", "(03) ", "+1-", "001 ", "+49"};
constexpr std::array<std::string_view, 10> kKnown{"4111 1111 1111 1111",
                                                  "5500-0000-0000-0004",
                                                  "378282246310005",
                                                  "536-32-3065",
                                                  "536 32 3065",
                                                  "GB82 WEST 1234 5698 7654 32",
                                                  "de89370400440532013000",
                                                  "10.218.6.131",
                                                  "2001:db8::8a2e:370:7334",
                                                  "jane.doe+x@mail.example.org"};
constexpr std::string_view kSeparators = " .-- ()+/:,x";
constexpr std::string_view kMutations = "0123456789 .-()+xe:@/\nAZaz";

void digits(Rng& rng, std::string& out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('0' + pick(rng, 10));
}

// A number-like run: groups of digits joined by separators, with optional prefix and
// extension.
void number(Rng& rng, std::string& out) {
  if (chance(rng, 30)) out += kPrefixes[pick(rng, kPrefixes.size())];
  const std::size_t groups = 1 + pick(rng, 6);
  const char sep = kSeparators[pick(rng, kSeparators.size())];
  for (std::size_t g = 0; g < groups; ++g) {
    if (g > 0) out += chance(rng, 80) ? sep : kSeparators[pick(rng, kSeparators.size())];
    digits(rng, out, chance(rng, 20) ? 1 + pick(rng, 19) : 2 + pick(rng, 3));
  }
  if (chance(rng, 15)) {
    static constexpr std::array<std::string_view, 6> kExt{"x",     " x",         "ext. ",
                                                          " ext.", "extension ", " ext"};
    out += kExt[pick(rng, kExt.size())];
    digits(rng, out, 1 + pick(rng, 7));
  }
}

void iban_like(Rng& rng, std::string& out) {
  static constexpr std::string_view kCc = "GBDEFRNLBEXXgbde";
  out += kCc[pick(rng, kCc.size())];
  out += kCc[pick(rng, kCc.size())];
  digits(rng, out, 2);
  const std::size_t n = 8 + pick(rng, 26);
  for (std::size_t i = 0; i < n; ++i) {
    if (chance(rng, 15)) out += ' ';
    out += chance(rng, 70) ? static_cast<char>('0' + pick(rng, 10))
                           : static_cast<char>('A' + pick(rng, 26));
  }
}

void token(Rng& rng, std::string& out) {
  static constexpr std::array<std::string_view, 6> kLead{"sk-proj-", "AKIA",  "ghp_",
                                                         "eyJ",      "xoxb-", "AIza"};
  static constexpr std::string_view kAlnum =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  out += kLead[pick(rng, kLead.size())];
  const std::size_t n = 10 + pick(rng, 40);
  for (std::size_t i = 0; i < n; ++i) out += kAlnum[pick(rng, kAlnum.size())];
}

}  // namespace

std::string random_dlp_text(Rng& rng) {
  std::string out;
  const std::size_t parts = 2 + pick(rng, 14);
  for (std::size_t p = 0; p < parts; ++p) {
    const std::size_t kind = pick(rng, 100);
    if (kind < 40) {
      number(rng, out);
    } else if (kind < 70) {
      out += kWords[pick(rng, kWords.size())];
    } else if (kind < 78) {
      out += kKnown[pick(rng, kKnown.size())];
    } else if (kind < 85) {
      iban_like(rng, out);
    } else if (kind < 90) {
      token(rng, out);
    } else if (kind < 94) {
      out += "user" + std::to_string(pick(rng, 100)) + "@ex" + (chance(rng, 50) ? ".com" : ".c0");
    } else {
      out += chance(rng, 50) ? "\n" : "Grüße ";
    }
    // Usually a space between parts; sometimes glued, to test edges.
    if (chance(rng, 75)) out += chance(rng, 90) ? " " : ", ";
  }
  return out;
}

std::string mutate_dlp_text(std::string_view text, Rng& rng) {
  std::string out(text);
  const std::size_t edits = 1 + pick(rng, 6);
  for (std::size_t k = 0; k < edits; ++k) {
    const std::size_t at = out.empty() ? 0 : pick(rng, out.size() + 1);
    const char c = kMutations[pick(rng, kMutations.size())];
    const std::size_t op = pick(rng, 3);
    if (op == 0 || out.empty() || at == out.size()) {
      out.insert(at, 1, c);
    } else if (op == 1) {
      out.erase(at, 1);
    } else {
      out[at] = c;
    }
  }
  return out;
}

}  // namespace sy::governance::testing
