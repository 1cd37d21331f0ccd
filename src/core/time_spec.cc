#include "core/time_spec.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace sy {
namespace {

Error bad(std::string_view spec) {
  return Error::make(ErrorKind::InvalidRequest,
                     "invalid time \"" + std::string(spec) +
                         "\" (expected e.g. 7d, 24h, 30m, 2026-11-25 or 2026-11-25T08:00:00Z)");
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<TimeRange> parse_time_range(std::string_view since, std::string_view until,
                                   int64_t now_ms) {
  auto s = parse_time_spec(since, now_ms);
  if (!s) return std::unexpected(s.error());
  auto u = parse_time_spec(until, now_ms);
  if (!u) return std::unexpected(u.error());
  return TimeRange{*s, *u};
}

std::string_view format_rfc3339_ms(int64_t ts_ms, Rfc3339Buffer& buf, bool quoted) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{ts_ms}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // outside RFC 3339's four-digit years: rare, slow path
    const int n = std::snprintf(buf.data() + 1, buf.size() - 2, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                                year, static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()),
                                static_cast<int>(hms.hours().count()),
                                static_cast<int>(hms.minutes().count()),
                                static_cast<int>(hms.seconds().count()),
                                static_cast<int>(hms.subseconds().count()));
    const size_t len = std::min<size_t>(static_cast<size_t>(std::max(n, 0)), buf.size() - 3);
    if (!quoted) return {buf.data() + 1, len};
    buf[0] = '"';
    buf[len + 1] = '"';
    return {buf.data(), len + 2};
  }
  char* p = buf.data();
  if (quoted) *p++ = '"';
  const auto digits = [&p](unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    p += width;
  };
  digits(static_cast<unsigned>(year), 4);
  *p++ = '-';
  digits(static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  digits(static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  digits(static_cast<unsigned>(hms.hours().count()), 2);
  *p++ = ':';
  digits(static_cast<unsigned>(hms.minutes().count()), 2);
  *p++ = ':';
  digits(static_cast<unsigned>(hms.seconds().count()), 2);
  *p++ = '.';
  digits(static_cast<unsigned>(hms.subseconds().count()), 3);
  *p++ = 'Z';
  if (quoted) *p++ = '"';
  return {buf.data(), static_cast<size_t>(p - buf.data())};
}

std::string format_rfc3339_ms(int64_t ts_ms) {
  Rfc3339Buffer buf;
  return std::string(format_rfc3339_ms(ts_ms, buf));
}

Result<int64_t> parse_duration_ms(std::string_view spec) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), n);
  if (ec != std::errc() || end == spec.data() || n < 0) return std::unexpected(bad(spec));
  const std::string_view unit(end, spec.data() + spec.size() - end);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else if (unit == "w") scale = 7 * 86'400'000LL;
  // At most 1000 years: anything longer is a typo, and stays printable as a date.
  constexpr int64_t kMaxMs = 1000LL * 366 * 86'400'000;
  if (scale == 0 || n > kMaxMs / scale) return std::unexpected(bad(spec));
  return n * scale;
}

Result<int64_t> parse_time_spec(std::string_view spec, int64_t now_ms) {
  if (spec == "now") return now_ms;
  if (auto d = parse_duration_ms(spec)) return now_ms - *d;
  // YYYY-MM-DD[THH:MM:SS[.fff][Z|±HH:MM]]
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (!digits(spec, 0, 4, y) || spec.size() < 10 || spec[4] != '-' || !digits(spec, 5, 2, mo) ||
      spec[7] != '-' || !digits(spec, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return std::unexpected(bad(spec));
  }
  size_t pos = 10;
  int64_t offset_min = 0;
  if (pos < spec.size()) {
    if ((spec[pos] != 'T' && spec[pos] != ' ') || !digits(spec, pos + 1, 2, h) ||
        spec.size() < pos + 9 || spec[pos + 3] != ':' || !digits(spec, pos + 4, 2, mi) ||
        spec[pos + 6] != ':' || !digits(spec, pos + 7, 2, s) || h > 23 || mi > 59 || s > 60) {
      return std::unexpected(bad(spec));
    }
    pos += 9;
    if (pos < spec.size() && spec[pos] == '.') {
      size_t n = 0;
      int scale = 100;
      for (++pos; pos < spec.size() && spec[pos] >= '0' && spec[pos] <= '9'; ++pos, ++n) {
        if (n < 3) ms += (spec[pos] - '0') * scale, scale /= 10;
      }
      if (n == 0) return std::unexpected(bad(spec));
    }
    if (pos < spec.size()) {
      if (spec[pos] == 'Z' && pos + 1 == spec.size()) {
        ++pos;
      } else if ((spec[pos] == '+' || spec[pos] == '-') && spec.size() == pos + 6 &&
                 spec[pos + 3] == ':') {
        int oh, om;
        if (!digits(spec, pos + 1, 2, oh) || !digits(spec, pos + 4, 2, om)) {
          return std::unexpected(bad(spec));
        }
        offset_min = (spec[pos] == '+' ? 1 : -1) * (oh * 60 + om);
        pos = spec.size();
      } else {
        return std::unexpected(bad(spec));
      }
    }
  }
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::unexpected(bad(spec));
  const int64_t days = sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi - offset_min) * 60'000LL + s * 1000LL + ms;
}

}  // namespace sy
