// GatewayClient: how the CLI talks to a running gateway's API (`switchyard run --gateway`,
// `switchyard runs`): a base URL, an API key sent as a bearer token (--key, else
// $SWITCHYARD_API_KEY; none when both are empty), JSON bodies. Each call blocks until the
// answer or the timeout; the transport is the workflow engine's HTTP client
// (workflow::call_http_tool). Cheap to copy; one call at a time per object.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace sy::cli {

struct ApiReply {
  unsigned status = 0;  // 0: no answer (see `error`)
  std::string error;    // the transport's failure, when status is 0
  std::string text;     // the body as sent
  nlohmann::json json;  // the body parsed; discarded when it is not JSON

  // What went wrong, for a message: the gateway's error message (OpenAI's
  // {"error":{"message"}}) with the status, or the transport's failure.
  std::string problem() const;
};

class GatewayClient {
 public:
  // `key` empty: $SWITCHYARD_API_KEY. A trailing slash of the URL is dropped.
  GatewayClient(std::string base_url, std::string key,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

  ApiReply get(const std::string& path) const;
  ApiReply post(const std::string& path, const std::string& body) const;

  const std::string& base() const { return base_; }

 private:
  ApiReply call(const char* method, const std::string& path, const std::string& body) const;

  std::string base_;
  std::string key_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sy::cli
