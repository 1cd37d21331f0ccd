// Prompt features for the routing classifier: hashed sparse n-grams plus a few dense
// structural signals, produced by one function that training and inference share, so a
// model always sees the features it was trained on.
//
// Sparse features (each occurrence counts 1, the sum is later scaled by 1/sqrt(count)):
//   - word unigrams and bigrams (words are runs of letters, digits, '_' and non-ASCII
//     bytes, lowercased; every digit run is the one token "0"; each other punctuation
//     byte is a one-byte token), over the first kHeadBytes and the last kTailBytes;
//   - the first word of the prompt, tagged separately (imperatives: "translate", "write");
//   - character trigrams of the lowercased text over its first kCharBytes.
// Dense features (kDenseCount of them, each in roughly [0, 1]): length, lines, code fence,
// digit / operator / bracket / non-ASCII / upper-case shares, indented lines, '?' — all
// but the length measured on the same head and tail windows, so a prompt's cost is
// bounded whatever its size.
//
// A feature's index is a 64-bit mix of its bytes and kind, seeded with `seed`, reduced to
// `bits` bits. Pure functions; thread-safe; no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sy::routing {

inline constexpr std::size_t kHeadBytes = 1024;
inline constexpr std::size_t kTailBytes = 512;
inline constexpr std::size_t kCharBytes = 512;
inline constexpr std::size_t kDenseCount = 11;

// The hashing parameters a model is trained with; stored in its file header.
struct FeatureParams {
  uint32_t bits = 15;  // sparse feature space: 2^bits buckets
  uint64_t seed = 0x5717c4a55e9d0b1dULL;
};

using DenseFeatures = std::array<float, kDenseCount>;

// Calls `on_sparse(uint32_t index)` once per sparse feature occurrence, in a fixed order,
// and returns the number of calls; fills `dense`.
template <class OnSparse>
std::size_t extract_features(std::string_view text, const FeatureParams& params,
                             DenseFeatures& dense, OnSparse&& on_sparse);

// Structural signals alone (one pass over the head and tail windows).
void dense_features(std::string_view text, DenseFeatures& dense);

namespace detail {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Kinds, mixed into the hash so a word and a trigram with the same bytes differ.
enum : uint64_t { kUnigram = 1, kBigram = 2, kFirstWord = 3, kTrigram = 4 };

// Byte classes: 0 separator (space, control), 1 word byte, 2 digit, 3 punctuation.
// kLower lowercases ASCII letters, maps digits to '0' and tabs/CR to ' '.
extern const std::array<uint8_t, 256> kByteClass;
extern const std::array<uint8_t, 256> kLower;

// Multiply-shift: the top bits of the product depend on every bit of h.
inline uint32_t bucket(uint64_t h, uint32_t bits) {
  return uint32_t((h * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

// Walks the words of text[begin, end), calling on_word(hash) with a hash of each word.
template <class OnWord>
void for_each_word(std::string_view text, std::size_t begin, std::size_t end, uint64_t seed,
                   OnWord&& on_word) {
  std::size_t i = begin;
  while (i < end) {
    const auto c = static_cast<unsigned char>(text[i]);
    const uint8_t cls = kByteClass[c];
    if (cls == 0) {
      ++i;
      continue;
    }
    uint64_t h = seed ^ 0xcbf29ce484222325ULL;
    if (cls == 3) {
      h = (h ^ c) * 0x100000001b3ULL;
      ++i;
    } else if (cls == 2) {
      while (i < end && kByteClass[static_cast<unsigned char>(text[i])] == 2) ++i;
      h = (h ^ '0') * 0x100000001b3ULL;
    } else {
      while (i < end && kByteClass[static_cast<unsigned char>(text[i])] - 1u < 2u) {
        h = (h ^ kLower[static_cast<unsigned char>(text[i])]) * 0x100000001b3ULL;
        ++i;
      }
    }
    on_word(h);
  }
}

}  // namespace detail

template <class OnSparse>
std::size_t extract_features(std::string_view text, const FeatureParams& params,
                             DenseFeatures& dense, OnSparse&& on_sparse) {
  using namespace detail;
  dense_features(text, dense);
  const uint32_t bits = params.bits;
  const uint64_t seed = params.seed;
  std::size_t count = 0;
  uint64_t prev = 0;
  bool first = true;
  auto on_word = [&](uint64_t h) {
    if (first) {
      on_sparse(bucket(h ^ (kFirstWord * 0x9e3779b97f4a7c15ULL), bits));
      ++count;
      first = false;
    } else {
      on_sparse(bucket((prev * 31 + h) ^ (kBigram * 0x9e3779b97f4a7c15ULL), bits));
      ++count;
    }
    on_sparse(bucket(h ^ (kUnigram * 0x9e3779b97f4a7c15ULL), bits));
    ++count;
    prev = h;
  };
  const std::size_t n = text.size();
  if (n <= kHeadBytes + kTailBytes) {
    for_each_word(text, 0, n, seed, on_word);
  } else {
    for_each_word(text, 0, kHeadBytes, seed, on_word);
    std::size_t tail = n - kTailBytes;  // start the tail at a word boundary
    while (tail < n && kByteClass[static_cast<unsigned char>(text[tail])] != 0) ++tail;
    first = false;
    prev = 0;
    for_each_word(text, tail, n, seed, on_word);
  }
  const std::size_t chars = n < kCharBytes ? n : kCharBytes;
  if (chars >= 3) {
    uint32_t window = (uint32_t(kLower[static_cast<unsigned char>(text[0])]) << 8) |
                      kLower[static_cast<unsigned char>(text[1])];
    const uint64_t salt = seed ^ (kTrigram * 0x9e3779b97f4a7c15ULL);
    for (std::size_t i = 2; i < chars; ++i) {
      window = ((window << 8) | kLower[static_cast<unsigned char>(text[i])]) & 0xffffff;
      on_sparse(bucket(salt + window, bits));
      ++count;
    }
  }
  return count;
}

}  // namespace sy::routing
