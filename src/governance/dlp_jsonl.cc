#include "governance/dlp_jsonl.h"

#include <nlohmann/json.hpp>

#include "core/json_writer.h"

namespace sy::governance {

Result<std::string> parse_scan_line(std::string_view line) {
  auto doc = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(ErrorKind::InvalidRequest, "line is not valid JSON");
  if (!doc.is_object()) return fail(ErrorKind::InvalidRequest, "line is not a JSON object");
  auto it = doc.find("text");
  if (it == doc.end() || !it->is_string()) {
    return fail(ErrorKind::InvalidRequest, "missing string member \"text\"", "text");
  }
  return it->get<std::string>();
}

std::string findings_line(std::string_view text, std::span<const Finding> findings) {
  const auto cps = codepoint_spans(text, findings);
  std::string out;
  json::Writer w(out);
  w.begin_object().key("findings").begin_array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    w.begin_object()
        .field("entity_type", findings[i].entity_type)
        .field("start", static_cast<uint64_t>(cps[i].start))
        .field("end", static_cast<uint64_t>(cps[i].end))
        .field("detector", findings[i].detector)
        .end_object();
  }
  w.end_array().end_object();
  return out;
}

std::string error_line(std::string_view message) {
  std::string out;
  json::Writer w(out);
  w.begin_object().field("error", message).key("findings").begin_array().end_array().end_object();
  return out;
}

}  // namespace sy::governance
