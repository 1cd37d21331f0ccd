// Process-wide logging set-up on spdlog. The default logger writes to stderr; the
// access log (one line per request) goes through an asynchronous logger so the request
// path only enqueues. spdlog loggers are thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace sy {

// level: trace, debug, info, warn, error, off.
void init_logging(std::string_view level);
// The access logger; valid after init_logging().
spdlog::logger& access_log();

}  // namespace sy
