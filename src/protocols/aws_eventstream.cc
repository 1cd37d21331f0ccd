#include "protocols/aws_eventstream.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sy::protocols::aws {
namespace {

constexpr std::size_t kPrelude = 12;
constexpr std::size_t kCrc = 4;
constexpr std::size_t kMaxName = 255;
constexpr std::size_t kMaxVariable = 65535;  // u16 length of strings and byte arrays

enum WireType : std::uint8_t {
  kBoolTrue = 0,
  kBoolFalse = 1,
  kByte = 2,
  kShort = 3,
  kInt = 4,
  kLong = 5,
  kByteArray = 6,
  kString = 7,
  kTimestamp = 8,
  kUuid = 9,
};

std::uint32_t crc(const char* p, std::size_t n) {
  return static_cast<std::uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(p), n));
}

std::uint64_t read_be(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void write_be(std::string& out, std::uint64_t v, std::size_t n) {
  for (std::size_t i = n; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Reads the header block [p, p + n) into `out`, or says what is wrong with it.
std::optional<std::string> parse_headers(const char* p, std::size_t n,
                                         std::vector<EventHeader>& out) {
  std::size_t pos = 0;
  while (pos < n) {
    const std::string where = "header " + std::to_string(out.size() + 1);
    const std::size_t name_len = static_cast<unsigned char>(p[pos++]);
    if (name_len == 0) return where + " has an empty name";
    if (n - pos < name_len + 1) return where + " runs past the end of the header block";
    EventHeader h;
    h.name.assign(p + pos, name_len);
    pos += name_len;
    const auto type = static_cast<std::uint8_t>(p[pos++]);
    const std::size_t left = n - pos;
    auto fixed = [&](std::size_t size) -> std::optional<std::uint64_t> {
      if (left < size) return std::nullopt;
      const std::uint64_t v = read_be(p + pos, size);
      pos += size;
      return v;
    };
    auto variable = [&]() -> std::optional<std::string> {
      if (left < 2) return std::nullopt;
      const std::size_t len = read_be(p + pos, 2);
      if (left - 2 < len) return std::nullopt;
      std::string s(p + pos + 2, len);
      pos += 2 + len;
      return s;
    };
    const std::string truncated = where + " (\"" + h.name + "\") has a truncated value";
    switch (type) {
      case kBoolTrue:
        h.value = true;
        break;
      case kBoolFalse:
        h.value = false;
        break;
      case kByte: {
        auto v = fixed(1);
        if (!v) return truncated;
        h.value = static_cast<std::int8_t>(*v);
        break;
      }
      case kShort: {
        auto v = fixed(2);
        if (!v) return truncated;
        h.value = static_cast<std::int16_t>(*v);
        break;
      }
      case kInt: {
        auto v = fixed(4);
        if (!v) return truncated;
        h.value = static_cast<std::int32_t>(*v);
        break;
      }
      case kLong:
      case kTimestamp: {
        auto v = fixed(8);
        if (!v) return truncated;
        const auto i = static_cast<std::int64_t>(*v);
        if (type == kLong) {
          h.value = i;
        } else {
          h.value = Timestamp{i};
        }
        break;
      }
      case kByteArray:
      case kString: {
        auto v = variable();
        if (!v) return truncated;
        if (type == kString) {
          h.value = std::move(*v);
        } else {
          h.value = ByteArray{std::move(*v)};
        }
        break;
      }
      case kUuid: {
        if (left < 16) return truncated;
        Uuid u;
        std::memcpy(u.bytes.data(), p + pos, 16);
        pos += 16;
        h.value = u;
        break;
      }
      default:
        return where + " (\"" + h.name + "\") has unknown value type " + std::to_string(type);
    }
    out.push_back(std::move(h));
  }
  return std::nullopt;
}

// Appends one header's wire form, or says why it cannot be encoded.
std::optional<std::string> append_header(std::string& out, const EventHeader& h) {
  if (h.name.empty() || h.name.size() > kMaxName) {
    return "header name \"" + h.name + "\" must be 1 to 255 bytes";
  }
  out.push_back(static_cast<char>(h.name.size()));
  out += h.name;
  auto variable = [&](std::uint8_t type, const std::string& s) -> std::optional<std::string> {
    if (s.size() > kMaxVariable) return "header \"" + h.name + "\" value exceeds 65535 bytes";
    out.push_back(static_cast<char>(type));
    write_be(out, s.size(), 2);
    out += s;
    return std::nullopt;
  };
  struct Visitor {
    std::string& out;
    decltype(variable)& var;
    std::optional<std::string> operator()(bool v) {
      out.push_back(static_cast<char>(v ? kBoolTrue : kBoolFalse));
      return std::nullopt;
    }
    std::optional<std::string> num(std::uint8_t type, std::uint64_t v, std::size_t n) {
      out.push_back(static_cast<char>(type));
      write_be(out, v, n);
      return std::nullopt;
    }
    std::optional<std::string> operator()(std::int8_t v) {
      return num(kByte, static_cast<std::uint8_t>(v), 1);
    }
    std::optional<std::string> operator()(std::int16_t v) {
      return num(kShort, static_cast<std::uint16_t>(v), 2);
    }
    std::optional<std::string> operator()(std::int32_t v) {
      return num(kInt, static_cast<std::uint32_t>(v), 4);
    }
    std::optional<std::string> operator()(std::int64_t v) {
      return num(kLong, static_cast<std::uint64_t>(v), 8);
    }
    std::optional<std::string> operator()(const Timestamp& v) {
      return num(kTimestamp, static_cast<std::uint64_t>(v.millis), 8);
    }
    std::optional<std::string> operator()(const ByteArray& v) { return var(kByteArray, v.data); }
    std::optional<std::string> operator()(const std::string& v) { return var(kString, v); }
    std::optional<std::string> operator()(const Uuid& v) {
      out.push_back(static_cast<char>(kUuid));
      out.append(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
      return std::nullopt;
    }
  };
  return std::visit(Visitor{out, variable}, h.value);
}

}  // namespace

const HeaderValue* EventMessage::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.name == name) return &h.value;
  }
  return nullptr;
}

