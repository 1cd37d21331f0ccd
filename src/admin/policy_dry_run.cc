#include "admin/policy_dry_run.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "governance/dlp_scanner.h"
#include "protocols/openai_chat.h"

namespace sy::admin {
namespace {

using governance::DeploymentFacts;
using governance::PrincipalFacts;
using governance::RequestFacts;
using json = nlohmann::ordered_json;  // keys in the order written

Result<std::vector<std::string>> string_list(const json& j, const std::string& what) {
  if (!j.is_array()) return fail(ErrorKind::InvalidRequest, what + ": expected a list of strings");
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (!v.is_string()) return fail(ErrorKind::InvalidRequest, what + ": expected strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// The data classes the built-in DLP detectors find in the messages' text, sorted, once each.
Result<std::vector<std::string>> scan_data_classes(const model::ChatRequest& req) {
  auto scanner = governance::Scanner::compile(governance::DlpConfig{});
  if (!scanner) return std::unexpected(scanner.error());
  governance::DlpScratch scratch;
  std::vector<governance::Finding> found;
  for (const auto& m : req.messages) {
    if (auto ok = (*scanner)->scan(m.text, scratch, found); !ok) return std::unexpected(ok.error());
  }
  std::vector<std::string> classes;
  for (const auto& f : found) classes.emplace_back(f.entity_type);
  std::ranges::sort(classes);
  classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
  return classes;
}

// Model, max_tokens and messages from the gateway's own decoder; tool names from the body
// (the canonical request keeps only their number).
Result<RequestFacts> read_request(const DryRunInput& in, std::string& data_classes_source) {
  const json j = json::parse(in.request_json, nullptr, false);
  auto req = protocols::openai_chat::decode_request(in.request_json);
  if (!req) return fail(ErrorKind::InvalidRequest, in.request_name + ": " + req.error().message);
  RequestFacts r;
  r.model = req->model;
  r.task = in.task;
  r.max_tokens = req->max_tokens;
  if (j.is_object() && j.contains("tools") && j["tools"].is_array()) {
    for (const auto& t : j["tools"]) {
      if (!t.is_object()) continue;
      const json* name = nullptr;
      if (t.contains("function") && t["function"].is_object() && t["function"].contains("name")) {
        name = &t["function"]["name"];
      } else if (t.contains("name")) {
        name = &t["name"];
      }
      if (name && name->is_string()) r.tools.push_back(name->get<std::string>());
    }
  }
  if (in.data_classes) {
    for (const auto& c : *in.data_classes) {
      if (!c.empty()) r.data_classes.push_back(c);
    }
    data_classes_source = in.data_classes_from;
  } else {
    auto classes = scan_data_classes(*req);
    if (!classes) return std::unexpected(classes.error());
    r.data_classes = std::move(*classes);
    data_classes_source = "dlp";
  }
  return r;
}

}  // namespace

Result<PrincipalFacts> principal_facts(std::string_view text, const std::string& where) {
  PrincipalFacts p;
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return fail(ErrorKind::InvalidRequest, where + ": expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    const std::string at = where + ": " + key;
    if (key == "team" || key == "project") {
      if (!value.is_string()) return fail(ErrorKind::InvalidRequest, at + ": expected a string");
      (key == "team" ? p.team : p.project) = value.get<std::string>();
    } else if (key == "roles" || key == "tags") {
      auto list = string_list(value, at);
      if (!list) return std::unexpected(list.error());
      (key == "roles" ? p.roles : p.tags) = std::move(*list);
    } else {
      return fail(ErrorKind::InvalidRequest,
                  at + ": unknown key (expected one of: team, project, roles, tags)");
    }
  }
  return p;
}

Result<DryRun> dry_run(const Config& config, const governance::PolicySet& policies,
                       const DryRunInput& in, int indent) {
  std::string source;
  auto request = read_request(in, source);
  if (!request) return std::unexpected(request.error());
  const PrincipalFacts& principal = in.principal;
  const auto decision = policies.evaluate({principal, *request});
  json out = json::parse(decision.to_json());
  json input = json::object();
  input["principal"] = {{"team", principal.team},
                        {"project", principal.project},
                        {"roles", principal.roles},
                        {"tags", principal.tags}};
  input["request"] = {{"model", request->model},
                      {"task", request->task},
                      {"data_classes", request->data_classes},
                      {"data_classes_from", source},
                      {"tools", request->tools},
                      {"max_tokens", request->max_tokens ? json(*request->max_tokens) : json()}};
  out["input"] = std::move(input);
  json deployments = json::array();
  std::size_t admitted = 0;
  for (const auto& [name, d] : config.deployments) {
    const DeploymentFacts facts = governance::facts_of(d);
    json entry = {{"name", name}};
    if (const auto* c = decision.rejecting(facts)) {
      entry["admitted"] = false;
      entry["removed_by"] = c->rule_id();
      entry["reason"] = c->removal_message(facts);
    } else {
      entry["admitted"] = true;
      ++admitted;
    }
    deployments.push_back(std::move(entry));
  }
  out["deployments"] = std::move(deployments);
  out["admitted"] = admitted;
  return DryRun{out.dump(indent), decision.allowed()};
}

}  // namespace sy::admin
