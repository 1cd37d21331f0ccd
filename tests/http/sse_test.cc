#include "http/sse.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::http {
namespace {

struct Seen {
  std::string event, data, id;
};

std::vector<Seen> parse_in_pieces(std::string_view stream, size_t piece) {
  SseParser p;
  std::vector<Seen> out;
  for (size_t i = 0; i < stream.size(); i += piece) {
    EXPECT_TRUE(p.feed(stream.substr(i, piece), [&](const SseEvent& e) {
      out.push_back({std::string(e.event), std::string(e.data), std::string(e.id)});
    }));
  }
  return out;
}

TEST(SseParser, SplitsEventsOnBlankLines) {
  auto ev = parse_in_pieces("data: {\"a\":1}\n\ndata: [DONE]\n\n", 1000);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].data, "{\"a\":1}");
  EXPECT_EQ(ev[1].data, "[DONE]");
}

TEST(SseParser, AnySplitGivesTheSameEvents) {
  const std::string stream =
      "event: message_start\r\ndata: {\"x\":\"y\"}\r\n\r\n: keep-alive comment\n\n"
      "id: 7\ndata: line1\ndata: line2\n\ndata:no-space\r\r";
  const auto whole = parse_in_pieces(stream, stream.size());
  ASSERT_EQ(whole.size(), 3u);
  EXPECT_EQ(whole[0].event, "message_start");
  EXPECT_EQ(whole[0].data, "{\"x\":\"y\"}");
  EXPECT_EQ(whole[1].data, "line1\nline2");
  EXPECT_EQ(whole[1].id, "7");
  EXPECT_EQ(whole[2].data, "no-space");
  for (size_t piece = 1; piece < 9; ++piece) {
    auto split = parse_in_pieces(stream, piece);
    ASSERT_EQ(split.size(), whole.size()) << "piece " << piece;
    for (size_t i = 0; i < split.size(); ++i) {
      EXPECT_EQ(split[i].data, whole[i].data);
      EXPECT_EQ(split[i].event, whole[i].event);
    }
  }
}

TEST(SseParser, EventWithoutDataIsNotDispatched) {
  auto ev = parse_in_pieces("event: ping\n\ndata: x\n\n", 3);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "x");
  EXPECT_EQ(ev[0].event, "");
}

TEST(SseParser, IncompleteTailIsHeldBack) {
  SseParser p;
  int n = 0;
  p.feed("data: a\n\ndata: partial", [&](const SseEvent&) { ++n; });
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(p.has_partial_event());
}

TEST(SseParser, OversizedEventIsRejected) {
  SseParser p(16);
  EXPECT_FALSE(p.feed("data: 0123456789abcdefghij\n\n", [](const SseEvent&) {}));
}

}  // namespace
}  // namespace sy::http
