// `switchyard audit …`: the auditor's tools. verify, export, proof and verify-proof work
// offline on the log directory alone (plus the public key); search reads the index in
// the store named by the config; pubkey prints the key that verifies checkpoints.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_audit_commands(CLI::App& app);

// Parts of `audit`, one file each.
void add_audit_search_command(CLI::App& audit);
void add_audit_offline_commands(CLI::App& audit);  // verify, export, proof, verify-proof

}  // namespace sy::cli
