// Vocabulary: the distinct values one attribute is compared with across every policy
// rule, each numbered; a request's values become bits in a bit set of the vocabulary's
// size, and a condition is a mask over it. Built once at compile time, read-only after
// (thread-safe); lookups by string_view do not allocate. An internal part of PolicySet.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sy::governance {

class Vocabulary {
 public:
  // The value's number, adding it if new.
  uint32_t add(std::string_view value) {
    if (const auto id = find(value)) return *id;
    const uint32_t id = size();
    ids_.emplace(std::string(value), id);
    return id;
  }
  std::optional<uint32_t> find(std::string_view value) const {
    const auto it = ids_.find(value);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  uint32_t size() const { return static_cast<uint32_t>(ids_.size()); }
  // 64-bit words of a bit set with one bit per value.
  uint32_t words() const { return (size() + 63) / 64; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
};

inline void set_bit(uint64_t* words, uint32_t bit) { words[bit / 64] |= uint64_t{1} << (bit % 64); }

}  // namespace sy::governance
