// `switchyard spend`: spend totals from the ledger, grouped by team, project, key,
// model, deployment or day, over a time range. Reads the store named by the config.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_spend_command(CLI::App& app);

}  // namespace sy::cli
