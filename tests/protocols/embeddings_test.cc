#include "protocols/embeddings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "protocols/openai_chat.h"

namespace sy::protocols::embeddings {
namespace {

using model::EmbeddingEncoding;
using model::EmbeddingRequest;
using model::EmbeddingResponse;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SY_SOURCE_DIR) + "/tests/protocols/fixtures/embeddings/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

EmbeddingRequest decoded(const std::string& body) {
  auto r = openai::decode_request(body);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : EmbeddingRequest{};
}

// The error of decoding `body` as a client request.
Error request_error(std::string body) {
  auto r = openai::decode_request(std::move(body));
  EXPECT_FALSE(r);
  return r ? Error{} : r.error();
}

// ---------------------------------------------------------------- OpenAI requests

TEST(EmbeddingsOpenAIRequest, DecodesTheFixture) {
  auto req = decoded(fixture("openai_request.json"));
  EXPECT_EQ(req.model, "text-embedding-3-small");
  EXPECT_THAT(req.inputs, ElementsAre("The food was delicious and the waiter was friendly.",
                                      "Réservez une table pour deux à 20 h."));
  EXPECT_EQ(req.token_inputs, 0u);
  EXPECT_EQ(req.dimensions, 4u);
  EXPECT_EQ(req.encoding_format, EmbeddingEncoding::Float);
  EXPECT_EQ(req.user, "user-1234");
  EXPECT_TRUE(req.other_fields.empty());
  EXPECT_EQ(req.input_count(), 2u);
}

TEST(EmbeddingsOpenAIRequest, ASingleStringIsOneInput) {
  auto req = decoded(R"({"model":"m","input":"hello \"world\"","encoding_format":"base64"})");
  EXPECT_THAT(req.inputs, ElementsAre("hello \"world\""));
  EXPECT_EQ(req.encoding_format, EmbeddingEncoding::Base64);
  EXPECT_FALSE(req.dimensions);
}

TEST(EmbeddingsOpenAIRequest, TokenArraysAreCountedAndKeptOnlyInTheRawBody) {
  auto req = decoded(fixture("openai_request_tokens.json"));
  EXPECT_TRUE(req.inputs.empty());
  EXPECT_EQ(req.token_inputs, 2u);
  EXPECT_EQ(req.input_count(), 2u);
  auto one = decoded(R"({"model":"m","input":[1820,25977,374]})");
  EXPECT_EQ(one.token_inputs, 1u);
}

TEST(EmbeddingsOpenAIRequest, UnknownKeysAreRecorded) {
  auto req = decoded(R"({"model":"m","input":"x","input_type":"query","extra":{"a":[1]}})");
  EXPECT_THAT(req.other_fields, ElementsAre("input_type", "extra"));
}

TEST(EmbeddingsOpenAIRequest, NullOptionalsAreDefaults) {
  auto req =
      decoded(R"({"model":"m","input":"x","dimensions":null,"encoding_format":null,"user":null})");
  EXPECT_FALSE(req.dimensions);
  EXPECT_EQ(req.encoding_format, EmbeddingEncoding::Float);
}

TEST(EmbeddingsOpenAIRequest, ErrorsNameTheField) {
  struct Case {
    std::string body;
    std::string param;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"input":"x"})", "model", "model: required"},
      {R"({"model":"","input":"x"})", "model", "must not be empty"},
      {R"({"model":7,"input":"x"})", "model", "model: expected a string"},
      {R"({"model":"m"})", "input", "input: required"},
      {R"({"model":"m","input":""})", "input", "empty string"},
      {R"({"model":"m","input":[]})", "input", "must not be empty"},
      {R"({"model":"m","input":{"a":1}})", "input", "expected a string, an array"},
      {R"({"model":"m","input":["a",""]})", "input[1]", "empty string"},
      {R"({"model":"m","input":["a",3]})", "input[1]", "only strings"},
      {R"({"model":"m","input":[null]})", "input[0]", "only strings"},
      {R"({"model":"m","input":[1,-2]})", "input[1]", "token id"},
      {R"({"model":"m","input":[1,2.5]})", "input[1]", "token id"},
      {R"({"model":"m","input":[[1],[]]})", "input[1]", "must not be empty"},
      {R"({"model":"m","input":[[1],["a"]]})", "input[1][0]", "token id"},
      {R"({"model":"m","input":"x","dimensions":0})", "dimensions", "positive integer"},
      {R"({"model":"m","input":"x","dimensions":"8"})", "dimensions", "expected an integer"},
      {R"({"model":"m","input":"x","encoding_format":"int8"})", "encoding_format", "\"float\""},
      {R"({"model":"m","input":"x","user":1})", "user", "user: expected a string"},
      {R"({"model":"m","input":"x","model":"n"})", "model", "given more than once"},
      {R"({"model":"m","input":"x","input":["y"]})", "input", "given more than once"},
  };
  for (const auto& c : cases) {
    Error e = request_error(c.body);
    EXPECT_EQ(e.status, 400) << c.body;
    EXPECT_EQ(e.param, c.param) << c.body;
    EXPECT_THAT(e.message, HasSubstr(c.message)) << c.body;
  }
}

