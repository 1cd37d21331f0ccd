// The facts the policy engine decides on (governance/policy_set.h): who is asking
// (PrincipalFacts), what they ask for (RequestFacts) and where it could go
// (DeploymentFacts). Plain values filled by the gateway's stages; the engine only reads
// them and keeps no reference after evaluate() returns. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace sy::governance {

// The caller, from its virtual key (identity and RBAC).
struct PrincipalFacts {
  std::string team;
  std::string project;
  std::vector<std::string> roles;
  std::vector<std::string> tags;  // the key's tags, e.g. "pii-ok"
};

// The request, as decoded and inspected before routing.
struct RequestFacts {
  std::string model;                      // the model or route the client asked for
  std::string task;                       // task type from the classifier ("" if unknown)
  std::vector<std::string> data_classes;  // DLP entity types found: "EMAIL_ADDRESS", "SECRET"
  std::vector<std::string> tools;         // names of the tools the request offers the model
  std::optional<uint32_t> max_tokens;     // unset: the client did not limit the output
};

// One candidate deployment (see facts_of below for the config's deployments).
struct DeploymentFacts {
  std::string name;      // the deployment's public name
  std::string provider;  // provider name in the config
  std::string model;     // upstream model id
  std::string region;
  std::string tier;
  std::vector<std::string> labels;
};

// What a request-level evaluation reads. Both are borrowed for the call only, so a
// gateway can keep one PrincipalFacts per key and reuse it.
struct PolicyInput {
  const PrincipalFacts& principal;
  const RequestFacts& request;
};

inline DeploymentFacts facts_of(const DeploymentConfig& d) {
  return DeploymentFacts{d.name, d.provider, d.model, d.region, d.tier, d.labels};
}

}  // namespace sy::governance
