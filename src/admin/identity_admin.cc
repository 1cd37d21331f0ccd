#include "admin/identity_admin.h"

#include <nlohmann/json.hpp>

#include "core/json_writer.h"
#include "core/time_spec.h"
#include "governance/api_key.h"
#include "governance/rbac.h"

namespace sy::admin {
namespace {

using governance::Action;
using governance::Principal;
using governance::Role;
using Json = nlohmann::json;

constexpr std::string_view kKeysPath = "/admin/v1/keys/";
constexpr std::string_view kTeamsPath = "/admin/v1/teams/";

Reply denied_or(const Principal& who, Action a, std::string_view team, bool& ok) {
  auto r = governance::authorize(who, a, team);
  ok = r.has_value();
  return ok ? Reply{} : error_reply(r.error());
}

Result<Json> parse_body(const std::string& body) {
  Json doc = Json::parse(body, nullptr, false);
  if (!doc.is_object()) return fail(ErrorKind::InvalidRequest, "the body must be a JSON object");
  return doc;
}

// A string member ("" when absent); an error when present with another type.
Result<std::string> text(const Json& doc, const char* name) {
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return std::string();
  if (!it->is_string()) return fail(ErrorKind::InvalidRequest, std::string(name) + " must be a string", name);
  return it->get<std::string>();
}

Result<std::vector<std::string>> list(const Json& doc, const char* name) {
  std::vector<std::string> out;
  auto it = doc.find(name);
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(ErrorKind::InvalidRequest, std::string(name) + " must be a list of strings", name);
  for (const Json& v : *it) {
    if (!v.is_string()) return fail(ErrorKind::InvalidRequest, std::string(name) + " must be a list of strings", name);
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<void> only_members(const Json& doc, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : doc.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return fail(ErrorKind::InvalidRequest, "unknown field \"" + k + "\"", k);
    }
  }
  return {};
}

void write_list(json::Writer& w, std::string_view k, const std::vector<std::string>& items) {
  w.key(k).begin_array();
  for (const auto& i : items) w.value(i);
  w.end_array();
}

void write_key(json::Writer& w, const store::ApiKeyRow& k, int64_t now_ms) {
  w.begin_object();
  w.field("id", k.id);
  w.field("prefix", k.prefix);
  w.field("name", k.name);
  w.field("team", k.team);
  w.field("project", k.project);
  write_list(w, "roles", k.roles);
  write_list(w, "models", k.models);
  write_list(w, "routes", k.routes);
  write_list(w, "regions", k.regions);
  write_list(w, "tags", k.tags);
  w.field("created_at", format_rfc3339_ms(k.created_ms));
  w.key("expires_at");
  if (k.expires_ms != 0) w.value(format_rfc3339_ms(k.expires_ms)); else w.null();
  w.key("revoked_at");
  if (k.revoked_ms != 0) w.value(format_rfc3339_ms(k.revoked_ms)); else w.null();
  const char* status = k.revoked_ms != 0                           ? "revoked"
                       : k.expires_ms != 0 && now_ms >= k.expires_ms ? "expired"
                                                                     : "active";
  w.field("status", status);
  w.field("created_by", k.created_by);
  w.end_object();
}

// Which team a listing is about: the ?team= parameter, or a team-admin's own team.
std::optional<std::string> listing_team(const Principal& who, const RequestTarget& t) {
  if (auto it = t.params.find("team"); it != t.params.end() && !it->second.empty()) return it->second;
  if (!who.has_role(Role::OrgAdmin) && who.has_role(Role::TeamAdmin)) return who.team;
  return std::nullopt;
}

void refresh(governance::Authenticator* auth, store::Store& db) {
  if (auth != nullptr) (void)auth->keys().reload(db);  // the poller retries on failure
}

void write_team(json::Writer& w, const store::TeamRow& t) {
  w.begin_object().field("name", t.name).field("description", t.description);
  write_list(w, "regions", t.regions);
  w.field("created_at", format_rfc3339_ms(t.created_ms)).end_object();
}

Reply teams(store::Store& db, const Principal& who, const IdentityCall& c,
            governance::Authenticator* auth) {
  bool ok = false;
  if (c.method == "GET") {
    Reply r = denied_or(who, Action::ReadIdentity, "", ok);
    if (!ok) return r;
    auto rows = db.teams();
    if (!rows) return error_reply(rows.error());
    json::Writer w(r.body);
    w.begin_object().key("teams").begin_array();
    for (const auto& t : *rows) write_team(w, t);
    w.end_array().end_object();
    return r;
  }
  Reply r = denied_or(who, Action::ManageTeams, "", ok);
  if (!ok) return r;
  auto doc = parse_body(c.body);
  if (!doc) return error_reply(doc.error());
  if (auto v = only_members(*doc, {"name", "description", "regions"}); !v) return error_reply(v.error());
  auto name = text(*doc, "name");
  auto description = text(*doc, "description");
  if (!name || !description) return error_reply((!name ? name : description).error());
  auto regions = list(*doc, "regions");
  if (!regions) return error_reply(regions.error());
  store::TeamRow team{*name, *description, unix_now_ms(), std::move(*regions)};
  if (auto created = db.create_team(team); !created) return error_reply(created.error());
  refresh(auth, db);
  r.status = 201;
  json::Writer w(r.body);
  write_team(w, team);
  return r;
}

// PUT /admin/v1/teams/{name}/regions {"regions": [...]}: replaces the team's allowed
// regions ([] = any). Org-admins only: a team-admin cannot widen its own team's reach.
Reply team_regions(store::Store& db, const Principal& who, const IdentityCall& c,
                   std::string_view team, governance::Authenticator* auth) {
  bool ok = false;
  Reply r = denied_or(who, Action::ManageTeams, "", ok);
  if (!ok) return r;
  auto doc = parse_body(c.body);
  if (!doc) return error_reply(doc.error());
  if (auto v = only_members(*doc, {"regions"}); !v) return error_reply(v.error());
  if (!doc->contains("regions")) {
    return error_reply(Error::make(ErrorKind::InvalidRequest, "\"regions\" is required", "regions"));
  }
  auto regions = list(*doc, "regions");
  if (!regions) return error_reply(regions.error());
  auto found = db.set_team_regions(team, *regions);
  if (!found) return error_reply(found.error());
  if (!*found) {
    return error_reply(Error::make(ErrorKind::NotFound, "no team \"" + std::string(team) + "\"", "team"));
  }
  refresh(auth, db);
  auto rows = db.teams();
  if (!rows) return error_reply(rows.error());
  for (const auto& t : *rows) {
    if (t.name != team) continue;
    json::Writer w(r.body);
    write_team(w, t);
  }
  return r;
}

Reply projects(store::Store& db, const Principal& who, const IdentityCall& c) {
  bool ok = false;
  if (c.method == "GET") {
    const auto team = listing_team(who, c.target);
    Reply r = denied_or(who, Action::ReadIdentity, team.value_or(""), ok);
    if (!ok) return r;
    auto rows = db.projects(team);
    if (!rows) return error_reply(rows.error());
    json::Writer w(r.body);
    w.begin_object().key("projects").begin_array();
    for (const auto& p : *rows) {
      w.begin_object().field("team", p.team).field("name", p.name);
      w.field("description", p.description).field("created_at", format_rfc3339_ms(p.created_ms));
      w.end_object();
    }
    w.end_array().end_object();
    return r;
  }
  auto doc = parse_body(c.body);
  if (!doc) return error_reply(doc.error());
  if (auto v = only_members(*doc, {"team", "name", "description"}); !v) return error_reply(v.error());
  auto team = text(*doc, "team");
  auto name = text(*doc, "name");
  auto description = text(*doc, "description");
  if (!team || !name || !description) {
    return error_reply((!team ? team : !name ? name : description).error());
  }
  Reply r = denied_or(who, Action::ManageProjects, *team, ok);
  if (!ok) return r;
  store::ProjectRow p{*team, *name, *description, unix_now_ms()};
  if (auto created = db.create_project(p); !created) return error_reply(created.error());
  r.status = 201;
  json::Writer(r.body).begin_object().field("team", p.team).field("name", p.name)
      .field("description", p.description).field("created_at", format_rfc3339_ms(p.created_ms))
      .end_object();
  return r;
}

Reply create_key(store::Store& db, const Principal& who, const IdentityCall& c,
                 governance::Authenticator* auth) {
  auto doc = parse_body(c.body);
  if (!doc) return error_reply(doc.error());
  if (auto v = only_members(*doc, {"name", "team", "project", "roles", "models", "routes",
                                   "regions", "tags", "expires_at", "expires_in"});
      !v) {
    return error_reply(v.error());
  }
  store::ApiKeyRow row;
  for (auto [field, out] : {std::pair{"name", &row.name}, {"team", &row.team}, {"project", &row.project}}) {
    auto v = text(*doc, field);
    if (!v) return error_reply(v.error());
    *out = std::move(*v);
  }
  for (auto [field, out] : {std::pair{"roles", &row.roles}, {"models", &row.models},
                            {"routes", &row.routes}, {"regions", &row.regions}, {"tags", &row.tags}}) {
    auto v = list(*doc, field);
    if (!v) return error_reply(v.error());
    *out = std::move(*v);
  }
  if (!doc->contains("roles")) row.roles = {"developer"};
  bool ok = false;
  Reply r = denied_or(who, Action::ManageKeys, row.team, ok);
  if (!ok) return r;
  for (const std::string& name : row.roles) {
    Role role;
    if (!governance::parse_role(name, role)) {
      return error_reply(Error::make(ErrorKind::InvalidRequest, "unknown role \"" + name +
                                     "\" (org-admin, team-admin, developer or auditor)", "roles"));
    }
    // Nobody hands out more than a team's rights unless they hold the organisation's.
    if ((role == Role::OrgAdmin || role == Role::Auditor) && !who.has_role(Role::OrgAdmin)) {
      return error_reply(Error::make(ErrorKind::PermissionDenied,
                                     "only an org-admin may create keys with role " + name, "roles"));
    }
  }
  const int64_t now = unix_now_ms();
  auto expires_at = text(*doc, "expires_at");
  auto expires_in = text(*doc, "expires_in");
  if (!expires_at || !expires_in) return error_reply((!expires_at ? expires_at : expires_in).error());
  if (!expires_at->empty() && !expires_in->empty()) {
    return error_reply(Error::make(ErrorKind::InvalidRequest, "give expires_at or expires_in, not both"));
  }
  if (!expires_in->empty()) {
    auto d = parse_duration_ms(*expires_in);
    if (!d || *d <= 0) return error_reply(Error::make(ErrorKind::InvalidRequest, "expires_in: expected a duration such as 30d", "expires_in"));
    row.expires_ms = now + *d;
  } else if (!expires_at->empty()) {
    auto t = parse_time_spec(*expires_at, now);
    if (!t || *t <= now) return error_reply(Error::make(ErrorKind::InvalidRequest, "expires_at: expected a future time (RFC 3339)", "expires_at"));
    row.expires_ms = *t;
  }
  const governance::NewKeySecret secret = governance::generate_key();
  row.id = secret.id;
  row.hash_hex = secret.hash_hex;
  row.prefix = secret.prefix;
  row.created_ms = now;
  row.created_by = who.audit_name();
  if (auto created = db.create_key(row); !created) return error_reply(created.error());
  refresh(auth, db);
  r.status = 201;
  json::Writer w(r.body);
  w.begin_object();
  w.field("key", secret.secret);  // shown once, never again
  w.key("record");
  write_key(w, row, now);
  w.end_object();
  return r;
}

Reply keys(store::Store& db, const Principal& who, const IdentityCall& c,
           governance::Authenticator* auth) {
  const std::string& path = c.target.path;
  bool ok = false;
  if (path == "/admin/v1/keys") {
    if (c.method == "POST") return create_key(db, who, c, auth);
    const auto team = listing_team(who, c.target);
    Reply r = denied_or(who, Action::ReadIdentity, team.value_or(""), ok);
    if (!ok) return r;
    auto rows = db.keys(team);
    if (!rows) return error_reply(rows.error());
    const int64_t now = unix_now_ms();
    json::Writer w(r.body);
    w.begin_object().key("keys").begin_array();
    for (const auto& k : *rows) write_key(w, k, now);
    w.end_array().end_object();
    return r;
  }
  // /admin/v1/keys/{id} and /admin/v1/keys/{id}/revoke
  std::string id = path.substr(kKeysPath.size());
  const bool revoke_path = id.ends_with("/revoke");
  if (revoke_path) id.resize(id.size() - 7);
  auto key = db.key(id);
  if (!key) return error_reply(key.error());
  const bool revoke = c.method == "DELETE" || revoke_path;
  // A key the caller may not see is reported as missing, so ids cannot be probed.
  if (!*key || !governance::allowed(who, revoke ? Action::ManageKeys : Action::ReadIdentity,
                                    (*key)->team)) {
    if (*key && governance::allowed(who, Action::ReadIdentity, (*key)->team)) {
      return error_reply(governance::authorize(who, Action::ManageKeys, (*key)->team).error());
    }
    return error_reply(Error::make(ErrorKind::NotFound, "no such key: " + id, {}, "key_not_found"));
  }
  Reply r;
  if (revoke) {
    auto done = db.revoke_key(id, unix_now_ms());
    if (!done) return error_reply(done.error());
    refresh(auth, db);
    key = db.key(id);
    if (!key || !*key) return error_reply(key ? Error::make(ErrorKind::NotFound, "no such key: " + id) : key.error());
  }
  json::Writer w(r.body);
  write_key(w, **key, unix_now_ms());
  return r;
}

}  // namespace

std::optional<std::string> identity_action(const std::string& method, const std::string& path) {
  const bool get = method == "GET", post = method == "POST";
  if (path == "/admin/v1/teams") {
    if (get) return "admin.teams.list";
    if (post) return "admin.teams.create";
  } else if (path.starts_with(kTeamsPath) && path.ends_with("/regions") &&
             path.size() > kTeamsPath.size() + 8) {
    if (method == "PUT") return "admin.teams.regions";
  } else if (path == "/admin/v1/projects") {
    if (get) return "admin.projects.list";
    if (post) return "admin.projects.create";
  } else if (path == "/admin/v1/keys") {
    if (get) return "admin.keys.list";
    if (post) return "admin.keys.create";
  } else if (path.starts_with(kKeysPath) && path.size() > kKeysPath.size()) {
    const std::string_view rest = std::string_view(path).substr(kKeysPath.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      if (get) return "admin.keys.get";
      if (method == "DELETE") return "admin.keys.revoke";
    } else if (rest.substr(slash) == "/revoke" && post) {
      return "admin.keys.revoke";
    }
  }
  return std::nullopt;
}

Reply answer_identity(store::Store& db, const Principal& who, const IdentityCall& c,
                      governance::Authenticator* auth) {
  const std::string& p = c.target.path;
  if (p == "/admin/v1/teams") return teams(db, who, c, auth);
  if (p.starts_with(kTeamsPath) && p.ends_with("/regions")) {
    const std::string_view rest = std::string_view(p).substr(kTeamsPath.size());
    return team_regions(db, who, c, rest.substr(0, rest.size() - 8), auth);
  }
  if (p == "/admin/v1/projects") return projects(db, who, c);
  return keys(db, who, c, auth);
}

}  // namespace sy::admin
