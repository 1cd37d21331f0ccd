// The offline verifier against every kind of tampering: each test writes a log of a few
// hundred entries across many segments with a few signed checkpoints, tampers with the
// files, and checks the verifier fails naming the first bad record.
#include "audit/verifier.h"

#include <gtest/gtest.h>

#include "audit/encoding.h"
#include "test_util.h"

namespace sy::audit {
namespace {

using testing::append_sample_entries;
using testing::LocatedLine;
using testing::read_all;
using testing::read_lines;
using testing::rechain;
using testing::rewrite_segments;
using testing::sample_body;
using testing::TempDir;
using testing::write_all;

constexpr uint64_t kEntries = 300;
constexpr uint64_t kSegmentBytes = 4096;

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { write_log({100, 200, 280}); }

  void write_log(const std::vector<uint64_t>& checkpoints) {
    std::filesystem::remove_all(dir());
    append_sample_entries(dir(), kEntries, checkpoints, key_, kSegmentBytes);
    lines_ = read_lines(dir());
    ASSERT_EQ(lines_.size(), kEntries);
  }

  const std::filesystem::path& dir() const { return tmp_.path(); }
  VerifyReport verify() const { return verify_log(dir(), key_.public_key); }

  // Expects a failed verification whose first bad entry is `seq` and whose problems
  // mention `text`.
  static void expect_failure(const VerifyReport& r, std::optional<uint64_t> seq,
                             std::string_view text) {
    ASSERT_FALSE(r.ok()) << r.to_text();
    EXPECT_EQ(r.first_bad_seq(), seq) << r.to_text();
    bool found = false;
    for (const auto& p : r.problems) found = found || p.message.find(text) != std::string::npos;
    EXPECT_TRUE(found) << "no problem mentions \"" << text << "\":\n" << r.to_text();
  }

  // The first seq held by segment `n`.
  uint64_t first_seq_of_segment(uint32_t n) const {
    for (size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].segment == n) return i;
    }
    ADD_FAILURE() << "no segment " << n;
    return 0;
  }

  std::string checkpoint_line(size_t index) const {
    auto file = read_checkpoint_file(dir());
    EXPECT_TRUE(file);
    return std::string(file->lines.at(index).text);
  }

  void replace_in_checkpoint_file(std::string_view from, std::string_view to) {
    const auto path = dir() / kCheckpointFileName;
    std::string content = read_all(path);
    const size_t at = content.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    content.replace(at, from.size(), to);
    write_all(path, content);
  }

  TempDir tmp_;
  SigningKey key_ = generate_signing_key();
  std::vector<LocatedLine> lines_;
};

TEST_F(VerifierTest, CleanLogVerifiesAndWarnsAboutUncoveredEntries) {
  const VerifyReport r = verify();
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_EQ(r.entries, kEntries);
  EXPECT_EQ(r.checkpoints, 3u);
  EXPECT_EQ(r.verified_tree_size, 280u);
  EXPECT_GT(r.segments, 10u);
  EXPECT_FALSE(r.first_bad_seq());
  ASSERT_EQ(r.warnings.size(), 1u) << r.to_text();
  EXPECT_NE(r.warnings[0].find("entries 280..299 (20) are not yet covered by a signed checkpoint"),
            std::string::npos)
      << r.warnings[0];
}

TEST_F(VerifierTest, FullyCoveredLogHasNoWarnings) {
  write_log({100, 200, 300});
  const VerifyReport r = verify();
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_EQ(r.verified_tree_size, 300u);
  EXPECT_TRUE(r.warnings.empty()) << r.to_text();
}

TEST_F(VerifierTest, AnotherPublicKeyVerifiesNoCheckpoint) {
  const VerifyReport r = verify_log(dir(), generate_signing_key().public_key);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems.size(), 3u) << r.to_text();
  EXPECT_EQ(r.problems[0].checkpoint, 1u);
  EXPECT_NE(r.problems[0].message.find("key_id"), std::string::npos);
  EXPECT_EQ(r.checkpoints, 0u);
}

TEST_F(VerifierTest, NaiveEditOfAnEntryNamesIt) {
  lines_[41].text.replace(lines_[41].text.find("\"request\""), 9, "\"admin\"");
  rewrite_segments(dir(), lines_);
  const VerifyReport r = verify();
  expect_failure(r, 41, "entry 41 (");
  expect_failure(r, 41, "was modified or removed: entry 42's prev");
  EXPECT_EQ(r.problems[0].file, segment_file_name(lines_[41].segment));
  EXPECT_EQ(r.entries, 41u);  // the good prefix: entries 0..40
}

