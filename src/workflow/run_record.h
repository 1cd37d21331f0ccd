// How the engine writes runs down: run statuses, the run's principal as JSON (what the
// pipeline needs to act as it again: ids, team, project, roles, allowed lists — never a
// secret), step idempotency keys and the events of a run's stream. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "governance/principal.h"

namespace sy::workflow {

enum class RunStatus { Pending, Running, WaitingApproval, Succeeded, Failed, Cancelled };
const char* run_status_name(RunStatus s);
bool run_finished(std::string_view status);  // succeeded, failed or cancelled

std::string principal_json(const governance::Principal& p);
Result<governance::Principal> principal_from_json(std::string_view json);

// "run_ab12:extract" or, for a map item, "run_ab12:answers:3".
std::string idempotency_key(std::string_view run_id, std::string_view step_id, int64_t item);

// One event of a run's stream, as JSON: {"type":…,"run":…,"ts":…} plus, when given,
// "step", "item" (>= 0), "status", "error" and "output" (a JSON text, inserted as is).
struct RunEvent {
  std::string type;  // run.created, run.started, step.started, step.finished, step.failed,
                     // step.waiting, step.skipped, run.waiting, run.finished
  std::string run;
  int64_t ts_ms = 0;
  std::string step;
  int64_t item = -1;
  std::string status;
  std::string error;
  std::string output_json;
};
std::string event_json(const RunEvent& e);

}  // namespace sy::workflow
