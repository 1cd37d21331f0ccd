#include "governance/dlp_validators.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

namespace sy::governance {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// A working copy on the stack, so that checks never allocate; what does not fit is lost
// and flagged (every check here rejects such long input anyway).
struct SmallText {
  std::array<char, 64> bytes;  // the first `size` are set
  std::size_t size = 0;
  bool overflow = false;
  void push_back(char c) {
    if (size < bytes.size()) {
      bytes[size++] = c;
    } else {
      overflow = true;
    }
  }
  std::string_view view() const { return {bytes.data(), size}; }
};

// Digits of `s`, and whether every non-digit is one consistent separator.
struct Digits {
  SmallText digits;
  char separator = 0;
  bool consistent = true;
};

Digits digits_of(std::string_view s) {
  Digits d;
  for (char c : s) {
    if (is_digit(c)) {
      d.digits.push_back(c);
    } else if (d.separator == 0) {
      d.separator = c;
    } else if (c != d.separator) {
      d.consistent = false;
    }
  }
  return d;
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

// ISO 13616 national IBAN lengths (SWIFT IBAN registry).
struct IbanLength {
  char cc[3];
  int length;
};
constexpr std::array<IbanLength, 89> kIbanLengths{{
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
    {"IR", 26},
}};

int iban_length_for(char a, char b) {
  for (const auto& e : kIbanLengths) {
    if (e.cc[0] == a && e.cc[1] == b) return e.length;
  }
  return 0;
}

// Base64url (or base64) decode of a JWT segment; returns false on a bad character.
bool base64url_decode(std::string_view in, std::string& out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (is_digit(c))
      v = c - '0' + 52;
    else if (c == '-' || c == '+')
      v = 62;
    else if (c == '_' || c == '/')
      v = 63;
    else if (c == '=')
      break;
    else
      return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

}  // namespace

bool luhn_valid(std::string_view s) {
  int sum = 0;
  int count = 0;
  bool twice = false;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (!is_digit(*it)) continue;
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
    ++count;
  }
  return count > 0 && sum % 10 == 0;
}

bool card_number_valid(std::string_view s) {
  // 13–19 digits with at most one kind of separator, copied out in one pass.
  std::array<unsigned char, 19> d;
  std::size_t count = 0;
  char separator = 0;
  for (char c : s) {
    const auto v = static_cast<unsigned>(c - '0');
    if (v <= 9) {
      if (count == d.size()) return false;
      d[count++] = static_cast<unsigned char>(v);
    } else if (separator == 0 || c == separator) {
      separator = c;
    } else {
      return false;
    }
  }
  if (count < 13) return false;
  if (separator != 0 && separator != ' ' && separator != '-') return false;
  // Issuer prefixes in use: Visa 4, Mastercard 2221–2720 and 51–55, Amex 34/37,
  // Diners 30/36/38/39, JCB 35, Discover/UnionPay/Maestro 6, Maestro 50/56–58.
  const int p2 = d[0] * 10 + d[1];
  const int p4 = p2 * 100 + d[2] * 10 + d[3];
  bool issuer = false;
  switch (d[0]) {
    case 4:
    case 6:
      issuer = true;
      break;
    case 5:
      issuer = p2 <= 58;
      break;
    case 2:
      issuer = p4 >= 2221 && p4 <= 2720;
      break;
    case 3:
      issuer = p2 == 30 || p2 >= 34;
      break;
    default:
      break;
  }
  if (!issuer) return false;
  std::size_t k = 1;  // 4444...4 is no card
  while (k < count && d[k] == d[0]) ++k;
  if (k == count) return false;
  // Luhn: every second digit from the right doubled (its digit sum: 2d - 9 above 9).
  static constexpr std::array<unsigned char, 10> kDoubled{0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
  unsigned sum = 0;
  std::size_t i = count;
  for (; i >= 2; i -= 2) sum += d[i - 1] + kDoubled[d[i - 2]];
  if (i == 1) sum += d[0];
  return sum % 10 == 0;
}

bool iban_valid(std::string_view s) {
  SmallText copy;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ') {
      if (i == 0 || s[i - 1] == ' ') return false;
      continue;
    }
    if (!is_digit(c) && !is_alpha(c)) return false;
    copy.push_back(upper(c));
  }
  const std::string_view iban = copy.view();
  if (copy.overflow || iban.size() < 15 || iban.size() > 34) return false;
  if (!is_alpha(iban[0]) || !is_alpha(iban[1]) || !is_digit(iban[2]) || !is_digit(iban[3])) {
    return false;
  }
  if (iban_length_for(iban[0], iban[1]) != static_cast<int>(iban.size())) return false;
  // Move the first four characters to the end, letters to 10..35, remainder mod 97.
  int rem = 0;
  for (std::size_t k = 0; k < iban.size(); ++k) {
    const char c = iban[(k + 4) % iban.size()];
    if (is_digit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    }
  }
  return rem == 1;
}

