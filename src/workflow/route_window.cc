#include "workflow/route_window.h"

#include <algorithm>

#include "routing/classifier.h"

namespace sy::workflow {
namespace {

std::optional<RouteWindow> window_of(const providers::Catalog& catalog, std::string_view model,
                                     std::optional<routing::TaskType> task,
                                     const governance::Principal& who, int depth) {
  if (depth > 32) return std::nullopt;  // the config is checked for loops; a guard only
  const auto usable = [&](const providers::Deployment& d) {
    return d.config->kind == DeploymentKind::Chat && who.may_use_model(d.name()) &&
           who.may_use_region(d.config->region);
  };
  if (const providers::Deployment* d = catalog.deployment(model)) {
    if (!usable(*d) || d->context_window == 0) return std::nullopt;
    return RouteWindow{d->context_window, d->context_window};
  }
  const RouteConfig* route = catalog.route(model);
  if (route == nullptr) return std::nullopt;
  if (route->strategy == RouteStrategy::Rules) {
    if (task) {
      const std::string_view name = routing::task_type_name(*task);
      for (const RouteRule& rule : route->rules) {
        if (std::find(rule.tasks.begin(), rule.tasks.end(), name) != rule.tasks.end()) {
          return window_of(catalog, rule.to, task, who, depth + 1);
        }
      }
      return window_of(catalog, route->otherwise, task, who, depth + 1);
    }
    std::optional<RouteWindow> out;
    const auto branch = [&](std::string_view to) {
      auto w = window_of(catalog, to, std::nullopt, who, depth + 1);
      if (!w) return;
      if (!out) {
        out = w;
      } else {
        out->smallest = std::min(out->smallest, w->smallest);
        out->largest = std::min(out->largest, w->largest);
      }
    };
    for (const RouteRule& rule : route->rules) branch(rule.to);
    if (!route->otherwise.empty()) branch(route->otherwise);
    return out;
  }
  std::optional<RouteWindow> out;
  for (const RouteTarget& t : route->targets) {
    const providers::Deployment* d = catalog.deployment(t.deployment);
    if (d == nullptr || !usable(*d)) continue;
    if (d->context_window == 0) return std::nullopt;  // a candidate without a limit
    if (!out) {
      out = RouteWindow{d->context_window, d->context_window};
    } else {
      out->smallest = std::min(out->smallest, d->context_window);
      out->largest = std::max(out->largest, d->context_window);
    }
  }
  return out;
}

}  // namespace

std::optional<RouteWindow> route_window(const providers::Catalog& catalog, std::string_view model,
                                        std::string_view task, const governance::Principal& who) {
  std::optional<routing::TaskType> t;
  if (!task.empty()) t = routing::parse_task_type(task);
  return window_of(catalog, model, t, who, 0);
}

}  // namespace sy::workflow
