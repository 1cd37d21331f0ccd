#include "cli/spend_cmd.h"

#include <fmt/format.h>

#include <memory>

#include "cli/config_source.h"
#include "core/json_writer.h"
#include "core/time_spec.h"
#include "store/rows_json.h"

namespace sy::cli {
namespace {

struct SpendOptions {
  std::string config;
  std::string by = "team";
  std::string since = "7d";
  std::string until = "now";
  std::string team, project, key, model, deployment;
  bool json = false;
};

int run(const SpendOptions& o) {
  auto fail_with = [](const Error& e) {
    fmt::print(stderr, "switchyard spend: {}\n", e.message);
    return 1;
  };
  store::SpendQuery q;
  auto by = store::parse_spend_dimension(o.by);
  if (!by) return fail_with(by.error());
  q.by = *by;
  auto range = parse_time_range(o.since, o.until, unix_now_ms());
  if (!range) return fail_with(range.error());
  q.since_ms = range->since_ms;
  q.until_ms = range->until_ms;
  if (!o.team.empty()) q.team = o.team;
  if (!o.project.empty()) q.project = o.project;
  if (!o.key.empty()) q.key_id = o.key;
  if (!o.model.empty()) q.model = o.model;
  if (!o.deployment.empty()) q.deployment = o.deployment;
  auto db = open_cli_store(o.config);
  if (!db) return fail_with(db.error());
  auto rows = (*db)->spend(q);
  if (!rows) return fail_with(rows.error());

  if (o.json) {
    std::string out;
    json::Writer w(out);
    store::write_spend_rows(w, q.by, *rows);
    fmt::print("{}\n", out);
    return 0;
  }
  fmt::print("{:<28} {:>10} {:>14} {:>14} {:>14}\n", o.by, "requests", "input_tokens",
             "output_tokens", "cost_usd");
  for (const auto& r : *rows) {
    fmt::print("{:<28} {:>10} {:>14} {:>14} {:>14.6f}\n", r.group.empty() ? "(none)" : r.group,
               r.requests, r.input_tokens, r.output_tokens, r.cost_usd);
  }
  const store::SpendTotal total = store::sum_of(*rows);
  fmt::print("{:<28} {:>10} {:>14} {:>14} {:>14.6f}\n", "total", total.requests,
             total.input_tokens, total.output_tokens, total.cost_usd);
  return 0;
}

}  // namespace

void add_spend_command(CLI::App& app) {
  auto o = std::make_shared<SpendOptions>();
  auto* cmd = app.add_subcommand("spend", "Spend totals from the ledger");
  cmd->add_option("-c,--config", o->config, "config file naming the store (default: embedded demo)");
  cmd->add_option("--by", o->by, "group by team, project, key, model, deployment or day")
      ->capture_default_str();
  cmd->add_option("--since", o->since, "start: 7d, 24h, 2026-11-01, 2026-11-01T08:00:00Z")
      ->capture_default_str();
  cmd->add_option("--until", o->until, "end (exclusive), same forms")->capture_default_str();
  cmd->add_option("--team", o->team, "only this team");
  cmd->add_option("--project", o->project, "only this project");
  cmd->add_option("--key", o->key, "only this key id");
  cmd->add_option("--model", o->model, "only this requested model or route");
  cmd->add_option("--deployment", o->deployment, "only this deployment");
  cmd->add_flag("--json", o->json, "print JSON instead of a table");
  cmd->callback([o] {
    if (int rc = run(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
