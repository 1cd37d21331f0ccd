// Feature hashing: deterministic, bounded, case-folded, seeded; the structural signals.
#include "routing/features.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::routing {
namespace {

std::vector<uint32_t> indices(std::string_view text, const FeatureParams& p = {}) {
  std::vector<uint32_t> out;
  DenseFeatures dense;
  const std::size_t n = extract_features(text, p, dense, [&](uint32_t i) { out.push_back(i); });
  EXPECT_EQ(n, out.size());
  return out;
}

TEST(Features, SameTextSameIndicesInSameOrder) {
  const std::string text = "Translate to French: 'The meeting moved to Thursday.'";
  const auto a = indices(text);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, indices(std::string(text)));
}

TEST(Features, IndicesStayInsideTheHashSpace) {
  FeatureParams p;
  p.bits = 10;
  for (uint32_t i : indices("def f(x):\n    return x ** 2  # über 😀", p)) EXPECT_LT(i, 1u << 10);
}

TEST(Features, SeedChangesTheBuckets) {
  FeatureParams other;
  other.seed = 12345;
  EXPECT_NE(indices("summarize this article please"),
            indices("summarize this article please", other));
}

TEST(Features, WordsAreCaseFoldedAndNumbersShareOneToken) {
  EXPECT_EQ(indices("Translate THIS"), indices("translate this"));
  EXPECT_EQ(indices("add 12 and 7"), indices("add 99 and 3"));
  EXPECT_NE(indices("add 12 and 7"), indices("add 12 or 7"));
}

TEST(Features, OccurrencesAreBoundedForLongPrompts) {
  std::string long_text;
  while (long_text.size() < 64 * 1024) long_text += "lorem ipsum dolor sit amet ";
  std::string longer = long_text + long_text;
  const auto a = indices(long_text).size();
  EXPECT_LT(a, 3 * (kHeadBytes + kTailBytes));
  EXPECT_EQ(a, indices(longer).size());  // head and tail windows only
}

TEST(Features, DenseSignals) {
  DenseFeatures d;
  dense_features("```python\ndef f(x):\n    return x + 1\n```", d);
  EXPECT_EQ(d[2], 1.0f);  // code fence
  EXPECT_GT(d[8], 0.0f);  // an indented line
  EXPECT_GT(d[5], 0.0f);  // brackets
  EXPECT_EQ(d[9], 0.0f);
  dense_features("What is 2+2?  ", d);
  EXPECT_EQ(d[2], 0.0f);
  EXPECT_EQ(d[9], 1.0f);
  EXPECT_EQ(d[10], 1.0f);  // ends with '?' after trailing spaces
  EXPECT_GT(d[3], 0.0f);
  dense_features("", d);
  EXPECT_EQ(d[0], 0.0f);
  dense_features("日本語", d);
  EXPECT_FLOAT_EQ(d[6], 1.0f);  // every byte non-ASCII
}

}  // namespace
}  // namespace sy::routing
