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

Result<SnapshotPtr> build_snapshot(ConfigPtr config) {
  auto catalog = providers::Catalog::build(config);
  if (!catalog) return std::unexpected(catalog.error());
  auto s = std::make_shared<Snapshot>();
  s->config = std::move(config);
  s->catalog = std::move(*catalog);
  json::Writer w(s->models_body);
  w.begin_object().field("object", "list").key("data").begin_array();
  for (const auto& [name, route] : s->config->routes) write_model(w, name, "switchyard");
  for (const auto& [name, d] : s->catalog->deployments()) write_model(w, name, d.provider->name());
  w.end_array().end_object();
  return SnapshotPtr(std::move(s));
}

}  // namespace sy::gateway
