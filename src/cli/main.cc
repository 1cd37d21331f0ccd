// The `switchyard` command: serve, config check, audit, spend, dlp, policy, teams, projects,
// keys, classify, eval-router, run, runs, version.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/audit_cmd.h"
#include "cli/classify_cmd.h"
#include "cli/dlp_cmd.h"
#include "cli/identity_cmd.h"
#include "cli/policy_cmd.h"
#include "cli/run_cmd.h"
#include "cli/runs_cmd.h"
#include "cli/spend_cmd.h"
#include "cli/serve.h"
#include "core/config_loader.h"

int main(int argc, char** argv) {
  CLI::App app{"Switchyard: one gateway for every model, with routing and governance"};
  app.require_subcommand(1);

  sy::cli::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway");
  serve_cmd->add_option("-c,--config", serve.config_path,
                        "YAML config file (default: the embedded demo config)");
  serve_cmd->add_option("-l,--listen", serve.listen, "HOST:PORT to listen on (overrides server.listen)");
  serve_cmd->add_option("--log-level", serve.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  std::string check_path;
  auto* config_cmd = app.add_subcommand("config", "Work with config files");
  config_cmd->require_subcommand(1);
  auto* check_cmd = config_cmd->add_subcommand("check", "Validate a config file and exit");
  check_cmd->add_option("file", check_path, "YAML config file")->required();

  sy::cli::add_audit_commands(app);
  sy::cli::add_spend_command(app);
  sy::cli::add_dlp_commands(app);
  sy::cli::add_identity_commands(app);
  sy::cli::add_policy_commands(app);
  sy::cli::add_classify_commands(app);
  sy::cli::add_run_command(app);
  sy::cli::add_runs_command(app);
  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  if (*serve_cmd) return sy::cli::serve(serve);
  if (!*app.get_subcommand("version") && !*check_cmd) return 0;  // ran in its callback
  if (*check_cmd) {
    auto config = sy::load_config_file(check_path);
    if (!config) {
      std::fprintf(stderr, "%s\n", config.error().message.c_str());
      return 1;
    }
    std::printf("%s: ok (%zu providers, %zu deployments, %zu routes)\n", check_path.c_str(),
                (*config)->providers.size(), (*config)->deployments.size(),
                (*config)->routes.size());
    return 0;
  }
  std::printf("switchyard 0.1.0\n");
  return 0;
}
