// The canonical embeddings exchange: what `POST /v1/embeddings` (OpenAI's shape) decodes
// into and what every embeddings target (OpenAI-compatible, Gemini, Bedrock Titan and
// Cohere) is encoded from and decoded back into (protocols/embeddings.h). Plain value
// types with owned storage; not thread-safe, a request belongs to one connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/chat.h"

namespace sy::model {

// How the client wants the vectors written: JSON numbers, or base64 of little-endian
// float32 (OpenAI's `encoding_format`).
enum class EmbeddingEncoding { Float, Base64 };

struct EmbeddingRequest {
  std::string model;  // what the client asked for: a deployment or a route name
  // The text inputs, in order (a single string is one input). Empty when the client sent
  // token arrays instead: those only an OpenAI-compatible upstream can take, from raw_body.
  std::vector<std::string> inputs;
  uint32_t token_inputs = 0;  // inputs given as token arrays (then `inputs` is empty)
  std::optional<uint32_t> dimensions;
  EmbeddingEncoding encoding_format = EmbeddingEncoding::Float;
  std::string user;  // OpenAI's end-user id; metadata, not sent to other targets
  // Top-level keys the translation does not know (vendor extensions). They reach an
  // OpenAI-compatible upstream with raw_body; translating them elsewhere is unsupported.
  std::vector<std::string> other_fields;

  // The request exactly as the client sent it, for same-protocol forwarding with only
  // the model rewritten (like ChatRequest).
  std::string raw_body;
  Span model_token;  // the "model" value, quotes included

  size_t input_count() const { return token_inputs != 0 ? token_inputs : inputs.size(); }
};

struct EmbeddingResponse {
  std::string model;
  std::vector<std::vector<float>> vectors;  // one per input, in input order
  // input_tokens only; reported is false when the provider does not say (Gemini, Cohere).
  Usage usage;
};

}  // namespace sy::model
