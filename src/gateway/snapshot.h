// Snapshot: everything a request reads that only changes on config reload — the
// config, the compiled catalog, DLP detectors and policies, and pre-rendered responses — built once per load and
// shared read-only (std::shared_ptr<const Snapshot>). A request keeps the snapshot it
// started with, so a reload never changes a request half-way.
#pragma once

#include <memory>
#include <string>

#include "core/config.h"
#include "governance/dlp_scanner.h"
#include "governance/policy_facts.h"
#include "governance/policy_set.h"
#include "providers/catalog.h"
#include "routing/calibration.h"
#include "routing/classifier.h"

namespace sy::gateway {

struct Snapshot {
  ConfigPtr config;
  std::unique_ptr<const providers::Catalog> catalog;
  std::string models_body;  // GET /v1/models
  std::shared_ptr<const governance::Scanner> dlp;          // the compiled DLP detectors
  std::shared_ptr<const governance::PolicySet> policies;   // the compiled policies
  std::map<std::string, governance::DeploymentFacts, std::less<>> facts;  // per deployment
  // The router's classifier and its calibration (routing.classifier); null when not
  // loaded — they are required only when a route or a policy needs them.
  std::shared_ptr<const routing::Classifier> classifier;
  std::shared_ptr<const routing::Calibration> calibration;
  bool policies_use_task = false;  // a policy rule has a `task` condition

  // What the policies know about a deployment; nullptr for an unknown name.
  const governance::DeploymentFacts* deployment_facts(std::string_view name) const;

  // The body of GET /v1/models/{id}, or "" when there is no such model.
  std::string model_body(std::string_view id) const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

Result<SnapshotPtr> build_snapshot(ConfigPtr config);

}  // namespace sy::gateway
