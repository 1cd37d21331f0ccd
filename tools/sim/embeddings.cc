#include "embeddings.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "json_fields.h"
#include "responder.h"

namespace sy::sim {
namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

constexpr size_t kOpenAIMaxInputs = 2048;
constexpr size_t kGeminiMaxRequests = 100;
constexpr size_t kCohereMaxTexts = 96;

std::unexpected<ApiError> bad(std::string message, std::optional<std::string> param = {}) {
  return std::unexpected(ApiError{.status = 400, .message = std::move(message), .param = std::move(param)});
}

std::expected<Json, ApiError> parse_object(std::string_view body) {
  Json root = Json::parse(body, nullptr, false);
  if (root.is_discarded() || !root.is_object()) {
    return bad("We could not parse the JSON body of your request: expected a JSON object.");
  }
  return root;
}

// The id without a cross-region inference profile prefix ("us.", "eu.", "apac.").
std::string_view base_model_id(std::string_view id) {
  for (std::string_view prefix : {"us.", "eu.", "apac.", "global."}) {
    if (id.starts_with(prefix)) return id.substr(prefix.size());
  }
  return id;
}

std::optional<int64_t> positive_int(const Json& v) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1) return std::nullopt;
  return v.get<int64_t>();
}

// "tokens:1,2,3": a token-array input as the text its vector is derived from.
std::string token_text(const Json& tokens) {
  std::string text = "tokens:";
  for (size_t i = 0; i < tokens.size(); ++i) text += (i ? "," : "") + std::to_string(tokens[i].get<int64_t>());
  return text;
}

bool all_integers(const Json& a) {
  for (const auto& t : a) {
    if (!t.is_number_integer()) return false;
  }
  return true;
}

std::expected<void, ApiError> read_openai_input(const Json& input, EmbedRequest& out) {
  const char* invalid = "'$.input' is invalid. Please check the API reference: "
                        "https://platform.openai.com/docs/api-reference.";
  if (input.is_string()) {
    if (input.get_ref<const std::string&>().empty()) return bad(invalid, "input");
    out.texts.push_back(input.get<std::string>());
    return {};
  }
  if (!input.is_array() || input.empty()) return bad(invalid, "input");
  if (input.size() > kOpenAIMaxInputs) {
    return bad(fmt::format("'$.input' must have at most {} items.", kOpenAIMaxInputs), "input");
  }
  if (all_integers(input)) {
    out.texts.push_back(token_text(input));
    return {};
  }
  for (const auto& item : input) {
    if (item.is_string() && !item.get_ref<const std::string&>().empty()) {
      out.texts.push_back(item.get<std::string>());
    } else if (item.is_array() && !item.empty() && all_integers(item)) {
      out.texts.push_back(token_text(item));
    } else {
      return bad(invalid, "input");
    }
  }
  return {};
}

