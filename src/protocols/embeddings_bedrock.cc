// Bedrock embeddings over InvokeModel: Titan Text Embeddings (one input per call) and
// Cohere Embed (a batch per call).
#include <string>

#include "core/json_writer.h"
#include "protocols/codec.h"
#include "protocols/embeddings.h"
#include "protocols/embeddings_json.h"

namespace sy::protocols::embeddings::bedrock {
namespace {

constexpr size_t kCohereMaxTexts = 96;

// The foundation model id inside an ARN ("arn:…:foundation-model/<id>") or a cross-region
// inference profile id ("us.<id>").
std::string_view base_id(std::string_view id) {
  if (const size_t slash = id.rfind('/'); slash != std::string_view::npos)
    id.remove_prefix(slash + 1);
  if (id.starts_with("amazon.") || id.starts_with("cohere.")) return id;
  if (const size_t dot = id.find('.'); dot != std::string_view::npos) id.remove_prefix(dot + 1);
  return id;
}

bool titan_v2(std::string_view id) {
  return base_id(id).find("titan-embed-text-v2") != std::string_view::npos;
}

bool cohere_v4(std::string_view id) {
  return base_id(id).find("embed-v4") != std::string_view::npos;
}

}  // namespace

Result<Family> family_of(std::string_view model_id) {
  const std::string_view id = base_id(model_id);
  if (id.starts_with("amazon.titan-embed")) return Family::Titan;
  if (id.starts_with("cohere.embed")) return Family::Cohere;
  return fail(ErrorKind::InvalidRequest,
              "model: Bedrock embeddings take Amazon Titan Text Embeddings (amazon.titan-embed…) "
              "or Cohere Embed (cohere.embed…) models, not \"" +
                  std::string(model_id) + "\"",
              "model");
}

std::string invoke_path(std::string_view model_id) {
  return "/model/" + detail::percent_encode(model_id) + "/invoke";
}

Result<std::string> titan_encode_request(const model::EmbeddingRequest& req, size_t index,
                                         std::string_view model_id) {
  if (auto r = detail::check_translatable(req, "Bedrock Titan embeddings"); !r) {
    return std::unexpected(r.error());
  }
  if (index >= req.inputs.size()) {
    return fail(ErrorKind::Internal, "titan_encode_request: input " + std::to_string(index) +
                                         " of " + std::to_string(req.inputs.size()));
  }
  const bool v2 = titan_v2(model_id);
  if (req.dimensions && !v2) return unsupported("dimensions", "Bedrock Titan Embeddings G1");
  if (req.dimensions && *req.dimensions != 256 && *req.dimensions != 512 &&
      *req.dimensions != 1024) {
    return fail(ErrorKind::InvalidRequest,
                "dimensions: Titan Text Embeddings V2 takes 256, 512 or 1024", "dimensions");
  }
  std::string out;
  out.reserve(req.inputs[index].size() + 64);
  json::Writer w(out);
  w.begin_object().field("inputText", req.inputs[index]);
  if (v2) {
    if (req.dimensions) w.key("dimensions").value(static_cast<uint64_t>(*req.dimensions));
    w.field("normalize", true);
  }
  w.end_object();
  return out;
}

Result<TitanAnswer> titan_decode_response(std::string_view body) {
  auto root = detail::parse_answer(body);
  if (!root) return std::unexpected(root.error());
  TitanAnswer answer;
  simdjson::dom::element e;
  if ((*root)["embedding"].get(e)) return detail::upstream("embedding: required");
  if (auto r = detail::read_vector(e, "embedding", answer.vector); !r) {
    return std::unexpected(r.error());
  }
  if (!(*root)["inputTextTokenCount"].get(e)) {
    uint64_t n = 0;
    if (e.get_uint64().get(n) || n > UINT32_MAX) {
      return detail::upstream("inputTextTokenCount: expected a non-negative integer");
    }
    answer.input_tokens = static_cast<uint32_t>(n);
  }
  return answer;
}

Result<model::EmbeddingResponse> titan_assemble(std::vector<TitanAnswer> answers, size_t expected,
                                                std::string_view model) {
  if (auto r = detail::check_count(answers.size(), expected, "answers"); !r) {
    return std::unexpected(r.error());
  }
  model::EmbeddingResponse resp;
  resp.model.assign(model);
  resp.vectors.reserve(answers.size());
  uint64_t tokens = 0;
  for (auto& a : answers) {
    tokens += a.input_tokens;
    resp.vectors.push_back(std::move(a.vector));
  }
  resp.usage.input_tokens = tokens > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(tokens);
  resp.usage.reported = true;
  return resp;
}

Result<std::string> cohere_encode_request(const model::EmbeddingRequest& req,
                                          std::string_view model_id) {
  if (auto r = detail::check_translatable(req, "Bedrock Cohere Embed"); !r) {
    return std::unexpected(r.error());
  }
  if (req.inputs.size() > kCohereMaxTexts) {
    return fail(ErrorKind::InvalidRequest,
                "input: Cohere Embed on Bedrock takes at most 96 inputs per request", "input");
  }
  const bool v4 = cohere_v4(model_id);
  if (req.dimensions && !v4) return unsupported("dimensions", "Bedrock Cohere Embed v3");
  size_t text = 0;
  for (const auto& s : req.inputs) text += s.size() + 4;
  std::string out;
  out.reserve(text + 96);
  json::Writer w(out);
  w.begin_object().key("texts").begin_array();
  for (const auto& s : req.inputs) w.value(s);
  w.end_array().field("input_type", "search_document");
  if (v4) {
    w.key("embedding_types").begin_array().value("float").end_array();
    if (req.dimensions) w.key("output_dimension").value(static_cast<uint64_t>(*req.dimensions));
  }
  w.end_object();
  return out;
}

Result<model::EmbeddingResponse> cohere_decode_response(std::string_view body, size_t expected,
                                                        std::string_view model) {
  auto root = detail::parse_answer(body);
  if (!root) return std::unexpected(root.error());
  simdjson::dom::element embeddings;
  if ((*root)["embeddings"].get(embeddings)) return detail::upstream("embeddings: required");
  std::string param = "embeddings";
  if (embeddings.is_object()) {  // by type (v4, or v3 asked for embedding_types)
    if (embeddings["float"].get(embeddings)) return detail::upstream("embeddings.float: required");
    param = "embeddings.float";
  }
  simdjson::dom::array rows;
  if (embeddings.get_array().get(rows)) return detail::upstream(param + ": expected an array");
  if (auto r = detail::check_count(rows.size(), expected, "embeddings"); !r) {
    return std::unexpected(r.error());
  }
  model::EmbeddingResponse resp;
  resp.model.assign(model);
  resp.vectors.resize(rows.size());
  size_t i = 0;
  for (simdjson::dom::element row : rows) {
    if (auto r = detail::read_vector(row, detail::indexed(param, i), resp.vectors[i]); !r) {
      return std::unexpected(r.error());
    }
    ++i;
  }
  uint64_t n = 0;
  if (!(*root).at_pointer("/meta/billed_units/input_tokens").get_uint64().get(n) &&
      n <= UINT32_MAX) {
    resp.usage.input_tokens = static_cast<uint32_t>(n);
    resp.usage.reported = true;
  }
  return resp;
}

}  // namespace sy::protocols::embeddings::bedrock
