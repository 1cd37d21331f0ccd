#include "gateway/local_call.h"

#include <strings.h>

namespace sy::gateway {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string_view LocalResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (same_name(h.name, name)) return h.value;
  }
  return {};
}

std::string_view LocalExchange::header(std::string_view name) const {
  for (const auto& h : request_.headers) {
    if (same_name(h.name, name)) return h.value;
  }
  return {};
}

http::Task<bool> LocalExchange::respond(http::Response response) {
  responded_ = true;
  response_.status = response.status;
  response_.headers = std::move(response.headers);
  response_.headers.push_back({"content-type", std::move(response.content_type)});
  response_.body = std::move(response.body);
  co_return true;
}

http::Task<bool> LocalExchange::begin_stream(unsigned status, std::string content_type,
                                             std::vector<http::HeaderField> headers) {
  responded_ = true;
  response_.status = status;
  response_.headers = std::move(headers);
  response_.headers.push_back({"content-type", std::move(content_type)});
  co_return true;
}

http::Task<bool> LocalExchange::write_chunk(std::string_view data) {
  response_.body.append(data);
  co_return true;
}

http::Task<bool> LocalExchange::end_stream() { co_return true; }

}  // namespace sy::gateway
