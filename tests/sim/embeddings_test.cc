#include "embeddings.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

using nlohmann::json;

TEST(SimEmbeddings, VectorsAreDeterministicUnitVectorsOfTheText) {
  const auto a = embed_text("hello", 64);
  ASSERT_EQ(a.size(), 64u);
  EXPECT_EQ(a, embed_text("hello", 64));
  EXPECT_NE(a, embed_text("hello!", 64));
  double norm = 0;
  for (float x : a) norm += static_cast<double>(x) * x;
  EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-5);
}

TEST(SimEmbeddings, OpenAIRequestsAndAnswers) {
  auto r = parse_openai_embeddings(
      R"({"model":"sim-embed","input":["a","bb"],"dimensions":8,"encoding_format":"float"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "sim-embed");
  EXPECT_EQ(r->texts, (std::vector<std::string>{"a", "bb"}));
  EXPECT_EQ(r->dimensions, 8);
  const json body = json::parse(render_embeddings(EmbedFormat::OpenAI, *r, 8));
  EXPECT_EQ(body["object"], "list");
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["data"][1]["index"], 1);
  EXPECT_EQ(body["data"][1]["embedding"].size(), 8u);
  EXPECT_EQ(body["usage"]["prompt_tokens"], 2);

  // Token arrays are accepted; one array of integers is one input.
  auto tokens = parse_openai_embeddings(R"({"model":"m","input":[1,2,3]})");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(tokens->texts, (std::vector<std::string>{"tokens:1,2,3"}));
}

TEST(SimEmbeddings, OpenAIBase64IsLittleEndianFloat32) {
  auto r = parse_openai_embeddings(R"({"model":"m","input":"x","encoding_format":"base64"})");
  ASSERT_TRUE(r);
  const json body = json::parse(render_embeddings(EmbedFormat::OpenAI, *r, 3));
  const std::string b64 = body["data"][0]["embedding"];
  EXPECT_EQ(b64.size(), 16u);  // 12 bytes
  const auto v = embed_text("x", 3);
  // The first float's bytes, little-endian, are the first 4 of the decoded string.
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  for (size_t i = 0; i < b64.size(); i += 4) {
    uint32_t n = 0;
    for (size_t j = 0; j < 4; ++j) n = n << 6 | static_cast<uint32_t>(kAlphabet.find(b64[i + j]));
    bytes += static_cast<char>(n >> 16);
    bytes += static_cast<char>(n >> 8 & 0xff);
    bytes += static_cast<char>(n & 0xff);
  }
  for (size_t k = 0; k < 3; ++k) {
    uint32_t u = 0;
    for (int b = 3; b >= 0; --b) u = u << 8 | static_cast<unsigned char>(bytes[k * 4 + b]);
    EXPECT_EQ(std::bit_cast<float>(u), v[k]);
  }
}

TEST(SimEmbeddings, OpenAIRejectsBadInput) {
  EXPECT_EQ(parse_openai_embeddings(R"({"model":"m"})").error().param, "input");
  EXPECT_EQ(parse_openai_embeddings(R"({"model":"m","input":""})").error().param, "input");
  EXPECT_EQ(parse_openai_embeddings(R"({"model":"m","input":[]})").error().param, "input");
  EXPECT_EQ(parse_openai_embeddings(R"({"model":"m","input":["a",7]})").error().param, "input");
  EXPECT_EQ(parse_openai_embeddings(R"({"input":"a"})").error().param, "model");
  EXPECT_FALSE(parse_openai_embeddings(R"({"model":"m","input":"a","encoding_format":"int8"})"));
  EXPECT_FALSE(parse_openai_embeddings(R"({"model":"m","input":"a","dimensions":0})"));
  EXPECT_FALSE(parse_openai_embeddings(R"({"model":"m","input":"a","extra":1})"));
  EXPECT_FALSE(parse_openai_embeddings("[1]"));
}