TEST(EmbeddingsOpenAIRequest, RejectsMalformedJson) {
  for (std::string body :
       {"", "[]", "{\"model\":\"m\",\"input\":\"x\"", "{\"model\":\"m\",\"input\":\"x\"} x",
        "{\"model\":\"m\",\"input\":[\"x\",]}"}) {
    Error e = request_error(body);
    EXPECT_EQ(e.status, 400) << body;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(EmbeddingsOpenAIRequest, RejectsMoreThan2048Inputs) {
  std::string body = R"({"model":"m","input":[)";
  for (int i = 0; i < 2049; ++i) body += i ? ",\"a\"" : "\"a\"";
  body += "]}";
  EXPECT_THAT(request_error(body).message, HasSubstr("at most 2048"));
  // A single token array may be longer than that.
  std::string tokens = R"({"model":"m","input":[)";
  for (int i = 0; i < 3000; ++i) tokens += i ? ",7" : "7";
  tokens += "]}";
  EXPECT_EQ(decoded(tokens).token_inputs, 1u);
}

TEST(EmbeddingsOpenAIRequest, ForwardSplicesOnlyTheModel) {
  const std::string body = fixture("openai_request_tokens.json");
  auto req = decoded(body);
  const std::string out = openai::forward_request(req, "text-embedding-3-large");
  json want = json::parse(body);
  want["model"] = "text-embedding-3-large";
  EXPECT_EQ(json::parse(out), want);
  auto again =
      decoded(openai::forward_request(decoded(R"({ "model" : "a" , "input":"x"})"), "b\"c"));
  EXPECT_EQ(again.model, "b\"c");
}

TEST(EmbeddingsOpenAIRequest, EncodeFromCanonicalRoundTrips) {
  auto req = decoded(fixture("openai_request.json"));
  auto body = openai::encode_request(req, "text-embedding-3-large");
  ASSERT_TRUE(body) << body.error().message;
  auto back = decoded(*body);
  EXPECT_EQ(back.model, "text-embedding-3-large");
  EXPECT_EQ(back.inputs, req.inputs);
  EXPECT_EQ(back.dimensions, req.dimensions);
  EXPECT_EQ(back.encoding_format, req.encoding_format);
  EXPECT_EQ(back.user, req.user);
  auto tokens = openai::encode_request(decoded(fixture("openai_request_tokens.json")), "m");
  ASSERT_FALSE(tokens);
  EXPECT_THAT(tokens.error().message, HasSubstr("forward_request"));
  auto extra = openai::encode_request(decoded(R"({"model":"m","input":"x","x":1})"), "m");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().param, "x");
}

// ---------------------------------------------------------------- OpenAI responses

TEST(EmbeddingsOpenAIResponse, DecodesTheFixture) {
  auto r = openai::decode_response(fixture("openai_response.json"), 2);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "text-embedding-3-small");
  ASSERT_EQ(r->vectors.size(), 2u);
  EXPECT_THAT(r->vectors[0],
              ElementsAre(0.0023064255f, -0.009327292f, 0.015797347f, -0.0077780345f));
  EXPECT_FLOAT_EQ(r->vectors[1][1], 0.0281349f);
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 23u);
}

TEST(EmbeddingsOpenAIResponse, DecodesBase64Vectors) {
  auto r = openai::decode_response(fixture("openai_response_base64.json"), 1);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(r->vectors[0], ElementsAre(1.0f, -2.0f, 3.0f, -0.25f));
}

