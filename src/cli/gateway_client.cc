#include "cli/gateway_client.h"

#include <cstdlib>

#include "http/fetch.h"

namespace sy::cli {
std::string ApiReply::problem() const {
  if (status == 0) return error.empty() ? "no answer" : error;
  std::string message = text;
  if (json.is_object() && json.contains("error") && json["error"].is_object()) {
    message = json["error"].value("message", text);
  }
  return "HTTP " + std::to_string(status) + ": " + message;
}

GatewayClient::GatewayClient(std::string base_url, std::string key,
                             std::chrono::milliseconds timeout)
    : base_(std::move(base_url)), key_(std::move(key)), timeout_(timeout) {
  while (base_.ends_with('/')) base_.pop_back();
  if (key_.empty()) {
    if (const char* env = std::getenv("SWITCHYARD_API_KEY")) key_ = env;
  }
}

ApiReply GatewayClient::call(const std::string& method, const std::string& path,
                             const std::string& body, const Headers& headers,
                             const std::string& content_type) const {
  http::FetchRequest request;
  request.method = method;
  request.url = base_ + (path.starts_with('/') ? "" : "/") + path;
  if (!key_.empty()) request.headers.emplace_back("authorization", "Bearer " + key_);
  request.headers.insert(request.headers.end(), headers.begin(), headers.end());
  request.headers.emplace_back("accept", "application/json");
  request.body = body;
  request.content_type = content_type;
  request.timeout = timeout_;
  http::FetchReply r = http::fetch(request);
  ApiReply reply;
  reply.status = r.status;
  reply.error = std::move(r.error);
  reply.text = std::move(r.body);
  reply.json = nlohmann::json::parse(reply.text, nullptr, false);
  return reply;
}

}  // namespace sy::cli