TEST(SimEmbeddings, GeminiBatchEmbedContents) {
  auto r = parse_gemini_batch_embed(
      R"({"requests":[{"model":"models/sim-embed","content":{"parts":[{"text":"a"},{"text":"b"}]},
          "outputDimensionality":4},
         {"model":"models/sim-embed","content":{"parts":[{"text":"c"}]},"outputDimensionality":4}]})",
      "sim-embed");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->texts, (std::vector<std::string>{"ab", "c"}));
  EXPECT_EQ(r->dimensions, 4);
  const json body = json::parse(render_embeddings(EmbedFormat::Gemini, *r, 4));
  ASSERT_EQ(body["embeddings"].size(), 2u);
  EXPECT_EQ(body["embeddings"][0]["values"].size(), 4u);
  EXPECT_FALSE(body.contains("usage"));

  EXPECT_FALSE(parse_gemini_batch_embed(
      R"({"requests":[{"model":"models/other","content":{"parts":[{"text":"a"}]}}]})", "sim-embed"));
  EXPECT_FALSE(parse_gemini_batch_embed(R"({"requests":[]})", "sim-embed"));
}

TEST(SimEmbeddings, BedrockTitanAndCohere) {
  EXPECT_EQ(bedrock_embed_format("amazon.titan-embed-text-v2:0"), EmbedFormat::Titan);
  EXPECT_EQ(bedrock_embed_format("us.cohere.embed-english-v3"), EmbedFormat::Cohere);
  EXPECT_EQ(bedrock_embed_format("anthropic.claude-3"), std::nullopt);
  EXPECT_EQ(default_dimensions("amazon.titan-embed-text-v2:0", 0), 1024);
  EXPECT_EQ(default_dimensions("sim-embed", 32), 32);

  auto t = parse_titan_embed(R"({"inputText":"hello","dimensions":256,"normalize":true})",
                             "amazon.titan-embed-text-v2:0");
  ASSERT_TRUE(t) << t.error().message;
  const json tb = json::parse(render_embeddings(EmbedFormat::Titan, *t, 256));
  EXPECT_EQ(tb["embedding"].size(), 256u);
  EXPECT_EQ(tb["inputTextTokenCount"], 2);
  EXPECT_FALSE(parse_titan_embed(R"({"inputText":"a","dimensions":300})", "amazon.titan-embed-text-v2:0"));
  EXPECT_FALSE(parse_titan_embed(R"({"inputText":"a","dimensions":256})", "amazon.titan-embed-text-v1"));
  EXPECT_FALSE(parse_titan_embed(R"({"texts":["a"]})", "amazon.titan-embed-text-v2:0"));

  auto c = parse_cohere_embed(R"({"texts":["a","b"],"input_type":"search_document"})",
                              "cohere.embed-english-v3");
  ASSERT_TRUE(c) << c.error().message;
  const json cb = json::parse(render_embeddings(EmbedFormat::Cohere, *c, 16));
  EXPECT_EQ(cb["response_type"], "embeddings_floats");
  ASSERT_EQ(cb["embeddings"].size(), 2u);
  EXPECT_EQ(cb["embeddings"][1].size(), 16u);
  EXPECT_FALSE(parse_cohere_embed(R"({"texts":["a"]})", "cohere.embed-english-v3"));  // input_type
  auto typed = parse_cohere_embed(
      R"({"texts":["a"],"input_type":"search_query","embedding_types":["float"]})",
      "cohere.embed-english-v3");
  ASSERT_TRUE(typed);
  EXPECT_EQ(json::parse(render_embeddings(EmbedFormat::Cohere, *typed, 4))["embeddings"]["float"].size(), 1u);
}

TEST(SimEmbeddings, MalformedAnswersAreNotJson) {
  for (auto f : {EmbedFormat::OpenAI, EmbedFormat::Gemini, EmbedFormat::Titan, EmbedFormat::Cohere}) {
    EXPECT_TRUE(json::parse(malformed_embeddings(f), nullptr, false).is_discarded());
  }
}

}  // namespace
}  // namespace sy::sim