TEST(EmbeddingsOpenAIResponse, PutsVectorsInIndexOrder) {
  auto r = openai::decode_response(
      R"({"data":[{"index":1,"embedding":[2]},{"index":0,"embedding":[1]}],"model":"m"})", 2);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_THAT(r->vectors[0], ElementsAre(1.0f));
  EXPECT_THAT(r->vectors[1], ElementsAre(2.0f));
  EXPECT_FALSE(r->usage.reported);
}

TEST(EmbeddingsOpenAIResponse, ErrorsAreUpstreamErrorsNamingTheField) {
  struct Case {
    std::string body;
    size_t expected;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"not json", 1, "not valid JSON"},
      {"[1]", 1, "not a JSON object"},
      {R"({"object":"list"})", 1, "data: expected an array"},
      {R"({"data":[{"embedding":[1]}]})", 2, "returned 1 embeddings for 2 inputs"},
      {R"({"data":[{"embedding":[1,"a"]}]})", 1, "data[0].embedding[1]: expected a number"},
      {R"({"data":[{"embedding":[1e300]}]})", 1, "data[0].embedding[0]: out of float32 range"},
      {R"({"data":[{"index":0}]})", 1, "data[0].embedding: required"},
      {R"({"data":[{"index":3,"embedding":[1]}]})", 1, "data[0].index"},
      {R"({"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]})", 2,
       "data[1].index: 0 repeated"},
      {R"({"data":[7]})", 1, "data[0]: expected an object"},
      {R"({"data":[{"embedding":"AAA"}]})", 1, "invalid base64"},
      {R"({"data":[{"embedding":"AAAA"}]})", 1, "whole number of float32s"},
      {R"({"data":[{"embedding":"AACAfw=="}]})", 1, "non-finite"},
  };
  for (const auto& c : cases) {
    auto r = openai::decode_response(c.body, c.expected);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().status, 502) << c.body;
    EXPECT_THAT(r.error().message, HasSubstr(c.message)) << c.body;
  }
}

EmbeddingResponse sample_response() {
  EmbeddingResponse resp;
  resp.model = "text-embedding-3-small";
  resp.vectors = {{0.1f, -0.2f, 1e-7f, 3.4028235e38f}, {-0.0f, 0.333333343f}};
  resp.usage.input_tokens = 9;
  resp.usage.reported = true;
  return resp;
}

TEST(EmbeddingsOpenAIResponse, EncodesOpenAIsShape) {
  const std::string out = openai::encode_response(sample_response(), EmbeddingEncoding::Float);
  json j = json::parse(out);
  EXPECT_EQ(j["object"], "list");
  EXPECT_EQ(j["model"], "text-embedding-3-small");
  EXPECT_EQ(j["usage"], json::parse(R"({"prompt_tokens":9,"total_tokens":9})"));
  ASSERT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][1]["object"], "embedding");
  EXPECT_EQ(j["data"][1]["index"], 1);
  // Shortest round-trip text of each float32.
  EXPECT_THAT(out, HasSubstr("[0.1,-0.2,1e-07,3.4028235e+38]"));
  EXPECT_THAT(out, HasSubstr("[-0.0,0.33333334]"));
}

TEST(EmbeddingsOpenAIResponse, FloatsRoundTripBitForBit) {
  EmbeddingResponse resp;
  resp.model = "m";
  std::vector<float> v;
  uint32_t bits = 0x3c23d70a;
  for (int i = 0; i < 2000; ++i) {
    bits = bits * 1664525u + 1013904223u;
    float f = std::bit_cast<float>(bits);
    if (std::isfinite(f)) v.push_back(f);
  }
  v.push_back(-0.0f);
  v.push_back(std::numeric_limits<float>::denorm_min());
  v.push_back(-std::numeric_limits<float>::max());
  resp.vectors.push_back(v);
  for (auto enc : {EmbeddingEncoding::Float, EmbeddingEncoding::Base64}) {
    auto back = openai::decode_response(openai::encode_response(resp, enc), 1);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->vectors[0].size(), v.size());
    EXPECT_EQ(std::memcmp(back->vectors[0].data(), v.data(), v.size() * sizeof(float)), 0);
  }
}

TEST(EmbeddingsOpenAIResponse, Base64IsLittleEndianFloat32) {
  EmbeddingResponse resp;
  resp.model = "text-embedding-3-small";
  resp.vectors = {{1.0f, -2.0f, 3.0f, -0.25f}};
  resp.usage = {5, 0, 0, 0, true};
  EXPECT_EQ(json::parse(openai::encode_response(resp, EmbeddingEncoding::Base64)),
            json::parse(fixture("openai_response_base64.json")));
}

