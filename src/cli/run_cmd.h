// `switchyard run FILE --input JSON [--gateway URL] [--config FILE]`: runs a workflow.
// Without --gateway, in this process: a gateway on the config (default: the embedded
// demo) listening on an ephemeral loopback port, and a workflow engine on the config's
// store; the run's principal is the local operator (org-admin). With --gateway, the file
// is submitted to a running gateway (POST /v1/workflows/{name}/runs with the file's text)
// as the key in --key or $SWITCHYARD_API_KEY. Either way it prints progress lines on
// stderr, the final output as JSON on stdout, and exits 0 when the run succeeded, 1 when
// it failed, 3 when it waits for an approval it cannot get here (in process), 2 on usage
// or start-up errors. Ctrl-C cancels the run (in process, or POST /v1/runs/{id}/cancel)
// and exits 130; `--detach` (with --gateway) prints the run's id once it is submitted and
// leaves it running. The gateway's API is reached through GatewayClient
// (gateway_client.h), like `switchyard runs` (runs_cmd.h).
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_run_command(CLI::App& app);

}  // namespace sy::cli
