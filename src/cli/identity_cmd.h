// `switchyard teams create|list`, `switchyard projects create|list` and
// `switchyard keys create|list|revoke`: identity records in the store named by the
// config (like `switchyard spend`). A running gateway sees the changes within
// auth.key_refresh_ms. `keys create` prints the secret once; only its hash is stored.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_identity_commands(CLI::App& app);

}  // namespace sy::cli