TEST(EmbeddingsOpenAIResponse, NonFiniteFloatsAreWrittenAsNull) {
  EmbeddingResponse resp;
  resp.vectors = {{std::numeric_limits<float>::infinity(), 1.0f}};
  json j = json::parse(openai::encode_response(resp, EmbeddingEncoding::Float));
  EXPECT_TRUE(j["data"][0]["embedding"][0].is_null());
}

// ---------------------------------------------------------------- Gemini

TEST(EmbeddingsGemini, EncodesBatchEmbedContents) {
  auto req = decoded(fixture("openai_request.json"));
  auto body = gemini::encode_request(req, "gemini-embedding-001");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(json::parse(*body), json::parse(fixture("gemini_request.json")));
  auto same = gemini::encode_request(req, "models/gemini-embedding-001");
  EXPECT_EQ(*same, *body);
  EXPECT_EQ(gemini::request_path("gemini-embedding-001"),
            "/v1beta/models/gemini-embedding-001:batchEmbedContents");
  EXPECT_EQ(gemini::request_path("models/text-embedding-004"),
            "/v1beta/models/text-embedding-004:batchEmbedContents");
}

TEST(EmbeddingsGemini, LeavesOutDimensionalityWhenNotAsked) {
  auto body =
      gemini::encode_request(decoded(R"({"model":"m","input":"hi"})"), "text-embedding-004");
  ASSERT_TRUE(body);
  EXPECT_EQ(json::parse(*body), json::parse(R"({"requests":[{"model":"models/text-embedding-004",
      "content":{"parts":[{"text":"hi"}]}}]})"));
}

TEST(EmbeddingsGemini, TokenInputsAndUnknownKeysAreUnsupported) {
  auto tokens = gemini::encode_request(decoded(fixture("openai_request_tokens.json")), "g");
  ASSERT_FALSE(tokens);
  EXPECT_EQ(tokens.error().code, "unsupported_feature");
  EXPECT_THAT(tokens.error().message, HasSubstr("token arrays cannot be expressed in Gemini"));
  auto extra =
      gemini::encode_request(decoded(R"({"model":"m","input":"x","input_type":"q"})"), "g");
  ASSERT_FALSE(extra);
  EXPECT_THAT(extra.error().message, HasSubstr("input_type cannot be expressed in Gemini"));
}

TEST(EmbeddingsGemini, DecodesTheFixtureWithoutUsage) {
  auto r = gemini::decode_response(fixture("gemini_response.json"), 2, "gemini-embedding-001");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "gemini-embedding-001");
  EXPECT_THAT(r->vectors[1],
              ElementsAre(0.0019233283f, 0.03105462f, -0.0061876266f, -0.041120134f));
  EXPECT_FALSE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 0u);
  // Through to the client: usage 0, as documented.
  json j = json::parse(openai::encode_response(*r, EmbeddingEncoding::Float));
  EXPECT_EQ(j["usage"]["prompt_tokens"], 0);
  EXPECT_EQ(j["data"][1]["embedding"][2].get<float>(), -0.0061876266f);
}

TEST(EmbeddingsGemini, BadAnswersAreUpstreamErrors) {
  auto count = gemini::decode_response(fixture("gemini_response.json"), 3, "g");
  ASSERT_FALSE(count);
  EXPECT_THAT(count.error().message, HasSubstr("2 embeddings for 3 inputs"));
  auto values = gemini::decode_response(R"({"embeddings":[{"value":[1]}]})", 1, "g");
  ASSERT_FALSE(values);
  EXPECT_THAT(values.error().message, HasSubstr("embeddings[0].values: required"));
  auto error = gemini::decode_response(fixture("gemini_error.json"), 1, "g");
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().status, 502);
  EXPECT_THAT(openai_chat::decode_error_message(fixture("gemini_error.json")),
              HasSubstr("output_dimensionality: must be positive"));
}

// ---------------------------------------------------------------- Bedrock

