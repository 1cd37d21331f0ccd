#include "gateway/snapshot.h"

#include "core/json_writer.h"

namespace sy::gateway {
namespace {

void write_model(json::Writer& w, std::string_view id, std::string_view owner) {
  w.begin_object()
      .field("id", id)
      .field("object", "model")
      .field("created", int64_t{0})
      .field("owned_by", owner)
      .end_object();
}

}  // namespace

std::string Snapshot::model_body(std::string_view id) const {
  std::string out;
  json::Writer w(out);
  if (const auto* d = catalog->deployment(id)) {
    write_model(w, id, d->provider->name());
  } else if (catalog->route(id)) {
    write_model(w, id, "switchyard");
  }
  return out;
}

const governance::DeploymentFacts* Snapshot::deployment_facts(std::string_view name) const {
  auto it = facts.find(name);
  return it == facts.end() ? nullptr : &it->second;
}

namespace {

struct RouterModel {
  std::shared_ptr<const routing::Classifier> classifier;
  std::shared_ptr<const routing::Calibration> calibration;
  bool policies_use_task = false;
};

// The classifier (and, for threshold routes, its calibration), loaded when a route or a
// policy needs it — then a missing or bad file is a config error — or when it is simply
// there, so that hints-driven features (the cheapest strategy's quality knob) can use it.
Result<RouterModel> load_router_model(const Config& c) {
  RouterModel m;
  const char* needed_by = nullptr;
  bool calibration_needed = false;
  for (const auto& [name, route] : c.routes) {
    if (route.strategy == RouteStrategy::Rules && needed_by == nullptr) needed_by = "a rules route";
    if (route.strategy == RouteStrategy::Threshold) {
      needed_by = "a threshold route";
      calibration_needed = true;
    }
  }
  for (const auto& rule : c.policies.rules) m.policies_use_task = m.policies_use_task || rule.when.task;
  if (m.policies_use_task && needed_by == nullptr) needed_by = "a policy with a task condition";
  const std::string path = c.routing.classifier.empty() ? routing::default_classifier_path() : c.routing.classifier;
  auto classifier = routing::Classifier::load(path);
  if (!classifier) {
    if (needed_by == nullptr) return m;
    return fail(ErrorKind::InvalidRequest, std::string("routing.classifier: ") + needed_by +
                                               " needs the classifier: " + classifier.error().message);
  }
  m.classifier = std::make_shared<const routing::Classifier>(std::move(*classifier));
  if (!calibration_needed) return m;
  auto calibration = routing::Calibration::load(routing::calibration_path_for(path), m.classifier->hash());
  if (!calibration) {
    return fail(ErrorKind::InvalidRequest,
                "routing.classifier: a threshold route needs the calibration: " + calibration.error().message);
  }
  m.calibration = std::make_shared<const routing::Calibration>(std::move(*calibration));
  return m;
}

}  // namespace

Result<SnapshotPtr> build_snapshot(ConfigPtr config) {
  auto catalog = providers::Catalog::build(config);
  if (!catalog) return std::unexpected(catalog.error());
  auto policies = governance::PolicySet::compile(config->policies);
  if (!policies) return std::unexpected(policies.error());
  std::shared_ptr<const governance::Scanner> dlp;
  if (config->dlp.enabled) {
    auto compiled = governance::Scanner::compile(config->dlp);
    if (!compiled) return std::unexpected(compiled.error());
    dlp = std::move(*compiled);
  }
  auto router = load_router_model(*config);
  if (!router) return std::unexpected(router.error());
  auto s = std::make_shared<Snapshot>();
  s->classifier = std::move(router->classifier);
  s->calibration = std::move(router->calibration);
  s->policies_use_task = router->policies_use_task;
  s->config = std::move(config);
  s->catalog = std::move(*catalog);
  s->policies = std::move(*policies);
  s->dlp = std::move(dlp);
  for (const auto& [name, d] : s->config->deployments) s->facts.emplace(name, governance::facts_of(d));
  json::Writer w(s->models_body);
  w.begin_object().field("object", "list").key("data").begin_array();
  for (const auto& [name, route] : s->config->routes) write_model(w, name, "switchyard");
  for (const auto& [name, d] : s->catalog->deployments()) write_model(w, name, d.provider->name());
  w.end_array().end_object();
  return SnapshotPtr(std::move(s));
}

}  // namespace sy::gateway
