#include <gtest/gtest.h>

#include "audit/encoding.h"
#include "audit/verifier.h"
#include "test_util.h"

namespace sy::audit {
namespace {

using testing::append_sample_entries;
using testing::read_lines;
using testing::rechain;
using testing::rewrite_segments;
using testing::TempDir;

class ProofTest : public ::testing::Test {
 protected:
  void SetUp() override {
    append_sample_entries(dir(), 37, {20, 37}, key_, 1500);
    for (const auto& line : read_lines(dir())) leaves_.push_back(leaf_hash(line.text));
    ASSERT_EQ(leaves_.size(), 37u);
  }
  const std::filesystem::path& dir() const { return tmp_.path(); }

  TempDir tmp_;
  SigningKey key_ = generate_signing_key();
  std::vector<Hash> leaves_;
};

TEST_F(ProofTest, EveryEntryHasAProofAgainstTheLatestCheckpoint) {
  for (uint64_t seq = 0; seq < 37; ++seq) {
    auto proof = inclusion_proof_for(dir(), seq);
    ASSERT_TRUE(proof) << proof.error().message;
    EXPECT_EQ(proof->leaf_index, seq);
    EXPECT_EQ(proof->tree_size, 37u);
    EXPECT_EQ(proof->leaf_hash, leaves_[seq]);
    EXPECT_EQ(proof->root, root_of(leaves_));
    EXPECT_EQ(proof->path, *inclusion_proof(leaves_, seq, 37));
    EXPECT_EQ(leaf_hash(proof->entry), proof->leaf_hash);
    ASSERT_TRUE(proof->checkpoint);
    EXPECT_EQ(proof->checkpoint->tree_size, 37u);

    const std::string json = proof_to_json(*proof);
    auto parsed = parse_proof_json(json);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->path, proof->path);
    EXPECT_EQ(parsed->entry, proof->entry);
    EXPECT_EQ(parsed->checkpoint, proof->checkpoint);
    auto verified = verify_proof_json(json, key_.public_key);
    ASSERT_TRUE(verified) << verified.error().message << "\n" << json;
    EXPECT_TRUE(verified->signed_root);
    EXPECT_EQ(verified->leaf_index, seq);
    EXPECT_EQ(verified->root, root_of(leaves_));
  }
}

TEST_F(ProofTest, ProofAgainstAnEarlierCheckpointAndAnUnsignedSize) {
  auto at_20 = inclusion_proof_for(dir(), 7, 20);
  ASSERT_TRUE(at_20);
  ASSERT_TRUE(at_20->checkpoint);
  EXPECT_EQ(at_20->root, root_of(std::span(leaves_).first(20)));
  EXPECT_TRUE(verify_proof_json(proof_to_json(*at_20), key_.public_key)->signed_root);

  auto at_30 = inclusion_proof_for(dir(), 29, 30);
  ASSERT_TRUE(at_30);
  EXPECT_FALSE(at_30->checkpoint);
  auto verified = verify_proof_json(proof_to_json(*at_30), key_.public_key);
  ASSERT_TRUE(verified);
  EXPECT_FALSE(verified->signed_root);

  // Without the entry text the proof still verifies.
  const std::string json = proof_to_json(*at_20, /*include_entry=*/false);
  EXPECT_EQ(json.find("\"entry\""), std::string::npos);
  EXPECT_TRUE(verify_proof_json(json, key_.public_key));
}

TEST_F(ProofTest, JsonShape) {
  auto proof = inclusion_proof_for(dir(), 3, 20);
  ASSERT_TRUE(proof);
  const std::string json = proof_to_json(*proof);
  EXPECT_TRUE(json.starts_with("{\"leaf_index\":3,\"tree_size\":20,\"leaf_hash\":\"" +
                               to_hex(proof->leaf_hash) + "\",\"path\":[\"" +
                               to_hex(proof->path[0]) + "\","))
      << json;
  EXPECT_NE(json.find(",\"checkpoint\":" + encode_checkpoint(*proof->checkpoint) + "}"),
            std::string::npos)
      << json;
}

TEST_F(ProofTest, TamperedProofsAreRejected) {
  auto proof = inclusion_proof_for(dir(), 11);
  ASSERT_TRUE(proof);
  const auto rejects = [&](const InclusionProof& p, std::string_view why) {
    auto r = verify_proof_json(proof_to_json(p), key_.public_key);
    ASSERT_FALSE(r) << why;
    EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  };
  auto p = *proof;
  p.entry.replace(p.entry.find("request"), 7, "admin");
  rejects(p, "does not hash to leaf_hash");
  p = *proof;
  p.entry.clear();
  p.leaf_hash = leaf_hash("forged");
  rejects(p, "path does not lead");
  p = *proof;
  p.path[1][0] ^= 1;
  rejects(p, "path does not lead");
  p = *proof;
  p.entry.clear();
  p.leaf_index = 12;
  rejects(p, "path does not lead");
  p = *proof;
  p.checkpoint->root[0] ^= 1;
  rejects(p, "another tree");
  p = *proof;
  p.checkpoint->signature[0] ^= 1;
  rejects(p, "bad signature");
  EXPECT_FALSE(verify_proof_json(proof_to_json(*proof), generate_signing_key().public_key));

  const std::string json = proof_to_json(*proof);
  EXPECT_FALSE(parse_proof_json(json.substr(0, json.size() - 1)));
  EXPECT_FALSE(parse_proof_json("{\"extra\":1," + json.substr(1)));
  EXPECT_FALSE(parse_proof_json("{\"leaf_index\":1}"));
  std::string bad_hash = json;
  bad_hash.replace(bad_hash.find(to_hex(proof->root)), 2, "ZZ");
  EXPECT_FALSE(parse_proof_json(bad_hash));
}

TEST_F(ProofTest, ArgumentsAreChecked) {
  EXPECT_FALSE(inclusion_proof_for(dir(), 37));     // past the last checkpoint
  EXPECT_FALSE(inclusion_proof_for(dir(), 5, 38));  // more entries than the log holds
  EXPECT_FALSE(inclusion_proof_for(dir(), 5, 5));
  TempDir empty;
  append_sample_entries(empty.path(), 3, {}, key_);
  auto r = inclusion_proof_for(empty.path(), 1);  // no checkpoint to default to
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no checkpoint"), std::string::npos);
  EXPECT_TRUE(inclusion_proof_for(empty.path(), 1, 3));
}

TEST_F(ProofTest, RefusesToProveAgainstARewrittenLog) {
  auto lines = read_lines(dir());
  lines[4].text.replace(lines[4].text.find("request"), 7, "admin");
  rechain(lines, 4);
  rewrite_segments(dir(), lines);
  auto r = inclusion_proof_for(dir(), 10);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("do not match the checkpoint"), std::string::npos);
}

TEST_F(ProofTest, ConsistencyBetweenCheckpoints) {
  auto proof = consistency_proof_for(dir(), 20, 37);
  ASSERT_TRUE(proof) << proof.error().message;
  EXPECT_EQ(*proof, *consistency_proof(leaves_, 20, 37));
  EXPECT_TRUE(
      verify_consistency(20, 37, root_of(std::span(leaves_).first(20)), root_of(leaves_), *proof));
  EXPECT_FALSE(consistency_proof_for(dir(), 30, 20));
  EXPECT_FALSE(consistency_proof_for(dir(), 20, 40));
}

}  // namespace
}  // namespace sy::audit
