// Restoring masked values in a streamed answer: whatever way the text is cut into
// deltas, the released text equals the whole text restored at once, and no more than a
// placeholder's length is ever held back.
#include "governance/mask_stream.h"

#include <gtest/gtest.h>

namespace sy::governance {
namespace {

const std::vector<MaskedValue> kMasked = {{"[EMAIL_1]", "ann@example.com"},
                                          {"[EMAIL_2]", "bob \"b\" <b@x.io>"},
                                          {"[CARD_1]", "4111 1111 1111 1111"}};

std::string whole(std::string text, bool json) {
  restore_masked(text, kMasked, json);
  return text;
}

TEST(StreamRestorer, EverySplitOfTheTextGivesTheSameAnswer) {
  const std::string text = "Write to [EMAIL_1] and [EMAIL_2]; not [EMAIL_3] or [CARD_1][CARD_1] [ok] [";
  for (bool json : {false, true}) {
    const std::string expected = whole(text, json);
    for (size_t a = 0; a <= text.size(); ++a) {
      for (size_t b = a; b <= text.size(); b += 3) {
        StreamRestorer r(kMasked, json);
        std::string out;
        r.push(text.substr(0, a), out);
        r.push(text.substr(a, b - a), out);
        r.push(text.substr(b), out);
        r.flush(out);
        ASSERT_EQ(out, expected) << "split at " << a << "," << b;
      }
    }
  }
}

TEST(StreamRestorer, HoldsBackOnlyAPossiblePlaceholder) {
  StreamRestorer r(kMasked, false);
  std::string out;
  r.push("mail [EMAIL", out);
  EXPECT_EQ(out, "mail ");
  r.push("_1] now [x", out);  // "[x" cannot begin a placeholder
  EXPECT_EQ(out, "mail ann@example.com now [x");
  r.push("] [CA", out);
  EXPECT_EQ(out, "mail ann@example.com now [x] ");
  r.flush(out);
  EXPECT_EQ(out, "mail ann@example.com now [x] [CA");
}

TEST(StreamRestorer, TextWithoutBracketsIsReleasedAtOnce) {
  StreamRestorer r(kMasked, false);
  std::string out;
  r.push("hello world", out);
  EXPECT_EQ(out, "hello world");
  r.push(" and [EM", out);
  EXPECT_EQ(out, "hello world and ");
  r.push("PTY]", out);  // not a placeholder after all
  EXPECT_EQ(out, "hello world and [EMPTY]");
}

}  // namespace
}  // namespace sy::governance
