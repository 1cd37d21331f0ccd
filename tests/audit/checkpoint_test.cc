#include "audit/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "audit/encoding.h"
#include "test_util.h"

namespace sy::audit {
namespace {

using testing::read_all;
using testing::TempDir;
using testing::write_all;

constexpr int64_t kTs = 1'795'633'200'123;  // 2026-11-25T19:00:00.123Z

Hash some_root() { return leaf_hash("some root"); }

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(CheckpointTest, MessageIsTheDocumentedBytes) {
  EXPECT_EQ(checkpoint_message(120, some_root(), kTs),
            "switchyard-audit-checkpoint/v1\n120\n" + to_hex(some_root()) + "\n1795633200123\n");
}

TEST(CheckpointTest, TimeIsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339_ms(kTs), "2026-11-25T19:00:00.123Z");
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(951782400007), "2000-02-29T00:00:00.007Z");
}

TEST(CheckpointTest, KeyIdIsFirstEightBytesOfSha256OfPublicKey) {
  const SigningKey key = generate_signing_key();
  const Hash digest = sha256(key.public_key);
  EXPECT_EQ(key.key_id, hex_encode(std::span(digest).first(8)));
  EXPECT_EQ(key.key_id.size(), 16u);
}

TEST(CheckpointTest, SignAndVerify) {
  const SigningKey key = generate_signing_key();
  auto cp = sign_checkpoint(42, some_root(), kTs, key);
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->key_id, key.key_id);
  EXPECT_TRUE(verify_checkpoint(*cp, key.public_key));

  auto changed = *cp;
  changed.tree_size = 43;
  EXPECT_FALSE(verify_checkpoint(changed, key.public_key));
  changed = *cp;
  changed.root[0] ^= 1;
  EXPECT_FALSE(verify_checkpoint(changed, key.public_key));
  changed = *cp;
  changed.ts_ms += 1;
  EXPECT_FALSE(verify_checkpoint(changed, key.public_key));
  changed = *cp;
  changed.signature[10] ^= 1;
  auto bad = verify_checkpoint(changed, key.public_key);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad signature"), std::string::npos);

  const SigningKey other = generate_signing_key();
  auto wrong_key = verify_checkpoint(*cp, other.public_key);
  ASSERT_FALSE(wrong_key);
  EXPECT_NE(wrong_key.error().message.find("key_id"), std::string::npos);
  // Right key_id but signed by another key: still a bad signature.
  auto forged = sign_checkpoint(42, some_root(), kTs, other);
  ASSERT_TRUE(forged);
  forged->key_id = key.key_id;
  EXPECT_FALSE(verify_checkpoint(*forged, key.public_key));

  EXPECT_FALSE(sign_checkpoint(1, some_root(), -1, key));
}

TEST(CheckpointTest, EncodeParseRoundTrip) {
  const SigningKey key = generate_signing_key();
  auto cp = sign_checkpoint(7, some_root(), kTs, key);
  ASSERT_TRUE(cp);
  const std::string line = encode_checkpoint(*cp);
  EXPECT_EQ(line, "{\"tree_size\":7,\"root\":\"" + to_hex(some_root()) +
                      "\",\"ts_ms\":1795633200123,\"time\":\"2026-11-25T19:00:00.123Z\","
                      "\"key_id\":\"" +
                      key.key_id + "\",\"signature\":\"" + base64_encode(cp->signature) + "\"}");
  auto parsed = parse_checkpoint(line);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, *cp);
}

TEST(CheckpointTest, ParseIsStrict) {
  const SigningKey key = generate_signing_key();
  const std::string good = encode_checkpoint(*sign_checkpoint(7, some_root(), kTs, key));
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::string root_hex = to_hex(some_root());
  const std::string sig_b64 = base64_encode(sign_checkpoint(7, some_root(), kTs, key)->signature);
  const std::pair<std::string, std::string> bad[] = {
      {"", "not valid JSON"},
      {"[]", "not a JSON object"},
      {replace("\"tree_size\":7,", ""), "missing member \"tree_size\""},
      {replace(",\"signature\":\"" + sig_b64 + "\"", ""), "missing member \"signature\""},
      {replace("\"tree_size\":7", "\"tree_size\":-7"), "tree_size"},
      {replace("\"tree_size\":7", "\"tree_size\":7.0"), "tree_size"},
      {replace("\"tree_size\":7", "\"tree_size\":\"7\""), "tree_size"},
      {replace(root_hex, root_hex.substr(0, 62)), "root"},
      {replace(root_hex.substr(0, 2), "ZZ"), "root"},
      {replace(sig_b64.substr(0, 4), "****"), "signature"},
      {replace("\"key_id\":\"", "\"key_id\":\"00"), "key_id"},
      {replace("{", "{\"extra\":1,"), "unknown member"},
      {replace("{", "{\"tree_size\":7,"), "duplicate"},
      {replace("\"tree_size\":7,", "\"tree_size\": 7,"), "canonical"},
      {replace("19:00:00.123Z", "19:00:01.123Z"), "canonical"},
      {replace("\"ts_ms\":1795633200123", "\"ts_ms\":-1"), "ts_ms"},
  };
  for (const auto& [line, reason] : bad) {
    auto parsed = parse_checkpoint(line);
    ASSERT_FALSE(parsed) << line;
    EXPECT_NE(parsed.error().message.find(reason), std::string::npos)
        << line << " -> " << parsed.error().message;
  }
}

