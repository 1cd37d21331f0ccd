// `switchyard audit search`: finds audit records through the store's index.
#include <fmt/format.h>

#include <memory>

#include "cli/audit_cmd.h"
#include "cli/config_source.h"
#include "core/json_writer.h"
#include "core/time_spec.h"
#include "store/rows_json.h"

namespace sy::cli {
namespace {

struct SearchOptions {
  std::string config;
  std::string since = "24h";
  std::string until = "now";
  std::string request_id, principal, kind, model, deployment, log_id;
  int status = 0;
  uint32_t limit = 100;
  bool json = false;
};

int run_search(const SearchOptions& o) {
  auto fail_with = [](const Error& e) {
    fmt::print(stderr, "switchyard audit search: {}\n", e.message);
    return 1;
  };
  store::AuditQuery q;
  auto range = parse_time_range(o.since, o.until, unix_now_ms());
  if (!range) return fail_with(range.error());
  q.since_ms = range->since_ms;
  q.until_ms = range->until_ms;
  q.limit = o.limit;
  if (!o.request_id.empty()) q.request_id = o.request_id;
  if (!o.principal.empty()) q.principal = o.principal;
  if (!o.kind.empty()) q.kind = o.kind;
  if (!o.model.empty()) q.model = o.model;
  if (!o.deployment.empty()) q.deployment = o.deployment;
  if (!o.log_id.empty()) q.log_id = o.log_id;
  if (o.status != 0) q.status = o.status;
  auto db = open_cli_store(o.config);
  if (!db) return fail_with(db.error());
  auto rows = (*db)->audit_search(q);
  if (!rows) return fail_with(rows.error());
  if (o.json) {
    std::string out;
    for (const auto& r : *rows) {
      json::Writer w(out);
      store::write_audit_row(w, r);
      out += '\n';
    }
    fmt::print("{}", out);
    return 0;
  }
  fmt::print("{:>8} {:<24} {:<7} {:<26} {:<20} {:<14} {:<12} {:>6} {:>10}\n", "seq", "time",
             "kind", "request_id", "action", "model", "deployment", "status", "cost_usd");
  for (const auto& r : *rows) {
    fmt::print("{:>8} {:<24} {:<7} {:<26} {:<20} {:<14} {:<12} {:>6} {:>10.6f}\n", r.seq,
               format_rfc3339_ms(r.ts_ms), r.kind, r.request_id, r.action, r.model,
               r.deployment.empty() ? "-" : r.deployment, r.status, r.cost_usd);
  }
  return 0;
}

}  // namespace

void add_audit_search_command(CLI::App& audit) {
  auto o = std::make_shared<SearchOptions>();
  auto* cmd = audit.add_subcommand("search", "Find audit records through the store's index");
  cmd->add_option("-c,--config", o->config, "config file naming the store (default: embedded demo)");
  cmd->add_option("--since", o->since, "start: 24h, 7d, 2026-11-01, …")->capture_default_str();
  cmd->add_option("--until", o->until, "end (exclusive)")->capture_default_str();
  cmd->add_option("--request-id", o->request_id, "this request id only");
  cmd->add_option("--principal", o->principal, "this principal only");
  cmd->add_option("--kind", o->kind, "request or admin")
      ->check(CLI::IsMember({"request", "admin"}));
  cmd->add_option("--model", o->model, "this requested model or route only");
  cmd->add_option("--deployment", o->deployment, "this deployment only");
  cmd->add_option("--status", o->status, "this HTTP status only");
  cmd->add_option("--log-id", o->log_id, "this replica's log only");
  cmd->add_option("--limit", o->limit, "at most this many, newest first")->capture_default_str();
  cmd->add_flag("--json", o->json, "print JSON lines instead of a table");
  cmd->callback([o] {
    if (int rc = run_search(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
