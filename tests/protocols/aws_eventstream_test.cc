#include "protocols/aws_eventstream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace sy::protocols::aws {
namespace {

using ::testing::HasSubstr;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Drains a decoder: every message it yields, and the error if it fails.
struct Drained {
  std::vector<EventMessage> messages;
  std::optional<Error> error;
};
Drained drain(EventStreamDecoder& d) {
  Drained out;
  for (;;) {
    auto r = d.next();
    if (!r) {
      out.error = r.error();
      return out;
    }
    if (!*r) return out;
    out.messages.push_back(std::move(**r));
  }
}

Drained decode_whole(std::string_view bytes) {
  EventStreamDecoder d;
  d.feed(bytes);
  return drain(d);
}

std::string must(Result<std::string> r) {
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::string();
}

// A frame with one string header ("content-type": "application/json") and the payload
// {'foo':'bar'}, as published in the AWS event-stream test vectors (aws-c-event-stream,
// also the example of emblica/aws-event-stream-parser-rs).
constexpr std::string_view kPublishedFrame =
    "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e"
    "7b27666f6f273a27626172277d8d9c08b1";

TEST(EventStream, DecodesThePublishedFrame) {
  auto got = decode_whole(from_hex(kPublishedFrame));
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].string_header("content-type"), "application/json");
  EXPECT_EQ(got.messages[0].payload, "{'foo':'bar'}");
}

TEST(EventStream, EncodesThePublishedFrame) {
  const EventHeader h[] = {{"content-type", std::string("application/json")}};
  EXPECT_EQ(must(encode_message(h, "{'foo':'bar'}")), from_hex(kPublishedFrame));
}

TEST(EventStream, EmptyMessageIsSixteenBytes) {
  const std::string frame = must(encode_message({}, ""));
  EXPECT_EQ(frame, from_hex("000000100000000005c248eb7d98c8ff"));
  auto got = decode_whole(frame);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_TRUE(got.messages[0].headers.empty());
  EXPECT_TRUE(got.messages[0].payload.empty());
}

EventMessage all_types_message() {
  Uuid u;
  for (std::size_t i = 0; i < 16; ++i) u.bytes[i] = static_cast<std::uint8_t>(0xf0 + i);
  EventMessage m;
  m.headers = {
      {"t", true},
      {"f", false},
      {"byte", std::int8_t{-2}},
      {"short", std::int16_t{-300}},
      {"int", std::int32_t{-70000}},
      {"long", std::int64_t{-5000000000}},
      {"bytes", ByteArray{std::string("\0\xff\x01", 3)}},
      {":event-type", std::string("contentBlockDelta")},
      {"ts", Timestamp{1440938160000}},
      {"id", u},
  };
  m.payload = R"({"contentBlockIndex":0,"delta":{"text":"Hello"}})";
  return m;
}

TEST(EventStream, EveryHeaderTypeRoundTrips) {
  const EventMessage m = all_types_message();
  const std::string frame = must(encode_message(m.headers, m.payload));
  auto got = decode_whole(frame);
  ASSERT_FALSE(got.error) << got.error->message;
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0], m);
  EXPECT_EQ(got.messages[0].string_header(":event-type"), "contentBlockDelta");
  EXPECT_EQ(got.messages[0].string_header("int"), "");  // not a string
  EXPECT_EQ(got.messages[0].header("missing"), nullptr);
}

TEST(EventStream, EventExceptionAndErrorHelpers) {
  auto ev = decode_whole(must(encode_event("messageStop", R"({"stopReason":"end_turn"})")));
  ASSERT_EQ(ev.messages.size(), 1u);
  EXPECT_EQ(ev.messages[0].string_header(":message-type"), "event");
  EXPECT_EQ(ev.messages[0].string_header(":event-type"), "messageStop");
  EXPECT_EQ(ev.messages[0].string_header(":content-type"), "application/json");
  EXPECT_EQ(ev.messages[0].payload, R"({"stopReason":"end_turn"})");

  auto ex = decode_whole(must(encode_exception("throttlingException", R"({"message":"slow"})")));
  ASSERT_EQ(ex.messages.size(), 1u);
  EXPECT_EQ(ex.messages[0].string_header(":message-type"), "exception");
  EXPECT_EQ(ex.messages[0].string_header(":exception-type"), "throttlingException");

  auto er = decode_whole(must(encode_error("InternalFailure", "boom")));
  ASSERT_EQ(er.messages.size(), 1u);
  EXPECT_EQ(er.messages[0].string_header(":message-type"), "error");
  EXPECT_EQ(er.messages[0].string_header(":error-code"), "InternalFailure");
  EXPECT_EQ(er.messages[0].string_header(":error-message"), "boom");
  EXPECT_TRUE(er.messages[0].payload.empty());
}

