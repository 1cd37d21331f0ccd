#include "workflow/run_record.h"

#include <nlohmann/json.hpp>

namespace sy::workflow {

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Pending:
      return "pending";
    case RunStatus::Running:
      return "running";
    case RunStatus::WaitingApproval:
      return "waiting_approval";
    case RunStatus::Succeeded:
      return "succeeded";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

bool run_finished(std::string_view s) {
  return s == "succeeded" || s == "failed" || s == "cancelled";
}

std::string principal_json(const governance::Principal& p) {
  nlohmann::json roles = nlohmann::json::array();
  for (governance::Role r : p.roles) roles.push_back(governance::role_name(r));
  const nlohmann::json j = {{"kind", governance::kind_name(p.kind)},
                            {"id", p.id},
                            {"key_id", p.key_id},
                            {"team", p.team},
                            {"project", p.project},
                            {"roles", roles},
                            {"tags", p.tags},
                            {"models", p.allowed_models},
                            {"routes", p.allowed_routes},
                            {"regions", p.allowed_regions},
                            {"team_regions", p.team_regions}};
  return j.dump();
}

Result<governance::Principal> principal_from_json(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return fail(ErrorKind::Internal, "a run's principal is not a JSON object");
  }
  governance::Principal p;
  const std::string kind = j.value("kind", "key");
  p.kind = kind == "jwt"     ? governance::PrincipalKind::Jwt
           : kind == "admin" ? governance::PrincipalKind::Admin
                             : governance::PrincipalKind::Key;
  p.id = j.value("id", "");
  p.key_id = j.value("key_id", "");
  p.team = j.value("team", "");
  p.project = j.value("project", "");
  for (const auto& r : j.value("roles", nlohmann::json::array())) {
    governance::Role role;
    if (r.is_string() && governance::parse_role(r.get<std::string>(), role))
      p.roles.push_back(role);
  }
  p.tags = j.value("tags", std::vector<std::string>{});
  p.allowed_models = j.value("models", std::vector<std::string>{});
  p.allowed_routes = j.value("routes", std::vector<std::string>{});
  p.allowed_regions = j.value("regions", std::vector<std::string>{});
  p.team_regions = j.value("team_regions", std::vector<std::string>{});
  return p;
}

std::string idempotency_key(std::string_view run_id, std::string_view step_id, int64_t item) {
  std::string key = std::string(run_id) + ":" + std::string(step_id);
  if (item >= 0) key += ":" + std::to_string(item);
  return key;
}

std::string event_json(const RunEvent& e) {
  nlohmann::json j = {{"type", e.type}, {"run", e.run}, {"ts", e.ts_ms}};
  if (!e.step.empty()) j["step"] = e.step;
  if (e.item >= 0) j["item"] = e.item;
  if (!e.status.empty()) j["status"] = e.status;
  if (!e.error.empty()) j["error"] = e.error;
  if (!e.output_json.empty()) {
    auto out = nlohmann::json::parse(e.output_json, nullptr, false);
    if (!out.is_discarded()) j["output"] = std::move(out);
  }
  return j.dump();
}

}  // namespace sy::workflow
