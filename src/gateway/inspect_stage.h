// InspectStage: data-loss prevention. Scans the text of every message (or embeddings
// input) once with the
// snapshot's DLP scanner (one Hyperscan database for every detector) and counts what it
// found per data class ("EMAIL_ADDRESS": 2, "SECRET": 1). The counts feed the policy
// stage and the audit record; the values themselves are never kept.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class InspectStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