TEST(EmbeddingsBedrock, ChoosesTheFamilyByPrefix) {
  EXPECT_EQ(bedrock::family_of("amazon.titan-embed-text-v2:0"), bedrock::Family::Titan);
  EXPECT_EQ(bedrock::family_of("amazon.titan-embed-text-v1"), bedrock::Family::Titan);
  EXPECT_EQ(bedrock::family_of("cohere.embed-english-v3"), bedrock::Family::Cohere);
  EXPECT_EQ(bedrock::family_of("us.cohere.embed-v4:0"), bedrock::Family::Cohere);
  EXPECT_EQ(bedrock::family_of(
                "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0"),
            bedrock::Family::Titan);
  auto other = bedrock::family_of("anthropic.claude-3-haiku");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().status, 400);
  EXPECT_EQ(other.error().param, "model");
  EXPECT_EQ(bedrock::invoke_path("amazon.titan-embed-text-v2:0"),
            "/model/amazon.titan-embed-text-v2%3A0/invoke");
}

TEST(EmbeddingsBedrock, TitanTakesOneInputPerCall) {
  auto req = decoded(fixture("openai_request.json"));
  req.dimensions = 256;
  auto first = bedrock::titan_encode_request(req, 0, "amazon.titan-embed-text-v2:0");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(json::parse(*first), json::parse(fixture("titan_request.json")));
  auto second = bedrock::titan_encode_request(req, 1, "amazon.titan-embed-text-v2:0");
  ASSERT_TRUE(second);
  EXPECT_EQ(json::parse(*second)["inputText"], "Réservez une table pour deux à 20 h.");
  EXPECT_FALSE(bedrock::titan_encode_request(req, 2, "amazon.titan-embed-text-v2:0"));
}

TEST(EmbeddingsBedrock, TitanDimensionsAreChecked) {
  auto req = decoded(R"({"model":"m","input":"x","dimensions":300})");
  auto v2 = bedrock::titan_encode_request(req, 0, "amazon.titan-embed-text-v2:0");
  ASSERT_FALSE(v2);
  EXPECT_EQ(v2.error().param, "dimensions");
  auto v1 = bedrock::titan_encode_request(req, 0, "amazon.titan-embed-text-v1");
  ASSERT_FALSE(v1);
  EXPECT_EQ(v1.error().code, "unsupported_feature");
  req.dimensions.reset();
  auto plain = bedrock::titan_encode_request(req, 0, "amazon.titan-embed-text-v1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(json::parse(*plain), json::parse(R"({"inputText":"x"})"));
}

TEST(EmbeddingsBedrock, TitanAnswersAssembleInOrder) {
  auto a = bedrock::titan_decode_response(fixture("titan_response.json"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_THAT(a->vector,
              ElementsAre(-0.0556640625f, 0.0439453125f, 0.01171875f, -0.0162353515625f));
  EXPECT_EQ(a->input_tokens, 12u);
  auto b = bedrock::titan_decode_response(R"({"embedding":[0.5,0.25],"inputTextTokenCount":7})");
  ASSERT_TRUE(b);
  auto resp = bedrock::titan_assemble({*a, *b}, 2, "amazon.titan-embed-text-v2:0");
  ASSERT_TRUE(resp) << resp.error().message;
  EXPECT_EQ(resp->vectors[1], std::vector<float>({0.5f, 0.25f}));
  EXPECT_EQ(resp->usage.input_tokens, 19u);
  EXPECT_TRUE(resp->usage.reported);
  EXPECT_FALSE(bedrock::titan_assemble({*a}, 2, "m"));
  auto bad = bedrock::titan_decode_response(R"({"embedding":[1],"inputTextTokenCount":-1})");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("inputTextTokenCount"));
  auto error = bedrock::titan_decode_response(fixture("bedrock_error.json"));
  ASSERT_FALSE(error);
  EXPECT_THAT(error.error().message, HasSubstr("embedding: required"));
  EXPECT_THAT(openai_chat::decode_error_message(fixture("bedrock_error.json")),
              HasSubstr("Malformed input request"));
}

TEST(EmbeddingsBedrock, CohereTakesABatch) {
  auto req = decoded(fixture("openai_request.json"));
  auto v3 = bedrock::cohere_encode_request(req, "cohere.embed-multilingual-v3");
  ASSERT_FALSE(v3);  // the fixture asks for dimensions
  EXPECT_THAT(v3.error().message,
              HasSubstr("dimensions cannot be expressed in Bedrock Cohere Embed v3"));
  req.dimensions.reset();
  auto body = bedrock::cohere_encode_request(req, "cohere.embed-multilingual-v3");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(json::parse(*body), json::parse(fixture("cohere_request.json")));
  req.dimensions = 512;
  auto v4 = bedrock::cohere_encode_request(req, "us.cohere.embed-v4:0");
  ASSERT_TRUE(v4) << v4.error().message;
  json want = json::parse(fixture("cohere_request.json"));
  want["embedding_types"] = {"float"};
  want["output_dimension"] = 512;
  EXPECT_EQ(json::parse(*v4), want);
}

TEST(EmbeddingsBedrock, CohereRefusesMoreThan96Inputs) {
  EmbeddingRequest req;
  req.inputs.assign(97, "x");
  auto r = bedrock::cohere_encode_request(req, "cohere.embed-english-v3");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("at most 96"));
}

TEST(EmbeddingsBedrock, CohereDecodesBothResponseShapes) {
  auto v3 = bedrock::cohere_decode_response(fixture("cohere_response.json"), 2,
                                            "cohere.embed-multilingual-v3");
  ASSERT_TRUE(v3) << v3.error().message;
  EXPECT_THAT(v3->vectors[1], ElementsAre(-0.0361328f, 0.0120773f, -0.0075378f, 0.0504761f));
  EXPECT_FALSE(v3->usage.reported);
  auto v4 =
      bedrock::cohere_decode_response(fixture("cohere_v4_response.json"), 1, "cohere.embed-v4:0");
  ASSERT_TRUE(v4) << v4.error().message;
  EXPECT_THAT(v4->vectors[0], ElementsAre(0.021972656f, -0.0146484375f, 0.03125f, 0.0068359375f));
  auto billed = bedrock::cohere_decode_response(
      R"({"embeddings":[[1]],"meta":{"billed_units":{"input_tokens":4}}})", 1, "c");
  ASSERT_TRUE(billed);
  EXPECT_TRUE(billed->usage.reported);
  EXPECT_EQ(billed->usage.input_tokens, 4u);
  auto bad = bedrock::cohere_decode_response(R"({"embeddings":{"float":[[1],[true]]}})", 2, "c");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("embeddings.float[1][0]: expected a number"));
  EXPECT_FALSE(bedrock::cohere_decode_response(fixture("cohere_response.json"), 1, "c"));
}

