#include "governance/dlp_shapes.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <initializer_list>

namespace sy::governance {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_sep(char c) { return c == ' ' || c == '.' || c == '-'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::size_t digits_back(std::string_view t, std::size_t end) {
  while (end > 0 && is_digit(t[end - 1])) --end;
  return end;
}

// Whether text[at, at + shape.size()) has the shape: 'd' a digit, 's' one of " .-",
// 'p' '.' or '-', 'c' ' ' or '-'; any other byte stands for itself.
bool fits(std::string_view t, std::size_t at, std::string_view shape) {
  if (at > t.size() || t.size() - at < shape.size()) return false;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const char c = t[at + k];
    bool ok = false;
    switch (shape[k]) {
      case 'd':
        ok = is_digit(c);
        break;
      case 's':
        ok = is_sep(c);
        break;
      case 'p':
        ok = c == '.' || c == '-';
        break;
      case 'c':
        ok = c == ' ' || c == '-';
        break;
      default:
        ok = c == shape[k];
        break;
    }
    if (!ok) return false;
  }
  return true;
}

// The leftmost start among fixed-width shapes that end at `end`.
std::size_t leftmost_fit(std::string_view t, std::size_t end,
                         std::initializer_list<std::string_view> shapes) {
  std::size_t best = kNone;
  for (std::string_view s : shapes) {
    if (end >= s.size() && fits(t, end - s.size(), s)) best = std::min(best, end - s.size());
  }
  return best;
}

// Where a phone's main part may end when `end` closes an extension " ?(x|ext\.?|extension)
// ?\d{1,6}": at most eight places, written to `out`; returns how many.
std::size_t extension_main_ends(std::string_view t, std::size_t end,
                                std::array<std::size_t, 8>& out) {
  std::size_t n = 0;
  const std::size_t digits = digits_back(t, end);
  if (end - digits < 1 || end - digits > 6) return 0;
  const bool space_before_digits = digits > 0 && t[digits - 1] == ' ';
  for (std::size_t p : {digits, space_before_digits ? digits - 1 : kNone}) {
    if (p == kNone || p == 0) continue;
    const char last = t[p - 1];  // every extension word ends in one of these
    if (last != 'x' && last != 't' && last != '.' && last != 'n') continue;
    for (std::string_view word : {"x", "ext", "ext.", "extension"}) {
      if (p < word.size() || t.substr(p - word.size(), word.size()) != word) continue;
      const std::size_t w = p - word.size();
      out[n++] = w;
      if (w > 0 && t[w - 1] == ' ') out[n++] = w - 1;
    }
  }
  return n;
}

// The leftmost start of `main` (a pattern without the extension) or of main + EXT.
template <typename Main>
std::size_t with_extension(std::string_view t, std::size_t end, Main main) {
  std::size_t best = main(t, end);
  std::array<std::size_t, 8> ends{};
  const std::size_t n = extension_main_ends(t, end, ends);
  for (std::size_t k = 0; k < n; ++k) best = std::min(best, main(t, ends[k]));
  return best;
}

std::size_t nanp_main_start(std::string_view t, std::size_t m) {
  if (m < 4 || !fits(t, m - 4, "dddd")) return kNone;
  std::size_t best = kNone;
  for (std::string_view core : {"(ddd)sddds", "(ddd)ddds", "dddpdddp"}) {
    if (m - 4 < core.size() || !fits(t, m - 4 - core.size(), core)) continue;
    const std::size_t c = m - 4 - core.size();
    const std::size_t prefix = leftmost_fit(t, c, {"001s", "+1s", "001", "1s", "+1", "1"});
    best = std::min(best, prefix == kNone ? c : prefix);
  }
  return best;
}

// Whether t[i, m) is (?:[ .\-]?\d{1,5}){1,6}: digit runs with single separators between
// (and maybe one before), each run cut into pieces of at most five, six pieces at most.
bool intl_pieces(std::string_view t, std::size_t i, std::size_t m) {
  std::size_t pieces = 0;
  while (i < m) {
    if (is_sep(t[i])) ++i;
    const std::size_t from = i;
    while (i < m && is_digit(t[i])) ++i;
    if (i == from) return false;
    pieces += (i - from + 4) / 5;
    if (i < m && !is_sep(t[i])) return false;
  }
  return pieces >= 1 && pieces <= 6;
}

// Whether t[p, m) is \+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,5}){1,6}.
bool intl_main_matches(std::string_view t, std::size_t p, std::size_t m) {
  for (std::size_t k = 1; k <= 3 && p + 1 + k <= m && is_digit(t[p + k]); ++k) {
    const std::size_t i = p + 1 + k;
    if (intl_pieces(t, i, m)) return true;
    for (std::size_t j : {i, i < m && is_sep(t[i]) ? i + 1 : kNone}) {
      if (j == kNone || j >= m || t[j] != '(') continue;
      std::size_t q = j + 1;
      while (q < m && is_digit(t[q])) ++q;
      if (q - j - 1 >= 1 && q - j - 1 <= 4 && q < m && t[q] == ')' && intl_pieces(t, q + 1, m)) {
        return true;
      }
    }
  }
  return false;
}

std::size_t intl_main_start(std::string_view t, std::size_t m) {
  // The longest main part: "+123" " (1234)" and six pieces " 12345".
  constexpr std::size_t kLongest = 4 + 7 + 6 * 6;
  if (m > t.size()) return kNone;
  for (std::size_t p = m > kLongest ? m - kLongest : 0; p + 3 <= m; ++p) {
    const void* plus = std::memchr(t.data() + p, '+', m - 2 - p);
    if (plus == nullptr) break;
    p = static_cast<std::size_t>(static_cast<const char*>(plus) - t.data());
    if (intl_main_matches(t, p, m)) return p;
  }
  return kNone;
}

// Leftmost start of "(?:\(\d{1,4}\) ?)?\d{2,12}(?:[ .\-]\d{2,8}){0,4}" ending at m.
std::size_t local_phone_main_start(std::string_view t, std::size_t m) {
  std::size_t best = std::string_view::npos;
  std::size_t group_end = m;
  for (int groups = 0; groups <= 4; ++groups) {
    const std::size_t run = digits_back(t, group_end);
    const std::size_t len = group_end - run;
    if (len < 2) break;
    // This run as the first group (\d{2,12}), possibly after "(123) " or "(123)".
    std::size_t start = group_end - std::min<std::size_t>(len, 12);
    if (len <= 12) {
      std::size_t p = start;
      if (p > 0 && t[p - 1] == ' ') --p;
      if (p > 0 && t[p - 1] == ')') {
        const std::size_t close = p - 1;
        const std::size_t inner = digits_back(t, close);
        if (close - inner >= 1 && close - inner <= 4 && inner > 0 && t[inner - 1] == '(') {
          start = inner - 1;
        }
      }
    }
    best = std::min(best, start);
    // Or as a later group ([ .-]\d{2,8}) after more groups.
    if (groups == 4 || len > 8 || run == 0) break;
    const char sep = t[run - 1];
    if (sep != ' ' && sep != '.' && sep != '-') break;
    group_end = run - 1;
  }
  return best;
}

}  // namespace

