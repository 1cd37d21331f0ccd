// Gemini embeddings: batchEmbedContents request encode and response decode.
#include <string>

#include "core/json_writer.h"
#include "protocols/embeddings.h"
#include "protocols/embeddings_json.h"

namespace sy::protocols::embeddings::gemini {
namespace {

std::string_view bare_model(std::string_view m) {
  if (m.starts_with("models/")) m.remove_prefix(7);
  return m;
}

}  // namespace

std::string request_path(std::string_view upstream_model) {
  return "/v1beta/models/" + detail::percent_encode(bare_model(upstream_model)) +
         ":batchEmbedContents";
}

Result<std::string> encode_request(const model::EmbeddingRequest& req,
                                   std::string_view upstream_model) {
  if (auto r = detail::check_translatable(req, "Gemini"); !r) return std::unexpected(r.error());
  std::string model_name = "models/";
  model_name += bare_model(upstream_model);
  size_t text = 0;
  for (const auto& s : req.inputs) text += s.size();
  std::string out;
  out.reserve(text + req.inputs.size() * (model_name.size() + 80) + 16);
  json::Writer w(out);
  w.begin_object().key("requests").begin_array();
  for (const auto& input : req.inputs) {
    w.begin_object().field("model", model_name);
    w.key("content").begin_object().key("parts").begin_array();
    w.begin_object().field("text", input).end_object();
    w.end_array().end_object();
    if (req.dimensions) {
      w.key("outputDimensionality").value(static_cast<uint64_t>(*req.dimensions));
    }
    w.end_object();
  }
  w.end_array().end_object();
  return out;
}

Result<model::EmbeddingResponse> decode_response(std::string_view body, size_t expected,
                                                 std::string_view model) {
  auto root = detail::parse_answer(body);
  if (!root) return std::unexpected(root.error());
  simdjson::dom::array embeddings;
  if ((*root)["embeddings"].get_array().get(embeddings)) {
    return detail::upstream("embeddings: expected an array");
  }
  if (auto r = detail::check_count(embeddings.size(), expected, "embeddings"); !r) {
    return std::unexpected(r.error());
  }
  model::EmbeddingResponse resp;
  resp.model.assign(model);
  resp.vectors.resize(embeddings.size());
  size_t i = 0;
  for (simdjson::dom::element item : embeddings) {
    const std::string param = detail::indexed("embeddings", i);
    simdjson::dom::element values;
    if (!item.is_object() || item["values"].get(values)) {
      return detail::upstream(param + ".values: required");
    }
    if (auto r = detail::read_vector(values, param + ".values", resp.vectors[i]); !r) {
      return std::unexpected(r.error());
    }
    ++i;
  }
  return resp;  // Gemini reports no usage: usage.reported stays false
}

}  // namespace sy::protocols::embeddings::gemini
