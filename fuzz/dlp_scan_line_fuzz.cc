// Fuzzes one line of the `switchyard dlp scan` protocol (governance/dlp_jsonl.h) through
// the scanner with every built-in detector on. A line that parses is scanned: findings
// lie inside the text, are sorted and do not overlap, and the output line is JSON with
// one finding per finding, each with code-point offsets that fit the text. A line that
// does not parse yields the error line: JSON with the message and no findings.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "governance/dlp_jsonl.h"
#include "governance/dlp_scanner.h"

namespace {

using namespace sy::governance;

const Scanner& builtins() {
  static const std::shared_ptr<const Scanner> scanner = [] {
    auto s = Scanner::compile(DlpConfig{});
    FUZZ_CHECK(s.has_value());
    return *s;
  }();
  return *scanner;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto text = parse_scan_line(line);
  if (!text) {
    const auto out = nlohmann::json::parse(error_line(text.error().message), nullptr, false);
    FUZZ_CHECK(out.is_object() && out["error"].is_string() && out["findings"].empty());
    return 0;
  }
  static DlpScratch scratch;  // reused, as on the request path
  std::vector<Finding> found;
  FUZZ_CHECK(builtins().scan(*text, scratch, found).has_value());
  for (std::size_t i = 0; i < found.size(); ++i) {
    FUZZ_CHECK(found[i].start < found[i].end && found[i].end <= text->size());
    FUZZ_CHECK(i == 0 || found[i - 1].end <= found[i].start);
  }
  const std::size_t codepoints = codepoint_offset(*text, text->size());
  const auto out = nlohmann::json::parse(findings_line(*text, found), nullptr, false);
  FUZZ_CHECK(out.is_object() && out["findings"].is_array());
  FUZZ_CHECK(out["findings"].size() == found.size());
  for (const auto& f : out["findings"]) {
    const auto start = f["start"].get<std::size_t>();
    const auto end = f["end"].get<std::size_t>();
    FUZZ_CHECK(start < end && end <= codepoints);
  }
  return 0;
}
