// Principal: who is calling, once a bearer token has been authenticated — a virtual API
// key, an OIDC JWT, or the bootstrap admin key — with what it may do (roles), where it
// belongs (team, project) and what it may reach (models, routes, regions; an empty list
// means "any"). Built by the Authenticator, read by the pipeline and the admin API.
// Plain value type; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sy::governance {

enum class PrincipalKind { Key, Jwt, Admin };

// RBAC roles. OrgAdmin manages everything; TeamAdmin manages its own team's keys and
// projects (and may call models); Developer calls models; Auditor reads audit and spend.
enum class Role { OrgAdmin, TeamAdmin, Developer, Auditor };

struct Principal {
  PrincipalKind kind = PrincipalKind::Key;
  std::string id;       // key id ("key_…"), JWT "iss|sub", or "admin-key"
  std::string team;     // "" when none
  std::string project;  // "" when none
  std::vector<Role> roles;
  std::vector<std::string> tags;            // "k=v" or plain strings
  std::vector<std::string> allowed_models;  // deployment names; empty = any
  std::vector<std::string> allowed_routes;  // route names; empty = any
  std::vector<std::string> allowed_regions; // the key's; empty = any
  std::vector<std::string> team_regions;    // the team's (docs/identity.md); empty = any
  std::string key_id;                       // the virtual key's id (kind Key), else ""

  bool has_role(Role r) const;
  // Whether `model` (a deployment name) / `route` (a route name) / `region` is allowed
  // (a region by both the key's and the team's lists).
  bool may_use_model(std::string_view model) const;
  bool may_use_route(std::string_view route) const;
  bool may_use_region(std::string_view region) const;
  // "key:key_ab12…", "jwt:https://issuer|sub" or "admin-key": the audit record's principal.
  std::string audit_name() const;
};

const char* kind_name(PrincipalKind k);
const char* role_name(Role r);
// "org-admin", "team-admin", "developer", "auditor"; false for anything else.
bool parse_role(std::string_view s, Role& out);

}  // namespace sy::governance
