// Gateway: a running gateway — the HTTP server, one WorkerState per worker thread and
// the current config snapshot. apply() validates a new config, builds its snapshot
// and hands it to every worker by posting to the worker's io_context (no lock on the
// request path; in-flight requests keep the snapshot they started with). drain()
// finishes in-flight requests and stops. Methods are called from one controlling
// thread (the CLI's main loop or a test).
#pragma once

#include <atomic>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "gateway/endpoints.h"
#include "gateway/local_call.h"
#include "gateway/snapshot.h"

namespace sy::http {
class Server;
}
namespace sy::audit {
class AuditWriter;
}
namespace sy::governance {
class Authenticator;
class LimitsRuntime;
}

namespace sy::gateway {

struct WorkerState;

class Gateway {
 public:
  // Binds `listen` (or the config's server.listen when empty) and starts serving the
  // model API and the `extra` endpoint groups. `auth` authenticates callers; when null
  // the gateway makes (and starts) its own from the config's auth section.
  static Result<std::unique_ptr<Gateway>> start(
      ConfigPtr config, std::string listen = {},
      std::vector<std::shared_ptr<Endpoints>> extra = {},
      std::shared_ptr<governance::Authenticator> auth = nullptr);
  ~Gateway();

  uint16_t port() const;
  // Swaps in a new config; on error the running one stays. `actor` says who asked
  // ("sighup", "file-watch", …) for the audit record of the reload. Reloads are
  // serialised; snapshot() may run on any thread meanwhile (workflow engine threads do).
  Result<void> apply(ConfigPtr config, std::string_view actor = "api");
  SnapshotPtr snapshot() const { return current_.load(); }
  // Writes an admin action to the audit trail (config reloads, start and stop, …);
  // `actor` is who did it, `detail_json` a JSON object.
  void record_admin(std::string action, std::string actor, int status, std::string error,
                    std::string detail_json);
  // Runs one chat completion through a worker's ChatPipeline in process, as
  // request.principal (gateway/local_call.h). `done` is called once, on that worker's
  // thread, with the whole response. Callable from any thread while the gateway runs.
  void call_local(LocalRequest request, LocalDone done);
  // Stops accepting, waits up to the config's drain timeout for in-flight requests.
  size_t drain();

 private:
  Gateway() = default;

  std::unique_ptr<audit::AuditWriter> audit_;  // outlives the workers that use it
  std::shared_ptr<governance::Authenticator> auth_;  // likewise
  std::unique_ptr<governance::LimitsRuntime> limits_;  // likewise
  std::vector<std::shared_ptr<Endpoints>> extra_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::unique_ptr<WorkerState>> workers_;
  std::atomic<SnapshotPtr> current_;
  std::mutex apply_mutex_;  // one reload at a time
  std::atomic<bool> draining_{false};
  std::atomic<size_t> next_local_{0};  // round-robin over workers for call_local
};

}  // namespace sy::gateway