bool ssn_valid(std::string_view s) {
  const Digits d = digits_of(s);
  if (!d.consistent || d.digits.overflow || d.digits.size != 9) return false;
  if (d.separator != 0) {
    if (s.size() != 11 || s[3] != d.separator || s[6] != d.separator) return false;
  }
  const std::string_view n = d.digits.view();
  const int area = to_int(n.substr(0, 3));
  const int group = to_int(n.substr(3, 2));
  const int serial = to_int(n.substr(5, 4));
  if (area == 0 || area == 666 || area >= 900) return false;
  if (group == 0 || serial == 0) return false;
  // Numbers published in advertising and documentation, never issued to a person.
  if (n == "078051120" || n == "219099999" || n == "123456789") return false;
  if (n.find_first_not_of(n[0]) == std::string_view::npos) return false;
  return true;
}

bool ipv4_valid(std::string_view s) {
  int octets = 0;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j])) ++j;
    const std::size_t len = j - i;
    if (len == 0 || len > 3) return false;
    if (len > 1 && s[i] == '0') return false;
    if (to_int(s.substr(i, len)) > 255) return false;
    ++octets;
    if (j == s.size()) break;
    if (s[j] != '.') return false;
    i = j + 1;
  }
  return octets == 4;
}

bool ipv6_valid(std::string_view s) {
  if (s.size() < 2) return false;
  int groups = 0;
  int nonempty = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && is_hex(s[j])) ++j;
    const std::size_t len = j - i;
    if (len == 0 || len > 4) return false;
    ++groups;
    ++nonempty;
    if (j == s.size()) break;
    if (s[j] != ':') return false;
    if (j + 1 < s.size() && s[j + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i = j + 2;
      if (i == s.size()) break;
    } else {
      i = j + 1;
      if (i == s.size()) return false;  // trailing single ':'
    }
  }
  if (nonempty < 2) return false;
  return compressed ? groups < 8 : groups == 8;
}

bool jwt_valid(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  std::string header;
  if (!base64url_decode(s.substr(0, dot), header)) return false;
  if (header.empty() || header.front() != '{') return false;
  return header.find("\"alg\"") != std::string::npos || header.find("\"typ\"") != std::string::npos;
}

std::size_t phone_shape_digits(std::string_view s) {
  // One pass by digit group, stopping at an extension ("x123", "ext. 123"): digits, groups
  // (at most 8), the first three groups' lengths and the separators after the first two.
  auto extension = [](char c) { return (c | 0x20) == 'x' || (c | 0x20) == 'e'; };
  std::size_t digits = 0;
  int groups = 0;
  std::array<std::size_t, 3> group_len{};
  std::array<char, 2> seps{};
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    if (is_digit(s[i])) {
      const std::size_t from = i;
      while (++i < n && is_digit(s[i])) {
      }
      if (groups == 8) return 0;
      if (groups < 3) group_len[static_cast<std::size_t>(groups)] = i - from;
      ++groups;
      digits += i - from;
      if (i < n && groups <= 2 && !extension(s[i]))
        seps[static_cast<std::size_t>(groups) - 1] = s[i];
      continue;
    }
    if (extension(s[i])) break;
    ++i;
  }
  if (digits < 6 || digits > 15) return 0;
  // Dates: 2024-05-06, 06.05.2024, 06/05/2024.
  if (groups == 3 && seps[0] == seps[1] && (seps[0] == '-' || seps[0] == '.' || seps[0] == '/')) {
    const auto& g = group_len;
    if ((g[0] == 4 && g[1] == 2 && g[2] == 2) || (g[0] == 2 && g[1] == 2 && g[2] == 4)) {
      return 0;
    }
  }
  // 000000, 1111111: every digit before any extension the same.
  char first = 0;
  for (char c : s) {
    if (extension(c)) break;
    if (!is_digit(c)) continue;
    if (first == 0) {
      first = c;
    } else if (c != first) {
      return digits;
    }
  }
  return 0;
}

bool short_phone_tail_ok(std::string_view after) {
  std::size_t i = 0;
  while (i < after.size() && (after[i] == ' ' || after[i] == '\t' || after[i] == '-' ||
                              after[i] == ',' || after[i] == '\\')) {
    ++i;
  }
  if (i == after.size()) return true;
  const char c = after[i];
  if (c == '\n' || c == '\r' || c == '.' || c == ';' || c == ')' || c == '"' || c == '\'') {
    return true;
  }
  static constexpr std::string_view kWords[] = {"office", "fax",  "mobile", "cell",
                                                "home",   "work", "phone",  "tel"};
  std::string word;
  for (std::size_t k = i; k < after.size() && k < i + 8 && is_alpha(after[k]); ++k) {
    word.push_back(static_cast<char>(after[k] | 0x20));
  }
  for (auto w : kWords) {
    if (word.starts_with(w)) return true;
  }
  return false;
}

bool email_valid(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  if (domain.empty() || domain.size() > 253 || domain.find("..") != std::string_view::npos) {
    return false;
  }
  if (domain.front() == '.' || domain.front() == '-' || domain.back() == '-') return false;
  const std::size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2) return false;
  for (char c : tld) {
    if (!is_alpha(c)) return false;
  }
  return true;
}

double shannon_entropy(std::string_view s) {
  if (s.empty()) return 0.0;
  std::array<int, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0.0;
  const double n = static_cast<double>(s.size());
  for (int c : counts) {
    if (c == 0) continue;
    const double p = c / n;
    h -= p * std::log2(p);
  }
  return h;
}

}  // namespace sy::governance
