// fetch(): one HTTP request that blocks the calling thread, made on the upstream client
// (client.h) with an io_context of its own — for threads outside the gateway's workers:
// the workflow engine's HTTP tool calls and the CLI's calls to a running gateway.
// split_url(): a full URL as the endpoint to connect to and the request target to send.
// Thread-safe (each call has its own io_context and connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/url.h"

namespace sy::http {

struct FetchRequest {
  std::string method = "GET";
  std::string url;  // scheme://host[:port]/path[?query]; a #fragment is dropped
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{30'000};  // connect (at most 10 s), first byte, total
  size_t max_answer_bytes = 16u << 20;
};

struct FetchReply {
  unsigned status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;  // the transport's failure, when status is 0
};

FetchReply fetch(const FetchRequest& request);

struct UrlTarget {
  Endpoint endpoint;
  std::string target;  // origin-form: "/path?query"
};
Result<UrlTarget> split_url(std::string_view url);

}  // namespace sy::http
