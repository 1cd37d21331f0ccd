#include "core/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace sy {
namespace {

using ::testing::HasSubstr;

EnvLookup env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr const char* kValid = R"(
server:
  listen: 127.0.0.1:9000
  max_body_bytes: 2048
providers:
  sim:
    type: openai_compatible
    base_url: ${SIM_URL:-http://127.0.0.1:9901}/v1
    api_key: ${SIM_KEY}
    timeouts: {connect_ms: 100, first_byte_ms: 200, idle_ms: 300, total_ms: 400}
  azure:
    type: azure_openai
    base_url: https://example.openai.azure.com
    api_key: k
    api_version: 2024-10-21
deployments:
  small: {provider: sim, model: small-1, price: {input_per_mtok: 0.1, output_per_mtok: 0.4}, context_window: 8000, region: eu}
  big: {provider: azure, model: gpt-4o}
routes:
  auto:
    targets: [small, big]
    retry: {max_attempts: 3}
  spread:
    strategy: weighted
    targets: [{deployment: small, weight: 3}, {deployment: big, weight: 1}]
)";

TEST(ConfigLoader, ReadsAValidConfig) {
  auto c = load_config_text(kValid, "test.yaml", env({{"SIM_KEY", "secret"}}));
  ASSERT_TRUE(c) << c.error().message;
  const Config& cfg = **c;
  EXPECT_EQ(cfg.server.listen, "127.0.0.1:9000");
  EXPECT_EQ(cfg.server.max_body_bytes, 2048u);
  EXPECT_EQ(cfg.providers.at("sim").base_url, "http://127.0.0.1:9901/v1");
  EXPECT_EQ(cfg.providers.at("sim").api_key, "secret");
  EXPECT_EQ(cfg.providers.at("sim").timeouts.idle_ms, 300u);
  EXPECT_EQ(cfg.providers.at("azure").type, ProviderType::AzureOpenAI);
  EXPECT_EQ(cfg.deployments.at("small").model, "small-1");
  EXPECT_DOUBLE_EQ(cfg.deployments.at("small").price.output_per_mtok, 0.4);
  EXPECT_EQ(cfg.deployments.at("big").model, "gpt-4o");
  EXPECT_EQ(cfg.routes.at("auto").targets.size(), 2u);
  EXPECT_EQ(cfg.routes.at("auto").retry.max_attempts, 3u);
  EXPECT_EQ(cfg.routes.at("spread").strategy, RouteStrategy::Weighted);
  EXPECT_EQ(cfg.routes.at("spread").targets[0].weight, 3u);
}

TEST(ConfigLoader, ProviderTypesOfEveryProtocolAndTheirDefaults) {
  auto c = load_config_text(R"(
providers:
  claude: {type: anthropic, api_key: k}
  google: {type: gemini}
  aws: {type: bedrock, aws_region: eu-west-1, aws_access_key_id: AKID, aws_secret_access_key: s}
deployments:
  d: {provider: aws, model: anthropic.claude-3-5-haiku-20241022-v1:0}
routing: {health: {consecutive_failures: 3, cooldown_ms: 1000}}
)",
                            "t.yaml", env());
  ASSERT_TRUE(c) << c.error().message;
  const Config& cfg = **c;
  EXPECT_EQ(cfg.providers.at("claude").base_url, "https://api.anthropic.com");
  EXPECT_EQ(cfg.providers.at("claude").api_version, "2023-06-01");
  EXPECT_EQ(cfg.providers.at("google").base_url, "https://generativelanguage.googleapis.com");
  EXPECT_EQ(cfg.providers.at("aws").base_url, "https://bedrock-runtime.eu-west-1.amazonaws.com");
  EXPECT_EQ(cfg.routing.health.consecutive_failures, 3u);
  EXPECT_EQ(cfg.routing.health.cooldown_ms, 1000u);

  auto bad = load_config_text(R"(
providers:
  aws: {type: bedrock, aws_region: eu-west-1}
deployments:
  d: {provider: aws, quality: {poetry: 0.5, code: 2}}
routing: {health: {window: 100}}
)",
                              "t.yaml", env());
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("providers.aws.aws_access_key_id"));
  EXPECT_THAT(bad.error().message, HasSubstr("unknown task type \"poetry\""));
  EXPECT_THAT(bad.error().message, HasSubstr("deployments.d.quality.code: expected a quality between 0 and 1"));
  EXPECT_THAT(bad.error().message, HasSubstr("routing.health.window"));
}

