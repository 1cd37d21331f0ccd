#include "gateway/context.h"

namespace sy::gateway {

RequestContext::RequestContext(http::Exchange& ex, WorkerState& w)
    : RequestContext(ex, w, Ingress{&protocols::codec_for(model::Protocol::OpenAIChat)}) {}

std::vector<http::HeaderField> RequestContext::response_headers() const {
  std::vector<http::HeaderField> h;
  h.reserve(4);
  h.push_back({"x-request-id", request_id});
  if (served_by != nullptr) h.push_back({"x-switchyard-deployment", served_by->name()});
  if (!decision.order.empty()) h.push_back({"x-switchyard-route", decision.compact()});
  if (!attempts.empty()) {
    std::string a;
    for (const auto& at : attempts) {
      if (!a.empty()) a += ", ";
      a += at.deployment;
      a += '=';
      a += at.outcome;
    }
    h.push_back({"x-switchyard-attempts", std::move(a)});
  }
  if (!budget_warnings.empty()) {
    std::string w;
    for (const auto& id : budget_warnings) w += (w.empty() ? "" : ", ") + id;
    h.push_back({"x-switchyard-budget-warning", std::move(w)});
  }
  return h;
}

}  // namespace sy::gateway
