// `switchyard policy …`: the policy engine from the command line.
//   test   dry-run one request against a config's policies and every deployment, printing
//          the decision as JSON; exit 0 allow, 2 deny, 1 bad input (docs/cli.md)
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_policy_commands(CLI::App& app);

}  // namespace sy::cli
