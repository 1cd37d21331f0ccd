#include "audit/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <string>
#include <vector>

#include "audit/encoding.h"

namespace sy::audit {
namespace {

// The eight leaf inputs of the Certificate Transparency Merkle tree test vectors, and the
// roots of their first n leaves. Cross-checked with an independent implementation of
// RFC 6962 §2.1 (Python hashlib) and `openssl dgst -sha256`.
const char* const kLeafInputsHex[] = {"",
                                      "00",
                                      "10",
                                      "2021",
                                      "3031",
                                      "40414243",
                                      "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f"};
const char* const kRoots[] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                              "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                              "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                              "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                              "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                              "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                              "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                              "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

std::string unhex(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  std::vector<uint8_t> bytes(hex.size() / 2);
  EXPECT_TRUE(hex_decode(hex, bytes));
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Hash h(std::string_view hex) {
  auto parsed = hash_from_hex(hex);
  EXPECT_TRUE(parsed) << hex;
  return parsed.value_or(Hash{});
}

std::vector<Hash> ct_leaves() {
  std::vector<Hash> leaves;
  for (const char* input : kLeafInputsHex) leaves.push_back(leaf_hash(unhex(input)));
  return leaves;
}

std::vector<Hash> hashes(std::initializer_list<const char*> hex) {
  std::vector<Hash> out;
  for (const char* x : hex) out.push_back(h(x));
  return out;
}

// Leaves that differ per index, for the property tests.
std::vector<Hash> numbered_leaves(size_t n) {
  std::vector<Hash> leaves;
  for (size_t i = 0; i < n; ++i) leaves.push_back(leaf_hash("leaf " + std::to_string(i)));
  return leaves;
}

TEST(MerkleTest, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(to_hex(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(root_of({}), empty_root());
  EXPECT_EQ(MerkleFrontier().root(), empty_root());
}

TEST(MerkleTest, LeafAndNodeHashesAreDomainSeparated) {
  // SHA-256(0x00) and SHA-256(0x01 || 32 zero bytes || 32 zero bytes).
  EXPECT_EQ(to_hex(leaf_hash("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_NE(leaf_hash(std::string(64, '\0')), node_hash(Hash{}, Hash{}));
  std::vector<uint8_t> node_input(65, 0);
  node_input[0] = 1;
  EXPECT_EQ(node_hash(Hash{}, Hash{}), sha256(node_input));
}

TEST(MerkleTest, HexOfHashes) {
  const Hash x = leaf_hash("x");
  EXPECT_EQ(hash_from_hex(to_hex(x)), x);
  EXPECT_FALSE(hash_from_hex(std::string(63, 'a')));
  EXPECT_FALSE(hash_from_hex(std::string(64, 'A')));
}

TEST(MerkleTest, CertificateTransparencyRoots) {
  const auto leaves = ct_leaves();
  MerkleFrontier frontier;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    frontier.append(leaves[n - 1]);
    EXPECT_EQ(to_hex(root_of(std::span(leaves).first(n))), kRoots[n - 1]) << n;
    EXPECT_EQ(to_hex(frontier.root()), kRoots[n - 1]) << n;
  }
}

TEST(MerkleTest, CertificateTransparencyInclusionProofs) {
  const auto leaves = ct_leaves();
  struct Vector {
    uint64_t index, size;
    std::vector<Hash> path;
  };
  const Vector vectors[] = {
      {0, 1, {}},
      {0, 8,
       hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
  };
  for (const auto& v : vectors) {
    auto proof = inclusion_proof(leaves, v.index, v.size);
    ASSERT_TRUE(proof);
    EXPECT_EQ(*proof, v.path) << v.index << "/" << v.size;
    EXPECT_TRUE(verify_inclusion(leaves[v.index], v.index, v.size, v.path, h(kRoots[v.size - 1])));
  }
}

TEST(MerkleTest, CertificateTransparencyConsistencyProofs) {
  const auto leaves = ct_leaves();
  struct Vector {
    uint64_t old_size, new_size;
    std::vector<Hash> proof;
  };
  const Vector vectors[] = {
      {1, 1, {}},
      {1, 8,
       hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       hashes({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {3, 7,
       hashes({"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
               "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
               "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
               "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"})},
  };
  for (const auto& v : vectors) {
    auto proof = consistency_proof(leaves, v.old_size, v.new_size);
    ASSERT_TRUE(proof);
    EXPECT_EQ(*proof, v.proof) << v.old_size << "->" << v.new_size;
    EXPECT_TRUE(verify_consistency(v.old_size, v.new_size, h(kRoots[v.old_size - 1]),
                                   h(kRoots[v.new_size - 1]), v.proof));
  }
}

TEST(MerkleTest, FrontierMatchesRecursiveRootUpTo200) {
  const auto leaves = numbered_leaves(200);
  MerkleFrontier frontier;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    frontier.append(leaves[n - 1]);
    ASSERT_EQ(frontier.size(), n);
    ASSERT_EQ(frontier.peaks().size(), static_cast<size_t>(std::popcount(n)));
    ASSERT_EQ(frontier.root(), root_of(std::span(leaves).first(n))) << n;
  }
}

TEST(MerkleTest, InclusionProofsVerifyForEverySizeAndIndexUpTo64) {
  const auto leaves = numbered_leaves(64);
  const Hash other = leaf_hash("not in the tree");
  for (uint64_t size = 1; size <= 64; ++size) {
    const Hash root = root_of(std::span(leaves).first(size));
    const Hash wrong_root = root_of(std::span(leaves).first(size - 1));
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = inclusion_proof(leaves, index, size);
      ASSERT_TRUE(proof);
      ASSERT_EQ(proof->size(), inclusion_ranges(index, size).size());
      EXPECT_TRUE(verify_inclusion(leaves[index], index, size, *proof, root))
          << index << "/" << size;
      // Wrong leaf, index, size, root, or a damaged path: rejected.
      EXPECT_FALSE(verify_inclusion(other, index, size, *proof, root));
      if (size > 1) {
        EXPECT_FALSE(verify_inclusion(leaves[index], (index + 1) % size, size, *proof, root));
        EXPECT_FALSE(verify_inclusion(leaves[(index + 1) % size], index, size, *proof, root));
      }
      EXPECT_FALSE(verify_inclusion(leaves[index], index, size, *proof, wrong_root));
      // (A proof may also fit other tree sizes of the same shape: the size is bound by
      // the signed checkpoint, not by the path.)
      EXPECT_FALSE(verify_inclusion(leaves[index], size, size, *proof, root));
      if (!proof->empty()) {
        auto damaged = *proof;
        damaged.back()[0] ^= 1;
        EXPECT_FALSE(verify_inclusion(leaves[index], index, size, damaged, root));
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_inclusion(leaves[index], index, size, shorter, root));
      }
      auto longer = *proof;
      longer.push_back(other);
      EXPECT_FALSE(verify_inclusion(leaves[index], index, size, longer, root));
    }
  }
}

TEST(MerkleTest, ConsistencyProofsVerifyForEveryPairUpTo64) {
  const auto leaves = numbered_leaves(64);
  std::vector<Hash> roots;
  for (size_t n = 0; n <= 64; ++n) roots.push_back(root_of(std::span(leaves).first(n)));
  for (uint64_t new_size = 0; new_size <= 64; ++new_size) {
    for (uint64_t old_size = 0; old_size <= new_size; ++old_size) {
      auto proof = consistency_proof(leaves, old_size, new_size);
      ASSERT_TRUE(proof);
      EXPECT_EQ(proof->size(), consistency_ranges(old_size, new_size).size());
      EXPECT_TRUE(verify_consistency(old_size, new_size, roots[old_size], roots[new_size], *proof))
          << old_size << "->" << new_size;
      if (new_size == 0) continue;
      const Hash bogus = leaf_hash("bogus");
      EXPECT_FALSE(verify_consistency(old_size, new_size, bogus, roots[new_size], *proof));
      if (old_size > 0) {  // the empty tree is a prefix of every tree
        EXPECT_FALSE(verify_consistency(old_size, new_size, roots[old_size], bogus, *proof));
      }
      if (old_size > 0 && old_size < new_size) {
        EXPECT_FALSE(verify_consistency(old_size - 1, new_size, roots[old_size - 1],
                                        roots[new_size], *proof));
        auto damaged = *proof;
        damaged.front()[5] ^= 0x40;
        EXPECT_FALSE(
            verify_consistency(old_size, new_size, roots[old_size], roots[new_size], damaged));
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(
            verify_consistency(old_size, new_size, roots[old_size], roots[new_size], shorter));
      }
    }
  }
  // A tree that rewrote history is not consistent with its past.
  auto rewritten = leaves;
  rewritten[3] = leaf_hash("rewritten");
  auto proof = consistency_proof(rewritten, 10, 20);
  ASSERT_TRUE(proof);
  EXPECT_FALSE(
      verify_consistency(10, 20, roots[10], root_of(std::span(rewritten).first(20)), *proof));
}

TEST(MerkleTest, ProofArgumentsAreChecked) {
  const auto leaves = numbered_leaves(5);
  EXPECT_FALSE(inclusion_proof(leaves, 5, 5));
  EXPECT_FALSE(inclusion_proof(leaves, 0, 6));
  EXPECT_FALSE(consistency_proof(leaves, 4, 3));
  EXPECT_FALSE(consistency_proof(leaves, 2, 6));
  EXPECT_FALSE(verify_consistency(4, 3, root_of(leaves), root_of(leaves), {}));
  EXPECT_FALSE(verify_inclusion(leaves[0], 0, 0, {}, empty_root()));
}

TEST(MerkleTest, ProofRangesTileTheTree) {
  // The sibling ranges of a leaf plus the leaf itself cover the tree exactly once.
  for (uint64_t size = 1; size <= 70; ++size) {
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<int> covered(size, 0);
      covered[index]++;
      for (const auto& r : inclusion_ranges(index, size)) {
        for (uint64_t i = r.begin; i < r.end; ++i) covered[i]++;
      }
      for (uint64_t i = 0; i < size; ++i) ASSERT_EQ(covered[i], 1) << index << "/" << size;
    }
  }
}

}  // namespace
}  // namespace sy::audit
