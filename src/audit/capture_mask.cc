#include "audit/capture_mask.h"

#include "audit/json_scratch.h"
#include "governance/dlp_mask.h"

namespace sy::audit {

Result<std::unique_ptr<CaptureMasker>> CaptureMasker::create() {
  auto scanner = governance::Scanner::compile(governance::DlpConfig{});
  if (!scanner) return std::unexpected(scanner.error());
  return std::unique_ptr<CaptureMasker>(new CaptureMasker(std::move(*scanner)));
}

void CaptureMasker::mask(std::string& json, std::map<std::string, std::string>& seen,
                         std::map<std::string, int>& counts) {
  findings_.clear();
  if (auto r = scanner_->scan(json, scratch_, findings_); !r) {
    json = "\"[capture withheld: the DLP scan failed]\"";
    return;
  }
  if (findings_.empty()) return;
  std::string out;
  out.reserve(json.size());
  size_t at = 0;
  for (const auto& f : findings_) {  // sorted, not overlapping
    out.append(json, at, f.start - at);
    const std::string value = json.substr(f.start, f.end - f.start);
    auto [it, fresh] = seen.try_emplace(value);
    if (fresh) {
      const std::string s(governance::placeholder_stem(f.entity_type));
      it->second = "[" + s + "_" + std::to_string(++counts[s]) + "]";
    }
    out += it->second;
    at = f.end;
  }
  out.append(json, at);
  simdjson::dom::element doc;
  if (parse_json(out).get(doc) != simdjson::SUCCESS) {
    json = "\"[capture withheld: masking would have broken the JSON]\"";
    return;
  }
  json = std::move(out);
}

}  // namespace sy::audit
