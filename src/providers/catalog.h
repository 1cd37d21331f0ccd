// Catalog: the providers and deployments of one config snapshot, compiled and indexed
// by name. Immutable once built; pointers into it stay valid for the snapshot's life.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/config.h"
#include "providers/provider.h"

namespace sy::providers {

class Catalog {
 public:
  static Result<std::unique_ptr<const Catalog>> build(ConfigPtr config);

  const Config& config() const { return *config_; }
  const Deployment* deployment(std::string_view name) const;
  const RouteConfig* route(std::string_view name) const;
  const std::map<std::string, Deployment, std::less<>>& deployments() const { return deployments_; }

 private:
  ConfigPtr config_;
  std::map<std::string, Provider, std::less<>> providers_;
  std::map<std::string, Deployment, std::less<>> deployments_;
  std::map<std::string, const RouteConfig*, std::less<>> routes_;
};

}  // namespace sy::providers