// SplitMix64: a fast, well-mixed sequence from one seed.
uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string base64_floats(const std::vector<float>& v) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u = std::bit_cast<uint32_t>(v[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

OJson vector_json(const std::vector<float>& v) {
  OJson a = OJson::array();
  for (float f : v) a.push_back(f);
  return a;
}

}  // namespace

std::optional<EmbedFormat> bedrock_embed_format(std::string_view model_id) {
  const std::string_view id = base_model_id(model_id);
  if (id.starts_with("amazon.titan-embed")) return EmbedFormat::Titan;
  if (id.starts_with("cohere.embed")) return EmbedFormat::Cohere;
  return std::nullopt;
}

int64_t default_dimensions(std::string_view model, int64_t configured) {
  if (configured > 0) return configured;
  const std::string_view id = base_model_id(model);
  if (id.starts_with("amazon.titan-embed-text-v1")) return 1536;
  if (id.starts_with("amazon.titan-embed")) return 1024;
  if (id.starts_with("cohere.embed")) return 1024;
  if (id == "text-embedding-3-small" || id == "text-embedding-ada-002") return 1536;
  if (id == "text-embedding-3-large" || id == "gemini-embedding-001") return 3072;
  if (id == "text-embedding-004") return 768;
  return 256;
}

std::expected<EmbedRequest, ApiError> parse_openai_embeddings(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return std::unexpected(root.error());
  for (const auto& [key, value] : root->items()) {
    if (key != "model" && key != "input" && key != "encoding_format" && key != "dimensions" &&
        key != "user") {
      return bad(fmt::format("Unrecognized request argument supplied: {}", key), key);
    }
  }
  EmbedRequest out;
  const Json* model = optional_field(*root, "model");
  if (model == nullptr || !model->is_string() || model->get_ref<const std::string&>().empty()) {
    return bad("you must provide a model parameter", "model");
  }
  out.model = model->get<std::string>();
  const Json* input = optional_field(*root, "input");
  if (input == nullptr) return bad("Missing required parameter: 'input'.", "input");
  if (auto r = read_openai_input(*input, out); !r) return std::unexpected(r.error());
  if (const Json* f = optional_field(*root, "encoding_format")) {
    if (!f->is_string() || (*f != "float" && *f != "base64")) {
      return bad("'$.encoding_format' must be 'float' or 'base64'.", "encoding_format");
    }
    out.base64 = *f == "base64";
  }
  if (const Json* d = optional_field(*root, "dimensions")) {
    out.dimensions = positive_int(*d);
    if (!out.dimensions) return bad("'$.dimensions' must be an integer >= 1.", "dimensions");
  }
  if (const Json* u = optional_field(*root, "user"); u != nullptr && !u->is_string()) {
    return bad("'$.user' must be a string.", "user");
  }
  return out;
}

std::expected<EmbedRequest, ApiError> parse_gemini_batch_embed(std::string_view body,
                                                               std::string_view path_model) {
  auto root = parse_object(body);
  if (!root) return std::unexpected(root.error());
  const Json* requests = optional_field(*root, "requests");
  if (requests == nullptr || !requests->is_array() || requests->empty()) {
    return bad("* BatchEmbedContentsRequest.requests: requests must not be empty");
  }
  if (requests->size() > kGeminiMaxRequests) {
    return bad(fmt::format("* BatchEmbedContentsRequest.requests: at most {} requests are allowed "
                           "in a batch",
                           kGeminiMaxRequests));
  }
  EmbedRequest out;
  out.model = std::string(path_model);
  const std::string expected_model = "models/" + out.model;
  for (size_t i = 0; i < requests->size(); ++i) {
    const Json& r = (*requests)[i];
    const std::string where = fmt::format("* BatchEmbedContentsRequest.requests[{}]", i);
    if (!r.is_object()) return bad(where + ": expected an object");
    const Json* model = optional_field(r, "model");
    if (model == nullptr || !model->is_string() || *model != expected_model) {
      return bad(where + ".model: the model of each request must be the batch's model, \"" +
                 expected_model + "\"");
    }
    const Json* content = optional_field(r, "content");
    const Json* parts = content != nullptr && content->is_object() ? optional_field(*content, "parts") : nullptr;
    if (parts == nullptr || !parts->is_array() || parts->empty()) {
      return bad(where + ".content.parts: must not be empty");
    }
    std::string text;
    for (const auto& part : *parts) {
      const Json* t = part.is_object() ? optional_field(part, "text") : nullptr;
      if (t == nullptr || !t->is_string()) return bad(where + ".content.parts: only text parts are supported");
      text += t->get<std::string>();
    }
    if (text.empty()) return bad(where + ".content: text must not be empty");
    out.texts.push_back(std::move(text));
    if (const Json* d = optional_field(r, "outputDimensionality")) {
      const std::optional<int64_t> dims = positive_int(*d);
      if (!dims) return bad(where + ".outputDimensionality: must be a positive integer");
      if (out.dimensions && *out.dimensions != *dims) {
        return bad(where + ".outputDimensionality: switchyard-sim needs the same value in every "
                           "request of a batch");
      }
      out.dimensions = dims;
    } else if (out.dimensions) {
      return bad(where + ".outputDimensionality: switchyard-sim needs the same value in every "
                         "request of a batch");
    }
  }
  return out;
}

std::expected<EmbedRequest, ApiError> parse_titan_embed(std::string_view body,
                                                        std::string_view model_id) {
  auto root = parse_object(body);
  if (!root) return std::unexpected(root.error());
  const bool v1 = base_model_id(model_id).starts_with("amazon.titan-embed-text-v1");
  for (const auto& [key, value] : root->items()) {
    const bool known = key == "inputText" ||
                       (!v1 && (key == "dimensions" || key == "normalize" || key == "embeddingTypes"));
    if (!known) return bad(fmt::format("Malformed input request: extraneous key [{}] is not permitted", key));
  }
  EmbedRequest out;
  out.model = std::string(model_id);
  const Json* text = optional_field(*root, "inputText");
  if (text == nullptr || !text->is_string()) {
    return bad("Malformed input request: required key [inputText] not found");
  }
  if (text->get_ref<const std::string&>().empty()) {
    return bad("Malformed input request: expected minLength: 1, actual: 0");
  }
  out.texts.push_back(text->get<std::string>());
  if (const Json* d = optional_field(*root, "dimensions")) {
    if (!d->is_number_integer() || (*d != 256 && *d != 512 && *d != 1024)) {
      return bad("Malformed input request: #/dimensions: must be one of 256, 512, 1024");
    }
    out.dimensions = d->get<int64_t>();
  }
  if (const Json* n = optional_field(*root, "normalize"); n != nullptr && !n->is_boolean()) {
    return bad("Malformed input request: #/normalize: expected type: Boolean");
  }
  if (const Json* types = optional_field(*root, "embeddingTypes")) {
    if (!types->is_array() || types->empty() || *types != Json::array({"float"})) {
      return bad("Malformed input request: #/embeddingTypes: switchyard-sim supports [\"float\"]");
    }
  }
  return out;
}

std::expected<EmbedRequest, ApiError> parse_cohere_embed(std::string_view body,
                                                         std::string_view model_id) {
  auto root = parse_object(body);
  if (!root) return std::unexpected(root.error());
  const bool v4 = base_model_id(model_id).starts_with("cohere.embed-v4");
  for (const auto& [key, value] : root->items()) {
    const bool known = key == "texts" || key == "input_type" || key == "truncate" ||
                       key == "embedding_types" || (v4 && key == "output_dimension");
    if (!known) return bad(fmt::format("Malformed input request: extraneous key [{}] is not permitted", key));
  }
  EmbedRequest out;
  out.model = std::string(model_id);
  const Json* texts = optional_field(*root, "texts");
  if (texts == nullptr || !texts->is_array() || texts->empty()) {
    return bad("Malformed input request: #/texts: expected at least 1 item");
  }
  if (texts->size() > kCohereMaxTexts) {
    return bad(fmt::format("Malformed input request: #/texts: expected maximum item count: {}, found: {}",
                           kCohereMaxTexts, texts->size()));
  }
  for (const auto& t : *texts) {
    if (!t.is_string()) return bad("Malformed input request: #/texts: expected type: String");
    out.texts.push_back(t.get<std::string>());
  }
  const Json* input_type = optional_field(*root, "input_type");
  static constexpr std::array kInputTypes = {"search_document", "search_query", "classification",
                                             "clustering"};
  if (input_type == nullptr || !input_type->is_string() ||
      std::find(kInputTypes.begin(), kInputTypes.end(), input_type->get<std::string>()) ==
          kInputTypes.end()) {
    return bad("Malformed input request: #/input_type: must be one of search_document, "
               "search_query, classification, clustering");
  }
  if (const Json* t = optional_field(*root, "truncate")) {
    if (!t->is_string() || (*t != "NONE" && *t != "START" && *t != "END")) {
      return bad("Malformed input request: #/truncate: must be one of NONE, START, END");
    }
  }
  if (const Json* types = optional_field(*root, "embedding_types")) {
    if (!types->is_array() || *types != Json::array({"float"})) {
      return bad("Malformed input request: #/embedding_types: switchyard-sim supports [\"float\"]");
    }
    out.by_type = true;
  }
  if (const Json* d = optional_field(*root, "output_dimension")) {
    if (!d->is_number_integer() || (*d != 256 && *d != 512 && *d != 1024 && *d != 1536)) {
      return bad("Malformed input request: #/output_dimension: must be one of 256, 512, 1024, 1536");
    }
    out.dimensions = d->get<int64_t>();
  }
  return out;
}

std::vector<float> embed_text(std::string_view text, int64_t dimensions) {
  uint64_t state = stable_hash(text);
  std::vector<float> v(static_cast<size_t>(dimensions));
  double norm = 0;
  for (float& x : v) {
    // Uniform in [-1, 1) from the top 24 bits: exactly representable as a float.
    x = static_cast<float>(static_cast<double>(splitmix(state) >> 40) / (1 << 23) - 1.0);
    norm += static_cast<double>(x) * x;
  }
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& x : v) x = static_cast<float>(x / norm);
  }
  return v;
}

