// Environment-variable interpolation for configuration values: `${VAR}` and
// `${VAR:-default}`; `$$` is a literal `$`. Pure function over a lookup, so tests inject
// their own environment. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup process_env();

// Expands every reference in `text`. A `${VAR}` whose variable is unset (and has no
// default) is an error naming the variable.
Result<std::string> interpolate(std::string_view text, const EnvLookup& env);

}  // namespace sy
