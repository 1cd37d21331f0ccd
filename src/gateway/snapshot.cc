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
  auto s = std::make_shared<Snapshot>();
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
