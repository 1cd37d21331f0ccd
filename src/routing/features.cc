#include "routing/features.h"

#include <cmath>
#include <cstring>

namespace sy::routing {
namespace detail {
namespace {

constexpr std::array<uint8_t, 256> make_class() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c <= ' ' || c == 127) {
      t[c] = 0;
    } else if (c >= 128 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
      t[c] = 1;
    } else if (c >= '0' && c <= '9') {
      t[c] = 2;
    } else {
      t[c] = 3;
    }
  }
  return t;
}

constexpr std::array<uint8_t, 256> make_lower() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 'A' && c <= 'Z') {
      t[c] = uint8_t(c - 'A' + 'a');
    } else if (c >= '0' && c <= '9') {
      t[c] = '0';
    } else if (c == '\t' || c == '\r') {
      t[c] = ' ';
    } else {
      t[c] = uint8_t(c);
    }
  }
  return t;
}

// Dense-pass counters, packed: one table add per byte counts seven things at once, in
// 12-bit fields of two words (a window is at most kHeadBytes < 4096 bytes, so no field
// overflows). Word 0: digits, operators, brackets, non-ASCII, capitals; word 1: '?', '\n'.
constexpr unsigned kField = 12;
static_assert(kHeadBytes < (1u << kField) && kTailBytes < (1u << kField));

constexpr std::array<uint64_t, 256> make_counts(int word) {
  std::array<uint64_t, 256> t{};
  auto set = [&](unsigned char c, int field) { t[c] |= uint64_t{1} << (kField * field); };
  for (int c = 0; c < 256; ++c) {
    const auto u = static_cast<unsigned char>(c);
    if (word == 0) {
      if (c >= '0' && c <= '9') set(u, 0);
      if (std::string_view("+-*/=^%<>").find(char(c)) != std::string_view::npos) set(u, 1);
      if (std::string_view("{}[]();").find(char(c)) != std::string_view::npos) set(u, 2);
      if (c >= 128) set(u, 3);
      if (c >= 'A' && c <= 'Z') set(u, 4);
    } else {
      if (c == '?') set(u, 0);
      if (c == '\n') set(u, 1);
    }
  }
  return t;
}

constexpr auto kCounts0 = make_counts(0);
constexpr auto kCounts1 = make_counts(1);

}  // namespace

const std::array<uint8_t, 256> kByteClass = make_class();
const std::array<uint8_t, 256> kLower = make_lower();

}  // namespace detail

namespace {

struct ByteCounts {
  std::size_t flags[5] = {0, 0, 0, 0, 0};
  std::size_t lines = 0, indented = 0, questions = 0;
};

std::size_t field(uint64_t word, int i) {
  return std::size_t((word >> (detail::kField * i)) & ((1u << detail::kField) - 1));
}

bool indented_at(std::string_view text, std::size_t i) {
  return i < text.size() &&
         (text[i] == '\t' || (text[i] == ' ' && i + 1 < text.size() && text[i + 1] == ' '));
}

void count_bytes(std::string_view text, ByteCounts& c) {
  uint64_t w0 = 0, w1 = 0;
  for (char ch : text) {
    w0 += detail::kCounts0[static_cast<unsigned char>(ch)];
    w1 += detail::kCounts1[static_cast<unsigned char>(ch)];
  }
  for (int i = 0; i < 5; ++i) c.flags[i] += field(w0, i);
  c.questions += field(w1, 0);
  c.lines += field(w1, 1);
  c.indented += indented_at(text, 0);
  for (std::size_t at = text.find('\n'); at != std::string_view::npos;
       at = text.find('\n', at + 1)) {
    c.indented += indented_at(text, at + 1);
  }
}

}  // namespace

void dense_features(std::string_view text, DenseFeatures& dense) {
  // The shares are measured on the same head and tail windows as the n-grams, so the
  // cost is bounded for any prompt; the length is exact, the line count extrapolated.
  const std::size_t n = text.size();
  ByteCounts c;
  std::size_t seen = n;
  bool fence = false;
  auto scan = [&](std::string_view window) {
    count_bytes(window, c);
    fence = fence || window.find("```") != std::string_view::npos;
  };
  if (n <= kHeadBytes + kTailBytes) {
    scan(text);
  } else {
    scan(text.substr(0, kHeadBytes));
    scan(text.substr(n - kTailBytes));
    seen = kHeadBytes + kTailBytes;
  }
  const std::size_t tail_start = n > kTailBytes ? n - kTailBytes : 0;
  std::size_t end = n;
  while (end > tail_start && detail::kByteClass[static_cast<unsigned char>(text[end - 1])] == 0) {
    --end;
  }
  const float inv = seen > 0 ? 1.0f / float(seen) : 0.0f;
  const float lines = float(c.lines) * float(n) * inv;
  auto clamp1 = [](float x) { return x > 1.0f ? 1.0f : x; };
  dense[0] = std::log1p(float(n)) / 9.0f;
  dense[1] = std::log1p(lines) / 6.0f;
  dense[2] = fence ? 1.0f : 0.0f;
  dense[3] = clamp1(float(c.flags[0]) * inv * 4.0f);
  dense[4] = clamp1(float(c.flags[1]) * inv * 8.0f);
  dense[5] = clamp1(float(c.flags[2]) * inv * 8.0f);
  dense[6] = float(c.flags[3]) * inv;
  dense[7] = clamp1(float(c.flags[4]) * inv * 4.0f);
  dense[8] = float(c.indented) / float(c.lines + 1);
  dense[9] = c.questions > 0 ? 1.0f : 0.0f;
  dense[10] = end > tail_start && text[end - 1] == '?' ? 1.0f : 0.0f;
}

}  // namespace sy::routing
