// The audit log's Merkle tree: RFC 6962 §2.1 Merkle Tree Hash (MTH) over SHA-256 with
// domain-separated leaves and nodes, and the inclusion and consistency proofs of
// RFC 9162 §2.1.3 / §2.1.4.
//
//   leaf_hash(entry) = SHA-256(0x00 || entry)            entry without its trailing "\n"
//   node_hash(l, r)  = SHA-256(0x01 || l || r)
//   MTH({})          = SHA-256("")
//   MTH({d0})        = leaf_hash(d0)
//   MTH(D[n])        = node_hash(MTH(D[0:k]), MTH(D[k:n])), k = largest power of 2 < n
//
// Everything here is pure computation (OpenSSL's SHA-256, no I/O). Free functions are
// thread-safe; a MerkleFrontier is a plain value, thread-compatible (one owner at a time).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy::audit {

using Hash = std::array<uint8_t, 32>;

Hash sha256(std::span<const uint8_t> bytes);
Hash leaf_hash(std::string_view entry);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();

// 64 lowercase hex digits.
std::string to_hex(const Hash& hash);
// Parses exactly 64 lowercase hex digits.
std::optional<Hash> hash_from_hex(std::string_view hex);

// The right edge of a growing tree: the roots of the perfect subtrees that the binary
// decomposition of size() splits the leaves into, largest (leftmost) first. Enough to
// append leaves in amortised O(1) and to compute the root in O(log n), without keeping
// the leaves.
class MerkleFrontier {
 public:
  void append(const Hash& leaf);
  uint64_t size() const { return size_; }
  // MTH of the leaves appended so far (empty_root() when none).
  Hash root() const;
  // The perfect-subtree roots, leftmost first; popcount(size()) of them.
  std::span<const Hash> peaks() const { return peaks_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> peaks_;
};

// MTH of `leaves`, by the recursive definition. O(n).
Hash root_of(std::span<const Hash> leaves);

// A half-open range of leaf indices [begin, end); its MTH is one hash of a proof.
struct LeafRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool operator==(const LeafRange&) const = default;
};

// The leaf ranges whose MTHs form the inclusion proof (audit path) of leaf `index` in the
// tree of the first `tree_size` leaves, in proof order (bottom-up). index < tree_size.
std::vector<LeafRange> inclusion_ranges(uint64_t index, uint64_t tree_size);
// The leaf ranges whose MTHs form the consistency proof from old_size to new_size, in
// proof order. Empty when old_size == 0 or old_size == new_size; old_size <= new_size.
std::vector<LeafRange> consistency_ranges(uint64_t old_size, uint64_t new_size);

// RFC 9162 §2.1.3.1 PATH(index, D[tree_size]) over leaves[0:tree_size].
// Fails unless index < tree_size <= leaves.size().
Result<std::vector<Hash>> inclusion_proof(std::span<const Hash> leaves, uint64_t index,
                                          uint64_t tree_size);
// RFC 9162 §2.1.3.2: whether `proof` shows `leaf` (a leaf hash) at `index` in the tree of
// `tree_size` leaves whose root is `root`.
bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t tree_size,
                      std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.1 PROOF(old_size, D[new_size]) over leaves[0:new_size]. The proof is empty
// when old_size is 0 or equal to new_size. Fails unless old_size <= new_size <= leaves.size().
Result<std::vector<Hash>> consistency_proof(std::span<const Hash> leaves, uint64_t old_size,
                                            uint64_t new_size);
// RFC 9162 §2.1.4.2: whether `proof` shows the tree of new_size leaves with root new_root
// extends the tree of old_size leaves with root old_root. By convention (the RFC defines
// proofs only for 0 < old_size < new_size): equal sizes need an empty proof and equal
// roots; old_size 0 needs an empty proof and old_root == empty_root().
bool verify_consistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof);

}  // namespace sy::audit