TEST(SigningKeyTest, CreatesOnceWithMode0600ThenLoadsTheSameKey) {
  TempDir tmp;
  const auto path = tmp.path() / "keys" / "nested" / "audit.key";
  auto created = load_or_create_signing_key(path);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->created);
  EXPECT_TRUE(created->note.empty());
  EXPECT_EQ(mode_of(path), 0600u);
  const std::string text = read_all(path);
  EXPECT_EQ(text, base64_encode(created->key.secret_key) + "\n");
  // No temporary files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()),
                          std::filesystem::directory_iterator()),
            1);

  auto loaded = load_or_create_signing_key(path);
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->created);
  EXPECT_EQ(loaded->key.secret_key, created->key.secret_key);
  EXPECT_EQ(loaded->key.public_key, created->key.public_key);
  EXPECT_EQ(loaded->key.key_id, created->key.key_id);

  auto cp = sign_checkpoint(1, some_root(), kTs, loaded->key);
  EXPECT_TRUE(verify_checkpoint(*cp, created->key.public_key));
}

TEST(SigningKeyTest, LoosePermissionsAreRefusedOrNoted) {
  TempDir tmp;
  const auto path = tmp.path() / "audit.key";
  ASSERT_TRUE(load_or_create_signing_key(path));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto refused = load_or_create_signing_key(path);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::PermissionDenied);
  EXPECT_NE(refused.error().message.find("0644"), std::string::npos) << refused.error().message;
  auto noted = load_or_create_signing_key(path, /*allow_loose_permissions=*/true);
  ASSERT_TRUE(noted);
  EXPECT_NE(noted->note.find("chmod 600"), std::string::npos);
}

TEST(SigningKeyTest, CorruptKeyFilesAreRejected) {
  TempDir tmp;
  const auto path = tmp.path() / "audit.key";
  write_all(path, "not base64\n");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_FALSE(load_or_create_signing_key(path));
  // 64 bytes whose public half does not belong to the seed.
  SigningKey key = generate_signing_key();
  key.secret_key[40] ^= 1;
  write_all(path, base64_encode(key.secret_key) + "\n");
  auto r = load_or_create_signing_key(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
  // An empty file is an error, never silently replaced by a new key.
  write_all(path, "");
  EXPECT_FALSE(load_or_create_signing_key(path));
  EXPECT_EQ(read_all(path), "");
}

TEST(PublicKeyTest, WriteAndLoad) {
  TempDir tmp;
  const SigningKey key = generate_signing_key();
  const auto path = tmp.path() / "pub" / "audit.pub";
  ASSERT_TRUE(write_public_key(path, key.public_key));
  EXPECT_EQ(read_all(path), base64_encode(key.public_key) + "\n");
  auto loaded = load_public_key(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, key.public_key);
  // Replacing works too.
  const SigningKey other = generate_signing_key();
  ASSERT_TRUE(write_public_key(path, other.public_key));
  EXPECT_EQ(*load_public_key(path), other.public_key);

  write_all(path, base64_encode(key.secret_key) + "\n");  // 64 bytes, not 32
  EXPECT_FALSE(load_public_key(path));
  EXPECT_FALSE(load_public_key(tmp.path() / "missing.pub"));
}

TEST(CheckpointLogTest, AppendsReopensAndRefusesNonIncreasingSizes) {
  TempDir tmp;
  const SigningKey key = generate_signing_key();
  {
    auto log = CheckpointLog::open(tmp.path());
    ASSERT_TRUE(log) << log.error().message;
    EXPECT_FALSE(log->last());
    ASSERT_TRUE(log->append(*sign_checkpoint(10, some_root(), kTs, key)));
    ASSERT_TRUE(log->append(*sign_checkpoint(20, some_root(), kTs + 1, key)));
    EXPECT_FALSE(log->append(*sign_checkpoint(20, some_root(), kTs + 2, key)));
    EXPECT_FALSE(log->append(*sign_checkpoint(5, some_root(), kTs + 2, key)));
    EXPECT_EQ(log->count(), 2u);
  }
  auto log = CheckpointLog::open(tmp.path());
  ASSERT_TRUE(log);
  ASSERT_TRUE(log->last());
  EXPECT_EQ(log->last()->tree_size, 20u);
  EXPECT_EQ(log->count(), 2u);
  EXPECT_EQ(log->repaired_bytes(), 0u);
  auto file = read_checkpoint_file(tmp.path());
  ASSERT_TRUE(file);
  ASSERT_EQ(file->lines.size(), 2u);
  EXPECT_TRUE(parse_checkpoint(file->lines[1].text));
}

TEST(CheckpointLogTest, DropsATornLastLine) {
  TempDir tmp;
  const SigningKey key = generate_signing_key();
  const auto path = tmp.path() / kCheckpointFileName;
  const std::string first = encode_checkpoint(*sign_checkpoint(10, some_root(), kTs, key)) + "\n";
  const std::string second = encode_checkpoint(*sign_checkpoint(20, some_root(), kTs, key));
  write_all(path, first + second.substr(0, 50));
  auto log = CheckpointLog::open(tmp.path());
  ASSERT_TRUE(log) << log.error().message;
  EXPECT_EQ(log->repaired_bytes(), 50u);
  EXPECT_EQ(log->last()->tree_size, 10u);
  EXPECT_EQ(read_all(path), first);
  ASSERT_TRUE(log->append(*sign_checkpoint(20, some_root(), kTs, key)));
  EXPECT_EQ(read_all(path), first + second + "\n");
}

TEST(CheckpointLogTest, RefusesACorruptFile) {
  TempDir tmp;
  write_all(tmp.path() / kCheckpointFileName, "{\"tree_size\":1}\n");
  auto log = CheckpointLog::open(tmp.path());
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().message.find("line 1"), std::string::npos) << log.error().message;
}

}  // namespace
}  // namespace sy::audit
