// route_window: the context windows a chat request to a model or route can reach, read
// from a config snapshot's catalog the way the router resolves it (routing/
// route_decision.h), for context fitting (context_fit.h):
//   - a deployment: its own window;
//   - a route: its targets that serve chat and that `who` may use (the key's allowed
//     models and regions) — `largest` is what the route can take by falling back to its
//     biggest model (the router drops candidates that are too small before choosing),
//     `smallest` what every candidate can take;
//   - a rules route: the branch for `task`; without a task (the classifier decides at
//     request time) the smallest of every branch's windows, so a prompt fitted to it
//     fits whichever branch is taken.
// Policies that restrict deployments are not applied (the gateway still does; a prompt
// fitted to a deployment a policy then removes is refused as before).
// nullopt: the model is unknown, no candidate is left, or a candidate states no window
// (then nothing is fitted). Pure; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "governance/principal.h"
#include "providers/catalog.h"
#include "workflow/ports.h"

namespace sy::workflow {

std::optional<RouteWindow> route_window(const providers::Catalog& catalog, std::string_view model,
                                        std::string_view task, const governance::Principal& who);

}  // namespace sy::workflow
