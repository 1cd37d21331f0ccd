#include "audit/capture_mask.h"

#include "audit/json_scratch.h"
#include "governance/dlp_mask.h"

namespace sy::audit {

Result<std::unique_ptr<CaptureMasker>> CaptureMasker::create() {
  auto scanner = governance::Scanner::compile(governance::DlpConfig{});
  if (!scanner) return std::unexpected(scanner.error());
  return std::unique_ptr<CaptureMasker>(new CaptureMasker(std::move(*scanner)));
}

void CaptureMasker::mask(std::string& json, std::vector<governance::MaskedValue>& seen,
                         std::map<std::string, int>& counts) {
  std::string out = json;
  const size_t known = seen.size();
  auto n = governance::mask_data_classes(*scanner_, scratch_, findings_, out, {}, seen);
  if (!n) {
    json = "\"[capture withheld: the DLP scan failed]\"";
    return;
  }
  if (*n == 0) return;
  for (size_t i = known; i < seen.size(); ++i) {  // "[EMAIL_2]" counts one more EMAIL
    const std::string& ph = seen[i].placeholder;
    ++counts[ph.substr(1, ph.rfind('_') - 1)];
  }
  simdjson::dom::element doc;
  if (parse_json(out).get(doc) != simdjson::SUCCESS) {
    json = "\"[capture withheld: masking would have broken the JSON]\"";
    return;
  }
  json = std::move(out);
}

}  // namespace sy::audit
