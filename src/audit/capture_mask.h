// CaptureMasker: masks the prompts and responses captured in audit records
// (audit.capture: masked). Every value the DLP scanner finds is replaced by a stable
// placeholder — the same value gets the same placeholder within one record, across the
// request and the response ([EMAIL_1], [CARD_1], [SECRET_2], …) — and the counts per
// data class are kept. It runs on the audit writer thread, never on the request path.
// Not thread-safe: one per writer thread (it owns scanner scratch space).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/error.h"
#include "governance/dlp_mask.h"
#include "governance/dlp_scanner.h"

namespace sy::audit {

class CaptureMasker {
 public:
  // Compiles the built-in detectors.
  static Result<std::unique_ptr<CaptureMasker>> create();

  // Masks `json` (a captured body, JSON text) in place, numbering placeholders with
  // `seen` (placeholder and value pairs) so a record's bodies share them; adds the new
  // values to `counts` per placeholder stem.
  // If masking would break the JSON, the body is replaced by a note saying so.
  void mask(std::string& json, std::vector<governance::MaskedValue>& seen,
            std::map<std::string, int>& counts);

 private:
  explicit CaptureMasker(std::shared_ptr<const governance::Scanner> scanner)
      : scanner_(std::move(scanner)) {}

  std::shared_ptr<const governance::Scanner> scanner_;
  governance::DlpScratch scratch_;
  std::vector<governance::Finding> findings_;
};

}  // namespace sy::audit
