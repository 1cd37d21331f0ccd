#include "stats.h"

#include <nlohmann/json.hpp>

namespace sy::sim {

void Stats::count_model(std::string_view model) {
  auto it = per_model_.find(model);
  if (it == per_model_.end()) it = per_model_.emplace(std::string(model), 0).first;
  ++it->second;
}

void Stats::reset() {
  per_model_.clear();
  total_ = 0;
  completed_ = 0;
  client_disconnects_ = 0;
}

std::string Stats::to_json() const {
  nlohmann::ordered_json json;
  json["requests"] = nlohmann::ordered_json::object();
  for (const auto& [model, count] : per_model_) json["requests"][model] = count;
  json["total"] = total_;
  json["active"] = active_;
  json["completed"] = completed_;
  json["client_disconnects"] = client_disconnects_;
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace sy::sim
