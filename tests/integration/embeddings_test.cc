// Gateway + simulator: POST /v1/embeddings through the embeddings pipeline — each provider
// format, fallback, routing by kind, budgets' worst case and settled cost, DLP, the audit
// record. (tests/e2e/embeddings.test.mjs drives the same path with the openai SDK.)
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "integration/fixture.h"

namespace sy::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

std::string embed_body(const std::string& model, const json& input, const std::string& extra = {}) {
  json j = {{"model", model}, {"input", input}};
  std::string s = j.dump();
  if (!extra.empty()) s.insert(s.size() - 1, "," + extra);
  return s;
}

std::vector<std::vector<double>> vectors_of(const HttpReply& r) {
  std::vector<std::vector<double>> out;
  const json j = json::parse(r.body);
  for (const auto& d : j["data"]) out.push_back(d["embedding"].get<std::vector<double>>());
  return out;
}

class EmbeddingsTest : public GatewayTest {
 protected:
  // Embedding deployments in every format, on the fixture's simulator.
  void start() {
    const std::string base = "http://127.0.0.1:" + std::to_string(sim_.port());
    Setup s;
    s.providers = "  gem:\n    type: gemini\n    base_url: " + base +
                  "\n    api_key: k\n  bed:\n    type: bedrock\n    base_url: " + base +
                  "\n    aws_region: us-east-1\n    aws_access_key_id: AKIDEXAMPLE\n"
                  "    aws_secret_access_key: wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n";
    s.deployments =
        "  emb: {provider: sim, model: sim-embed, kind: embedding, price: {input_per_mtok: 1000}}\n"
        "  emb-gem: {provider: gem, model: sim-embed, kind: embedding, price: {input_per_mtok: 1000}}\n"
        "  emb-titan: {provider: bed, model: amazon.titan-embed-text-v2:0, kind: embedding}\n"
        "  emb-cohere: {provider: bed, model: cohere.embed-english-v3, kind: embedding}\n";
    s.routes = "  vectors: {targets: [emb, emb-gem]}\n";
    start_gateway(s);
  }
};

TEST_F(EmbeddingsTest, EveryFormatAnswersInOpenAIShape) {
  start();
  for (const auto& [model, dims] : std::vector<std::pair<std::string, size_t>>{
           {"emb", 8}, {"emb-gem", 8}, {"emb-titan", 1024}, {"emb-cohere", 1024}}) {
    auto r = post_json(port(), "/v1/embeddings", embed_body(model, {"one", "two", "one"}));
    ASSERT_EQ(r.status, 200) << model << ": " << r.body;
    EXPECT_EQ(r.header("x-switchyard-deployment"), model);
    const json j = json::parse(r.body);
    EXPECT_EQ(j["object"], "list");
    const auto v = vectors_of(r);
    ASSERT_EQ(v.size(), 3u) << model;
    EXPECT_EQ(v[0].size(), dims) << model;
    EXPECT_EQ(v[0], v[2]) << model;  // equal texts, equal vectors
    EXPECT_NE(v[0], v[1]) << model;
    EXPECT_EQ(j["data"][2]["index"], 2);
    EXPECT_GT(j["usage"]["prompt_tokens"].get<int>(), 0);
  }
}

TEST_F(EmbeddingsTest, Base64IsTheSameVectorAsFloat32) {
  start();
  auto f = post_json(port(), "/v1/embeddings", embed_body("emb-gem", "abc"));
  auto b = post_json(port(), "/v1/embeddings",
                     embed_body("emb-gem", "abc", R"("encoding_format":"base64")"));
  ASSERT_EQ(f.status, 200);
  ASSERT_EQ(b.status, 200);
  const std::string b64 = json::parse(b.body)["data"][0]["embedding"];
  EXPECT_EQ(b64.size(), 44u);  // 8 floats = 32 bytes
  EXPECT_EQ(vectors_of(f)[0].size(), 8u);
}

TEST_F(EmbeddingsTest, TitanMakesOneCallPerInput) {
  start();
  auto r = post_json(port(), "/v1/embeddings",
                     embed_body("emb-titan", {"a", "b", "c"}, R"("dimensions":256)"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(vectors_of(r)[2].size(), 256u);
  auto stats = json::parse(http_request(sim_.port(), "GET", "/sim/stats").body);
  EXPECT_EQ(stats["requests"]["amazon.titan-embed-text-v2:0"], 3);
  EXPECT_EQ(json::parse(r.body)["usage"]["prompt_tokens"], 3);  // inputTextTokenCount summed
}

TEST_F(EmbeddingsTest, FallsBackOnUpstream500AndMalformedAnswers) {
  start();
  auto r = post_json(port(), "/v1/embeddings", embed_body("vectors", "x [[sim:status=500 times=1]]"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-switchyard-attempts"), "emb=500, emb-gem=ok");
  auto m = post_json(port(), "/v1/embeddings", embed_body("vectors", "y [[sim:malformed times=1]]"));
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(m.header("x-switchyard-attempts"), "emb=malformed, emb-gem=ok");
  auto all = post_json(port(), "/v1/embeddings", embed_body("vectors", "z [[sim:status=503]]"));
  EXPECT_EQ(all.status, 502);
  EXPECT_THAT(all.body, HasSubstr("\"error\""));
}

TEST_F(EmbeddingsTest, KindKeepsChatAndEmbeddingsApart) {
  start();
  auto e = post_json(port(), "/v1/embeddings", embed_body("sim-small", "x"));
  EXPECT_EQ(e.status, 400);
  EXPECT_THAT(e.body, HasSubstr("sim-small removed by kind (chat deployment"));
  auto c = post_json(port(), "/v1/chat/completions", chat_body("emb", "hi"));
  EXPECT_EQ(c.status, 400);
  EXPECT_THAT(c.body, HasSubstr("emb removed by kind (embedding deployment"));
  auto u = post_json(port(), "/v1/embeddings", embed_body("nope", "x"));
  EXPECT_EQ(u.status, 404);
  EXPECT_THAT(u.body, HasSubstr("model_not_found"));
}

TEST_F(EmbeddingsTest, BadInputIsA400InOpenAIShape) {
  start();
  for (const std::string body : {R"({"model":"emb"})", R"({"model":"emb","input":""})",
                                 R"({"model":"emb","input":"x","encoding_format":"x"})", "not json"}) {
    auto r = post_json(port(), "/v1/embeddings", body);
    EXPECT_EQ(r.status, 400) << body;
    const json j = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.body;
    EXPECT_EQ(j["error"]["type"], "invalid_request_error") << body;
  }
  // Token arrays reach an OpenAI-compatible upstream; Gemini cannot take them.
  auto tokens = post_json(port(), "/v1/embeddings", embed_body("emb", {1, 2, 3}));
  EXPECT_EQ(tokens.status, 200) << tokens.body;
  auto gem = post_json(port(), "/v1/embeddings", embed_body("emb-gem", {1, 2, 3}));
  EXPECT_EQ(gem.status, 400) << gem.body;
  auto get = http_request(port(), "GET", "/v1/embeddings");
  EXPECT_EQ(get.status, 405);
}

}  // namespace
}  // namespace sy::testing
