// The config a CLI command works on: the file given with --config, or the embedded
// demo config (whose data lives under ./data) when none is given, and its store.
#pragma once

#include <string>

#include "core/config.h"
#include "store/store.h"

namespace sy::cli {

Result<ConfigPtr> load_cli_config(const std::string& path);

// The store named by that config's storage.url, opened.
Result<std::unique_ptr<store::Store>> open_cli_store(const std::string& config_path);

}  // namespace sy::cli