TEST(ConfigLoader, UnknownKeyNamesFileLinePathAndExpectedKeys) {
  auto c = load_config_text("deployments:\n  a:\n    provider: p\n    modle: x\n", "f.yaml", env());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("f.yaml:4: deployments.a.modle: unknown key"));
  EXPECT_THAT(c.error().message, HasSubstr("provider, model"));
}

TEST(ConfigLoader, ARepeatedKeyIsAnErrorNotSilentlyTheFirst) {
  auto c = load_config_text("auth: {}\nserver: {threads: 2}\nauth:\n  require: true\n", "f.yaml",
                            env());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("f.yaml:3: auth: duplicate key (first at line 1)"));
  auto nested = load_config_text("server: {threads: 2, threads: 3}\n", "g.yaml", env());
  ASSERT_FALSE(nested);
  EXPECT_THAT(nested.error().message, HasSubstr("server.threads: duplicate key"));
}

TEST(ConfigLoader, WrongTypesAreReportedWithTheirPath) {
  auto c = load_config_text(R"(
server: {max_body_bytes: lots, access_log: maybe}
providers: {p: {type: openai_compatible, base_url: "http://h", timeouts: {connect_ms: -1}}}
deployments: {a: {provider: p, price: {input_per_mtok: cheap}}}
)",
                            "f.yaml", env());
  ASSERT_FALSE(c);
  const auto& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("server.max_body_bytes: expected a non-negative integer, got \"lots\""));
  EXPECT_THAT(m, HasSubstr("server.access_log: expected true or false"));
  EXPECT_THAT(m, HasSubstr("providers.p.timeouts.connect_ms: expected a non-negative integer"));
  EXPECT_THAT(m, HasSubstr("deployments.a.price.input_per_mtok: expected a non-negative number"));
  EXPECT_THAT(m, HasSubstr("4 problems"));
}

TEST(ConfigLoader, DanglingReferencesAndMissingKeys) {
  auto c = load_config_text(R"(
providers: {p: {type: openai_compatible}}
deployments: {a: {provider: nope}}
routes: {r: {targets: [a, ghost]}, a: {targets: [a]}, empty: {targets: []}}
)",
                            "f.yaml", env());
  ASSERT_FALSE(c);
  const auto& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("providers.p.base_url: required key is missing"));
  EXPECT_THAT(m, HasSubstr("deployments.a.provider: unknown provider \"nope\""));
  EXPECT_THAT(m, HasSubstr("routes.r.targets[1]: unknown deployment \"ghost\""));
  EXPECT_THAT(m, HasSubstr("routes.a: a route may not have the same name as a deployment"));
  EXPECT_THAT(m, HasSubstr("routes.empty.targets: expected a non-empty list"));
}

TEST(ConfigLoader, DeploymentKindIsChatOrEmbeddingAndARouteServesOneKind) {
  auto ok = load_config_text(R"(
providers: {p: {type: openai_compatible, base_url: "http://x/v1"}}
deployments: {chat: {provider: p}, vec: {provider: p, kind: embedding}}
routes: {v: {targets: [vec]}}
)",
                             "f.yaml", env());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ((*ok)->deployments.at("chat").kind, DeploymentKind::Chat);
  EXPECT_EQ((*ok)->deployments.at("vec").kind, DeploymentKind::Embedding);

  auto c = load_config_text(R"(
providers:
  p: {type: openai_compatible, base_url: "http://x/v1"}
  a: {type: anthropic}
deployments:
  chat: {provider: p}
  vec: {provider: p, kind: embedding}
  odd: {provider: p, kind: rerank}
  claude-vec: {provider: a, kind: embedding}
routes: {mixed: {targets: [chat, vec]}}
)",
                            "f.yaml", env());
  ASSERT_FALSE(c);
  const auto& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("deployments.odd.kind: unknown kind \"rerank\" (expected chat or embedding)"));
  EXPECT_THAT(m, HasSubstr("deployments.claude-vec.kind: provider \"a\" is of type anthropic, which has no embeddings API"));
  EXPECT_THAT(m, HasSubstr("routes.mixed.targets[1]: deployment \"vec\" is of kind embedding but the route's first target is of kind chat"));
}

