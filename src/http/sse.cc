#include "http/sse.h"

namespace sy::http {

size_t SseParser::take_line(std::string_view bytes, size_t pos) {
  if (last_was_cr_) {
    last_was_cr_ = false;
    if (bytes[pos] == '\n') return pos + 1;  // second half of a CRLF split across feeds
  }
  size_t end = pos;
  while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
  line_.append(bytes.data() + pos, end - pos);
  if (line_.size() + data_.size() > max_event_bytes_) return kTooLarge;
  if (end == bytes.size()) return end;
  if (bytes[end] == '\r') {
    if (end + 1 < bytes.size()) {
      if (bytes[end + 1] == '\n') ++end;
    } else {
      last_was_cr_ = true;
    }
  }
  end_line();
  return end + 1;
}

void SseParser::end_line() {
  if (line_.empty()) {  // blank line: dispatch
    if (has_data_) {
      data_.reserve(data_.size() + kSsePadding);
      ready_ = true;
    } else {
      reset_event();
    }
    return;
  }
  if (line_.front() == ':') {  // comment
    line_.clear();
    return;
  }
  std::string_view field = line_;
  std::string_view value;
  if (const auto colon = field.find(':'); colon != std::string_view::npos) {
    value = field.substr(colon + 1);
    field = field.substr(0, colon);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_.assign(value);
  } else if (field == "id") {
    id_.assign(value);
  }  // "retry" and unknown fields are ignored, as the spec says
  line_.clear();
}

void SseParser::reset_event() {
  event_.clear();
  data_.clear();
  has_data_ = false;
  line_.clear();
}

}  // namespace sy::http
