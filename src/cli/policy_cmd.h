// `switchyard policy …`: the policy engine from the command line.
//   test   dry-run one request against a config's policies and every deployment, printing
//          the decision as JSON; exit 0 allow, 2 deny, 1 bad input (docs/cli.md)
//   get, put FILE, revert   the policies in force on a running gateway, through its admin
//          API (--gateway URL --key K; policy_remote.cc)
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_policy_commands(CLI::App& app);
// get, put and revert under `policy`.
void add_policy_remote_commands(CLI::App& policy);

}  // namespace sy::cli
