// Masking for the policy effect `mask`: only the chosen data classes, stable placeholders
// across calls, and restoring the values (JSON-escaped in a JSON body).
#include "governance/dlp_mask.h"

#include <gtest/gtest.h>

namespace sy::governance {
namespace {

std::shared_ptr<const Scanner> builtins() {
  auto s = Scanner::compile(DlpConfig{});
  EXPECT_TRUE(s) << s.error().message;
  return *s;
}

TEST(DlpMask, ReplacesOnlyTheChosenClassesWithStablePlaceholders) {
  auto scanner = builtins();
  DlpScratch scratch;
  std::vector<Finding> found;
  std::vector<MaskedValue> masked;
  std::string text =
      "mail ann@example.com, then bob@example.org, again ann@example.com; card 4111 1111 1111 1111";
  const std::vector<std::string_view> classes{"EMAIL_ADDRESS"};
  auto n = mask_data_classes(*scanner, scratch, found, text, classes, masked);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(text, "mail [EMAIL_1], then [EMAIL_2], again [EMAIL_1]; card 4111 1111 1111 1111");
  ASSERT_EQ(masked.size(), 2u);
  // A second text of the same request continues the numbering and reuses known values.
  std::string more = "cc bob@example.org and carl@example.net";
  ASSERT_TRUE(mask_data_classes(*scanner, scratch, found, more, classes, masked));
  EXPECT_EQ(more, "cc [EMAIL_2] and [EMAIL_3]");
  std::string answer = R"({"content":"Wrote to [EMAIL_1] and [EMAIL_3]; [EMAIL_1] again"})";
  restore_masked(answer, masked, /*json_escape=*/true);
  EXPECT_EQ(answer,
            R"({"content":"Wrote to ann@example.com and carl@example.net; ann@example.com again"})");
}

TEST(DlpMask, NothingToMaskLeavesTheTextAlone) {
  auto scanner = builtins();
  DlpScratch scratch;
  std::vector<Finding> found;
  std::vector<MaskedValue> masked;
  std::string text = "card 4111 1111 1111 1111";
  const std::vector<std::string_view> classes{"EMAIL_ADDRESS"};
  auto n = mask_data_classes(*scanner, scratch, found, text, classes, masked);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0u);
  EXPECT_EQ(text, "card 4111 1111 1111 1111");
  EXPECT_TRUE(masked.empty());
}

TEST(DlpMask, RestoredValuesAreJsonEscapedInAJsonBody) {
  std::vector<MaskedValue> masked{{"[SECRET_1]", "a\"b\\c"}};
  std::string body = R"({"content":"[SECRET_1]"})";
  restore_masked(body, masked, /*json_escape=*/true);
  EXPECT_EQ(body, R"({"content":"a\"b\\c"})");
  std::string plain = "x [SECRET_1] y";
  restore_masked(plain, masked, /*json_escape=*/false);
  EXPECT_EQ(plain, "x a\"b\\c y");
}

}  // namespace
}  // namespace sy::governance
