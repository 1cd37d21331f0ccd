#include "cli/run_cmd.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/config_source.h"
#include "cli/gateway_client.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "workflow/engine.h"
#include "workflow/gateway_ports.h"
#include "workflow/run_record.h"
#include "workflow/runs_api.h"
#include "workflow/spec.h"

namespace sy::cli {
namespace {

using nlohmann::json;

struct RunOptions {
  std::string file;
  std::string input = "{}";
  std::string gateway_url;
  std::string config_path;
  std::string key;
  std::string log_level = "warn";
  bool detach = false;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::InvalidRequest, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "--input @file.json" reads the input from a file.
Result<std::string> input_text(const std::string& input) {
  if (input.starts_with("@")) return read_file(input.substr(1));
  return input;
}

// One progress line per event, on stderr.
void print_event(const std::string& event) {
  const json e = json::parse(event, nullptr, false);
  if (e.is_discarded()) return;
  const std::string type = e.value("type", "");
  std::string what = e.contains("step") ? "step " + e.value("step", "") : "run";
  if (e.contains("item")) what += "[" + std::to_string(e.value("item", 0)) + "]";
  std::string line = what + ": " + type.substr(type.find('.') + 1);
  if (e.contains("error")) line += " — " + e.value("error", "");
  if (type == "step.waiting" && e.contains("output")) {
    line += " — " + e["output"].value("message", "");
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Ctrl-C: the run is cancelled, then the command exits 130. A second Ctrl-C kills the
// process at once (the handler restores the default).
std::atomic<bool> g_interrupted{false};

void on_interrupt(int /*signal*/) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);
}

bool interrupted() { return g_interrupted.load(); }

constexpr int kInterruptedExit = 130;
constexpr const char* kInterruptComment = "interrupted (Ctrl-C)";

int finish(const json& run) {
  std::printf("%s\n", run.contains("output") ? run["output"].dump(2).c_str() : "null");
  const std::string status = run.value("status", "");
  if (status == "succeeded") return 0;
  if (status == "waiting_approval") return 3;
  std::fprintf(stderr, "run %s %s: %s\n", run.value("id", "").c_str(), status.c_str(),
               run.value("error", "").c_str());
  return 1;
}

int run_in_process(const RunOptions& o, const std::string& spec, const std::string& input) {
  auto config = load_cli_config(o.config_path);
  if (!config) {
    std::fprintf(stderr, "switchyard: %s\n", config.error().message.c_str());
    return 2;
  }
  auto gateway = gateway::Gateway::start(*config, "127.0.0.1:0");
  if (!gateway) {
    std::fprintf(stderr, "switchyard: %s\n", gateway.error().message.c_str());
    return 2;
  }
  auto engine = workflow::Engine::start({.store_url = (*config)->storage.url,
                                         .settings = (*config)->workflows,
                                         .owner = "cli-" + std::to_string(getpid()),
                                         .resume = false},
                                        std::make_shared<workflow::GatewayPorts>(**gateway, (*config)->workflows.mcp_servers));
  if (!engine) {
    std::fprintf(stderr, "switchyard: %s\n", engine.error().message.c_str());
    return 2;
  }
  governance::Principal operator_principal;
  operator_principal.kind = governance::PrincipalKind::Admin;
  operator_principal.id = "cli";
  operator_principal.roles = {governance::Role::OrgAdmin};
  auto run = (*engine)->submit(spec, o.file, input, operator_principal);
  if (!run) {
    std::fprintf(stderr, "switchyard: %s\n", run.error().message.c_str());
    return 2;
  }
  std::fprintf(stderr, "run %s (%s) started\n", run->id.c_str(), run->workflow.c_str());
  int64_t after = 0;
  for (;;) {
    if (interrupted()) {
      auto cancelled = (*engine)->cancel(run->id, kInterruptComment, operator_principal);
      if (cancelled) {
        std::fprintf(stderr, "run %s cancelled\n", run->id.c_str());
      } else {
        std::fprintf(stderr, "switchyard: cannot cancel run %s: %s\n", run->id.c_str(),
                     cancelled.error().message.c_str());
      }
      (*engine)->stop();
      return kInterruptedExit;
    }
    const bool idle = (*engine)->wait_idle(std::chrono::milliseconds(100));
    auto events = (*engine)->events(run->id, after);
    if (events) {
      for (const auto& e : *events) {
        print_event(e.json);
        after = e.seq;
      }
    }
    if (idle) {
      auto view = (*engine)->view(run->id);
      if (!view) {
        std::fprintf(stderr, "switchyard: %s\n", view.error().message.c_str());
        return 2;
      }
      if (workflow::run_finished(view->run.status) || view->run.status == "waiting_approval") {
        (*engine)->stop();
        return finish(json::parse(workflow::run_json(*view)));
      }
    }
  }
}

int run_remote(const RunOptions& o, const std::string& spec, const std::string& input) {
  auto parsed = workflow::parse_workflow(spec, o.file);
  if (!parsed) {
    std::fprintf(stderr, "switchyard: %s\n", parsed.error().message.c_str());
    return 2;
  }
  const GatewayClient client(o.gateway_url, o.key);
  const std::string submit = "/v1/workflows/" + parsed->name + "/runs";
  const ApiReply created = client.post(
      submit, json{{"input", json::parse(input, nullptr, false)}, {"workflow", spec}}.dump());
  if (created.status != 201 || !created.json.is_object()) {
    std::fprintf(stderr, "switchyard: POST %s%s: %s\n", client.base().c_str(), submit.c_str(),
                 created.problem().c_str());
    return 2;
  }
  const std::string id = created.json.value("id", "");
  std::fprintf(stderr, "run %s (%s) started on %s\n", id.c_str(), parsed->name.c_str(),
               client.base().c_str());
  if (o.detach) {
    std::printf("%s\n", id.c_str());
    return 0;
  }
  // Progress: the run's step records, polled; each change printed once.
  std::map<std::string, std::string> seen;
  const std::string path = "/v1/runs/" + id;
  for (;;) {
    if (interrupted()) {
      const ApiReply r = client.post(path + "/cancel", json{{"comment", kInterruptComment}}.dump());
      if (r.status == 200) {
        std::fprintf(stderr, "run %s cancelled\n", id.c_str());
      } else {
        std::fprintf(stderr, "switchyard: cannot cancel run %s: %s\n", id.c_str(),
                     r.problem().c_str());
      }
      return kInterruptedExit;
    }
    const ApiReply r = client.get(path);
    if (r.status != 200 || !r.json.is_object()) {
      std::fprintf(stderr, "switchyard: GET %s%s: %s\n", client.base().c_str(), path.c_str(),
                   r.problem().c_str());
      return 2;
    }
    const json& view = r.json;
    for (const json& s : view.value("steps", json::array())) {
      std::string name = "step " + s.value("step", "");
      if (s.contains("item")) name += "[" + std::to_string(s.value("item", 0)) + "]";
      const std::string status = s.value("status", "");
      if (seen[name] == status) continue;
      seen[name] = status;
      std::string line = name + ": " + status;
      if (s.contains("error")) line += " — " + s.value("error", "");
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    const std::string status = view.value("status", "");
    if (workflow::run_finished(status)) return finish(view);
    if (status == "waiting_approval" && seen["run"] != status) {
      seen["run"] = status;
      std::fprintf(stderr, "run: waiting for an approval (switchyard runs approve %s)\n",
                   id.c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int run(const RunOptions& o) {
  init_logging(o.log_level);
  auto spec = read_file(o.file);
  if (!spec) {
    std::fprintf(stderr, "switchyard: %s\n", spec.error().message.c_str());
    return 2;
  }
  auto input = input_text(o.input);
  if (!input) {
    std::fprintf(stderr, "switchyard: %s\n", input.error().message.c_str());
    return 2;
  }
  if (json::parse(*input, nullptr, false).is_discarded()) {
    std::fprintf(stderr, "switchyard: --input is not JSON\n");
    return 2;
  }
  std::signal(SIGINT, on_interrupt);
  if (o.detach && o.gateway_url.empty()) {
    std::fprintf(stderr, "switchyard: --detach needs --gateway\n");
    return 2;
  }
  return o.gateway_url.empty() ? run_in_process(o, *spec, *input) : run_remote(o, *spec, *input);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run a workflow file (docs/workflows.md)");
  cmd->add_option("file", o->file, "the workflow YAML file")->required();
  cmd->add_option("-i,--input", o->input, "the run's input: a JSON object, or @FILE");
  cmd->add_option("-g,--gateway", o->gateway_url,
                  "submit to a running gateway at this URL instead of running in process");
  cmd->add_option("-c,--config", o->config_path,
                  "config file for an in-process run (default: the embedded demo config)");
  cmd->add_option("-k,--key", o->key, "API key for --gateway (default: $SWITCHYARD_API_KEY)");
  cmd->add_flag("-d,--detach", o->detach,
                "with --gateway: print the run's id and exit once it is submitted");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error or off");
  cmd->callback([o] {
    if (int rc = run(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
