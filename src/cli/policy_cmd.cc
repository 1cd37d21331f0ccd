#include "cli/policy_cmd.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/config_loader.h"
#include "governance/dlp_scanner.h"
#include "governance/policy_set.h"
#include "protocols/openai_chat.h"

namespace sy::cli {
namespace {

using governance::DeploymentFacts;
using governance::PrincipalFacts;
using governance::RequestFacts;
using json = nlohmann::ordered_json;  // keys in the order written

struct PolicyTestOptions {
  std::string config;
  std::string request;
  std::string principal;
  std::string task;
  std::vector<std::string> data_classes;
  bool data_classes_given = false;
};

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::InvalidRequest, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<std::vector<std::string>> string_list(const json& j, const std::string& what) {
  if (!j.is_array()) return fail(ErrorKind::InvalidRequest, what + ": expected a list of strings");
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (!v.is_string()) return fail(ErrorKind::InvalidRequest, what + ": expected strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// {"team": "…", "project": "…", "roles": […], "tags": […]}, every key optional.
Result<PrincipalFacts> read_principal(const std::string& path) {
  PrincipalFacts p;
  if (path.empty()) return p;
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  const json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return fail(ErrorKind::InvalidRequest, path + ": expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    const std::string where = path + ": " + key;
    if (key == "team" || key == "project") {
      if (!value.is_string()) return fail(ErrorKind::InvalidRequest, where + ": expected a string");
      (key == "team" ? p.team : p.project) = value.get<std::string>();
    } else if (key == "roles" || key == "tags") {
      auto list = string_list(value, where);
      if (!list) return std::unexpected(list.error());
      (key == "roles" ? p.roles : p.tags) = std::move(*list);
    } else {
      return fail(ErrorKind::InvalidRequest,
                  where + ": unknown key (expected one of: team, project, roles, tags)");
    }
  }
  return p;
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
Result<RequestFacts> read_request(const PolicyTestOptions& o, std::string& data_classes_source) {
  auto body = read_file(o.request);
  if (!body) return std::unexpected(body.error());
  const json j = json::parse(*body, nullptr, false);
  auto req = protocols::openai_chat::decode_request(*body);
  if (!req) {
    return fail(ErrorKind::InvalidRequest, o.request + ": " + req.error().message);
  }
  RequestFacts r;
  r.model = req->model;
  r.task = o.task;
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
  if (o.data_classes_given) {
    for (const auto& c : o.data_classes) {
      if (!c.empty()) r.data_classes.push_back(c);
    }
    data_classes_source = "--data-classes";
  } else {
    auto classes = scan_data_classes(*req);
    if (!classes) return std::unexpected(classes.error());
    r.data_classes = std::move(*classes);
    data_classes_source = "dlp";
  }
  return r;
}

json strings(const std::vector<std::string>& v) { return json(v); }

int run_test(const PolicyTestOptions& o) {
  const auto fail_with = [](const std::string& message) {
    fmt::print(stderr, "switchyard policy test: {}\n", message);
    return 1;
  };
  auto config = load_config_file(o.config);
  if (!config) return fail_with(config.error().message);
  auto policies = governance::PolicySet::compile((*config)->policies);
  if (!policies) return fail_with(policies.error().message);
  auto principal = read_principal(o.principal);
  if (!principal) return fail_with(principal.error().message);
  std::string source;
  auto request = read_request(o, source);
  if (!request) return fail_with(request.error().message);

  const auto decision = (*policies)->evaluate({*principal, *request});
  json out = json::parse(decision.to_json());
  json input = json::object();
  input["principal"] = {{"team", principal->team},
                        {"project", principal->project},
                        {"roles", strings(principal->roles)},
                        {"tags", strings(principal->tags)}};
  input["request"] = {{"model", request->model},
                      {"task", request->task},
                      {"data_classes", strings(request->data_classes)},
                      {"data_classes_from", source},
                      {"tools", strings(request->tools)},
                      {"max_tokens", request->max_tokens ? json(*request->max_tokens) : json()}};
  out["input"] = std::move(input);
  json deployments = json::array();
  std::size_t admitted = 0;
  for (const auto& [name, d] : (*config)->deployments) {
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
  fmt::print("{}\n", out.dump(2));
  return decision.allowed() ? 0 : 2;
}

}  // namespace

void add_policy_commands(CLI::App& app) {
  auto o = std::make_shared<PolicyTestOptions>();
  auto* policy = app.add_subcommand("policy", "Governance policies: dry-run requests");
  policy->require_subcommand(1);
  auto* test =
      policy->add_subcommand("test",
                             "Evaluate a config's policies for one OpenAI chat request; print JSON "
                             "(exit 0 allow, 2 deny, 1 error)");
  test->add_option("-c,--config", o->config, "YAML config file")->required();
  test->add_option("-r,--request", o->request, "OpenAI chat-completions request body (JSON)")
      ->required();
  test->add_option("-p,--principal", o->principal,
                   "JSON {\"team\",\"project\",\"roles\":[…],\"tags\":[…]} (default: nobody)");
  test->add_option("--task", o->task, "task type, as the classifier would report it");
  auto* classes = test->add_option("--data-classes", o->data_classes,
                                   "comma-separated data classes (default: run the built-in DLP "
                                   "detectors on the messages)")
                      ->delimiter(',');
  test->callback([o, classes] {
    o->data_classes_given = classes->count() > 0;
    if (int rc = run_test(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
