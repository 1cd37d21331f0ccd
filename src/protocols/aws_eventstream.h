// The AWS event-stream framing (`application/vnd.amazon.eventstream`), used by Bedrock's
// ConverseStream and other AWS streaming APIs. Each message on the wire is
//   total length (u32) | headers length (u32) | prelude CRC32 (u32)
//   | headers | payload | message CRC32 (u32)
// all big-endian; the prelude CRC covers the first 8 bytes, the message CRC every byte
// before it. A header is name length (u8) | name | type (u8) | value.
//
// EventStreamDecoder is incremental: feed it bytes as they arrive, in pieces of any size,
// and take complete messages with next(). It checks lengths and both CRCs and never reads
// past what it was given; the first malformed message is a sticky error naming what is
// wrong. encode_message() writes the same format (for the simulator and tests).
// Pure, no I/O. A decoder is one stream's state: not thread-safe, movable.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace sy::protocols::aws {

// AWS's limits: a whole message at most 16 MiB, its headers at most 128 KiB.
inline constexpr std::size_t kMaxEventStreamMessage = 16u << 20;
inline constexpr std::size_t kMaxEventStreamHeaders = 128u << 10;
// Prelude (12 bytes) plus the message CRC (4): the smallest possible message.
inline constexpr std::size_t kEventStreamOverhead = 16;

// The typed values a header can carry; the wire type codes are in the comments.
struct ByteArray {  // 6: u16 length + bytes
  std::string data;
  bool operator==(const ByteArray&) const = default;
};
struct Timestamp {  // 8: i64 milliseconds since the Unix epoch
  std::int64_t millis = 0;
  bool operator==(const Timestamp&) const = default;
};
struct Uuid {  // 9: 16 bytes
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};
// bool (0 = true, 1 = false), byte (2), short (3), int (4), long (5), string (7: u16
// length + UTF-8 bytes, not validated).
using HeaderValue = std::variant<bool, std::int8_t, std::int16_t, std::int32_t, std::int64_t,
                                 ByteArray, std::string, Timestamp, Uuid>;

struct EventHeader {
  std::string name;  // 1..255 bytes
  HeaderValue value;
  bool operator==(const EventHeader&) const = default;
};

struct EventMessage {
  std::vector<EventHeader> headers;  // in wire order
  std::string payload;

  // The first header called `name`, or nullptr.
  const HeaderValue* header(std::string_view name) const;
  // The value of a string header, or "" when it is missing or not a string.
  std::string_view string_header(std::string_view name) const;
  bool operator==(const EventMessage&) const = default;
};

class EventStreamDecoder {
 public:
  // `max_message` (at most kMaxEventStreamMessage) bounds a message's total length.
  explicit EventStreamDecoder(std::size_t max_message = kMaxEventStreamMessage);

  // Appends bytes of the stream (ignored once it has failed). Cheap; the work is in next().
  void feed(std::string_view bytes);

  // The next complete message; std::nullopt when more bytes are needed; or an error
  // (ErrorKind::UpstreamError, the message says what is wrong) once the stream is found
  // malformed, after which every call returns that same error. A bad prelude is
  // reported as soon as its 12 bytes are in, without waiting for the rest.
  Result<std::optional<EventMessage>> next();

  // Bytes fed but not yet returned as messages (a partial message at end of stream).
  std::size_t buffered() const { return buffer_.size() - start_; }
  bool failed() const { return error_.has_value(); }

 private:
  Result<std::optional<EventMessage>> fail_with(std::string message);

  std::size_t max_message_;
  std::string buffer_;
  std::size_t start_ = 0;  // where the next message begins in buffer_
  std::optional<Error> error_;
};

// Encodes one message. Fails (InvalidRequest) when a header name is empty or longer than
// 255 bytes, a string or byte array is longer than 65535 bytes, or the headers or the
// whole message exceed AWS's limits.
Result<std::string> encode_message(std::span<const EventHeader> headers, std::string_view payload);

// The three kinds of message an AWS event stream carries, with their string headers:
//   event:     :message-type "event",     :event-type, :content-type
//   exception: :message-type "exception", :exception-type, :content-type
//   error:     :message-type "error",     :error-code, :error-message
Result<std::string> encode_event(std::string_view event_type, std::string_view payload,
                                 std::string_view content_type = "application/json");
Result<std::string> encode_exception(std::string_view exception_type, std::string_view payload,
                                     std::string_view content_type = "application/json");
Result<std::string> encode_error(std::string_view error_code, std::string_view error_message);

}  // namespace sy::protocols::aws
