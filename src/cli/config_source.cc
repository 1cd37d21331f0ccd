#include "cli/config_source.h"

#include "cli/embedded_config.h"
#include "core/config_loader.h"

namespace sy::cli {

Result<ConfigPtr> load_cli_config(const std::string& path) {
  if (path.empty()) return load_config_text(embedded_demo_config(), "<embedded demo.yaml>");
  return load_config_file(path);
}

}  // namespace sy::cli
