#include "audit/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <initializer_list>

#include "audit/encoding.h"

namespace sy::audit {
namespace {

// One reusable OpenSSL digest context per thread: EVP_MD_fetch and context allocation
// are far more expensive than hashing a small entry.
class Sha256Context {
 public:
  Sha256Context() : ctx_(EVP_MD_CTX_new()), md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)) {
    if (ctx_ == nullptr || md_ == nullptr) std::abort();  // out of memory / no default provider
  }
  ~Sha256Context() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;

  Hash digest(std::initializer_list<std::span<const uint8_t>> parts) {
    Hash out;
    unsigned int len = 0;
    bool ok = EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1;
    for (const auto& part : parts) {
      ok = ok && EVP_DigestUpdate(ctx_, part.data(), part.size()) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1 && len == out.size();
    if (!ok) std::abort();  // SHA-256 over memory cannot fail short of a broken library
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
  EVP_MD* md_;
};

Sha256Context& context() {
  thread_local Sha256Context ctx;
  return ctx;
}

constexpr uint8_t kLeafPrefix[1] = {0x00};
constexpr uint8_t kNodePrefix[1] = {0x01};

// The largest power of two strictly less than n (n >= 2): where MTH splits D[n].
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

Hash range_root(std::span<const Hash> leaves, LeafRange range) {
  return root_of(leaves.subspan(range.begin, range.end - range.begin));
}

// Right-shifts fn and sn together until fn's low bit is set or fn is 0.
void shift_to_odd(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

Hash sha256(std::span<const uint8_t> bytes) { return context().digest({bytes}); }

Hash leaf_hash(std::string_view entry) {
  return context().digest(
      {kLeafPrefix, {reinterpret_cast<const uint8_t*>(entry.data()), entry.size()}});
}

Hash node_hash(const Hash& left, const Hash& right) {
  return context().digest({kNodePrefix, left, right});
}

Hash empty_root() {
  static const Hash kEmpty = sha256({});
  return kEmpty;
}

std::string to_hex(const Hash& hash) { return hex_encode(hash); }

std::optional<Hash> hash_from_hex(std::string_view hex) {
  Hash h;
  if (!hex_decode(hex, h)) return std::nullopt;
  return h;
}

void MerkleFrontier::append(const Hash& leaf) {
  // Each trailing 1 bit of size_ is a perfect subtree of the same height as the one
  // being completed: merge them, like carrying in binary addition.
  Hash h = leaf;
  for (uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    h = node_hash(peaks_.back(), h);
    peaks_.pop_back();
  }
  peaks_.push_back(h);
  ++size_;
}

Hash MerkleFrontier::root() const {
  if (peaks_.empty()) return empty_root();
  // MTH splits at the largest power of two below n, which is exactly the leftmost peak;
  // the rest splits the same way, so the root folds the peaks from the right.
  Hash r = peaks_.back();
  for (size_t i = peaks_.size() - 1; i-- > 0;) r = node_hash(peaks_[i], r);
  return r;
}

Hash root_of(std::span<const Hash> leaves) {
  if (leaves.empty()) return empty_root();
  if (leaves.size() == 1) return leaves[0];
  const uint64_t k = split_point(leaves.size());
  return node_hash(root_of(leaves.first(k)), root_of(leaves.subspan(k)));
}

std::vector<LeafRange> inclusion_ranges(uint64_t index, uint64_t tree_size) {
  // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])      if m < k
  //               = PATH(m - k, D[k:n]) : MTH(D[0:k])  if m >= k
  // Walk down from the root, collecting siblings top-down, then reverse.
  std::vector<LeafRange> ranges;
  if (index >= tree_size) return ranges;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t k = split_point(end - begin);
    if (index - begin < k) {
      ranges.push_back({begin + k, end});
      end = begin + k;
    } else {
      ranges.push_back({begin, begin + k});
      begin += k;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

std::vector<LeafRange> consistency_ranges(uint64_t old_size, uint64_t new_size) {
  // SUBPROOF(m, D[m], true)  = {}
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}
  // SUBPROOF(m, D[n], b)     = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          if m <= k
  //                          = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  if m > k
  std::vector<LeafRange> ranges;
  if (old_size == 0 || old_size >= new_size) return ranges;
  uint64_t begin = 0;
  uint64_t end = new_size;
  uint64_t m = old_size;  // relative to begin
  bool whole_old_tree = true;
  while (true) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (!whole_old_tree) ranges.push_back({begin, end});
      break;
    }
    const uint64_t k = split_point(n);
    if (m <= k) {
      ranges.push_back({begin + k, end});
      end = begin + k;
    } else {
      ranges.push_back({begin, begin + k});
      begin += k;
      m -= k;
      whole_old_tree = false;
    }
  }
  std::reverse(ranges.begin(), ranges.end());
  return ranges;
}

Result<std::vector<Hash>> inclusion_proof(std::span<const Hash> leaves, uint64_t index,
                                          uint64_t tree_size) {
  if (tree_size > leaves.size()) {
    return fail(ErrorKind::InvalidRequest, "tree size " + std::to_string(tree_size) +
                                               " exceeds the " + std::to_string(leaves.size()) +
                                               " leaves available");
  }
  if (index >= tree_size) {
    return fail(ErrorKind::InvalidRequest, "leaf index " + std::to_string(index) +
                                               " is outside a tree of size " +
                                               std::to_string(tree_size));
  }
  std::vector<Hash> proof;
  for (const LeafRange& r : inclusion_ranges(index, tree_size)) {
    proof.push_back(range_root(leaves, r));
  }
  return proof;
}

bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t tree_size,
                      std::span<const Hash> proof, const Hash& root) {
  if (index >= tree_size) return false;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      shift_to_odd(fn, sn);
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

Result<std::vector<Hash>> consistency_proof(std::span<const Hash> leaves, uint64_t old_size,
                                            uint64_t new_size) {
  if (new_size > leaves.size()) {
    return fail(ErrorKind::InvalidRequest, "tree size " + std::to_string(new_size) +
                                               " exceeds the " + std::to_string(leaves.size()) +
                                               " leaves available");
  }
  if (old_size > new_size) {
    return fail(ErrorKind::InvalidRequest, "old tree size " + std::to_string(old_size) +
                                               " exceeds new tree size " +
                                               std::to_string(new_size));
  }
  std::vector<Hash> proof;
  for (const LeafRange& r : consistency_ranges(old_size, new_size)) {
    proof.push_back(range_root(leaves, r));
  }
  return proof;
}

bool verify_consistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                        const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty() && old_root == empty_root();
  if (proof.empty()) return false;
  // When old_size is a power of two the old tree is a node of the new one, and the proof
  // omits it: the path then starts with old_root.
  const bool prepend_old_root = std::has_single_bit(old_size);
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = prepend_old_root ? old_root : proof[0];
  Hash sr = fr;
  for (size_t i = prepend_old_root ? 0 : 1; i < proof.size(); ++i) {
    const Hash& c = proof[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      shift_to_odd(fn, sn);
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace sy::audit
