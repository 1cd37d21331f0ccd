// Request authentication of switchyard-sim, one check per wire format: the OpenAI bearer key
// (Azure `api-key`), Anthropic's `x-api-key` and `anthropic-version`, Gemini's
// `x-goog-api-key` / `?key=`, and Bedrock's AWS SigV4 `Authorization` header (its form only:
// the signature is not verified). Each returns the error to answer with, in the vocabulary of
// its format, or nothing when the request may proceed. Pure functions of the config and the
// request: thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "chat_request.h"
#include "session.h"
#include "sim_config.h"

namespace sy::sim {

// `Authorization: Bearer <key>` (OpenAI paths) or `api-key: <key>` (Azure paths), when the
// config sets a key.
std::optional<ApiError> check_openai_auth(const SimConfig& config, const HttpRequest& request,
                                          bool azure);

// `anthropic-version` must be present (as the real API requires); with a configured key,
// `x-api-key` must equal it.
std::optional<ApiError> check_anthropic_auth(const SimConfig& config, const HttpRequest& request);

// With a configured key, `x-goog-api-key` or the query's `key` must equal it.
std::optional<ApiError> check_gemini_auth(const SimConfig& config, const HttpRequest& request,
                                          std::string_view query);

// `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request,
// SignedHeaders=<a;b>, Signature=<64 hex>` and `x-amz-date` must be present and well formed;
// with a configured key, the access key id must equal it.
std::optional<ApiError> check_bedrock_auth(const SimConfig& config, const HttpRequest& request);

// The value of `key` in a query string, undecoded; nullopt when absent.
std::optional<std::string_view> query_param(std::string_view query, std::string_view key);

}  // namespace sy::sim
