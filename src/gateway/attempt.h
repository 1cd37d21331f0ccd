// Attempt outcomes: how one upstream attempt of the dispatch stage ended, and the
// helpers that classify transport failures. Shared by the dispatch loop and the code
// that delivers an answer (deliver.h).
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "http/client.h"
#include "providers/provider.h"

namespace sy::gateway {

struct Outcome {
  enum Kind { Delivered, Final, Retry, SkipDeployment } kind = Retry;
  std::string label;  // for x-switchyard-attempts
  Error error;        // Final / Retry / SkipDeployment
  std::optional<uint32_t> retry_after_s;
};

inline Outcome delivered() { return Outcome{Outcome::Delivered, "ok", {}, {}}; }

inline Outcome retry(std::string label, Error e, std::optional<uint32_t> retry_after = {}) {
  return Outcome{Outcome::Retry, std::move(label), std::move(e), retry_after};
}

// A transport failure: the client's own disconnect is final, anything else is retried.
Outcome from_transport(const http::TransportError& t, const providers::Deployment& dep);

}  // namespace sy::gateway
