// LocalExchange and LocalCall: a chat completion made from inside the process (a workflow
// step) rather than by a client on a socket. LocalExchange is an http::Exchange whose
// request is given in memory and whose response — whole or streamed — is captured in
// memory. It carries a pre-resolved principal: the identify stage uses it instead of the
// request's headers, so the call is attributed to whoever started the workflow run, and
// RBAC, policies, DLP, budgets, routing and the audit trail apply to it as to a client's.
//
// A LocalExchange lives on the worker thread that serves it (Gateway::call_local posts
// it there); not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "governance/principal.h"
#include "http/exchange.h"

namespace sy::gateway {

struct LocalRequest {
  std::string method = "POST";
  std::string target = "/v1/chat/completions";
  std::vector<http::HeaderField> headers;  // e.g. x-switchyard-task
  std::string body;
  governance::Principal principal;  // who the call is made as
  std::string request_id;           // the audit record's request id ("" = a new one)
};

struct LocalResponse {
  unsigned status = 0;
  std::vector<http::HeaderField> headers;
  std::string body;  // the whole body; a stream's chunks concatenated

  std::string_view header(std::string_view name) const;
};

using LocalDone = std::function<void(LocalResponse)>;

class LocalExchange final : public http::Exchange {
 public:
  explicit LocalExchange(LocalRequest request) : request_(std::move(request)) {}

  std::string_view method() const override { return request_.method; }
  std::string_view target() const override { return request_.target; }
  std::string_view header(std::string_view name) const override;
  std::string take_body() override { return std::move(request_.body); }

  http::Task<bool> respond(http::Response response) override;
  http::Task<bool> begin_stream(unsigned status, std::string content_type,
                                std::vector<http::HeaderField> headers) override;
  http::Task<bool> write_chunk(std::string_view data) override;
  http::Task<bool> end_stream() override;
  bool responded() const override { return responded_; }
  void on_client_gone(std::function<void()>) override {}
  bool client_gone() const override { return false; }

  const governance::Principal& principal() const { return request_.principal; }
  const std::string& request_id() const { return request_.request_id; }
  LocalResponse take_response() { return std::move(response_); }

 private:
  LocalRequest request_;
  LocalResponse response_;
  bool responded_ = false;
};

}  // namespace sy::gateway
