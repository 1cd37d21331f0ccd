#include "cli/runs_cmd.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/gateway_client.h"

namespace sy::cli {
namespace {

using nlohmann::json;

struct RunsOptions {
  std::string run_id;
  std::string gateway_url;
  std::string key;
  std::string comment;
  std::string step;    // approve/reject: the approval step (default: the one waiting)
  std::string status;  // list: only runs with this status
  int limit = 20;
  bool json = false;
};

constexpr int kRefused = 1;
constexpr int kUsage = 2;

// A failed call: the gateway's refusal exits 1, no answer at all 2.
int report(const std::string& what, const ApiReply& r) {
  std::fprintf(stderr, "switchyard: %s: %s\n", what.c_str(), r.problem().c_str());
  return r.status == 0 ? kUsage : kRefused;
}

std::string when(int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void print_run(const json& run) {
  std::printf("%s  %s  %s\n", run.value("id", "").c_str(), run.value("workflow", "").c_str(),
              run.value("status", "").c_str());
  std::printf("  created %s by %s", when(run.value("created_at", int64_t{0})).c_str(),
              run["principal"].value("id", "").c_str());
  if (run.value("finished_at", int64_t{0}) > 0) {
    std::printf(", ended %s", when(run.value("finished_at", int64_t{0})).c_str());
  }
  std::printf("\n");
  if (run.contains("error")) std::printf("  error: %s\n", run.value("error", "").c_str());
  for (const json& s : run.value("steps", json::array())) {
    std::string name = s.value("step", "");
    if (s.contains("item")) name += "[" + std::to_string(s.value("item", 0)) + "]";
    std::string line = "  " + name + ": " + s.value("status", "");
    if (s.value("status", "") == "waiting" && s["output"].is_object()) {
      line += " — " + s["output"].value("message", "");
    }
    if (s.contains("error")) line += " — " + s.value("error", "");
    std::printf("%s\n", line.c_str());
  }
  if (!run["output"].is_null()) std::printf("output:\n%s\n", run["output"].dump(2).c_str());
}

int show(const GatewayClient& client, const RunsOptions& o) {
  const ApiReply r = client.get("/v1/runs/" + o.run_id);
  if (r.status != 200 || !r.json.is_object()) return report("run " + o.run_id, r);
  if (o.json) {
    std::printf("%s\n", r.json.dump(2).c_str());
  } else {
    print_run(r.json);
  }
  return 0;
}

int list(const GatewayClient& client, const RunsOptions& o) {
  std::string path = "/v1/runs?limit=" + std::to_string(o.limit);
  if (!o.status.empty()) path += "&status=" + o.status;
  const ApiReply r = client.get(path);
  if (r.status != 200 || !r.json.is_object()) return report("runs", r);
  if (o.json) {
    std::printf("%s\n", r.json.dump(2).c_str());
    return 0;
  }
  for (const json& run : r.json.value("data", json::array())) {
    std::printf("%-30s %-22s %-17s %s\n", run.value("id", "").c_str(),
                run.value("workflow", "").c_str(), run.value("status", "").c_str(),
                when(run.value("created_at", int64_t{0})).c_str());
  }
  return 0;
}

int decide(const GatewayClient& client, const RunsOptions& o, bool approve) {
  std::string step = o.step;
  if (step.empty()) {  // the approval the run waits on
    const ApiReply r = client.get("/v1/runs/" + o.run_id);
    if (r.status != 200 || !r.json.is_object()) return report("run " + o.run_id, r);
    for (const json& s : r.json.value("steps", json::array())) {
      if (s.value("status", "") == "waiting" && !s.contains("item")) step = s.value("step", "");
    }
    if (step.empty()) {
      std::fprintf(stderr, "switchyard: run %s is %s, not waiting for an approval\n",
                   o.run_id.c_str(), r.json.value("status", "").c_str());
      return kRefused;
    }
  }
  const json body = {
      {"step", step}, {"decision", approve ? "approve" : "reject"}, {"comment", o.comment}};
  const ApiReply r = client.post("/v1/runs/" + o.run_id + "/approvals", body.dump());
  if (r.status != 200 || !r.json.is_object()) {
    return report(std::string(approve ? "approve" : "reject") + " run " + o.run_id, r);
  }
  if (o.json) {
    std::printf("%s\n", r.json.dump(2).c_str());
  } else {
    std::printf("run %s: step %s %s\n", o.run_id.c_str(), step.c_str(),
                approve ? "approved" : "rejected");
  }
  return 0;
}

int cancel(const GatewayClient& client, const RunsOptions& o) {
  const json body = {{"comment", o.comment}};
  const ApiReply r = client.post("/v1/runs/" + o.run_id + "/cancel", body.dump());
  if (r.status != 200 || !r.json.is_object()) return report("cancel run " + o.run_id, r);
  if (o.json) {
    std::printf("%s\n", r.json.dump(2).c_str());
  } else {
    std::printf("run %s cancelled\n", o.run_id.c_str());
  }
  return 0;
}

std::string default_gateway() {
  const char* env = std::getenv("SWITCHYARD_GATEWAY_URL");
  return env != nullptr && *env != '\0' ? env : "http://127.0.0.1:8080";
}

}  // namespace

void add_runs_command(CLI::App& app) {
  auto o = std::make_shared<RunsOptions>();
  auto* runs = app.add_subcommand(
      "runs", "Show, list, approve, reject or cancel the workflow runs of a running gateway");
  runs->require_subcommand(1);
  auto common = [o](CLI::App* cmd) {
    cmd->add_option("-g,--gateway", o->gateway_url,
                    "the gateway's URL (default $SWITCHYARD_GATEWAY_URL, else "
                    "http://127.0.0.1:8080)");
    cmd->add_option("-k,--key", o->key, "API key (default: $SWITCHYARD_API_KEY)");
    cmd->add_flag("--json", o->json, "print the API's JSON answer");
  };
  auto client = [o] {
    return GatewayClient(o->gateway_url.empty() ? default_gateway() : o->gateway_url, o->key);
  };
  auto exit_with = [](int rc) {
    if (rc != 0) throw CLI::RuntimeError(rc);
  };

  auto* show_cmd = runs->add_subcommand("show", "A run, its steps and its output");
  show_cmd->add_option("run", o->run_id, "the run's id")->required();
  common(show_cmd);
  show_cmd->callback([=] { exit_with(show(client(), *o)); });

  auto* list_cmd = runs->add_subcommand("list", "The runs this key may see, newest first");
  list_cmd->add_option("--status", o->status,
                       "only runs with this status (pending, running, waiting_approval, "
                       "succeeded, failed, cancelled)");
  list_cmd->add_option("-n,--limit", o->limit, "at most this many runs (default 20)")
      ->check(CLI::Range(1, 1000));
  common(list_cmd);
  list_cmd->callback([=] { exit_with(list(client(), *o)); });

  for (const bool approve : {true, false}) {
    auto* cmd = runs->add_subcommand(approve ? "approve" : "reject",
                                     approve ? "Approve the approval step a run waits on"
                                             : "Reject the approval step a run waits on");
    cmd->add_option("run", o->run_id, "the run's id")->required();
    cmd->add_option("--step", o->step, "the approval step (default: the one the run waits on)");
    cmd->add_option("-m,--comment", o->comment, "a comment recorded with the decision");
    common(cmd);
    cmd->callback([=] { exit_with(decide(client(), *o, approve)); });
  }

  auto* cancel_cmd = runs->add_subcommand("cancel", "Cancel a run that has not ended");
  cancel_cmd->add_option("run", o->run_id, "the run's id")->required();
  cancel_cmd->add_option("-m,--comment", o->comment, "why (recorded in the run's error)");
  common(cancel_cmd);
  cancel_cmd->callback([=] { exit_with(cancel(client(), *o)); });
}

}  // namespace sy::cli
