#include "audit/capture_mask.h"

#include "audit/json_scratch.h"

namespace sy::audit {
namespace {

// A short placeholder stem per data class: [EMAIL_1] rather than [EMAIL_ADDRESS_1].
std::string_view stem(std::string_view entity_type) {
  if (entity_type == "EMAIL_ADDRESS") return "EMAIL";
  if (entity_type == "PHONE_NUMBER") return "PHONE";
  if (entity_type == "CREDIT_CARD") return "CARD";
  if (entity_type == "IBAN_CODE") return "IBAN";
  if (entity_type == "US_SSN") return "SSN";
  if (entity_type == "IP_ADDRESS") return "IP";
  return entity_type;
}

}  // namespace

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
      const std::string s(stem(f.entity_type));
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
