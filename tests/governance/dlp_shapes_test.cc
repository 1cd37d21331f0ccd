// The code that replaced Hyperscan for digit patterns: digit groups found 64 bytes at a
// time (against a byte-by-byte reference, across block edges), and direct cases of the
// IPv6 and IBAN rules. The number rules' equivalence with their patterns is checked on
// random texts by dlp_scanner_equivalence_test.cc.
#include "governance/dlp_shapes.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "governance/dlp_digit_groups.h"

namespace sy::governance {
namespace {

std::vector<std::pair<std::size_t, std::size_t>> groups_of(std::string_view t) {
  DigitGroups g;
  g.find(t);
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const DigitGroup x : g) out.emplace_back(x.start, x.end);
  return out;
}

std::vector<std::pair<std::size_t, std::size_t>> groups_byte_by_byte(std::string_view t) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < t.size();) {
    if (t[i] < '0' || t[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < t.size() && t[j] >= '0' && t[j] <= '9') ++j;
    out.emplace_back(i, j);
    i = j;
  }
  return out;
}

TEST(DlpDigitGroups, EdgesOfBlocksAndText) {
  EXPECT_TRUE(groups_of("").empty());
  EXPECT_TRUE(groups_of("no digits here").empty());
  const std::string at_edges = std::string(63, 'a') + "12" + std::string(62, 'b') + "3456";
  EXPECT_EQ(groups_of(at_edges),
            (std::vector<std::pair<std::size_t, std::size_t>>{{63, 65}, {127, 131}}));
  const std::string long_run = "x" + std::string(200, '7') + "y9";
  EXPECT_EQ(groups_of(long_run),
            (std::vector<std::pair<std::size_t, std::size_t>>{{1, 201}, {202, 203}}));
  const std::string ends_on_edge = std::string(60, ' ') + "1234";  // 64 bytes, digits last
  EXPECT_EQ(groups_of(ends_on_edge), (std::vector<std::pair<std::size_t, std::size_t>>{{60, 64}}));
  EXPECT_EQ(groups_of("0"), (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}}));
  EXPECT_EQ(groups_of(std::string(128, '5')),  // whole blocks of digits to the end
            (std::vector<std::pair<std::size_t, std::size_t>>{{0, 128}}));
  // 64 edges in every block: the most a block can have, and many times the first buffer.
  std::string alternating;
  for (int i = 0; i < 4000; ++i) alternating += i % 2 ? "a" : "1";
  const auto g = groups_of(alternating);
  ASSERT_EQ(g.size(), 2000u);
  EXPECT_EQ(g.back(), (std::pair<std::size_t, std::size_t>{3998, 3999}));
  EXPECT_EQ(groups_of(alternating), groups_byte_by_byte(alternating));
}

TEST(DlpDigitGroups, SameAsByteByByteOnRandomTexts) {
  std::mt19937_64 rng(42);
  const std::string alphabet = "0123456789 .-a/\xc3\xa9";
  for (int i = 0; i < 2000; ++i) {
    std::string t(rng() % 300, ' ');
    for (char& c : t) c = alphabet[rng() % alphabet.size()];
    ASSERT_EQ(groups_of(t), groups_byte_by_byte(t)) << t;
  }
}

TEST(DlpShapes, Ipv6StartIsTheLeftmostStart) {
  EXPECT_EQ(ipv6_start("ip fe80::1 up", 10), 3u);
  EXPECT_EQ(ipv6_start("2001:db8:0:0:0:0:2:1", 20), 0u);
  EXPECT_EQ(ipv6_start("12:30", 5), std::string_view::npos);  // one colon: no match
  // More than seven colons: the match keeps the last seven and four hex digits before.
  EXPECT_EQ(ipv6_start("1:2:3:4:5:6:7:8:9", 17), 2u);
}

TEST(DlpShapes, IbanMatchesKeepTheFirstHeadForEachEnd) {
  const std::string t = "IBAN DE89 3704 0044 0532 0130 00.";
  DigitGroups groups;
  groups.find(t);
  std::vector<ShapeMatch> m;
  iban_matches(t, groups, m);
  ASSERT_FALSE(m.empty());
  bool whole = false;
  for (const auto& x : m) {
    EXPECT_EQ(x.start, 5u);  // every end's leftmost start is the one head
    whole = whole || x.end == t.size() - 1;
  }
  EXPECT_TRUE(whole);
}

}  // namespace
}  // namespace sy::governance
