#include "gateway/inspect_stage.h"

#include <algorithm>

#include "gateway/request_facts.h"
#include "governance/dlp_scanner.h"

namespace sy::gateway {

Result<void> InspectStage::run(RequestContext& ctx) const {
  const governance::Scanner* scanner = ctx.snapshot->dlp.get();
  if (scanner == nullptr) return {};
  // Per thread: the stage never suspends, so they are never shared between requests.
  thread_local governance::DlpScratch scratch;
  thread_local std::vector<governance::Finding> found;
  Result<void> scanned;
  for_each_text(ctx, [&](std::string_view text) {
    if (text.empty() || !scanned) return;
    found.clear();
    if (auto r = scanner->scan(text, scratch, found); !r) {
      // Fail closed: a request that could not be inspected is not sent anywhere.
      scanned = fail(ErrorKind::Internal,
                     "The data-loss-prevention scan failed: " + r.error().message, {}, "dlp_failed");
      return;
    }
    for (const auto& f : found) {
      auto it = std::find_if(ctx.data_classes.begin(), ctx.data_classes.end(),
                             [&](const DataClassCount& c) { return c.entity_type == f.entity_type; });
      if (it == ctx.data_classes.end()) {
        ctx.data_classes.push_back({f.entity_type, 1});
      } else {
        ++it->count;
      }
    }
  });
  return scanned;
}

}  // namespace sy::gateway
