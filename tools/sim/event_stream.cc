#include "event_stream.h"

#include <zlib.h>

#include <array>
#include <cstdint>

namespace sy::sim {
namespace {

constexpr uint8_t kStringHeader = 7;
constexpr size_t kPreludeSize = 12;  // total length, headers length, prelude CRC
constexpr size_t kTrailerSize = 4;   // message CRC

void put_u32(std::string& out, uint32_t value) {
  out += static_cast<char>((value >> 24) & 0xff);
  out += static_cast<char>((value >> 16) & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
  out += static_cast<char>(value & 0xff);
}

uint32_t crc(std::string_view bytes) {
  return static_cast<uint32_t>(::crc32(::crc32(0L, Z_NULL, 0),
                                       reinterpret_cast<const Bytef*>(bytes.data()),
                                       static_cast<uInt>(bytes.size())));
}

}  // namespace

std::string encode_event_stream_message(std::span<const EventStreamHeader> headers,
                                        std::string_view payload) {
  std::string encoded_headers;
  for (const EventStreamHeader& header : headers) {
    encoded_headers += static_cast<char>(header.name.size());
    encoded_headers += header.name;
    encoded_headers += static_cast<char>(kStringHeader);
    encoded_headers += static_cast<char>((header.value.size() >> 8) & 0xff);
    encoded_headers += static_cast<char>(header.value.size() & 0xff);
    encoded_headers += header.value;
  }
  const size_t total = kPreludeSize + encoded_headers.size() + payload.size() + kTrailerSize;
  std::string message;
  message.reserve(total);
  put_u32(message, static_cast<uint32_t>(total));
  put_u32(message, static_cast<uint32_t>(encoded_headers.size()));
  put_u32(message, crc(message));
  message += encoded_headers;
  message += payload;
  put_u32(message, crc(message));
  return message;
}

std::string event_stream_event(std::string_view event_type, std::string_view json_payload) {
  const std::array<EventStreamHeader, 3> headers = {{{":event-type", event_type},
                                                     {":content-type", "application/json"},
                                                     {":message-type", "event"}}};
  return encode_event_stream_message(headers, json_payload);
}

std::string event_stream_exception(std::string_view exception_type, std::string_view json_payload) {
  const std::array<EventStreamHeader, 3> headers = {{{":exception-type", exception_type},
                                                     {":content-type", "application/json"},
                                                     {":message-type", "exception"}}};
  return encode_event_stream_message(headers, json_payload);
}

}  // namespace sy::sim