TEST_F(VerifierTest, EditedPrevFieldNamesTheEntryItself) {
  std::string& text = lines_[41].text;
  const size_t at = text.find("\"prev\":\"") + 8;
  text[at] = text[at] == 'a' ? 'b' : 'a';
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 41, "entry 41 (");
  expect_failure(verify(), 41, "was modified: its prev does not match entry 40");
}

TEST_F(VerifierTest, EditingAnyByteOfAnyEntryIsDetected) {
  write_log({100, 200, 300});
  const uint64_t second_segment = first_seq_of_segment(2);
  const uint64_t targets[] = {0, 41, second_segment - 1, second_segment, 298, 299};
  for (uint64_t k : targets) {
    const auto path = dir() / segment_file_name(lines_[k].segment);
    const std::string original = read_all(path);
    const size_t line_length = lines_[k].text.size() + 1;  // with its "\n"
    for (size_t i = 0; i < line_length; ++i) {
      std::string content = original;
      char& c = content[lines_[k].offset + i];
      if (c >= '0' && c <= '8') {
        ++c;
      } else if (c >= 'a' && c <= 'e') {
        ++c;
      } else {
        c = c == 'x' ? 'y' : 'x';
      }
      write_all(path, content);
      const VerifyReport r = verify();
      ASSERT_FALSE(r.ok()) << "entry " << k << " byte " << i;
      ASSERT_TRUE(r.first_bad_seq()) << r.to_text();
      if (k < 299) {
        ASSERT_EQ(r.first_bad_seq(), k) << "byte " << i << "\n" << r.to_text();
      } else {
        // The last entry has no successor whose prev could tell: the checkpoint catches it.
        ASSERT_LE(*r.first_bad_seq(), k) << r.to_text();
      }
    }
    write_all(path, original);
    ASSERT_TRUE(verify().ok());
  }
}

TEST_F(VerifierTest, DeletedEntryIsNamed) {
  lines_.erase(lines_.begin() + 57);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 57, "entry 57 was removed");
}

TEST_F(VerifierTest, DeletedEntriesAreNamed) {
  lines_.erase(lines_.begin() + 57, lines_.begin() + 60);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 57, "entries 57..59 were removed");
}

TEST_F(VerifierTest, TruncatedLogIsDetected) {
  lines_.resize(270);
  rewrite_segments(dir(), lines_);
  const VerifyReport r = verify();
  expect_failure(r, 270, "the log was truncated: checkpoint #3 signs tree_size 280");
  expect_failure(r, 270, "entries 270..279 are missing");
}

TEST_F(VerifierTest, TruncationInsideALineIsReportedAsATornLine) {
  const LocatedLine& line = lines_[275];
  const auto path = dir() / segment_file_name(line.segment);
  std::filesystem::resize_file(path, line.offset + 40);
  for (uint32_t s = line.segment + 1; s <= lines_.back().segment; ++s) {
    std::filesystem::remove(dir() / segment_file_name(s));
  }
  const VerifyReport r = verify();
  expect_failure(r, 275, "truncated");
  expect_failure(r, 275, "which would be entry 275) is incomplete");
}

TEST_F(VerifierTest, TornTailAfterTheLastCheckpointIsOnlyAWarning) {
  const auto path = dir() / segment_file_name(lines_.back().segment);
  write_all(path, read_all(path) + "{\"seq\":300,\"prev\":\"ab");
  const VerifyReport r = verify();
  EXPECT_TRUE(r.ok()) << r.to_text();
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || w.find("is incomplete") != std::string::npos;
  EXPECT_TRUE(warned) << r.to_text();
}

TEST_F(VerifierTest, ReorderedEntriesAreNamed) {
  std::swap(lines_[120].text, lines_[121].text);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 120, "expected entry 120, found entry 121");
}

TEST_F(VerifierTest, InsertedEntryIsNamed) {
  // A well-formed forgery with the right seq and prev, placed before the real entry 150.
  LocatedLine forged = lines_[150];
  forged.text.clear();
  append_entry(forged.text, 150, leaf_hash(lines_[149].text), "\"kind\":\"admin\",\"n\":-1");
  lines_.insert(lines_.begin() + 150, forged);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 150, "two entries claim seq 150");
  expect_failure(verify(), 150, "one of them was inserted");
}

TEST_F(VerifierTest, InsertedCopyOfAnotherEntryIsNamed) {
  lines_.insert(lines_.begin() + 150, lines_[10]);
  lines_[150].segment = lines_[151].segment;
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 150, "expected entry 150, found entry 10");
}

