#include "governance/principal.h"

#include <algorithm>

namespace sy::governance {
namespace {

bool in_or_any(const std::vector<std::string>& list, std::string_view v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

bool Principal::has_role(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}
bool Principal::may_use_model(std::string_view model) const {
  return in_or_any(allowed_models, model);
}
bool Principal::may_use_route(std::string_view route) const {
  return in_or_any(allowed_routes, route);
}
bool Principal::may_use_region(std::string_view region) const {
  return in_or_any(allowed_regions, region) && in_or_any(team_regions, region);
}

std::string Principal::audit_name() const {
  switch (kind) {
    case PrincipalKind::Admin: return "admin-key";
    case PrincipalKind::Key: return "key:" + id;
    case PrincipalKind::Jwt: return "jwt:" + id;
  }
  return id;
}

const char* kind_name(PrincipalKind k) {
  switch (k) {
    case PrincipalKind::Key: return "key";
    case PrincipalKind::Jwt: return "jwt";
    case PrincipalKind::Admin: return "admin";
  }
  return "?";
}

const char* role_name(Role r) {
  switch (r) {
    case Role::OrgAdmin: return "org-admin";
    case Role::TeamAdmin: return "team-admin";
    case Role::Developer: return "developer";
    case Role::Auditor: return "auditor";
  }
  return "?";
}

bool parse_role(std::string_view s, Role& out) {
  for (Role r : {Role::OrgAdmin, Role::TeamAdmin, Role::Developer, Role::Auditor}) {
    if (s == role_name(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

}  // namespace sy::governance
