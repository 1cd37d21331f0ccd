#include "governance/rbac.h"

namespace sy::governance {

const char* action_name(Action a) {
  switch (a) {
    case Action::CallModel: return "call-model";
    case Action::ReadSpend: return "read-spend";
    case Action::ReadAudit: return "read-audit";
    case Action::ManageTeams: return "manage-teams";
    case Action::ManageProjects: return "manage-projects";
    case Action::ManageKeys: return "manage-keys";
    case Action::ReadIdentity: return "read-identity";
    case Action::ReadPolicies: return "read-policies";
    case Action::ManagePolicies: return "manage-policies";
  }
  return "?";
}

bool allowed(const Principal& p, Action action, std::string_view resource_team) {
  if (p.has_role(Role::OrgAdmin)) return true;
  const bool own_team_admin =
      p.has_role(Role::TeamAdmin) && !p.team.empty() && resource_team == p.team;
  switch (action) {
    case Action::CallModel:
      return p.has_role(Role::Developer) || p.has_role(Role::TeamAdmin);
    case Action::ReadSpend:
      return p.has_role(Role::Auditor) || own_team_admin;
    case Action::ReadAudit:
      return p.has_role(Role::Auditor);
    case Action::ManageTeams:
    case Action::ManagePolicies:
      return false;
    case Action::ReadPolicies:
      return p.has_role(Role::Auditor) || p.has_role(Role::TeamAdmin);
    case Action::ManageProjects:
    case Action::ManageKeys:
    case Action::ReadIdentity:
      return own_team_admin;
  }
  return false;
}

Result<void> authorize(const Principal& p, Action action, std::string_view resource_team) {
  if (allowed(p, action, resource_team)) return {};
  std::string msg = p.audit_name() + " may not " + action_name(action);
  if (!resource_team.empty()) msg += " for team \"" + std::string(resource_team) + "\"";
  else if (action != Action::CallModel) msg += " organisation-wide";
  return fail(ErrorKind::PermissionDenied, std::move(msg), {}, "permission_denied");
}

}  // namespace sy::governance