// Three messages cut into three feeds at every pair of points (so every single split
// point, and empty feeds, too) decode exactly as one feed of the whole does.
TEST(EventStream, EverySplitPointDecodesIdentically) {
  const EventMessage m = all_types_message();
  const std::string stream = must(encode_message(m.headers, m.payload)) +
                             must(encode_event("messageStart", R"({"role":"assistant"})")) +
                             must(encode_message({}, ""));
  const Drained whole = decode_whole(stream);
  ASSERT_FALSE(whole.error);
  ASSERT_EQ(whole.messages.size(), 3u);
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    for (std::size_t j = i; j <= stream.size(); ++j) {
      EventStreamDecoder d;
      Drained got;
      for (auto piece :
           {std::string_view(stream).substr(0, i), std::string_view(stream).substr(i, j - i),
            std::string_view(stream).substr(j)}) {
        d.feed(piece);
        Drained part = drain(d);
        ASSERT_FALSE(part.error) << "split at " << i << "," << j << ": " << part.error->message;
        for (auto& msg : part.messages) got.messages.push_back(std::move(msg));
      }
      ASSERT_EQ(got.messages, whole.messages) << "split at " << i << "," << j;
      EXPECT_EQ(d.buffered(), 0u);
    }
  }
}

TEST(EventStream, ByteByByteLeavesAPartialMessageBuffered) {
  const std::string frame = must(encode_event("messageStop", "{}"));
  EventStreamDecoder d;
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) {
    d.feed(frame.substr(i, 1));
    auto r = d.next();
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r) << "a message before its last byte, at " << i;
  }
  EXPECT_EQ(d.buffered(), frame.size() - 1);
  d.feed(frame.substr(frame.size() - 1));
  auto r = d.next();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->string_header(":event-type"), "messageStop");
}

// A frame with the given prelude lengths around `body` (headers and payload), with both
// CRCs correct (computed here with zlib, independently of the encoder), to reach the
// checks behind them.
std::string frame(std::uint32_t total, std::uint32_t headers_len, std::string_view body) {
  std::string out;
  auto put = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (24 - 8 * i)));
  };
  auto crc = [&] {
    return static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
  };
  put(total);
  put(headers_len);
  put(crc());
  out += body;
  put(crc());
  return out;
}
std::string frame(std::string_view headers, std::string_view payload) {
  return frame(static_cast<std::uint32_t>(16 + headers.size() + payload.size()),
               static_cast<std::uint32_t>(headers.size()), std::string(headers) += payload);
}

Error decode_error(std::string_view bytes) {
  auto got = decode_whole(bytes);
  EXPECT_TRUE(got.error);
  return got.error.value_or(Error{});
}

TEST(EventStream, CorruptPreludeCrcIsNamed) {
  std::string frame = must(encode_event("messageStop", "{}"));
  frame[9] ^= 0x01;
  const Error e = decode_error(frame);
  EXPECT_EQ(e.kind, ErrorKind::UpstreamError);
  EXPECT_THAT(e.message, HasSubstr("prelude CRC mismatch"));
}

TEST(EventStream, CorruptLengthIsCaughtByThePreludeCrcBeforeTheBodyArrives) {
  std::string frame = must(encode_event("messageStop", "{}"));
  frame[1] = 0x7f;  // total length ~8 MiB: must not wait for 8 MiB to say it is wrong
  EventStreamDecoder d;
  d.feed(frame.substr(0, 12));
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("prelude CRC mismatch"));
}

TEST(EventStream, CorruptPayloadOrMessageCrcIsNamed) {
  const std::string frame = must(encode_event("contentBlockDelta", R"({"delta":{"text":"hi"}})"));
  for (std::size_t at : {frame.size() - 10, frame.size() - 1, std::size_t{20}}) {
    std::string bad = frame;
    bad[at] ^= 0x20;
    EXPECT_THAT(decode_error(bad).message, HasSubstr("message CRC mismatch")) << at;
  }
}

TEST(EventStream, ErrorIsStickyAndDropsInput) {
  std::string bad = must(encode_event("a", "{}"));
  bad[bad.size() - 1] ^= 1;
  EventStreamDecoder d;
  d.feed(bad);
  auto first = d.next();
  ASSERT_FALSE(first);
  d.feed(must(encode_event("b", "{}")));  // a good message after the bad one
  auto again = d.next();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, first.error().message);
  EXPECT_TRUE(d.failed());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(EventStream, MessagesBeforeACorruptOneAreStillDelivered) {
  std::string bad = must(encode_event("second", "{}"));
  bad[bad.size() - 2] ^= 1;
  const Drained got = decode_whole(must(encode_event("first", "{}")) + bad);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].string_header(":event-type"), "first");
  ASSERT_TRUE(got.error);
  EXPECT_THAT(got.error->message, HasSubstr("message CRC mismatch"));
}