TEST(ConfigLoader, BadEnumsUrlsAndListenAddress) {
  auto c = load_config_text(R"(
server: {listen: "nowhere"}
providers:
  p: {type: magic, base_url: "ftp://x"}
  az: {type: azure_openai, base_url: "https://x"}
deployments: {a: {provider: p}}
routes: {r: {strategy: random, targets: [a]}}
)",
                            "f.yaml", env());
  ASSERT_FALSE(c);
  const auto& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("server.listen: expected HOST:PORT"));
  EXPECT_THAT(m, HasSubstr("providers.p.type: unknown provider type \"magic\""));
  EXPECT_THAT(m, HasSubstr("providers.p.base_url: unsupported URL scheme"));
  EXPECT_THAT(m, HasSubstr("providers.az.api_version: required key is missing"));
  EXPECT_THAT(m, HasSubstr("routes.r.strategy: unknown strategy \"random\""));
}

TEST(ConfigLoader, WorkflowsSectionAndItsDefaults) {
  auto defaults = load_config_text(kValid, "f.yaml", env({{"SIM_KEY", "k"}}));
  ASSERT_TRUE(defaults) << defaults.error().message;
  const WorkflowsConfig& d = (*defaults)->workflows;
  EXPECT_EQ(d.dir, "workflows");
  EXPECT_TRUE(d.http_allow.empty());
  EXPECT_EQ(d.max_step_output_bytes, 1u << 20);
  EXPECT_EQ(d.escalation_route, "reasoning");
  EXPECT_EQ(d.summary_route, "standard");

  auto c = load_config_text(std::string(kValid) + R"(
workflows:
  dir: /srv/workflows
  http_allow: ["https://crm.example.com/api/", "http://localhost:8080"]
  max_step_output_bytes: 4096
  max_active_runs: 2
  escalation_route: big-route
  summary_route: cheap-route
)",
                            "f.yaml", env({{"SIM_KEY", "k"}}));
  ASSERT_TRUE(c) << c.error().message;
  const WorkflowsConfig& w = (*c)->workflows;
  EXPECT_EQ(w.dir, "/srv/workflows");
  EXPECT_EQ(w.http_allow.size(), 2u);
  EXPECT_EQ(w.max_step_output_bytes, 4096u);
  EXPECT_EQ(w.max_active_runs, 2u);
  EXPECT_EQ(w.escalation_route, "big-route");
  EXPECT_EQ(w.summary_route, "cheap-route");

  auto bad = load_config_text(std::string(kValid) + R"(
workflows:
  http_allow: ["crm.example.com"]
  max_step_output_bytes: 0
  allow: []
)",
                              "f.yaml", env({{"SIM_KEY", "k"}}));
  ASSERT_FALSE(bad);
  const auto& m = bad.error().message;
  EXPECT_THAT(m, HasSubstr("workflows.http_allow: \"crm.example.com\" must start with http://"));
  EXPECT_THAT(m, HasSubstr("workflows.max_step_output_bytes: must be at least 1"));
  EXPECT_THAT(m, HasSubstr("allow"));
}

TEST(ConfigLoader, MissingEnvironmentVariableIsAProblem) {
  auto c = load_config_text(kValid, "f.yaml", env());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("providers.sim.api_key: environment variable SIM_KEY"));
}

TEST(ConfigLoader, InvalidYamlNamesTheLine) {
  auto c = load_config_text("providers:\n  p: [unclosed\n", "f.yaml", env());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("f.yaml:"));
  EXPECT_THAT(c.error().message, HasSubstr("invalid YAML"));
}

TEST(ConfigLoader, TopLevelMustBeAMappingWithKnownSections) {
  EXPECT_FALSE(load_config_text("- a\n- b\n", "f.yaml", env()));
  auto c = load_config_text("deployment: {}\n", "f.yaml", env());
  ASSERT_FALSE(c);
  EXPECT_THAT(c.error().message, HasSubstr("deployment: unknown key"));
}

