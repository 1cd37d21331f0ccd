// Reads and validates a gateway YAML config into an immutable Config.
// Validation is strict: an unknown key, a wrong type, a dangling reference or an
// out-of-range value is an error naming the file, the line, the path inside the file
// and what was expected; all problems found are reported at once. Environment
// references (${VAR}, ${VAR:-default}) are expanded in scalar values. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "core/env.h"

namespace sy {

Result<ConfigPtr> load_config_text(std::string_view yaml, std::string source,
                                   const EnvLookup& env = process_env());
Result<ConfigPtr> load_config_file(const std::string& path, const EnvLookup& env = process_env());

}  // namespace sy