TEST_F(VerifierTest, DeletedMiddleSegmentIsNamed) {
  const uint64_t first = first_seq_of_segment(3);
  std::filesystem::remove(dir() / segment_file_name(3));
  const VerifyReport r = verify();
  expect_failure(r, first, "segment-000003.jsonl is missing");
  EXPECT_EQ(r.problems[0].file, "segment-000003.jsonl");
}

TEST_F(VerifierTest, DeletedFirstSegmentIsNamed) {
  std::filesystem::remove(dir() / segment_file_name(1));
  expect_failure(verify(), 0, "segment-000001.jsonl is missing");
}

TEST_F(VerifierTest, DeletedLastSegmentIsATruncation) {
  write_log({100, 200, 300});
  const uint32_t last = lines_.back().segment;
  std::filesystem::remove(dir() / segment_file_name(last));
  expect_failure(verify(), first_seq_of_segment(last), "the log was truncated");
}

TEST_F(VerifierTest, EditedCheckpointsAreNamed) {
  const std::string line = checkpoint_line(1);
  auto cp = parse_checkpoint(line);
  ASSERT_TRUE(cp);
  const std::string root_hex = to_hex(cp->root);
  std::string other_root = root_hex;
  other_root[10] = other_root[10] == '0' ? '1' : '0';
  const std::string sig = base64_encode(cp->signature);
  std::string other_sig = sig;
  other_sig[5] = other_sig[5] == 'A' ? 'B' : 'A';
  const std::pair<std::pair<std::string, std::string>, std::string> edits[] = {
      {{root_hex, other_root}, "bad signature"},
      {{"\"tree_size\":200", "\"tree_size\":199"}, "bad signature"},
      {{"\"ts_ms\":" + std::to_string(cp->ts_ms), "\"ts_ms\":" + std::to_string(cp->ts_ms + 1000)},
       "canonical"},
      {{"\"time\":\"2026", "\"time\":\"2027"}, "canonical"},
      {{cp->key_id, std::string(16, 'f')}, "key_id"},
      {{sig, other_sig}, "bad signature"},
      {{"\"tree_size\":200,", "\"tree_size\":200, "}, "canonical"},
  };
  for (const auto& [edit, reason] : edits) {
    std::string edited = line;
    const size_t at = edited.find(edit.first);
    ASSERT_NE(at, std::string::npos) << edit.first;
    edited.replace(at, edit.first.size(), edit.second);
    replace_in_checkpoint_file(line, edited);
    const VerifyReport r = verify();
    ASSERT_FALSE(r.ok()) << edit.second;
    EXPECT_EQ(r.problems[0].checkpoint, 2u) << r.to_text();
    EXPECT_EQ(r.problems[0].file, kCheckpointFileName);
    EXPECT_EQ(r.problems[0].line, 2u);
    EXPECT_NE(r.problems[0].message.find("checkpoint #2"), std::string::npos) << r.to_text();
    EXPECT_NE(r.problems[0].message.find(reason), std::string::npos) << r.to_text();
    replace_in_checkpoint_file(edited, line);
    ASSERT_TRUE(verify().ok());
  }
}

TEST_F(VerifierTest, CheckpointForgedWithAnotherKeyIsRejected) {
  // The attacker rewrites history and signs a matching checkpoint with their own key.
  lines_[150].text.replace(lines_[150].text.find("\"request\""), 9, "\"admin\"");
  rechain(lines_, 150);
  rewrite_segments(dir(), lines_);
  std::vector<Hash> leaves;
  for (size_t i = 0; i < 200; ++i) leaves.push_back(leaf_hash(lines_[i].text));
  SigningKey attacker = generate_signing_key();
  attacker.key_id = key_.key_id;  // pretend to be the real key
  auto forged = sign_checkpoint(200, root_of(leaves), 1'795'000'000'200, attacker);
  replace_in_checkpoint_file(checkpoint_line(1), encode_checkpoint(*forged));
  const VerifyReport r = verify();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.problems[0].message.find("checkpoint #2 (tree_size 200"), std::string::npos);
  EXPECT_NE(r.problems[0].message.find("bad signature"), std::string::npos);
  // Checkpoint #3 (280) still catches the rewritten entries; #2 vouches for nothing.
  expect_failure(r, 100, "checkpoint #3 (tree_size 280) root mismatch: entries 100..279 differ");
}