std::size_t card_start(std::string_view t, std::size_t end) {
  if (end > t.size()) return kNone;
  const std::size_t last = end - digits_back(t, end);  // the last group's digits
  if (last >= 13) return end - std::min<std::size_t>(last, 19);
  // Grouped: 4-4-4-4-3, 4-4-4-4, 4-6-5, 4-6-4 (in that order of width, so the first that
  // fits is the leftmost), separators ' ' or '-'.
  if (last < 3 || last > 5) return kNone;
  for (std::string_view shape : {"ddddcddddcddddcddddcddd", "ddddcddddcddddcdddd",
                                 "ddddcddddddcddddd", "ddddcddddddcdddd"}) {
    if (shape.size() - shape.rfind('c') - 1 != last) continue;
    if (end >= shape.size() && fits(t, end - shape.size(), shape)) return end - shape.size();
  }
  return kNone;
}

std::size_t ssn_start(std::string_view t, std::size_t end) {
  if (end < 11 || end > t.size() || t[end - 5] != '-' || t[end - 8] != '-') return kNone;
  return fits(t, end - 11, "ddd-dd-dddd") ? end - 11 : kNone;
}

std::size_t spaced_ssn_start(std::string_view t, std::size_t end) {
  if (end > t.size()) return kNone;
  const std::size_t last = end - digits_back(t, end);
  // "ddd dd dddd" (11), "ddd dddddd" (10), "ddddd dddd" (10), "ddddddddd" (9): the widest
  // that fits starts leftmost.
  if (last == 4 && end >= 10 && t[end - 5] == ' ') {
    if (end >= 11 && fits(t, end - 11, "ddd dd dddd")) return end - 11;
    if (fits(t, end - 10, "ddddd dddd")) return end - 10;
    return kNone;
  }
  if (last == 6 && end >= 10 && fits(t, end - 10, "ddd dddddd")) return end - 10;
  return last >= 9 ? end - 9 : kNone;
}

std::size_t ipv4_start(std::string_view t, std::size_t end) {
  std::size_t group_end = end;
  for (int group = 0; group < 3; ++group) {
    const std::size_t from = digits_back(t, group_end);
    if (group_end - from < 1 || group_end - from > 3 || from == 0 || t[from - 1] != '.') {
      return kNone;
    }
    group_end = from - 1;
  }
  const std::size_t from = digits_back(t, group_end);
  if (group_end == from) return kNone;
  return std::max(from, group_end - std::min<std::size_t>(group_end - from, 3));
}

std::size_t nanp_phone_start(std::string_view t, std::size_t end) {
  return with_extension(t, end, nanp_main_start);
}

