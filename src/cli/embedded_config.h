// The embedded default config (config/demo.yaml, compiled into the binary).
#pragma once

#include <string_view>

namespace sy::cli {

std::string_view embedded_demo_config();

}  // namespace sy::cli
