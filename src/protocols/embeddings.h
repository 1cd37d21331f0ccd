// Embeddings translation (issue 3): `POST /v1/embeddings` in OpenAI's shape, to and from
// the embeddings APIs of OpenAI-compatible providers, Gemini (batchEmbedContents) and
// Amazon Bedrock (InvokeModel on Titan Text Embeddings or Cohere Embed). Pure functions
// over model/embeddings.h, no I/O; thread-safe (per-thread parsers).
//
// Clients see OpenAI's error envelope (openai_chat::encode_error). The error bodies of all
// three targets — OpenAI's and Gemini's {"error":{"message"}}, Bedrock's {"message"} — are
// read by openai_chat::decode_error_message.
//
// Provider answers are UpstreamError when malformed, naming the field
// (`data[1].embedding[7]: expected a number`), and when they carry a different number of
// vectors than the request had inputs. Every decoder takes that number (`expected`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/embeddings.h"

namespace sy::protocols::embeddings {

// ---- OpenAI (https://platform.openai.com/docs/api-reference/embeddings) ----
namespace openai {

// The upstream path, relative to an OpenAI base URL that ends in /v1.
inline constexpr std::string_view kPath = "/embeddings";

// Decodes and validates a client's request (400s naming the field). Takes ownership of
// `body`, kept as raw_body for forward_request.
Result<model::EmbeddingRequest> decode_request(std::string body);
// Same-protocol forwarding: raw_body with only the model replaced. Token-array inputs,
// `user` and unknown keys reach the upstream as the client sent them.
std::string forward_request(const model::EmbeddingRequest& req, std::string_view upstream_model);
// A request built from the canonical fields (no raw body needed). Fails (400) for token
// inputs and unknown keys, which only forward_request carries.
Result<std::string> encode_request(const model::EmbeddingRequest& req,
                                   std::string_view upstream_model);

// An upstream answer; `embedding` may be a number array or base64 float32 (when the
// request asked for it). Vectors are put in `index` order.
Result<model::EmbeddingResponse> decode_response(std::string_view body, size_t expected);
// The client's answer: {"object":"list","data":[{"object":"embedding","index","embedding"}],
// "model","usage":{"prompt_tokens","total_tokens"}}. Floats are written in their
// shortest round-trip form; non-finite values (no provider sends them) as null.
std::string encode_response(const model::EmbeddingResponse& resp,
                            model::EmbeddingEncoding encoding);

}  // namespace openai

// ---- Gemini (https://ai.google.dev/api/embeddings) ----
namespace gemini {

// "/v1beta/models/<model>:batchEmbedContents" (a leading "models/" in the id is dropped).
std::string request_path(std::string_view upstream_model);
// {"requests":[{"model":"models/<m>","content":{"parts":[{"text"}]},
// "outputDimensionality"}]}: one request per input, in order.
Result<std::string> encode_request(const model::EmbeddingRequest& req,
                                   std::string_view upstream_model);
// {"embeddings":[{"values":[…]}]}. Gemini reports no usage: usage.reported stays false
// and the token counts 0 (nothing is estimated). `model` becomes the response's model.
Result<model::EmbeddingResponse> decode_response(std::string_view body, size_t expected,
                                                 std::string_view model);

}  // namespace gemini

// ---- Amazon Bedrock InvokeModel (https://docs.aws.amazon.com/bedrock/latest/userguide/) ----
namespace bedrock {

// Which request shape a model id takes, by its prefix (after an optional cross-region
// inference profile prefix such as "us."): amazon.titan-embed… is Titan (one input per
// call), cohere.embed… is Cohere Embed (a batch per call). Anything else: 400.
enum class Family { Titan, Cohere };
Result<Family> family_of(std::string_view model_id);

// "/model/<id>/invoke" with the id percent-encoded (':' → %3A), as sent on the wire.
std::string invoke_path(std::string_view model_id);

// Titan Text Embeddings: {"inputText","dimensions","normalize":true} for input `index`
// (V1, amazon.titan-embed-text-v1, takes inputText only). dimensions must be 256, 512 or
// 1024 on V2 and is unsupported on V1.
Result<std::string> titan_encode_request(const model::EmbeddingRequest& req, size_t index,
                                         std::string_view model_id);
struct TitanAnswer {
  std::vector<float> vector;
  uint32_t input_tokens = 0;  // inputTextTokenCount
};
// {"embedding":[…],"inputTextTokenCount":n}.
Result<TitanAnswer> titan_decode_response(std::string_view body);
// The answers of one request's calls, in input order, as one response (usage summed).
Result<model::EmbeddingResponse> titan_assemble(std::vector<TitanAnswer> answers, size_t expected,
                                                std::string_view model);

// Cohere Embed: {"texts":[…],"input_type":"search_document"}; on embed-v4 also
// "embedding_types":["float"] and "output_dimension" (dimensions is unsupported on v3).
// At most 96 inputs per call.
Result<std::string> cohere_encode_request(const model::EmbeddingRequest& req,
                                          std::string_view model_id);
// {"embeddings":[[…]]} (v3) or {"embeddings":{"float":[[…]]}} (v4). Usage is read from
// meta.billed_units.input_tokens when present; otherwise not reported (Bedrock also sends
// it in the X-Amzn-Bedrock-Input-Token-Count header, which is the caller's to read).
Result<model::EmbeddingResponse> cohere_decode_response(std::string_view body, size_t expected,
                                                        std::string_view model);

}  // namespace bedrock
}  // namespace sy::protocols::embeddings
