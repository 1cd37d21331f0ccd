#include "sim_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace sy::sim {
namespace {

TEST(SimConfig, DefaultsServeThreeChatAndThreeEmbeddingModels) {
  const SimConfig config = default_sim_config();
  ASSERT_EQ(config.models.size(), 6u);
  EXPECT_EQ(config.models[0].name, "sim-small");
  EXPECT_EQ(config.models[1].name, "sim-large");
  EXPECT_EQ(config.models[2].name, "sim-code");
  EXPECT_EQ(config.models[0].ttft_ms, 0);
  EXPECT_EQ(config.models[0].output_tokens, 20);
  EXPECT_EQ(config.models[0].tool_arg_chunk, 4);
  EXPECT_TRUE(config.api_key.empty());
  EXPECT_EQ(config.find_model("sim-code"), &config.models[2]);
  EXPECT_EQ(config.find_model("gpt-4o"), nullptr);
  EXPECT_EQ(config.find_model("sim-embed")->dimensions, 256);
  EXPECT_NE(config.find_model("amazon.titan-embed-text-v2:0"), nullptr);
  EXPECT_NE(config.find_model("cohere.embed-english-v3"), nullptr);
}

TEST(SimConfig, ModelsInheritDefaultsAndReplaceBuiltIns) {
  auto config = parse_sim_config(R"(
defaults: {ttft_ms: 5, tokens_per_second: 50.5, output_tokens: 7, tool_arg_chunk: 3}
models:
  fast: {ttft_ms: 1}
  plain:
  flaky: {faults: "status=503 times=2"}
)",
                                 "test.yaml");
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->models.size(), 3u);
  const ModelConfig* fast = config->find_model("fast");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->ttft_ms, 1);
  EXPECT_DOUBLE_EQ(fast->tokens_per_second, 50.5);
  EXPECT_EQ(fast->output_tokens, 7);
  EXPECT_EQ(fast->tool_arg_chunk, 3);
  EXPECT_EQ(config->find_model("plain")->ttft_ms, 5);
  EXPECT_EQ(config->find_model("flaky")->faults.status, 503);
  EXPECT_EQ(config->find_model("flaky")->faults.times, 2);
  EXPECT_EQ(config->find_model("sim-small"), nullptr);
}

TEST(SimConfig, WithoutModelsKeyKeepsBuiltInsWithConfiguredDefaults) {
  auto config = parse_sim_config("defaults: {output_tokens: 3}\n", "test.yaml");
  ASSERT_TRUE(config) << config.error();
  ASSERT_EQ(config->models.size(), 6u);
  EXPECT_EQ(config->models[1].output_tokens, 3);
}

TEST(SimConfig, ScriptRulesWithRepliesAndTypedToolArguments) {
  auto config = parse_sim_config(R"yaml(
models:
  m:
    script:
      - {match: "^hello", reply: "hi there"}
script:
  - match: "(?i)weather in (\\w+)"
    tool_call:
      name: get_weather
      arguments: {city: Paris, days: 3, ratio: 0.5, metric: true, note: null, zip: "75001",
                  tags: [a, 2]}
)yaml",
                                 "test.yaml");
  ASSERT_TRUE(config) << config.error();
  const ModelConfig& model = config->models.at(0);
  ASSERT_EQ(model.script.size(), 1u);
  EXPECT_EQ(model.script[0].reply, "hi there");
  ASSERT_EQ(config->script.size(), 1u);
  const ScriptRule& rule = config->script[0];
  ASSERT_TRUE(rule.tool_call);
  EXPECT_EQ(rule.tool_call->name, "get_weather");
  EXPECT_TRUE(std::regex_search("What is the WEATHER in Rome?", rule.regex));
  const auto arguments = nlohmann::json::parse(rule.tool_call->arguments);
  EXPECT_EQ(arguments["city"], "Paris");
  EXPECT_EQ(arguments["days"], 3);
  EXPECT_EQ(arguments["ratio"], 0.5);
  EXPECT_EQ(arguments["metric"], true);
  EXPECT_TRUE(arguments["note"].is_null());
  EXPECT_EQ(arguments["zip"], "75001");  // quoted scalars stay strings
  EXPECT_EQ(arguments["tags"], nlohmann::json::array({"a", 2}));
}

