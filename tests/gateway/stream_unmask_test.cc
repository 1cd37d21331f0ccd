// Unmasking a canonical event stream: text and tool-argument deltas get their values back
// even when a placeholder is split across deltas, held text is released before a block
// ends and before the stop, and other events pass through in order.
#include "gateway/stream_unmask.h"

#include <gtest/gtest.h>

namespace sy::gateway {
namespace {

using Kind = model::StreamEvent::Kind;
const std::vector<governance::MaskedValue> kMasked = {{"[EMAIL_1]", "a\"b@example.com"}};

model::StreamEvent ev(Kind k, uint32_t index = 0, std::string text = {}) {
  model::StreamEvent e;
  e.kind = k;
  e.index = index;
  e.text = std::move(text);
  return e;
}

std::string text_of(const std::vector<model::StreamEvent>& events, Kind k, uint32_t index) {
  std::string s;
  for (const auto& e : events) {
    if (e.kind == k && e.index == index) s += e.text;
  }
  return s;
}

TEST(StreamUnmasker, RestoresSplitPlaceholdersInTextAndToolArguments) {
  StreamUnmasker u(kMasked);
  std::vector<model::StreamEvent> all;
  std::vector<std::vector<model::StreamEvent>> batches = {
      {ev(Kind::MessageStart), ev(Kind::TextDelta, 0, "Mail [EMA")},
      {ev(Kind::TextDelta, 0, "IL_1] and [EMAIL")},
      {ev(Kind::ToolCallStart, 1), ev(Kind::ToolCallDelta, 1, "{\"to\":\"[EM")},
      {ev(Kind::ToolCallDelta, 1, "AIL_1]\"}"), ev(Kind::ToolCallEnd, 1)},
      {ev(Kind::Usage), ev(Kind::Stop)},
  };
  for (auto& b : batches) {
    u.apply(b);
    for (auto& e : b) all.push_back(e);
  }
  EXPECT_EQ(text_of(all, Kind::TextDelta, 0), "Mail a\"b@example.com and [EMAIL");
  EXPECT_EQ(text_of(all, Kind::ToolCallDelta, 1), "{\"to\":\"a\\\"b@example.com\"}");
  // The held "[EMAIL" of block 0 comes out before the tool call starts.
  std::vector<Kind> kinds;
  for (const auto& e : all) kinds.push_back(e.kind);
  const auto start = std::find(kinds.begin(), kinds.end(), Kind::ToolCallStart);
  ASSERT_NE(start, kinds.end());
  EXPECT_EQ(*(start - 1), Kind::TextDelta);
  EXPECT_EQ(all.at(start - kinds.begin() - 1).text, "[EMAIL");  // held, then released
  EXPECT_EQ(kinds.back(), Kind::Stop);
  EXPECT_EQ(kinds.front(), Kind::MessageStart);
}

TEST(StreamUnmasker, HeldTextIsReleasedAtTheStop) {
  StreamUnmasker u(kMasked);
  std::vector<model::StreamEvent> a = {ev(Kind::TextDelta, 0, "see [EMAIL_")};
  u.apply(a);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].text, "see ");
  std::vector<model::StreamEvent> b = {ev(Kind::Stop)};
  u.apply(b);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].kind, Kind::TextDelta);
  EXPECT_EQ(b[0].text, "[EMAIL_");
  EXPECT_EQ(b[1].kind, Kind::Stop);
}

}  // namespace
}  // namespace sy::gateway