std::string_view EventMessage::string_header(std::string_view name) const {
  const HeaderValue* v = header(name);
  if (v == nullptr) return {};
  const auto* s = std::get_if<std::string>(v);
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

EventStreamDecoder::EventStreamDecoder(std::size_t max_message)
    : max_message_(std::min(max_message, kMaxEventStreamMessage)) {}

void EventStreamDecoder::feed(std::string_view bytes) {
  if (error_) return;  // a failed stream keeps no more input
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<EventMessage>> EventStreamDecoder::fail_with(std::string message) {
  error_ = Error::make(ErrorKind::UpstreamError, "event stream: " + std::move(message));
  buffer_.clear();
  start_ = 0;
  return std::unexpected(*error_);
}

Result<std::optional<EventMessage>> EventStreamDecoder::next() {
  if (error_) return std::unexpected(*error_);
  const std::size_t avail = buffer_.size() - start_;
  if (avail < kPrelude) return std::nullopt;
  const char* p = buffer_.data() + start_;
  const std::size_t total = read_be(p, 4);
  const std::size_t headers_len = read_be(p + 4, 4);
  const auto prelude_crc = static_cast<std::uint32_t>(read_be(p + 8, 4));
  if (const std::uint32_t c = crc(p, 8); c != prelude_crc) {
    return fail_with("prelude CRC mismatch (computed " + hex32(c) + ", message says " +
                     hex32(prelude_crc) + ")");
  }
  if (total < kEventStreamOverhead) {
    return fail_with("total length " + std::to_string(total) + " is below the 16-byte minimum");
  }
  if (total > max_message_) {
    return fail_with("total length " + std::to_string(total) + " exceeds the limit of " +
                     std::to_string(max_message_) + " bytes");
  }
  if (headers_len > total - kEventStreamOverhead) {
    return fail_with("headers length " + std::to_string(headers_len) +
                     " does not fit in a message of total length " + std::to_string(total));
  }
  if (headers_len > kMaxEventStreamHeaders) {
    return fail_with("headers length " + std::to_string(headers_len) + " exceeds the limit of " +
                     std::to_string(kMaxEventStreamHeaders) + " bytes");
  }
  if (avail < total) return std::nullopt;

  const auto message_crc = static_cast<std::uint32_t>(read_be(p + total - kCrc, 4));
  if (const std::uint32_t c = crc(p, total - kCrc); c != message_crc) {
    return fail_with("message CRC mismatch (computed " + hex32(c) + ", message says " +
                     hex32(message_crc) + ")");
  }
  EventMessage msg;
  if (auto bad = parse_headers(p + kPrelude, headers_len, msg.headers)) {
    return fail_with(std::move(*bad));
  }
  msg.payload.assign(p + kPrelude + headers_len, total - kEventStreamOverhead - headers_len);
  start_ += total;
  return msg;
}

Result<std::string> encode_message(std::span<const EventHeader> headers, std::string_view payload) {
  std::string head;
  for (const auto& h : headers) {
    if (auto bad = append_header(head, h)) return fail(ErrorKind::InvalidRequest, *bad);
  }
  if (head.size() > kMaxEventStreamHeaders) {
    return fail(ErrorKind::InvalidRequest, "event stream headers exceed 128 KiB");
  }
  const std::size_t total = kEventStreamOverhead + head.size() + payload.size();
  if (total > kMaxEventStreamMessage) {
    return fail(ErrorKind::InvalidRequest, "event stream message exceeds 16 MiB");
  }
  std::string out;
  out.reserve(total);
  write_be(out, total, 4);
  write_be(out, head.size(), 4);
  write_be(out, crc(out.data(), 8), 4);
  out += head;
  out += payload;
  write_be(out, crc(out.data(), out.size()), 4);
  return out;
}

namespace {

Result<std::string> encode_with(std::string_view message_type, std::string_view key1,
                                std::string_view value1, std::string_view key2,
                                std::string_view value2, std::string_view payload) {
  const EventHeader headers[] = {
      {std::string(key1), std::string(value1)},
      {std::string(key2), std::string(value2)},
      {":message-type", std::string(message_type)},
  };
  return encode_message(headers, payload);
}

}  // namespace

Result<std::string> encode_event(std::string_view event_type, std::string_view payload,
                                 std::string_view content_type) {
  return encode_with("event", ":event-type", event_type, ":content-type", content_type, payload);
}

Result<std::string> encode_exception(std::string_view exception_type, std::string_view payload,
                                     std::string_view content_type) {
  return encode_with("exception", ":exception-type", exception_type, ":content-type", content_type,
                     payload);
}

Result<std::string> encode_error(std::string_view error_code, std::string_view error_message) {
  return encode_with("error", ":error-code", error_code, ":error-message", error_message, {});
}

}  // namespace sy::protocols::aws