TEST_F(VerifierTest, RechainedEditIsCaughtByTheCheckpointRoot) {
  lines_[150].text.replace(lines_[150].text.find("\"request\""), 9, "\"admin\"");
  rechain(lines_, 150);
  rewrite_segments(dir(), lines_);
  const VerifyReport r = verify();
  expect_failure(r, 100, "checkpoint #2 (tree_size 200) root mismatch: entries 100..199 differ");
  EXPECT_EQ(r.problems[0].last_seq, 199u);
  EXPECT_EQ(r.problems[0].checkpoint, 2u);
  EXPECT_EQ(r.verified_tree_size, 100u);
}

TEST_F(VerifierTest, RechainedDeletionIsCaughtByTheCheckpointRoot) {
  lines_.erase(lines_.begin() + 30);
  rechain(lines_, 30);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 0, "checkpoint #1 (tree_size 100) root mismatch: entries 0..99 differ");
}

TEST_F(VerifierTest, RechainedReorderingIsCaughtByTheCheckpointRoot) {
  std::swap(lines_[220].text, lines_[221].text);
  rechain(lines_, 220);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 200, "checkpoint #3 (tree_size 280) root mismatch: entries 200..279");
}

TEST_F(VerifierTest, RechainedInsertionIsCaughtByTheCheckpointRoot) {
  LocatedLine forged = lines_[250];
  forged.text.clear();
  append_entry(forged.text, 250, Hash{}, "\"kind\":\"admin\"");
  lines_.insert(lines_.begin() + 250, forged);
  rechain(lines_, 250);
  rewrite_segments(dir(), lines_);
  expect_failure(verify(), 200, "checkpoint #3 (tree_size 280) root mismatch");
}

TEST_F(VerifierTest, RechainedEditAfterTheLastCheckpointIsOnlyCoveredByTheChain) {
  // Nothing signed covers entries 280..299: a rewrite there cannot be detected, and the
  // report says so.
  lines_[290].text.replace(lines_[290].text.find("\"request\""), 9, "\"admin\"");
  rechain(lines_, 290);
  rewrite_segments(dir(), lines_);
  const VerifyReport r = verify();
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("280..299"), std::string::npos);
}

TEST_F(VerifierTest, CheckpointTreeSizesMustIncrease) {
  std::vector<Hash> leaves;
  for (size_t i = 0; i < 150; ++i) leaves.push_back(leaf_hash(lines_[i].text));
  auto late = sign_checkpoint(150, root_of(leaves), 1'795'000'000'999, key_);
  write_all(dir() / kCheckpointFileName,
            read_all(dir() / kCheckpointFileName) + encode_checkpoint(*late) + "\n");
  const VerifyReport r = verify();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.problems[0].checkpoint, 4u);
  EXPECT_NE(r.problems[0].message.find("does not exceed the previous checkpoint's 280"),
            std::string::npos);
}

TEST_F(VerifierTest, DeletedCheckpointFileLeavesTheLogUnsigned) {
  std::filesystem::remove(dir() / kCheckpointFileName);
  const VerifyReport r = verify();
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_EQ(r.verified_tree_size, 0u);
  ASSERT_EQ(r.warnings.size(), 2u) << r.to_text();
  EXPECT_NE(r.warnings[0].find("does not exist"), std::string::npos);
  EXPECT_NE(r.warnings[1].find("entries 0..299"), std::string::npos);
}

TEST(VerifierSessionsTest, LogWrittenAcrossSeveralSessionsVerifiesClean) {
  TempDir tmp;
  const SigningKey key = generate_signing_key();
  // Four writer sessions with different segment sizes and a checkpoint in each.
  append_sample_entries(tmp.path(), 90, {50, 90}, key, 2048);
  append_sample_entries(tmp.path(), 70, {120}, key, 1024);
  append_sample_entries(tmp.path(), 40, {200}, key, 8192);
  append_sample_entries(tmp.path(), 15, {}, key, 512);
  const VerifyReport r = verify_log(tmp.path(), key.public_key);
  EXPECT_TRUE(r.ok()) << r.to_text();
  EXPECT_EQ(r.entries, 215u);
  EXPECT_EQ(r.checkpoints, 4u);
  EXPECT_EQ(r.verified_tree_size, 200u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("entries 200..214"), std::string::npos);
}

TEST(VerifierSessionsTest, EmptyOrMissingDirectory) {
  TempDir tmp;
  const SigningKey key = generate_signing_key();
  const VerifyReport empty = verify_log(tmp.path(), key.public_key);
  EXPECT_TRUE(empty.ok()) << empty.to_text();
  EXPECT_EQ(empty.entries, 0u);
  const VerifyReport missing = verify_log(tmp.path() / "nope", key.public_key);
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.problems[0].message.find("cannot"), std::string::npos) << missing.to_text();
}

}  // namespace
}  // namespace sy::audit