std::size_t intl_phone_start(std::string_view t, std::size_t end) {
  return with_extension(t, end, intl_main_start);
}

std::size_t local_phone_start(std::string_view t, std::size_t end) {
  if (end > t.size()) return kNone;
  return with_extension(t, end, local_phone_main_start);
}

// IPv6: back over at most seven ":group" parts of at most four hex digits, then at most
// four hex digits before the leftmost colon reached.
std::size_t ipv6_start(std::string_view t, std::size_t end) {
  if (end > t.size()) return kNone;
  std::size_t q = end;
  int colons = 0;
  while (true) {
    std::size_t k = 0;
    while (k < 5 && q > k && is_hex(t[q - 1 - k])) ++k;
    if (colons < 7 && k <= 4 && q > k && t[q - 1 - k] == ':') {
      q -= k + 1;
      ++colons;
      continue;
    }
    if (colons < 2) return kNone;
    return q - std::min<std::size_t>(k, 4);
  }
}

// Every match ends right after a colon or within the four hex digits after one (its last
// group). Ends followed by a letter or digit fail the Word edge rule the IPv6 detector
// has, so one place per colon is tried: right after it when no hex digit follows, else
// the end of the one to four hex digits that follow.
void ipv6_matches(std::string_view t, std::vector<ShapeMatch>& out) {
  const std::size_t n = t.size();
  for (std::size_t c = 0; c < n; ++c) {
    const void* colon = std::memchr(t.data() + c, ':', n - c);
    if (colon == nullptr) break;
    c = static_cast<std::size_t>(static_cast<const char*>(colon) - t.data());
    // A match has a colon at most five bytes before this one, with only hex digits between
    // (most colons in prose fail this).
    std::size_t b = 0;
    while (b < 5 && c > b && is_hex(t[c - 1 - b])) ++b;
    if (b > 4 || c == b || t[c - 1 - b] != ':') continue;
    std::size_t k = 0;
    while (k < 5 && c + 1 + k < n && is_hex(t[c + 1 + k])) ++k;
    if (k > 4) continue;
    const std::size_t s = ipv6_start(t, c + 1 + k);
    if (s != kNone) out.push_back({s, c + 1 + k});
  }
}

// E-mail domains: from each '@', labels of [A-Za-z0-9-] with single dots between; from the
// second label on, every place after a label byte is an end. Only the last place of a label
// and places before a '-' lack a letter or digit after them.
void email_matches(std::string_view t, std::vector<ShapeMatch>& out) {
  auto label = [](char c) { return is_alnum(c) || c == '-'; };
  const std::size_t n = t.size();
  for (std::size_t a = 0; a < n; ++a) {
    const void* at = std::memchr(t.data() + a, '@', n - a);
    if (at == nullptr) break;
    a = static_cast<std::size_t>(static_cast<const char*>(at) - t.data());
    std::size_t i = a + 1;
    for (int labels = 1;; ++labels) {
      const std::size_t from = i;
      while (i < n && label(t[i])) ++i;
      if (i == from) break;
      if (labels >= 2) {
        for (std::size_t p = from + 1; p < i; ++p) {
          if (t[p] == '-') out.push_back({a, p});
        }
        out.push_back({a, i});
      }
      if (i + 1 >= n || t[i] != '.') break;
      ++i;
    }
  }
}

// IBAN: [A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}. A head is two letters and two digits:
// two letters right before a digit group of at least two. From each head, in text order,
// the body's alphanumerics (a single space allowed before each) are counted, and every
// place after the 11th to the 30th is an end. An end keeps the first head that reached it:
// the leftmost start.
void iban_matches(std::string_view t, const DigitGroups& groups, std::vector<ShapeMatch>& out) {
  constexpr std::size_t kLongest = 4 + 2 * 30;
  const std::size_t n = t.size();
  const std::size_t first = out.size();
  std::size_t reach = 0;  // the furthest end appended
  for (const DigitGroup g : groups) {
    if (g.end - g.start < 2 || g.start < 2 || !is_alpha(t[g.start - 1]) ||
        !is_alpha(t[g.start - 2])) {
      continue;
    }
    const std::size_t h = g.start - 2;
    std::size_t j = h + 4;
    for (int count = 1; count <= 30; ++count) {
      if (j + 1 < n && t[j] == ' ' && is_alnum(t[j + 1])) {
        j += 2;
      } else if (j < n && is_alnum(t[j])) {
        ++j;
      } else {
        break;
      }
      if (count < 11) continue;
      // An end past every end so far is new; else only a head at most kLongest bytes
      // before j can have reached it.
      bool seen = false;
      if (j <= reach) {
        for (std::size_t k = out.size(); k > first && out[k - 1].start + kLongest >= j; --k) {
          seen = seen || out[k - 1].end == j;
        }
      }
      if (!seen) out.push_back({h, j});
      reach = std::max(reach, j);
    }
  }
}

}  // namespace sy::governance