int64_t embed_tokens(std::string_view text) {
  return std::max<int64_t>(1, (static_cast<int64_t>(text.size()) + 3) / 4);
}

std::string render_embeddings(EmbedFormat format, const EmbedRequest& request, int64_t dimensions) {
  int64_t tokens = 0;
  for (const auto& t : request.texts) tokens += embed_tokens(t);
  switch (format) {
    case EmbedFormat::OpenAI: {
      OJson data = OJson::array();
      for (size_t i = 0; i < request.texts.size(); ++i) {
        const std::vector<float> v = embed_text(request.texts[i], dimensions);
        OJson item = {{"object", "embedding"}, {"index", i}};
        item["embedding"] = request.base64 ? OJson(base64_floats(v)) : vector_json(v);
        data.push_back(std::move(item));
      }
      return dump_json({{"object", "list"},
                        {"data", std::move(data)},
                        {"model", request.model},
                        {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}});
    }
    case EmbedFormat::Gemini: {
      OJson embeddings = OJson::array();
      for (const auto& t : request.texts) {
        embeddings.push_back({{"values", vector_json(embed_text(t, dimensions))}});
      }
      return dump_json({{"embeddings", std::move(embeddings)}});
    }
    case EmbedFormat::Titan: {
      OJson v = vector_json(embed_text(request.texts.front(), dimensions));
      return dump_json({{"embedding", v},
                        {"inputTextTokenCount", tokens},
                        {"embeddingsByType", {{"float", v}}}});
    }
    case EmbedFormat::Cohere: {
      OJson vectors = OJson::array();
      for (const auto& t : request.texts) vectors.push_back(vector_json(embed_text(t, dimensions)));
      OJson body = {{"id", fmt::format("{:016x}", stable_hash(request.texts.front()))}};
      if (request.by_type) {
        body["embeddings"] = {{"float", std::move(vectors)}};
        body["response_type"] = "embeddings_by_type";
      } else {
        body["embeddings"] = std::move(vectors);
        body["response_type"] = "embeddings_floats";
      }
      body["texts"] = request.texts;
      return dump_json(body);
    }
  }
  return "{}";
}

std::string malformed_embeddings(EmbedFormat format) {
  switch (format) {
    case EmbedFormat::OpenAI:
      return R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,)";
    case EmbedFormat::Gemini:
      return R"({"embeddings":[{"values":[0.1,)";
    case EmbedFormat::Titan:
      return R"({"embedding":[0.1,)";
    case EmbedFormat::Cohere:
      return R"({"id":"x","embeddings":[[0.1,)";
  }
  return "{";
}

}  // namespace sy::sim
