#include "http/sse.h"

namespace sy::http {

bool SseParser::take(char c) {
  if (c == '\n' && last_was_cr_) {  // second half of CRLF
    last_was_cr_ = false;
    return true;
  }
  last_was_cr_ = (c == '\r');
  if (c == '\n' || c == '\r') {
    end_line();
    return true;
  }
  line_ += c;
  return line_.size() + data_.size() <= max_event_bytes_;
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
