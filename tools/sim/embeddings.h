// The simulator's embeddings APIs, written from each provider's API reference: OpenAI
// `POST /v1/embeddings`, Gemini `models/{m}:batchEmbedContents`, and Bedrock InvokeModel on
// Amazon Titan Text Embeddings (one text per call) and Cohere Embed (a batch per call).
// Parsers validate a request body into a wire-neutral EmbedRequest (errors as the provider
// words them); renderers write the answer. Vectors are deterministic: unit vectors derived
// from a hash of the text alone, so equal texts give equal vectors (at equal dimensions) in
// every format. Pure logic, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat_request.h"

namespace sy::sim {

enum class EmbedFormat { OpenAI, Gemini, Titan, Cohere };

struct EmbedRequest {
  std::string model;
  std::vector<std::string> texts;  // token-array inputs (OpenAI) as "tokens:1,2,3"
  std::optional<int64_t> dimensions;
  bool base64 = false;   // OpenAI encoding_format "base64"
  bool by_type = false;  // Cohere `embedding_types` given: answer {"embeddings":{"float":…}}
};

// The Bedrock embeddings format of a model id (after an optional "us."-style inference
// profile prefix): amazon.titan-embed… is Titan, cohere.embed… is Cohere; otherwise none.
std::optional<EmbedFormat> bedrock_embed_format(std::string_view model_id);

// The model's default vector size: `configured` when non-zero, else the provider's default
// for well-known ids (Titan v2 1024, Titan v1 1536, Cohere 1024, text-embedding-3-small 1536,
// -large 3072, text-embedding-004 768, gemini-embedding-001 3072), else 256.
int64_t default_dimensions(std::string_view model, int64_t configured);

std::expected<EmbedRequest, ApiError> parse_openai_embeddings(std::string_view body);
std::expected<EmbedRequest, ApiError> parse_gemini_batch_embed(std::string_view body,
                                                               std::string_view path_model);
std::expected<EmbedRequest, ApiError> parse_titan_embed(std::string_view body,
                                                        std::string_view model_id);
std::expected<EmbedRequest, ApiError> parse_cohere_embed(std::string_view body,
                                                         std::string_view model_id);

// The unit vector of `text` with `dimensions` components.
std::vector<float> embed_text(std::string_view text, int64_t dimensions);

// Input tokens as the simulator counts them: ceil(UTF-8 bytes / 4), at least 1.
int64_t embed_tokens(std::string_view text);

// The 200 body in `format` for `request` with each text's vector of `dimensions`.
std::string render_embeddings(EmbedFormat format, const EmbedRequest& request, int64_t dimensions);

// A 200 body for the `malformed` fault: the answer's start, cut off mid-JSON.
std::string malformed_embeddings(EmbedFormat format);

}  // namespace sy::sim
