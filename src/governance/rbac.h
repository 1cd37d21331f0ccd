// RBAC: the one decision "may this principal do this action on this team's resources?".
// Pure function of its arguments; thread-safe.
//
//   action            org-admin  team-admin (own team)  developer  auditor
//   CallModel             yes        yes                   yes        no
//   ReadSpend             yes        yes                   no         yes
//   ReadAudit             yes        no                    no         yes
//   ManageTeams           yes        no                    no         no
//   ManageProjects        yes        yes                   no         no
//   ManageKeys            yes        yes                   no         no
//   ReadIdentity          yes        yes                   no         no
//   ReadPolicies          yes        yes (any team)        no         yes
//   ManagePolicies        yes        no                    no         no
//
// `resource_team` is the team the resource belongs to ("" for organisation-wide things
// such as the team list or all-team spend): a team-admin is only allowed on its own
// team, never on "". org-admin and auditor are organisation-wide. The policies are one
// organisation-wide set that governs every team, so a team-admin reads them (to see why
// its team's requests are denied) but only an org-admin changes them.
#pragma once

#include <string_view>

#include "core/error.h"
#include "governance/principal.h"

namespace sy::governance {

enum class Action {
  CallModel,
  ReadSpend,
  ReadAudit,
  ManageTeams,
  ManageProjects,
  ManageKeys,
  ReadIdentity,  // list/get teams, projects and keys (never secrets)
  ReadPolicies,    // the policies in force, their history, dry runs
  ManagePolicies,  // set or revert the policies through the admin API
};

const char* action_name(Action a);

bool allowed(const Principal& p, Action action, std::string_view resource_team);

// allowed(), or a PermissionDenied error naming the principal, the action and the team.
Result<void> authorize(const Principal& p, Action action, std::string_view resource_team);

}  // namespace sy::governance
