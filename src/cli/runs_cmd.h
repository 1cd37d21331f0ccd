// `switchyard runs list|show|approve|reject|cancel`: looks at and acts on the workflow
// runs of a running gateway through its API (GET /v1/runs, GET /v1/runs/{id}, POST
// /v1/runs/{id}/approvals, POST /v1/runs/{id}/cancel), as the key in --key or
// $SWITCHYARD_API_KEY, at --gateway (default $SWITCHYARD_GATEWAY_URL, else
// http://127.0.0.1:8080). Prints a readable summary, or the API's JSON with --json.
// Exit status: 0 done, 1 the gateway refused (the run is unknown, not waiting, ended, or
// the key may not act on it; its message is printed), 2 usage errors or no answer.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_runs_command(CLI::App& app);

}  // namespace sy::cli
