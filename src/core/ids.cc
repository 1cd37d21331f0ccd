#include "core/ids.h"

#include <chrono>
#include <random>

namespace sy {
namespace {

struct Xoshiro {
  uint64_t s[4];
  Xoshiro() {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    uint32_t words[8];
    seq.generate(words, words + 8);
    for (int i = 0; i < 4; ++i) s[i] = (uint64_t{words[2 * i]} << 32) | words[2 * i + 1];
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};

Xoshiro& generator() {
  thread_local Xoshiro g;
  return g;
}

}  // namespace

uint64_t random_u64() { return generator().next(); }

double random_unit() { return static_cast<double>(random_u64() >> 11) * 0x1.0p-53; }

std::string new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  const uint64_t r = random_u64();
  std::string id = "req_";
  id.resize(4 + 24);
  for (int i = 0; i < 12; ++i) id[4 + i] = kHex[(ms >> ((11 - i) * 4)) & 0xF];
  for (int i = 0; i < 12; ++i) id[16 + i] = kHex[(r >> (i * 4)) & 0xF];
  return id;
}

}  // namespace sy