TEST(EventStream, TheFrameHelperMatchesTheEncoder) {
  const std::string h = std::string("\x02", 1) + "ab" + std::string("\x00", 1);  // ab: true
  const EventHeader expected[] = {{"ab", true}};
  EXPECT_EQ(frame(h, "xyz"), must(encode_message(expected, "xyz")));
}

struct BadFrame {
  const char* name;
  std::string bytes;
  const char* message;
};
void PrintTo(const BadFrame& b, std::ostream* os) { *os << b.name; }

class EventStreamRejects : public ::testing::TestWithParam<BadFrame> {};

TEST_P(EventStreamRejects, WithAMessageNamingTheProblem) {
  const Error e = decode_error(GetParam().bytes);
  EXPECT_EQ(e.kind, ErrorKind::UpstreamError);
  EXPECT_EQ(e.status, 502);
  EXPECT_THAT(e.message, HasSubstr(GetParam().message));
}

std::string bytes(std::initializer_list<int> b) {
  std::string out;
  for (int c : b) out.push_back(static_cast<char>(c));
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, EventStreamRejects,
    ::testing::Values(
        BadFrame{"total_below_minimum", frame(15, 0, ""), "total length 15 is below the 16-byte"},
        BadFrame{"total_zero", frame(0, 0, ""), "total length 0 is below"},
        BadFrame{"total_over_16MiB", frame((16u << 20) + 1, 0, ""),
                 "total length 16777217 exceeds the limit of 16777216 bytes"},
        BadFrame{"total_max_u32", frame(0xffffffffu, 0, ""), "exceeds the limit"},
        BadFrame{"headers_past_total", frame(20, 5, "abcd"), "headers length 5 does not fit"},
        BadFrame{"headers_max_u32", frame(20, 0xffffffffu, "abcd"), "does not fit"},
        BadFrame{"headers_over_128KiB", frame(300000, 200000, ""),
                 "headers length 200000 exceeds the limit of 131072"},
        BadFrame{"empty_header_name", frame(bytes({0, 0}), ""), "header 1 has an empty name"},
        BadFrame{"name_past_block", frame(bytes({10, 'a', 'b', 'c'}), "payload"),
                 "header 1 runs past the end of the header block"},
        BadFrame{"no_type_byte", frame(bytes({1, 'a'}), ""), "runs past the end"},
        BadFrame{"unknown_type", frame(bytes({1, 'a', 0, 1, 'b', 10}), ""),
                 "header 2 (\"b\") has unknown value type 10"},
        BadFrame{"truncated_int", frame(bytes({1, 'a', 4, 0, 0}), "xx"),
                 "header 1 (\"a\") has a truncated value"},
        BadFrame{"truncated_long", frame(bytes({1, 'a', 5, 0, 0, 0, 0, 0, 0, 0}), ""),
                 "truncated value"},
        BadFrame{"truncated_string", frame(bytes({1, 's', 7, 0, 100, 'x', 'y'}), "payload"),
                 "truncated value"},
        BadFrame{"string_without_length", frame(bytes({1, 's', 7, 0}), ""), "truncated value"},
        BadFrame{"truncated_uuid", frame(bytes({1, 'u', 9, 1, 2, 3}), ""), "truncated value"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(EventStream, ALowerLimitIsHonoured) {
  EventStreamDecoder d(1024);
  d.feed(frame(std::string(10, 'h'), std::string(2000, 'p')).substr(0, 12));
  auto r = d.next();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("exceeds the limit of 1024 bytes"));
}

TEST(EventStream, EncoderRejectsWhatTheFormatCannotHold) {
  auto rejected = [](std::vector<EventHeader> h, std::string_view payload, const char* what) {
    auto r = encode_message(h, payload);
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
    EXPECT_THAT(r.error().message, HasSubstr(what));
  };
  rejected({{"", true}}, "", "must be 1 to 255 bytes");
  rejected({{std::string(256, 'n'), true}}, "", "must be 1 to 255 bytes");
  rejected({{"s", std::string(65536, 'v')}}, "", "exceeds 65535 bytes");
  rejected({{"b", ByteArray{std::string(65536, 'v')}}}, "", "exceeds 65535 bytes");
  rejected({{"a", std::string(60000, 'v')},
            {"b", std::string(60000, 'v')},
            {"c", std::string(60000, 'v')}},
           "", "headers exceed 128 KiB");
  rejected({}, std::string(16u << 20, 'p'), "exceeds 16 MiB");
  // The largest values that fit are accepted.
  const EventHeader fits[] = {{std::string(255, 'n'), std::string(65535, 'v')}};
  auto r = encode_message(fits, "");
  ASSERT_TRUE(r);
  auto got = decode_whole(*r);
  ASSERT_EQ(got.messages.size(), 1u);
  EXPECT_EQ(got.messages[0].headers[0].name.size(), 255u);
}

}  // namespace
}  // namespace sy::protocols::aws
