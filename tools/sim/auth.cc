#include "auth.h"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <regex>

namespace sy::sim {
namespace {

ApiError forbidden(int status, std::string message, std::string wire_type) {
  return ApiError{.status = status,
                  .message = std::move(message),
                  .code = "invalid_api_key",
                  .wire_type = std::move(wire_type)};
}

bool is_date(std::string_view text) {
  return text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return std::nullopt;
}

std::optional<ApiError> check_openai_auth(const SimConfig& config, const HttpRequest& request,
                                          bool azure) {
  if (config.api_key.empty()) return std::nullopt;
  std::string_view given;
  if (azure) {
    given = request[std::string_view("api-key")];
  } else if (std::string_view header = request[http::field::authorization];
             header.starts_with("Bearer ")) {
    given = header.substr(7);
  }
  if (given == config.api_key) return std::nullopt;
  return ApiError{
      .status = 401,
      .message = given.empty()
                     ? (azure ? "Access denied due to missing api-key header."
                              : "You didn't provide an API key. You need to provide your API key "
                                "in an Authorization header using Bearer auth (i.e. "
                                "Authorization: Bearer YOUR_KEY).")
                     : "Incorrect API key provided.",
      .code = "invalid_api_key"};
}

std::optional<ApiError> check_anthropic_auth(const SimConfig& config, const HttpRequest& request) {
  if (!config.api_key.empty()) {
    const std::string_view given = request[std::string_view("x-api-key")];
    if (given.empty()) {
      return forbidden(401, "x-api-key header is required", "authentication_error");
    }
    if (given != config.api_key) {
      return forbidden(401, "invalid x-api-key", "authentication_error");
    }
  }
  if (request[std::string_view("anthropic-version")].empty()) {
    return ApiError{.status = 400,
                    .message = "anthropic-version: header is required",
                    .wire_type = "invalid_request_error"};
  }
  return std::nullopt;
}

std::optional<ApiError> check_gemini_auth(const SimConfig& config, const HttpRequest& request,
                                          std::string_view query) {
  if (config.api_key.empty()) return std::nullopt;
  std::string_view given = request[std::string_view("x-goog-api-key")];
  if (given.empty()) given = query_param(query, "key").value_or("");
  if (given.empty()) {
    return forbidden(403,
                     "Method doesn't allow unregistered callers (callers without established "
                     "identity). Please use API Key or other form of API consumer identity to "
                     "call this API.",
                     "PERMISSION_DENIED");
  }
  if (given != config.api_key) {
    return forbidden(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT");
  }
  return std::nullopt;
}

std::optional<ApiError> check_bedrock_auth(const SimConfig& config, const HttpRequest& request) {
  const std::string_view header = request[http::field::authorization];
  if (header.empty()) {
    return forbidden(403, "Missing Authentication Token", "MissingAuthenticationTokenException");
  }
  // Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request
  static const std::regex kSigV4(
      R"(^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)/([0-9]{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, ?SignedHeaders=([a-z0-9-]+(;[a-z0-9-]+)*), ?Signature=[0-9a-f]{64}$)");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_match(header.begin(), header.end(), match, kSigV4) || !is_date(match.str(2))) {
    return forbidden(403,
                     "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                     "parameters in the AWS4-HMAC-SHA256 form.",
                     "IncompleteSignatureException");
  }
  if (request[std::string_view("x-amz-date")].empty() && request[http::field::date].empty()) {
    return forbidden(403,
                     "Authorization header requires existence of either a 'X-Amz-Date' or a "
                     "'Date' header.",
                     "IncompleteSignatureException");
  }
  if (!config.api_key.empty() && match.str(1) != config.api_key) {
    return forbidden(403, "The security token included in the request is invalid.",
                     "UnrecognizedClientException");
  }
  return std::nullopt;
}

}  // namespace sy::sim
