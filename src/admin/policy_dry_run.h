// The policy dry run: one OpenAI chat request (and who sends it) evaluated against a
// config's compiled policies and every deployment — what `switchyard policy test` prints
// and `POST /admin/v1/policies/test` answers (docs/policies.md). No I/O; pure apart from
// compiling the built-in DLP detectors when the data classes are not given. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "governance/policy_facts.h"
#include "governance/policy_set.h"

namespace sy::admin {

struct DryRunInput {
  std::string request_json;  // an OpenAI chat-completions request body
  std::string request_name;  // names the request in errors (a file name, "request")
  governance::PrincipalFacts principal;
  std::string task;  // as the classifier would report it ("" unknown)
  // The DLP data classes the request carries; nullopt: the built-in detectors scan the
  // messages' text.
  std::optional<std::vector<std::string>> data_classes;
  std::string data_classes_from = "data_classes";  // what gave them, for the output
};

struct DryRun {
  std::string json;  // {effect, deny, …, input: {principal, request}, deployments, admitted}
  bool allowed = false;
};

// {"team", "project", "roles": [...], "tags": [...]}, every key optional; `where` prefixes
// errors ("principal.json", "principal").
Result<governance::PrincipalFacts> principal_facts(std::string_view json, const std::string& where);

// Evaluates `in` with `policies` (compiled from `config`'s) over `config`'s deployments.
// `indent` < 0: compact JSON.
Result<DryRun> dry_run(const Config& config, const governance::PolicySet& policies,
                       const DryRunInput& in, int indent = -1);

}  // namespace sy::admin
