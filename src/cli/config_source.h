// The config a CLI command works on: the file given with --config, or the embedded
// demo config (whose data lives under ./data) when none is given.
#pragma once

#include <string>

#include "core/config.h"

namespace sy::cli {

Result<ConfigPtr> load_cli_config(const std::string& path);

}  // namespace sy::cli
