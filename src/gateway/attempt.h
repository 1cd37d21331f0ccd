// Attempt outcomes: how one upstream attempt of the dispatch stage ended, and the
// helpers that classify transport failures and error answers. Shared by the dispatch
// loop, the code that delivers an answer (deliver.h) and the embeddings dispatch.
// The loop itself — schedule, retries with backoff, health, fallback — is one function
// that takes the attempt to make, so that chat and embeddings share it.
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "gateway/context.h"
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

// Reads an upstream's non-2xx answer and classifies it: 429, 5xx and 408 are retried,
// 401/403/404 skip the deployment (misconfigured), any other 4xx is the client's (final).
http::Task<Outcome> read_error_answer(http::UpstreamCall& call, const providers::Deployment& dep,
                                      const http::ResponseHead& head);

// Cancels the upstream call if the client goes away while it is in flight.
class CancelOnDisconnect {
 public:
  CancelOnDisconnect(http::Exchange& ex, http::UpstreamCall& call) : ex_(ex) {
    ex_.on_client_gone([&call] { call.cancel(); });
  }
  ~CancelOnDisconnect() { ex_.on_client_gone(nullptr); }
  CancelOnDisconnect(const CancelOnDisconnect&) = delete;
  CancelOnDisconnect& operator=(const CancelOnDisconnect&) = delete;

 private:
  http::Exchange& ex_;
};

// One attempt at one deployment: delivers the answer into the context (Delivered) or
// says why not.
using AttemptFn = http::Task<Outcome> (*)(RequestContext& ctx, const providers::Deployment& dep);

// Runs `attempt` over the decision's schedule: retries of one deployment back off with
// full jitter (honouring retry-after), moving on is immediate, open circuits are skipped
// while another deployment is left, every outcome is noted on the worker's health board
// and in ctx.attempts. Fails with the last error, or one summing up every attempt.
http::Task<Result<void>> dispatch_with_fallback(RequestContext& ctx, AttemptFn attempt);

}  // namespace sy::gateway
