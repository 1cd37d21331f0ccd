#include "gateway/context.h"

namespace sy::gateway {

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
  return h;
}

}  // namespace sy::gateway
