// GatewayClient: how the CLI talks to a running gateway's API (`switchyard run --gateway`,
// `switchyard runs`, `switchyard policy get|put|revert`): a base URL, an API key sent as a
// bearer token (--key, else $SWITCHYARD_API_KEY; none when both are empty), JSON bodies
// by default. Each call blocks until the answer or the timeout, on the gateway's own
// upstream client (http/client.h) with an io_context of its own for the one call.
// Cheap to copy; one call at a time per object.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace sy::cli {

struct ApiReply {
  unsigned status = 0;  // 0: no answer (see `error`)
  std::string error;    // the transport's failure, when status is 0
  std::string text;     // the body as sent
  nlohmann::json json;  // the body parsed; discarded when it is not JSON

  bool ok() const { return status >= 200 && status < 300; }
  // What went wrong, for a message: the gateway's error message (OpenAI's
  // {"error":{"message"}}) with the status, or the transport's failure.
  std::string problem() const;
};

class GatewayClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // `key` empty: $SWITCHYARD_API_KEY. A trailing slash of the URL is dropped.
  GatewayClient(std::string base_url, std::string key,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

  ApiReply get(const std::string& path) const { return call("GET", path); }
  ApiReply post(const std::string& path, const std::string& body) const {
    return call("POST", path, body);
  }
  // Any method; `headers` go with the bearer key; `content_type` names the body's type.
  ApiReply call(const std::string& method, const std::string& path, const std::string& body = {},
                const Headers& headers = {},
                const std::string& content_type = "application/json") const;

  const std::string& base() const { return base_; }

 private:
  std::string base_;
  std::string key_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sy::cli
