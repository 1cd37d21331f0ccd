// Incremental Server-Sent Events parser (WHATWG "event stream" interpretation): feed it
// bytes as they arrive in any split; it yields each complete event once its blank line
// arrives. Handles \n, \r\n and \r line ends, comments, multi-line data, and a split
// anywhere (inside a line, inside a CRLF). Pure logic, no I/O. Not thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sy::http {

struct SseEvent {
  std::string_view event;  // "" when the event has no event: field
  std::string_view data;   // data lines joined with '\n'
  std::string_view id;
  // data.data() is followed by at least kSsePadding readable bytes (for simdjson).
};

inline constexpr size_t kSsePadding = 64;

class SseParser {
 public:
  explicit SseParser(size_t max_event_bytes = 8u << 20) : max_event_bytes_(max_event_bytes) {}

  // Consumes `bytes`, calling `on_event(const SseEvent&)` for each complete event.
  // The views in the event are valid only during the call. Returns false when an event
  // grows beyond the limit (the stream should be treated as malformed).
  template <class F>
  bool feed(std::string_view bytes, F&& on_event) {
    size_t i = 0;
    while (i < bytes.size()) {
      const size_t end = take_line(bytes, i);
      if (end == kTooLarge) return false;
      i = end;
      if (ready_) {
        ready_ = false;
        SseEvent ev{event_, std::string_view(data_.data(), data_.size()), id_};
        on_event(static_cast<const SseEvent&>(ev));
        reset_event();
      }
    }
    return true;
  }

  // Bytes of an incomplete event held back (a stream that ends here was cut).
  bool has_partial_event() const { return !line_.empty() || has_data_ || !event_.empty(); }

 private:
  static constexpr size_t kTooLarge = static_cast<size_t>(-1);
  // Consumes bytes from `pos` up to and including the next line end (or to the end of
  // `bytes`); returns the position after them, or kTooLarge.
  size_t take_line(std::string_view bytes, size_t pos);
  void end_line();
  void reset_event();

  size_t max_event_bytes_;
  std::string line_;
  std::string event_;
  std::string data_;
  std::string id_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
  bool ready_ = false;
};

}  // namespace sy::http
