// `switchyard serve`: runs the gateway until SIGINT/SIGTERM (graceful drain), reloads
// the config on SIGHUP and when the file changes.
#pragma once

#include <string>

namespace sy::cli {

struct ServeOptions {
  std::string config_path;  // empty: the embedded demo config
  std::string listen;       // empty: the config's server.listen
  std::string log_level = "info";
};

int serve(const ServeOptions& options);

}  // namespace sy::cli
