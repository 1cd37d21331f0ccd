// PolicyStage: the organisation's declarative policies (docs/policies.md), evaluated
// once per request before routing on what is known by then — the principal, the
// requested model, max_tokens, tools and the data classes the inspect stage found.
// A deny (or a rule that requires approval, which only workflows can give) ends the
// request with a 403 naming the rule; deployment restrictions are left in the context
// for the route stage, which applies them to its candidates. A `mask` effect replaces the
// named data classes' values in the request with placeholders ([EMAIL_1]) before any
// provider sees it; a whole (not streamed) answer gets the values back.
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class PolicyStage {
 public:
  Result<void> run(RequestContext& ctx) const;

 private:
  Result<void> mask_request(RequestContext& ctx) const;
};

}  // namespace sy::gateway
