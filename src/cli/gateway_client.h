// A blocking HTTP call from the CLI to a running gateway's API (`switchyard policy get|put|
// revert --gateway URL`), on the gateway's own upstream client (http/client.h) with its own
// io_context for the one call. Thread-compatible.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sy::cli {

struct GatewayRequest {
  std::string method = "GET";
  std::string url;  // base URL + path (+ query)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{30'000};
};

struct GatewayReply {
  unsigned status = 0;  // 0: no answer (see error)
  std::string body;
  std::string error;
};

GatewayReply call_gateway(const GatewayRequest& request);

// The API key for --key: the option, else $SWITCHYARD_API_KEY.
std::string api_key_or_env(const std::string& key);

}  // namespace sy::cli
