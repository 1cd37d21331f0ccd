// An encoder for the AWS event-stream binary framing (application/vnd.amazon.eventstream),
// which Bedrock's ConverseStream uses: each message is a prelude (total length, headers length,
// both big-endian uint32, and the prelude's CRC32), the headers, the payload, and the CRC32 of
// everything before it. Only string-valued headers (type 7) are written, which is all Bedrock
// sends. Written for the simulator from the format's public description; independent of the
// gateway's reader. Pure logic, thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sy::sim {

struct EventStreamHeader {
  std::string_view name;   // at most 255 bytes
  std::string_view value;  // at most 65535 bytes
};

// One framed message.
std::string encode_event_stream_message(std::span<const EventStreamHeader> headers,
                                        std::string_view payload);

// An `:message-type event` message with `:event-type` and a JSON payload.
std::string event_stream_event(std::string_view event_type, std::string_view json_payload);

// An `:message-type exception` message with `:exception-type` and a JSON payload.
std::string event_stream_exception(std::string_view exception_type, std::string_view json_payload);

}  // namespace sy::sim