TEST(EmbeddingsBedrock, TokenInputsAreUnsupported) {
  auto req = decoded(fixture("openai_request_tokens.json"));
  EXPECT_EQ(bedrock::titan_encode_request(req, 0, "amazon.titan-embed-text-v2:0").error().code,
            "unsupported_feature");
  EXPECT_EQ(bedrock::cohere_encode_request(req, "cohere.embed-english-v3").error().code,
            "unsupported_feature");
}

// ---------------------------------------------------------------- end to end

// Client request → each target's request; the target's answer → the client's answer.
TEST(EmbeddingsTranslation, EveryTargetAnswersTheClientInItsShape) {
  auto req = decoded(R"({"model":"embed","input":["a","b"],"encoding_format":"base64"})");
  std::vector<EmbeddingResponse> answers;
  answers.push_back(
      *gemini::decode_response(R"({"embeddings":[{"values":[1,2]},{"values":[3,4]}]})",
                               req.input_count(), "gemini-embedding-001"));
  std::vector<bedrock::TitanAnswer> titan;
  for (size_t i = 0; i < req.input_count(); ++i) {
    ASSERT_TRUE(bedrock::titan_encode_request(req, i, "amazon.titan-embed-text-v2:0"));
    titan.push_back(
        *bedrock::titan_decode_response(i == 0 ? R"({"embedding":[1,2],"inputTextTokenCount":1})"
                                               : R"({"embedding":[3,4],"inputTextTokenCount":1})"));
  }
  answers.push_back(*bedrock::titan_assemble(std::move(titan), req.input_count(), "titan"));
  ASSERT_TRUE(bedrock::cohere_encode_request(req, "cohere.embed-english-v3"));
  answers.push_back(*bedrock::cohere_decode_response(R"({"embeddings":[[1,2],[3,4]]})",
                                                     req.input_count(), "cohere"));
  for (const auto& a : answers) {
    auto client = openai::decode_response(openai::encode_response(a, req.encoding_format), 2);
    ASSERT_TRUE(client) << client.error().message;
    EXPECT_EQ(client->vectors, (std::vector<std::vector<float>>{{1, 2}, {3, 4}}));
  }
}

}  // namespace
}  // namespace sy::protocols::embeddings
