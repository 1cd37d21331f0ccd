#include "cli/identity_cmd.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "cli/config_source.h"
#include "core/config_auth.h"
#include "core/time_spec.h"
#include "governance/api_key.h"

namespace sy::cli {
namespace {

struct IdentityOptions {
  std::string config;
  std::string name, description, team, project, expires_in, id;
  std::vector<std::string> roles{"developer"}, models, routes, regions, tags;
  bool json = false;
};

int failed(const char* what, const Error& e) {
  fmt::print(stderr, "switchyard {}: {}\n", what, e.message);
  return 1;
}

std::string joined(const std::vector<std::string>& v) {
  return v.empty() ? "-" : fmt::format("{}", fmt::join(v, ","));
}

std::string when(int64_t ms) { return ms == 0 ? "-" : format_rfc3339_ms(ms); }

int teams_create(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("teams create", db.error());
  if (auto r = (*db)->create_team({o.name, o.description, unix_now_ms(), o.regions}); !r) {
    return failed("teams create", r.error());
  }
  fmt::print("created team {}\n", o.name);
  return 0;
}

int teams_set_regions(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("teams set-regions", db.error());
  auto found = (*db)->set_team_regions(o.name, o.regions);
  if (!found) return failed("teams set-regions", found.error());
  if (!*found) {
    return failed("teams set-regions", Error::make(ErrorKind::NotFound, "no team \"" + o.name + "\""));
  }
  fmt::print("team {} may reach regions: {}\n", o.name, o.regions.empty() ? "any" : joined(o.regions));
  return 0;
}

int teams_list(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("teams list", db.error());
  auto rows = (*db)->teams();
  if (!rows) return failed("teams list", rows.error());
  fmt::print("{:<24} {:<26} {:<20} {}\n", "team", "created", "regions", "description");
  for (const auto& t : *rows) {
    fmt::print("{:<24} {:<26} {:<20} {}\n", t.name, when(t.created_ms), joined(t.regions),
               t.description);
  }
  return 0;
}

int projects_create(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("projects create", db.error());
  if (auto r = (*db)->create_project({o.team, o.name, o.description, unix_now_ms()}); !r) {
    return failed("projects create", r.error());
  }
  fmt::print("created project {} in team {}\n", o.name, o.team);
  return 0;
}

int projects_list(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("projects list", db.error());
  auto rows = (*db)->projects(o.team.empty() ? std::nullopt : std::optional(o.team));
  if (!rows) return failed("projects list", rows.error());
  fmt::print("{:<24} {:<24} {:<26} {}\n", "team", "project", "created", "description");
  for (const auto& p : *rows) {
    fmt::print("{:<24} {:<24} {:<26} {}\n", p.team, p.name, when(p.created_ms), p.description);
  }
  return 0;
}

int keys_create(const IdentityOptions& o) {
  for (const auto& r : o.roles) {
    if (!known_role_name(r)) {
      return failed("keys create", Error::make(ErrorKind::InvalidRequest,
                                               "unknown role \"" + r +
                                                   "\" (org-admin, team-admin, developer or auditor)"));
    }
  }
  store::ApiKeyRow row;
  const int64_t now = unix_now_ms();
  if (!o.expires_in.empty()) {
    auto d = parse_duration_ms(o.expires_in);
    if (!d || *d <= 0) {
      return failed("keys create", Error::make(ErrorKind::InvalidRequest,
                                               "--expires-in: expected a duration such as 30d"));
    }
    row.expires_ms = now + *d;
  }
  const governance::NewKeySecret secret = governance::generate_key();
  row.id = secret.id;
  row.hash_hex = secret.hash_hex;
  row.prefix = secret.prefix;
  row.name = o.name;
  row.team = o.team;
  row.project = o.project;
  row.roles = o.roles;
  row.models = o.models;
  row.routes = o.routes;
  row.regions = o.regions;
  row.tags = o.tags;
  row.created_ms = now;
  row.created_by = "cli";
  auto db = open_cli_store(o.config);
  if (!db) return failed("keys create", db.error());
  if (auto r = (*db)->create_key(row); !r) return failed("keys create", r.error());
  if (o.json) {
    fmt::print("{{\"id\":\"{}\",\"key\":\"{}\"}}\n", row.id, secret.secret);
  } else {
    fmt::print("created key {} for team {}\n", row.id, row.team);
    fmt::print("secret (shown once, store it now): {}\n", secret.secret);
  }
  return 0;
}

int keys_list(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("keys list", db.error());
  auto rows = (*db)->keys(o.team.empty() ? std::nullopt : std::optional(o.team));
  if (!rows) return failed("keys list", rows.error());
  const int64_t now = unix_now_ms();
  fmt::print("{:<21} {:<11} {:<16} {:<12} {:<8} {:<22} {}\n", "id", "prefix", "team", "project",
             "status", "roles", "expires");
  for (const auto& k : *rows) {
    const char* status = k.revoked_ms != 0                            ? "revoked"
                         : k.expires_ms != 0 && now >= k.expires_ms ? "expired"
                                                                      : "active";
    fmt::print("{:<21} {:<11} {:<16} {:<12} {:<8} {:<22} {}\n", k.id, k.prefix, k.team,
               k.project.empty() ? "-" : k.project, status, joined(k.roles), when(k.expires_ms));
  }
  return 0;
}

int keys_revoke(const IdentityOptions& o) {
  auto db = open_cli_store(o.config);
  if (!db) return failed("keys revoke", db.error());
  auto r = (*db)->revoke_key(o.id, unix_now_ms());
  if (!r) return failed("keys revoke", r.error());
  if (!*r) return failed("keys revoke", Error::make(ErrorKind::NotFound, "no such key: " + o.id));
  fmt::print("revoked key {}\n", o.id);
  return 0;
}

CLI::App* leaf(CLI::App* parent, const char* name, const char* help,
               const std::shared_ptr<IdentityOptions>& o, int (*run)(const IdentityOptions&)) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("-c,--config", o->config, "config file naming the store (default: embedded demo)");
  cmd->callback([o, run] {
    if (int rc = run(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
  return cmd;
}

}  // namespace

void add_identity_commands(CLI::App& app) {
  auto o = std::make_shared<IdentityOptions>();

  auto* teams = app.add_subcommand("teams", "Teams of the organisation");
  teams->require_subcommand(1);
  auto* tc = leaf(teams, "create", "Create a team", o, teams_create);
  tc->add_option("name", o->name, "team name")->required();
  tc->add_option("--description", o->description, "free text");
  tc->add_option("--region", o->regions, "region its members may reach; repeatable (default: any)");
  auto* tr = leaf(teams, "set-regions", "Replace the regions a team may reach", o,
                  teams_set_regions);
  tr->add_option("name", o->name, "team name")->required();
  tr->add_option("--region", o->regions, "allowed region; repeatable; none = any");
  leaf(teams, "list", "List teams", o, teams_list);

  auto* projects = app.add_subcommand("projects", "Projects of a team");
  projects->require_subcommand(1);
  auto* pc = leaf(projects, "create", "Create a project", o, projects_create);
  pc->add_option("name", o->name, "project name")->required();
  pc->add_option("--team", o->team, "the team it belongs to")->required();
  pc->add_option("--description", o->description, "free text");
  auto* pl = leaf(projects, "list", "List projects", o, projects_list);
  pl->add_option("--team", o->team, "only this team's");

  auto* keys = app.add_subcommand("keys", "Virtual API keys");
  keys->require_subcommand(1);
  auto* kc = leaf(keys, "create", "Create a key and print its secret once", o, keys_create);
  kc->add_option("--team", o->team, "the team it belongs to")->required();
  kc->add_option("--project", o->project, "a project of that team");
  kc->add_option("--name", o->name, "a label");
  kc->add_option("--role", o->roles, "org-admin, team-admin, developer (default) or auditor; repeatable");
  kc->add_option("--model", o->models, "allowed deployment; repeatable (default: any)");
  kc->add_option("--route", o->routes, "allowed route; repeatable (default: any)");
  kc->add_option("--region", o->regions, "allowed region; repeatable (default: any)");
  kc->add_option("--tag", o->tags, "tag, key=value or plain; repeatable");
  kc->add_option("--expires-in", o->expires_in, "lifetime such as 90d (default: never expires)");
  kc->add_flag("--json", o->json, "print {\"id\":…,\"key\":…}");
  auto* kl = leaf(keys, "list", "List keys (never their secrets)", o, keys_list);
  kl->add_option("--team", o->team, "only this team's");
  auto* kr = leaf(keys, "revoke", "Revoke a key", o, keys_revoke);
  kr->add_option("id", o->id, "the key id (key_…)")->required();
}

}  // namespace sy::cli