TEST(SimConfig, UnknownKeyErrorNamesThePathAndLine) {
  auto nested = parse_sim_config("models:\n  sim-small:\n    ttft_mx: 5\n", "sim.yaml");
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().find("sim.yaml:3: models.sim-small.ttft_mx: unknown key"),
            std::string::npos)
      << nested.error();

  auto top = parse_sim_config("modles: {}\n", "sim.yaml");
  ASSERT_FALSE(top);
  EXPECT_NE(top.error().find("modles: unknown key"), std::string::npos) << top.error();

  auto rule = parse_sim_config("script:\n  - {match: x, replay: y}\n", "sim.yaml");
  ASSERT_FALSE(rule);
  EXPECT_NE(rule.error().find("script[0].replay: unknown key"), std::string::npos) << rule.error();
}

TEST(SimConfig, RejectsBadValuesNamingThePath) {
  auto expect_error = [](const char* yaml, const char* fragment) {
    auto config = parse_sim_config(yaml, "c.yaml");
    ASSERT_FALSE(config) << yaml;
    EXPECT_NE(config.error().find(fragment), std::string::npos) << config.error();
  };
  expect_error("defaults: {ttft_ms: -1}", "defaults.ttft_ms: expected an integer >= 0");
  expect_error("defaults: {output_tokens: 0}", "defaults.output_tokens");
  expect_error("defaults: {tokens_per_second: fast}", "defaults.tokens_per_second");
  expect_error("defaults: {faults: reset}", "defaults.faults: unknown key");
  expect_error("models: {m: {faults: 'status=abc'}}", "models.m.faults: fault directive");
  expect_error("models: {}", "models: expected a non-empty mapping");
  expect_error("script: [{reply: x}]", "script[0]: missing required key 'match'");
  expect_error("script: [{match: x}]", "script[0]: needs exactly one of");
  expect_error("script: [{match: x, reply: y, tool_call: {name: f}}]", "needs exactly one of");
  expect_error("script: [{match: '(', reply: y}]", "script[0].match: invalid regex");
  expect_error("script: [{match: x, tool_call: {arguments: {}}}]", "missing required key 'name'");
  expect_error("models: [a, b]", "models: expected a non-empty mapping");
  expect_error("api_key: [1]", "api_key: expected a string");
  expect_error("models: {m: {ttft_ms: 1}\n", "c.yaml:");  // YAML syntax error
}

TEST(SimConfig, ExpandsEnvironmentVariables) {
  ::setenv("SY_SIM_TEST_KEY", "sekret", 1);
  ::unsetenv("SY_SIM_TEST_UNSET");
  EXPECT_EQ(expand_env("a ${SY_SIM_TEST_KEY} b"), "a sekret b");
  EXPECT_EQ(expand_env("${SY_SIM_TEST_UNSET:-fallback}"), "fallback");
  EXPECT_EQ(expand_env("${SY_SIM_TEST_UNSET:-}"), "");
  EXPECT_EQ(expand_env("${SY_SIM_TEST_KEY:-fallback}"), "sekret");
  EXPECT_EQ(expand_env("no vars $HOME"), "no vars $HOME");
  EXPECT_FALSE(expand_env("${SY_SIM_TEST_UNSET}"));
  EXPECT_FALSE(expand_env("${unterminated"));
  EXPECT_FALSE(expand_env("${1BAD}"));

  auto config = parse_sim_config(
      "api_key: ${SY_SIM_TEST_KEY}\ndefaults: {ttft_ms: '${SY_SIM_TEST_UNSET:-12}'}\n", "e.yaml");
  ASSERT_TRUE(config) << config.error();
  EXPECT_EQ(config->api_key, "sekret");
  EXPECT_EQ(config->models.at(0).ttft_ms, 12);

  auto unset = parse_sim_config("api_key: ${SY_SIM_TEST_UNSET}\n", "e.yaml");
  ASSERT_FALSE(unset);
  EXPECT_NE(unset.error().find("api_key: environment variable SY_SIM_TEST_UNSET is not set"),
            std::string::npos)
      << unset.error();
}

TEST(SimConfig, ShippedExampleLoads) {
  auto config = load_sim_config(SIM_EXAMPLE_CONFIG);
  ASSERT_TRUE(config) << config.error();
  EXPECT_NE(config->find_model("sim-small"), nullptr);
  EXPECT_NE(config->find_model("sim-large"), nullptr);
  EXPECT_FALSE(config->script.empty());
}

TEST(SimConfig, MissingFileIsAnError) {
  auto config = load_sim_config("/nonexistent/sim.yaml");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace sy::sim
