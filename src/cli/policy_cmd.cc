#include "cli/policy_cmd.h"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "admin/policy_dry_run.h"
#include "core/config_loader.h"
#include "governance/policy_set.h"

namespace sy::cli {
namespace {

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

int run_test(const PolicyTestOptions& o) {
  const auto fail_with = [](const std::string& message) {
    fmt::print(stderr, "switchyard policy test: {}\n", message);
    return 1;
  };
  auto config = load_config_file(o.config);
  if (!config) return fail_with(config.error().message);
  auto policies = governance::PolicySet::compile((*config)->policies);
  if (!policies) return fail_with(policies.error().message);
  admin::DryRunInput in;
  if (!o.principal.empty()) {
    auto text = read_file(o.principal);
    if (!text) return fail_with(text.error().message);
    auto principal = admin::principal_facts(*text, o.principal);
    if (!principal) return fail_with(principal.error().message);
    in.principal = std::move(*principal);
  }
  auto body = read_file(o.request);
  if (!body) return fail_with(body.error().message);
  in.request_json = std::move(*body);
  in.request_name = o.request;
  in.task = o.task;
  if (o.data_classes_given) in.data_classes = o.data_classes;
  in.data_classes_from = "--data-classes";
  auto out = admin::dry_run(**config, **policies, in, 2);
  if (!out) return fail_with(out.error().message);
  fmt::print("{}\n", out->json);
  return out->allowed ? 0 : 2;
}

}  // namespace

void add_policy_commands(CLI::App& app) {
  auto o = std::make_shared<PolicyTestOptions>();
  auto* policy = app.add_subcommand(
      "policy", "Governance policies: dry-run requests; show or set a gateway's policies");
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
  add_policy_remote_commands(*policy);
}

}  // namespace sy::cli
