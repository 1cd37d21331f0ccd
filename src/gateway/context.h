// RequestContext: the state of one gateway request as it moves through the pipeline's
// stages (see pipeline.h). Each stage reads what earlier stages wrote and adds its own
// part. Lives in the request's coroutine frame; not thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_writer.h"
#include "gateway/snapshot.h"
#include "governance/dlp_mask.h"
#include "governance/limits_runtime.h"
#include "governance/policy_set.h"
#include "governance/principal.h"
#include "http/client.h"
#include "http/exchange.h"
#include "model/canonical.h"
#include "model/chat.h"
#include "model/embeddings.h"
#include "protocols/codec.h"
#include "routing/cascade.h"
#include "routing/route_decision.h"

namespace sy::governance {
class Authenticator;
}

namespace sy::gateway {

// Per-worker state handed to every request on that worker's thread.
struct WorkerState {
  WorkerState(boost::asio::io_context& ctx, audit::AuditWriter* a,
              const governance::Authenticator* au)
      : context(ctx), pool(ctx), audit(a), auth(au) {}
  boost::asio::io_context& context;
  http::UpstreamPool pool;
  SnapshotPtr snapshot;  // replaced by posting to this worker on reload
  audit::AuditWriter* audit;  // the gateway's; null when the audit trail is disabled
  const governance::Authenticator* auth;  // the gateway's; null: everyone is anonymous
  std::unique_ptr<governance::WorkerLimits> limits;  // budgets and rate limits
  routing::HealthBoard health;  // this worker's view of each deployment's health
};

// How many values of one data class the DLP scan found (never the values).
struct DataClassCount {
  std::string_view entity_type;  // points into the snapshot's scanner
  int count = 0;
};

// One upstream attempt, for the x-switchyard-attempts header and the access log.
struct Attempt {
  std::string deployment;
  std::string outcome;  // "ok", an HTTP status, or a transport failure name
  uint32_t ms = 0;
};

// The API a request came in through: its codec decodes the request and encodes every
// answer and error the client gets.
struct Ingress {
  const protocols::Codec* codec = nullptr;
  const char* action = "POST /v1/chat/completions";  // for the audit record
  DeploymentKind kind = DeploymentKind::Chat;  // the deployments that can serve it
};

struct RequestContext {
  RequestContext(http::Exchange& ex, WorkerState& w);
  RequestContext(http::Exchange& ex, WorkerState& w, Ingress in)
      : exchange(ex),
        worker(w),
        snapshot(w.snapshot),
        started(std::chrono::steady_clock::now()),
        received(std::chrono::system_clock::now()),
        ingress(in) {}

  http::Exchange& exchange;
  WorkerState& worker;
  SnapshotPtr snapshot;
  std::chrono::steady_clock::time_point started;
  std::chrono::system_clock::time_point received;
  std::string request_id;
  Ingress ingress;
  audit::AuditSlot audit_slot;                    // admit: a reserved audit queue slot

  model::ChatRequest request;                     // decode (chat)
  model::EmbeddingRequest embedding;              // decode (embeddings)
  std::optional<model::Request> canonical;        // dispatch: decoded once when translating
  // A principal resolved before the request (a workflow step runs as its run's
  // principal: gateway/local_call.h); identify uses it instead of the headers.
  const governance::Principal* preset_principal = nullptr;
  governance::Principal principal;                // identify (anonymous by default)
  bool authenticated = false;
  std::vector<DataClassCount> data_classes;       // inspect
  routing::Signals signals;                       // classify: hints, task type, difficulty
  governance::PolicyDecision policy;              // policy (points into the snapshot)
  bool policy_evaluated = false;
  std::vector<governance::MaskedValue> masked;    // policy `mask`: placeholders sent instead
  routing::RouteDecision decision;                // route
  uint64_t estimated_tokens = 0;                  // route: prompt estimate + expected answer
  governance::BudgetReservation reservation;      // budget: the held worst-case cost
  std::vector<std::string> budget_warnings;       // soft budgets over their limit
  bool limits_applied = false;
  std::vector<Attempt> attempts;                  // dispatch
  std::chrono::steady_clock::time_point first_output;  // this attempt's first byte to the client
  const providers::Deployment* served_by = nullptr;
  model::Usage usage;
  // cascade routes: the current attempt's answer is held and checked before the client
  // gets it (every target but the last); answers that failed are paid for all the same,
  // and the last of them is what the client gets if no later target answers.
  bool check_answer = false;
  const std::vector<CascadeCheck>* checks = nullptr;
  routing::SchemaCheck schema_check;              // the request's response_format schema
  double rejected_cost_usd = 0;                   // answers that failed the checks
  model::Usage rejected_usage;
  struct Rejected {
    const providers::Deployment* by = nullptr;
    model::Usage usage;
    std::optional<http::Response> answer;  // a whole answer, or:
    std::string stream, trailer;          // a held stream's events and its last one
  };
  std::optional<Rejected> rejected;
  bool usage_estimated = false;                   // usage counted by us: the provider gave none
  double cost_usd = 0;                            // settle
  std::optional<uint32_t> retry_after_s;          // when every deployment was rate-limited
  unsigned status = 0;                            // what the client got
  std::string error;                              // why it failed, when it did
  std::optional<Error> failure;                   // the error the request ended with

  // The answer, held back until the record stage is done (in sync audit mode, until
  // the request's audit record is on disk); the respond stage sends it.
  std::optional<http::Response> answer;           // a whole answer
  bool stream_open = false;                       // a stream was begun, not yet ended
  bool stream_complete = false;                   // upstream finished: the trailer is due
  std::string stream_trailer;                     // the stream's last event, held back
  std::string captured_response;                  // audit.capture: full

  // Headers every response of this request carries.
  std::vector<http::HeaderField> response_headers() const;
};

}  // namespace sy::gateway
