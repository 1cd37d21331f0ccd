// PolicyStage: the organisation's declarative policies (docs/policies.md), evaluated
// once per request before routing on what is known by then — the principal, the
// requested model, max_tokens, tools and the data classes the inspect stage found.
// A deny (or a rule that requires approval, which only workflows can give) ends the
// request with a 403 naming the rule; deployment restrictions are left in the context
// for the route stage, which applies them to its candidates.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class PolicyStage {
 public:
  Result<void> run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
