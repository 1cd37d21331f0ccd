#include "cli/config_source.h"

#include "cli/embedded_config.h"
#include "core/config_loader.h"

namespace sy::cli {

Result<ConfigPtr> load_cli_config(const std::string& path) {
  if (path.empty()) return load_config_text(embedded_demo_config(), "<embedded demo.yaml>");
  return load_config_file(path);
}

Result<std::unique_ptr<store::Store>> open_cli_store(const std::string& config_path) {
  auto config = load_cli_config(config_path);
  if (!config) return std::unexpected(config.error());
  return store::open_store({.url = (*config)->storage.url});
}

}  // namespace sy::cli
