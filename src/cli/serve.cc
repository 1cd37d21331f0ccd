#include "cli/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <filesystem>

#include "admin/admin_api.h"
#include "cli/config_source.h"
#include "core/config_loader.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "governance/authenticator.h"
#include "workflow/engine.h"
#include "workflow/gateway_ports.h"
#include "workflow/runs_api.h"

namespace sy::cli {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;

Result<ConfigPtr> load(const ServeOptions& o) { return load_cli_config(o.config_path); }

std::optional<fs::file_time_type> mtime(const std::string& path) {
  std::error_code ec;
  auto t = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;
  return t;
}

// Polls the config file's modification time once a second and reloads on change. The
// reload goes through the PolicyControl, which keeps policies set through the admin API.
class ConfigWatcher {
 public:
  ConfigWatcher(asio::io_context& ctx, const ServeOptions& o, gateway::Gateway& g,
                admin::PolicyControl& policies)
      : timer_(ctx), options_(o), gateway_(g), policies_(policies), seen_(mtime(o.config_path)) {}

  void start() {
    if (options_.config_path.empty()) return;
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      auto now = mtime(options_.config_path);
      if (now && now != seen_) {
        seen_ = now;
        reload("file-watch");
      }
      start();
    });
  }

  void reload(const char* why) {
    auto config = load(options_);
    if (!config) {
      spdlog::error("config reload ({}) rejected, still serving the previous config: {}", why,
                    config.error().message);
      gateway_.record_admin("config.reload", why, 400, config.error().message, "{}");
      return;
    }
    if (auto r = policies_.apply_file(*config, why); !r) {
      spdlog::error("config reload ({}) rejected: {}", why, r.error().message);
      return;
    }
    spdlog::info("config reloaded ({}): {} deployments, {} routes", why,
                 (*config)->deployments.size(), (*config)->routes.size());
  }

  void stop() { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
  const ServeOptions& options_;
  gateway::Gateway& gateway_;
  admin::PolicyControl& policies_;
  std::optional<fs::file_time_type> seen_;
};

}  // namespace

int serve(const ServeOptions& options) {
  init_logging(options.log_level);
  auto config = load(options);
  if (!config) {
    std::fprintf(stderr, "switchyard: %s\n", config.error().message.c_str());
    return 2;
  }
  // Identity: virtual keys (config + store, polled) and JWT issuers. The admin API uses it
  // today; the request pipeline takes the same object (see docs/identity.md).
  auto auth = std::make_shared<governance::Authenticator>((*config)->auth, (*config)->storage.url);
  if (auto started = auth->start(); !started) {
    spdlog::warn("identity: {} (retrying in the background)", started.error().message);
  }
  // Policies (docs/policies.md): the newest version set through the admin API, if any,
  // overrides the file's; a store that cannot be read now is caught up by the poller.
  auto policies = std::make_shared<admin::PolicyControl>(*config);
  ConfigPtr start_config = *config;
  if (auto db = store::open_store({.url = (*config)->storage.url}); !db) {
    spdlog::warn("policies: cannot read the store ({}); starting with the config file's",
                 db.error().message);
  } else if (auto c = policies->start_config(**db); !c) {
    std::fprintf(stderr, "switchyard: %s\n", c.error().message.c_str());
    return 2;
  } else {
    start_config = *c;
  }
  std::vector<std::shared_ptr<gateway::Endpoints>> extra{
      std::make_shared<admin::AdminApi>((*config)->storage.url, auth, 2, policies)};
  // Workflows (docs/workflows.md): the API is served from the start; the engine runs its
  // steps through this gateway, so it starts once the gateway is up.
  auto runs_api = std::make_shared<workflow::RunsApi>((*config)->workflows.dir, auth);
  for (auto& group : runs_api->endpoints()) extra.push_back(std::move(group));
  auto gateway = gateway::Gateway::start(start_config, options.listen, std::move(extra), auth);
  if (!gateway) {
    std::fprintf(stderr, "switchyard: %s\n", gateway.error().message.c_str());
    return 2;
  }
  auto& g = **gateway;
  policies->attach(&g);
  // The workflow settings of the config at start-up (a reload does not change them).
  auto engine = workflow::Engine::start(
      {.store_url = (*config)->storage.url, .settings = (*config)->workflows},
      std::make_shared<workflow::GatewayPorts>(g, (*config)->workflows.mcp_servers));
  if (!engine) {
    std::fprintf(stderr, "switchyard: workflows: %s\n", engine.error().message.c_str());
    return 2;
  }
  runs_api->attach(engine->get());
  // Other replicas' policy changes, as often as their key changes are looked for.
  policies->start_polling((*config)->storage.url,
                          std::chrono::milliseconds((*config)->auth.key_refresh_ms));
  const auto& server = (*config)->server;
  const std::string host = options.listen.empty() ? server.listen : options.listen;
  const std::string scheme = server.tls ? "https" : "http";
  std::string shown = host.substr(0, host.rfind(':'));
  std::printf("switchyard listening on %s:%u (config: %s)\n", shown.c_str(), g.port(),
              (*config)->source.c_str());
  std::fflush(stdout);
  spdlog::info("serving {} deployments and {} routes on {}://{}:{}", (*config)->deployments.size(),
               (*config)->routes.size(), scheme, shown, g.port());

  asio::io_context control;
  ConfigWatcher watcher(control, options, g, *policies);
  watcher.start();
  asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal =
      [&](boost::system::error_code ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          watcher.reload("sighup");
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("received {}, draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
        watcher.stop();
        control.stop();
      };
  signals.async_wait(on_signal);
  control.run();

  (*engine)->stop();  // running steps finish; unfinished runs resume at the next start
  policies->stop();
  policies->attach(nullptr);  // waits for an admin change being applied; later ones get 503
  const size_t cut = g.drain();
  auth->stop();
  if (cut > 0) spdlog::warn("drain deadline reached; {} connections were cut", cut);
  spdlog::info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace sy::cli
