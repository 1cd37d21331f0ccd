// `switchyard policy get|put|revert --gateway URL`: the policies in force on a running
// gateway, through its admin API (docs/cli.md, docs/policies.md).
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/gateway_client.h"
#include "cli/policy_cmd.h"

namespace sy::cli {
namespace {

struct PolicyRemoteOptions {
  std::string gateway;
  std::string key;
  std::string file;
  std::string if_match;
  bool text = false;
};

// Prints the answer: the policies' YAML (--text) or the JSON; errors to stderr. The exit
// code: 0 for 2xx, 1 otherwise.
int report(const char* what, const GatewayRequest& req, const GatewayReply& r, bool text) {
  if (r.status == 0) {
    fmt::print(stderr, "switchyard policy {}: {}: {}\n", what, req.url, r.error);
    return 1;
  }
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status < 200 || r.status >= 300) {
    std::string message = r.body;
    if (!j.is_discarded() && j.contains("error") && j["error"].is_object()) {
      message = j["error"].value("message", r.body);
    }
    fmt::print(stderr, "switchyard policy {}: HTTP {}: {}\n", what, r.status, message);
    return 1;
  }
  if (text && !j.is_discarded() && j.contains("text") && j["text"].is_string()) {
    fmt::print("{}", j["text"].get<std::string>());
  } else {
    fmt::print("{}\n", j.is_discarded() ? r.body : j.dump(2));
  }
  return 0;
}

GatewayRequest request(const PolicyRemoteOptions& o, std::string method) {
  GatewayRequest req;
  req.method = std::move(method);
  std::string base = o.gateway;
  while (base.ends_with('/')) base.pop_back();
  req.url = base + "/admin/v1/policies";
  const std::string key = api_key_or_env(o.key);
  if (!key.empty()) req.headers.emplace_back("authorization", "Bearer " + key);
  if (!o.if_match.empty()) req.headers.emplace_back("if-match", o.if_match);
  return req;
}

int get(const PolicyRemoteOptions& o) {
  const GatewayRequest req = request(o, "GET");
  return report("get", req, call_gateway(req), o.text);
}

int put(const PolicyRemoteOptions& o) {
  GatewayRequest req = request(o, "PUT");
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "switchyard policy put: cannot read {}\n", o.file);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  req.body = ss.str();
  req.content_type = o.file.ends_with(".json") ? "application/json" : "application/yaml";
  return report("put", req, call_gateway(req), o.text);
}

int revert(const PolicyRemoteOptions& o) {
  const GatewayRequest req = request(o, "DELETE");
  return report("revert", req, call_gateway(req), o.text);
}

}  // namespace

void add_policy_remote_commands(CLI::App& policy) {
  auto o = std::make_shared<PolicyRemoteOptions>();
  const auto common = [&o](CLI::App* cmd) {
    cmd->add_option("-g,--gateway", o->gateway,
                    "the gateway's base URL, e.g. http://127.0.0.1:8080")
        ->required();
    cmd->add_option("-k,--key", o->key,
                    "admin API key: admin.api_key or an org-admin/auditor key "
                    "(default: $SWITCHYARD_API_KEY)");
    cmd->add_flag("--text", o->text, "print only the policies' YAML, not the JSON answer");
  };
  const auto run = [o](int (*fn)(const PolicyRemoteOptions&)) {
    return [o, fn] {
      if (int rc = fn(*o); rc != 0) throw CLI::RuntimeError(rc);
    };
  };
  auto* get_cmd = policy.add_subcommand(
      "get", "Show the policies in force on a gateway: source, version, rule ids, YAML");
  common(get_cmd);
  get_cmd->callback(run(get));
  auto* put_cmd = policy.add_subcommand(
      "put", "Set a gateway's policies from FILE (YAML, or JSON if it ends in .json)");
  common(put_cmd);
  put_cmd->add_option("file", o->file, "the policies section: a list of rules or {default, rules}")
      ->required();
  put_cmd->add_option("--if-match", o->if_match,
                      "refuse (412) unless this is the version in force");
  put_cmd->callback(run(put));
  auto* revert_cmd =
      policy.add_subcommand("revert", "Go back to the gateway's config-file policies");
  common(revert_cmd);
  revert_cmd->add_option("--if-match", o->if_match,
                         "refuse (412) unless this is the version in force");
  revert_cmd->callback(run(revert));
}

}  // namespace sy::cli
