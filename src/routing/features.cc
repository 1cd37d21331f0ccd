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

// Dense-pass byte flags.
enum : uint8_t { kDigit = 1, kOperator = 2, kBracket = 4, kHigh = 8, kUpper = 16 };

constexpr std::array<uint8_t, 256> make_flags() {
  std::array<uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit;
  for (char c : std::string_view("+-*/=^%<>")) t[static_cast<unsigned char>(c)] = kOperator;
  for (char c : std::string_view("{}[]();")) t[static_cast<unsigned char>(c)] = kBracket;
  for (int c = 128; c < 256; ++c) t[c] = kHigh;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kUpper;
  return t;
}

constexpr auto kFlags = make_flags();

}  // namespace

const std::array<uint8_t, 256> kByteClass = make_class();
const std::array<uint8_t, 256> kLower = make_lower();

}  // namespace detail

void dense_features(std::string_view text, DenseFeatures& dense) {
  const std::size_t n = text.size();
  std::size_t counts[5] = {0, 0, 0, 0, 0};
  std::size_t lines = 0, indented = 0, questions = 0;
  bool line_start = true;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const uint8_t f = detail::kFlags[c];
    counts[0] += f & 1;
    counts[1] += (f >> 1) & 1;
    counts[2] += (f >> 2) & 1;
    counts[3] += (f >> 3) & 1;
    counts[4] += (f >> 4) & 1;
    questions += c == '?';
    if (line_start) {
      indented += (c == '\t') || (c == ' ' && i + 1 < n && text[i + 1] == ' ');
      line_start = false;
    }
    if (c == '\n') {
      ++lines;
      line_start = true;
    }
  }
  std::size_t end = n;
  while (end > 0 && detail::kByteClass[static_cast<unsigned char>(text[end - 1])] == 0) --end;
  const float inv = n > 0 ? 1.0f / float(n) : 0.0f;
  auto clamp1 = [](float x) { return x > 1.0f ? 1.0f : x; };
  dense[0] = std::log1p(float(n)) / 9.0f;
  dense[1] = std::log1p(float(lines)) / 6.0f;
  dense[2] = text.find("```") != std::string_view::npos ? 1.0f : 0.0f;
  dense[3] = clamp1(float(counts[0]) * inv * 4.0f);
  dense[4] = clamp1(float(counts[1]) * inv * 8.0f);
  dense[5] = clamp1(float(counts[2]) * inv * 8.0f);
  dense[6] = float(counts[3]) * inv;
  dense[7] = clamp1(float(counts[4]) * inv * 4.0f);
  dense[8] = float(indented) / float(lines + 1);
  dense[9] = questions > 0 ? 1.0f : 0.0f;
  dense[10] = end > 0 && text[end - 1] == '?' ? 1.0f : 0.0f;
}

}  // namespace sy::routing
