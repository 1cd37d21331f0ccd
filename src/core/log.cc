#include "core/log.h"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace sy {
namespace {
std::shared_ptr<spdlog::logger> g_access;
}

void init_logging(std::string_view level) {
  auto main = spdlog::stderr_logger_mt("switchyard");
  main->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(main);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  spdlog::init_thread_pool(8192, 1);
  g_access = spdlog::create_async_nb<spdlog::sinks::stderr_sink_mt>("access");
  g_access->set_pattern("%Y-%m-%dT%H:%M:%S.%e access %v");
  g_access->set_level(spdlog::get_level());
}

spdlog::logger& access_log() {
  if (!g_access) {
    g_access = spdlog::stderr_logger_mt("access-sync");
    g_access->set_level(spdlog::level::off);
  }
  return *g_access;
}

}  // namespace sy
