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
int report(const char* what, const GatewayClient& client, const ApiReply& r, bool text) {
  if (r.status == 0) {
    fmt::print(stderr, "switchyard policy {}: {}: {}\n", what, client.base(), r.problem());
    return 1;
  }
  if (!r.ok()) {
    fmt::print(stderr, "switchyard policy {}: {}\n", what, r.problem());
    return 1;
  }
  const auto& j = r.json;
  if (text && j.is_object() && j.contains("text") && j["text"].is_string()) {
    fmt::print("{}", j["text"].get<std::string>());
  } else {
    fmt::print("{}\n", j.is_discarded() ? r.text : j.dump(2));
  }
  return 0;
}

constexpr const char* kPath = "/admin/v1/policies";

GatewayClient::Headers if_match(const PolicyRemoteOptions& o) {
  if (o.if_match.empty()) return {};
  return {{"if-match", o.if_match}};
}

int get(const PolicyRemoteOptions& o) {
  const GatewayClient client(o.gateway, o.key);
  return report("get", client, client.get(kPath), o.text);
}

int put(const PolicyRemoteOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "switchyard policy put: cannot read {}\n", o.file);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const GatewayClient client(o.gateway, o.key);
  const std::string type = o.file.ends_with(".json") ? "application/json" : "application/yaml";
  return report("put", client, client.call("PUT", kPath, ss.str(), if_match(o), type), o.text);
}

int revert(const PolicyRemoteOptions& o) {
  const GatewayClient client(o.gateway, o.key);
  return report("revert", client, client.call("DELETE", kPath, {}, if_match(o)), o.text);
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