TEST(ConfigLoader, TheDemoConfigIsValid) {
  auto c = load_config_file(std::string(SY_SOURCE_DIR) + "/config/demo.yaml", env());
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE((*c)->routes.contains("auto"));
  EXPECT_GE((*c)->deployments.size(), 2u);
}

}  // namespace
}  // namespace sy

namespace sy {
namespace {

// Found by fuzzing: these loaded and then crashed or misbehaved at request time.
TEST(ConfigLoaderFuzzFindings, EmptyNamesAndOddPathsAreProblems) {
  const std::string base = "providers:\n  p: {type: openai}\n";
  auto empty_target = load_config_text(
      base + "deployments:\n  d: {provider: p}\nroutes:\n  r: {targets: [\"\"]}\n", "t.yaml");
  ASSERT_FALSE(empty_target);
  EXPECT_NE(empty_target.error().message.find("unknown deployment \"\""), std::string::npos)
      << empty_target.error().message;
  auto empty_provider = load_config_text(base + "deployments:\n  d: {provider: \"\"}\n", "t.yaml");
  ASSERT_FALSE(empty_provider);
  EXPECT_NE(empty_provider.error().message.find("unknown provider \"\""), std::string::npos);
  auto long_path = load_config_text("server:\n  tls: {cert_file: /tmp/" + std::string(300, 'a') +
                                        ", key_file: /tmp/k}\n" + base +
                                        "deployments:\n  d: {provider: p}\n",
                                    "t.yaml");
  ASSERT_FALSE(long_path);  // a problem, not an exception
  EXPECT_NE(long_path.error().message.find("file not found"), std::string::npos);
  auto junk_port = load_config_text(
      "providers:\n  p: {type: openai_compatible, base_url: \"http://a:80x/v1\"}\n"
      "deployments:\n  d: {provider: p}\n",
      "t.yaml");
  EXPECT_FALSE(junk_port);
}

}  // namespace
}  // namespace sy

namespace sy {
namespace {

TEST(ConfigLoaderDlp, ReadsTheDlpSection) {
  auto c = load_config_text(R"(
dlp:
  builtins: true
  disabled: [pii.phone_local]
  custom:
    - {id: custom.codename, entity_type: PROJECT_CODENAME, keywords: [bluebird, nightjar]}
    - {id: custom.ticket, entity_type: TICKET_ID, regex: 'TCK-[0-9]{6}', case_insensitive: false}
  gitleaks_files: [rules.toml]
providers: {p: {type: openai_compatible, base_url: "http://127.0.0.1:9/v1"}}
deployments: {d: {provider: p, model: m}}
)", "d.yaml", env());
  ASSERT_TRUE(c) << c.error().message;
  const DlpConfig& d = (*c)->dlp;
  EXPECT_TRUE(d.enabled);
  EXPECT_EQ(d.disabled, std::vector<std::string>{"pii.phone_local"});
  ASSERT_EQ(d.custom.size(), 2u);
  EXPECT_EQ(d.custom[0].keywords.size(), 2u);
  EXPECT_EQ(d.custom[1].regex, "TCK-[0-9]{6}");
  EXPECT_FALSE(d.custom[1].case_insensitive);
  EXPECT_EQ(d.gitleaks_files, std::vector<std::string>{"rules.toml"});
}

TEST(ConfigLoaderDlp, BadDetectorsAreReportedWithTheirPath) {
  auto c = load_config_text(R"(
dlp:
  scan: always
  custom:
    - {id: a, entity_type: Mixed_case, regex: x, keywords: [y]}
    - {id: a, entity_type: B}
)", "d.yaml", env());
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_THAT(m, HasSubstr("dlp.scan: unknown key"));
  EXPECT_THAT(m, HasSubstr("dlp.custom[0]: needs exactly one of regex and keywords"));
  EXPECT_THAT(m, HasSubstr("dlp.custom[0].entity_type: must be upper case"));
  EXPECT_THAT(m, HasSubstr("dlp.custom[1]: needs exactly one of regex and keywords"));
  EXPECT_THAT(m, HasSubstr("dlp.custom[1]: duplicate id a"));
}

}  // namespace
}  // namespace sy
