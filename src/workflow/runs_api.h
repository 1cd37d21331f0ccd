// RunsApi: the workflow HTTP API, served beside the model API (two Endpoints groups,
// "/v1/workflows/" and "/v1/runs", sharing one instance):
//   POST /v1/workflows/{name}/runs      {"input": {...}} → 201, the run; with
//                                       "workflow": "<yaml>" the text sent is run instead
//                                       of the file (its name must be {name})
//   GET  /v1/runs/{id}                  the run and its steps
//   GET  /v1/runs/{id}/events           SSE: what happened so far, then live, until the
//                                       run ends (Last-Event-ID resumes after an event)
//   POST /v1/runs/{id}/approvals        {"step", "decision": "approve"|"reject", "comment"}
//   POST /v1/runs/{id}/cancel           {"comment"} (optional) → the cancelled run; 409
//                                       when it has ended (Engine::cancel)
//   GET  /v1/runs?status=…&limit=…      the runs the caller may see, newest first
// Workflows are the files NAME.yaml in workflows.dir. Callers authenticate like the model
// API (Authorization: Bearer, or x-api-key; anonymous when auth.require is off and no
// credentials are sent) and need the right to call models; the caller becomes the run's
// principal. Reading, listing, cancelling a run or deciding its approval needs the run's
// team (or org-admin).
// Errors are in OpenAI's error shape.
//
// Store and file I/O runs on the API's own small thread pool; a gateway worker only
// awaits the result. Thread-safe: one instance serves every worker.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "gateway/endpoints.h"
#include "governance/authenticator.h"
#include "workflow/engine.h"

namespace sy::workflow {

class RunsApi : public std::enable_shared_from_this<RunsApi> {
 public:
  // `auth` may be null (everyone is anonymous).
  RunsApi(std::string workflows_dir, std::shared_ptr<governance::Authenticator> auth,
          unsigned threads = 2);
  ~RunsApi();

  // The engine is started after the gateway (its steps go through the gateway); until
  // it is attached the API answers 503. It must outlive the gateway's use of the API.
  void attach(Engine* engine) { engine_.store(engine); }

  // The two endpoint groups to plug into the gateway; they keep this object alive.
  std::vector<std::shared_ptr<gateway::Endpoints>> endpoints();

  http::Task<void> handle(gateway::EndpointRequest request);

  struct Pool;

 private:
  std::atomic<Engine*> engine_{nullptr};
  std::string dir_;
  std::shared_ptr<governance::Authenticator> auth_;
  std::unique_ptr<Pool> pool_;
};

// A run (and its steps) as the API shows it.
std::string run_json(const RunView& view);

}  // namespace sy::workflow
