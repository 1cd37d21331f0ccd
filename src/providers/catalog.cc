#include "providers/catalog.h"

#include "protocols/embeddings.h"

namespace sy::providers {

Result<std::unique_ptr<const Catalog>> Catalog::build(ConfigPtr config) {
  auto c = std::make_unique<Catalog>();
  c->config_ = std::move(config);
  for (const auto& [name, pc] : c->config_->providers) {
    auto p = Provider::compile(pc);
    if (!p) {
      return fail(ErrorKind::InvalidRequest, "providers." + name + ": " + p.error().message);
    }
    c->providers_.emplace(name, std::move(*p));
  }
  for (const auto& [name, dc] : c->config_->deployments) {
    auto it = c->providers_.find(dc.provider);
    if (it == c->providers_.end()) {
      return fail(ErrorKind::InvalidRequest,
                  "deployments." + name + ": unknown provider \"" + dc.provider + "\"");
    }
    if (dc.kind == DeploymentKind::Embedding && it->second.config().type == ProviderType::Bedrock) {
      // Bedrock's embeddings request shape depends on the model family.
      if (auto family = protocols::embeddings::bedrock::family_of(dc.model); !family) {
        return fail(ErrorKind::InvalidRequest,
                    "deployments." + name + ".model: " + family.error().message);
      }
    }
    c->deployments_.emplace(name, Deployment::resolve(dc, it->second));
  }
  for (const auto& [name, rc] : c->config_->routes) c->routes_.emplace(name, &rc);
  return std::unique_ptr<const Catalog>(std::move(c));
}

const Deployment* Catalog::deployment(std::string_view name) const {
  auto it = deployments_.find(name);
  return it == deployments_.end() ? nullptr : &it->second;
}

const RouteConfig* Catalog::route(std::string_view name) const {
  auto it = routes_.find(name);
  return it == routes_.end() ? nullptr : it->second;
}

}  // namespace sy::providers
