#include "audit/encoding.h"

#include <gtest/gtest.h>

#include <array>

namespace sy::audit {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(EncodingTest, HexRoundTrip) {
  const std::vector<uint8_t> data = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "00017f80abff");
  std::array<uint8_t, 6> out{};
  ASSERT_TRUE(hex_decode("00017f80abff", out));
  EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin()));
}

TEST(EncodingTest, HexDecodeIsStrict) {
  std::array<uint8_t, 2> out{};
  EXPECT_FALSE(hex_decode("ABCD", out));    // uppercase
  EXPECT_FALSE(hex_decode("abc", out));     // odd length
  EXPECT_FALSE(hex_decode("abcdef", out));  // wrong length
  EXPECT_FALSE(hex_decode("abcg", out));
  EXPECT_FALSE(hex_decode(" abc", out));
  EXPECT_TRUE(hex_decode("abcd", out));
}

// RFC 4648 §10 test vectors.
TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes(plain)), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, bytes(plain)) << encoded;
  }
}

TEST(EncodingTest, Base64DecodeIsStrict) {
  EXPECT_FALSE(base64_decode("Zg="));       // length not a multiple of 4
  EXPECT_FALSE(base64_decode("Zg"));        // missing padding
  EXPECT_FALSE(base64_decode("Zh=="));      // non-zero unused bits
  EXPECT_FALSE(base64_decode("Zm9=Zm9v"));  // padding in the middle
  EXPECT_FALSE(base64_decode("Zm9v\n"));    // whitespace
  EXPECT_FALSE(base64_decode("Zm-v"));      // URL-safe alphabet
  EXPECT_FALSE(base64_decode("===="));
  std::array<uint8_t, 3> three{};
  EXPECT_TRUE(base64_decode_exact("Zm9v", three));
  std::array<uint8_t, 4> four{};
  EXPECT_FALSE(base64_decode_exact("Zm9v", four));
}

TEST(EncodingTest, Base64AllByteValuesRoundTrip) {
  std::vector<uint8_t> data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<uint8_t>(i));
  for (size_t n = 0; n <= data.size(); n += 7) {
    std::vector<uint8_t> part(data.begin(), data.begin() + static_cast<long>(n));
    auto decoded = base64_decode(base64_encode(part));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, part);
  }
}

}  // namespace
}  // namespace sy::audit
