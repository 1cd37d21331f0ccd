// Fuzzes load_config_text (core/config_loader.h) on a YAML config, with a fixed
// environment (SY_SET=set-value, SY_EMPTY="", nothing else). A config that loads must
// hold what the loader promises: at least one deployment, no dangling references, and
// addresses that parse.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config_loader.h"
#include "core/url.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const sy::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SY_SET") return "set-value";
    if (name == "SY_EMPTY") return "";
    return std::nullopt;
  };
  auto config = sy::load_config_text(yaml, "fuzz.yaml", env);
  if (!config) {
    FUZZ_CHECK(config.error().message.starts_with("fuzz.yaml") ||
               config.error().message.starts_with("invalid configuration"));
    return 0;
  }
  const sy::Config& c = **config;
  FUZZ_CHECK(!c.deployments.empty());
  FUZZ_CHECK(!c.data_dir.empty());
  FUZZ_CHECK(sy::parse_listen_address(c.server.listen).has_value());
  for (const auto& [name, p] : c.providers) {
    FUZZ_CHECK(p.base_url.empty() || sy::parse_endpoint(p.base_url).has_value());
  }
  for (const auto& [name, d] : c.deployments) {
    FUZZ_CHECK(c.providers.contains(d.provider));
  }
  for (const auto& [name, route] : c.routes) {
    FUZZ_CHECK(!route.targets.empty() && !c.deployments.contains(name));
    for (const auto& t : route.targets) {
      FUZZ_CHECK(c.deployments.contains(t.deployment));
    }
  }
  return 0;
}
