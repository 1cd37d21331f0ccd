// Workflows end to end on the simulator: the HTTP API (submit, read, SSE events,
// approvals, auth) on an in-process gateway whose steps go through the real pipeline
// (DLP policy included); the shipped document_extraction template; and the kill -9 test:
// a `switchyard serve` process killed while a run waits on an approval resumes after a
// restart without running its completed step again.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/config_loader.h"
#include "gateway/gateway.h"
#include "governance/authenticator.h"
#include "integration/fixture.h"
#include "integration/raw_client.h"
#include "workflow/engine.h"
#include "workflow/gateway_ports.h"
#include "workflow/runs_api.h"

namespace sy::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kKey = "sk-wf-test-key";

constexpr const char* kSimScript = R"YAML(
models:
  sim-small: {output_tokens: 8}
  sim-large:
    output_tokens: 8
    script:
      - {match: "did not conform", reply: '{"total": 42}'}
script:
  - match: "(?i)extract the fields of this document"
    reply: '{"title": "Service Agreement", "parties": ["Northwind Traders Ltd.", "Contoso Analytics GmbH"], "date": "2024-03-15", "total": 4800}'
  - match: "(?i)give the total"
    reply: '{"total": "a lot"}'
  - match: "(?i)split this work"
    reply: '{"subtasks": [{"id": "count", "task": "code", "prompt": "Write code that counts words"}, {"id": "facts", "task": "extraction", "prompt": "Extract the facts of the memo"}]}'
)YAML";

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class WorkflowGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("sy-wf-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
         "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "workflows");
    std::ofstream(dir_ / "sim.yaml") << kSimScript;
    ASSERT_TRUE(sim_.start({bin_dir() + "/switchyard-sim", "--listen", "127.0.0.1:0", "--config",
                            (dir_ / "sim.yaml").string()},
                           dir_))
        << sim_.output();
  }
  void TearDown() override {
    if (engine_) engine_->stop();
    gateway_.reset();
    engine_.reset();
    sim_.stop();
    fs::remove_all(dir_);
  }

  std::string config_text(const std::string& workflows_dir) const {
    return "data_dir: " + (dir_ / "data").string() +
           "\nserver: {threads: 2, access_log: false}\n"
           "auth:\n  keys:\n    - {id: wf, key: " +
           kKey +
           ", team: wf, roles: [developer]}\n"
           "  require: true\n"
           "dlp: {builtins: true}\n"
           "policies:\n"
           "  - {id: no-secrets, when: {data_classes: [SECRET]}, effect: deny, message: \"no "
           "secrets\"}\n"
           "providers:\n  sim:\n    type: openai_compatible\n    base_url: http://127.0.0.1:" +
           std::to_string(sim_.port()) + "/v1\n" +
           "deployments:\n"
           "  sim-small: {provider: sim, model: sim-small" +
           small_fields_ +
           "}\n"
           "  sim-large: {provider: sim, model: sim-large}\n"
           "routes:\n"
           "  auto: {strategy: fallback, targets: [sim-small]}\n"
           "  fast: {strategy: fallback, targets: [sim-small]}\n"
           "  reasoning: {strategy: fallback, targets: [sim-large]}\n"
           "  bytask: {strategy: rules, rules: [{task: code, to: sim-large}], otherwise: "
           "sim-small}\n"
           "routing: {health: {enabled: false}}\n"
           "workflows: {dir: \"" +
           workflows_dir + "\"" + workflows_fields_ + "}\n";
  }

  void start_in_process(const std::string& workflows_dir) {
    auto config = load_config_text(config_text(workflows_dir), "wf.yaml");
    ASSERT_TRUE(config) << config.error().message;
    auto auth =
        std::make_shared<governance::Authenticator>((*config)->auth, (*config)->storage.url);
    ASSERT_TRUE(auth->start());
    api_ = std::make_shared<workflow::RunsApi>((*config)->workflows.dir, auth);
    auto g = gateway::Gateway::start(*config, "127.0.0.1:0", api_->endpoints(), auth);
    ASSERT_TRUE(g) << g.error().message;
    gateway_ = std::move(*g);
    auto e = workflow::Engine::start(
        {.store_url = (*config)->storage.url, .settings = (*config)->workflows, .owner = "t"},
        std::make_shared<workflow::GatewayPorts>(*gateway_));
    ASSERT_TRUE(e) << e.error().message;
    engine_ = std::move(*e);
    api_->attach(engine_.get());
    port_ = gateway_->port();
  }

  HttpReply call(const std::string& method, const std::string& path, const std::string& body = {}) {
    return http_request(
        port_, method, path, body,
        {{"authorization", std::string("Bearer ") + kKey}, {"content-type", "application/json"}});
  }

  // Polls GET /v1/runs/{id} until the run leaves pending/running (and, with
  // `until_finished`, waiting_approval) — at most ~30 s.
  json wait_run(const std::string& id, bool until_finished = false) {
    json run;
    for (int i = 0; i < 600; ++i) {
      const HttpReply r = call("GET", "/v1/runs/" + id);
      run = json::parse(r.body, nullptr, false);
      const std::string status = run.is_object() ? run.value("status", "") : "";
      if (status != "pending" && status != "running" &&
          (!until_finished || status != "waiting_approval")) {
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return run;
  }

  int64_t sim_requests() {
    const json s = json::parse(http_request(sim_.port(), "GET", "/sim/stats").body, nullptr, false);
    return s.is_object() ? s.value("total", int64_t{-1}) : -1;
  }

  fs::path dir_;
  ChildProcess sim_;
  std::shared_ptr<workflow::RunsApi> api_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<workflow::Engine> engine_;
  uint16_t port_ = 0;
  std::string small_fields_;      // more keys of the sim-small deployment (", context_window: …")
  std::string workflows_fields_;  // more keys of the workflows section
};

TEST_F(WorkflowGatewayTest, DocumentExtractionTemplateRunsThroughTheApi) {
  start_in_process(std::string(SY_SOURCE_DIR) + "/workflows");
  const std::string input =
      read_text(fs::path(SY_SOURCE_DIR) / "workflows" / "document_extraction.input.json");
  ASSERT_FALSE(input.empty());
  const HttpReply created = call("POST", "/v1/workflows/document_extraction/runs",
                                 json{{"input", json::parse(input)}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = json::parse(created.body)["id"];

  // The event stream replays from the start and ends with the run.
  const HttpReply events = call("GET", "/v1/runs/" + id + "/events");
  EXPECT_EQ(events.status, 200);
  EXPECT_NE(events.header("content-type").find("text/event-stream"), std::string::npos);
  EXPECT_NE(events.body.find("event: run.created"), std::string::npos) << events.body;
  EXPECT_NE(events.body.find("event: step.started"), std::string::npos);
  EXPECT_NE(events.body.find("\"step\":\"summarize\""), std::string::npos);
  EXPECT_NE(events.body.find("event: run.finished"), std::string::npos);

  const json run = wait_run(id);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["output"]["fields"]["title"], "Service Agreement");
  EXPECT_EQ(run["output"]["fields"]["total"], 4800);
  EXPECT_TRUE(run["output"]["summary"].is_string());
  EXPECT_FALSE(run["output"]["brief"].get<std::string>().empty());
  EXPECT_EQ(run["principal"]["id"], "wf");
  EXPECT_EQ(run["principal"]["team"], "wf");
  ASSERT_EQ(run["steps"].size(), 3u);
  for (const json& s : run["steps"]) {
    EXPECT_EQ(s["status"], "succeeded") << s.dump();
    EXPECT_EQ(s["attempt"], 1);
    EXPECT_EQ(s["detail"]["calls"][0]["deployment"], "sim-small") << s.dump();
  }
  EXPECT_EQ(sim_requests(), 3);
}

TEST_F(WorkflowGatewayTest, StepsAreGovernedAndTheApiAuthenticates) {
  fs::path wf = dir_ / "workflows";
  std::ofstream(wf / "leaky.yaml") << R"(name: leaky
inputs:
  text: {type: string}
steps:
  - id: ask
    kind: llm
    prompt: "Summarize: {{inputs.text}}"
)";
  std::ofstream(wf / "totals.yaml") << R"(name: totals
steps:
  - id: total
    kind: llm
    prompt: "Give the total"
    output_schema: {type: object, properties: {total: {type: number}}, required: [total]}
)";
  start_in_process(wf.string());

  EXPECT_EQ(
      http_request(port_, "POST", "/v1/workflows/leaky/runs", R"({"input":{"text":"x"}})").status,
      401);
  EXPECT_EQ(call("POST", "/v1/workflows/nope/runs", "{}").status, 404);
  EXPECT_EQ(call("POST", "/v1/workflows/leaky/runs", R"({"input":{"text":3}})").status, 400);
  EXPECT_EQ(call("GET", "/v1/runs/run_none").status, 404);

  // The DLP policy denies the step's request like a direct call's.
  const HttpReply created = call(
      "POST", "/v1/workflows/leaky/runs",
      R"({"input":{"text":"my key is AKIAIOSFODNN7EXAMPLE and secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  json run = wait_run(json::parse(created.body)["id"]);
  EXPECT_EQ(run["status"], "failed");
  EXPECT_NE(run.value("error", "").find("no secrets"), std::string::npos) << run.dump(2);
  EXPECT_EQ(sim_requests(), 0);

  // Schema repair fails on the small model, the escalation route's model conforms.
  const HttpReply t = call("POST", "/v1/workflows/totals/runs", R"({"input":{}})");
  ASSERT_EQ(t.status, 201) << t.body;
  run = wait_run(json::parse(t.body)["id"]);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["output"]["total"], 42);
  const json& detail = run["steps"][0]["detail"];
  EXPECT_EQ(detail["escalated"], true);
  EXPECT_EQ(detail["calls"][2]["deployment"], "sim-large");
  EXPECT_EQ(sim_requests(), 3);
}

TEST_F(WorkflowGatewayTest, AStepOverThePinnedModelsWindowIsFittedInsteadOfRefused) {
  small_fields_ = ", context_window: 16384";
  workflows_fields_ = ", summary_route: fast";
  const std::string spec = R"(name: NAME
inputs:
  doc: {type: string}
steps:
  - id: digest
    kind: llm
    model: sim-small
    context_overflow: OVERFLOW
    prompt: "Summarize this log: {{inputs.doc}} Keep it short."
)";
  for (const char* overflow : {"drop_oldest", "summarize"}) {
    std::string text = spec;
    const std::string name = std::string("long_") + overflow;
    text.replace(text.find("NAME"), 4, name);
    text.replace(text.find("OVERFLOW"), 8, overflow);
    std::ofstream(dir_ / "workflows" / (name + ".yaml")) << text;
  }
  start_in_process((dir_ / "workflows").string());
  std::string doc;
  for (int i = 0; doc.size() < 200'000; ++i) doc += "event " + std::to_string(i) + " ok; ";

  // Sent whole, the prompt is over sim-small's window: the gateway refuses it.
  const HttpReply direct =
      call("POST", "/v1/chat/completions",
           json{{"model", "sim-small"},
                {"messages", {{{"role", "user"}, {"content", "Summarize this log: " + doc}}}}}
               .dump());
  ASSERT_EQ(direct.status, 400) << direct.body;
  EXPECT_NE(direct.body.find("context window"), std::string::npos) << direct.body;
  const int64_t before = sim_requests();

  const HttpReply created =
      call("POST", "/v1/workflows/long_drop_oldest/runs", json{{"input", {{"doc", doc}}}}.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  json run = wait_run(json::parse(created.body)["id"]);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2).substr(0, 2000);
  json detail = run["steps"][0]["detail"];
  EXPECT_EQ(detail["calls"][0]["deployment"], "sim-small");
  json fit = detail["context_fit"];
  EXPECT_EQ(fit["window"], 16384);
  EXPECT_GT(fit["tokens_before"].get<int>(), 16384);
  EXPECT_LE(fit["tokens_after"].get<int>(), 16384 - 4096);
  EXPECT_EQ(fit["parts"][0]["source"], "inputs.doc");
  EXPECT_EQ(fit["parts"][0]["action"], "truncated");
  EXPECT_EQ(sim_requests(), before + 1);

  // summarize: chunks that fit sim-small go to workflows.summary_route first.
  const HttpReply summarized =
      call("POST", "/v1/workflows/long_summarize/runs", json{{"input", {{"doc", doc}}}}.dump());
  ASSERT_EQ(summarized.status, 201) << summarized.body;
  run = wait_run(json::parse(summarized.body)["id"]);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2).substr(0, 2000);
  detail = run["steps"][0]["detail"];
  fit = detail["context_fit"];
  EXPECT_EQ(fit["parts"][0]["action"], "summarized");
  const size_t chunks = fit["summary_calls"].size();
  EXPECT_GE(chunks, 6u);  // ~75k estimated tokens in chunks under 12k
  EXPECT_EQ(fit["parts"][0]["chunks"], chunks);
  for (const json& c : fit["summary_calls"]) {
    EXPECT_EQ(c["status"], 200);
    EXPECT_EQ(c["deployment"], "sim-small");
  }
  EXPECT_EQ(sim_requests(), before + 1 + static_cast<int64_t>(chunks) + 1);
}

TEST_F(WorkflowGatewayTest, APlanStepSendsEachSubtaskToTheModelForItsTask) {
  workflows_fields_ = ", default_route: bytask";
  std::ofstream(dir_ / "workflows" / "memo.yaml") << R"(name: memo
inputs:
  memo: {type: string}
steps:
  - id: work
    kind: plan
    task_types: [code, extraction]
    prompt: "Handle this memo: {{inputs.memo}}"
    synthesis: {prompt: "Combine the results into one answer", task: writing}
output: "{{steps.work.output}}"
)";
  start_in_process((dir_ / "workflows").string());
  const HttpReply created = call("POST", "/v1/workflows/memo/runs",
                                 R"({"input":{"memo":"Q3 sales rose 4%; count the words."}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const json run = wait_run(json::parse(created.body)["id"]);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2);
  EXPECT_EQ(run["output"]["plan"].size(), 2u);
  EXPECT_TRUE(run["output"]["results"]["count"].is_string());
  EXPECT_TRUE(run["output"]["output"].is_string());
  const json* step = nullptr;
  for (const json& s : run["steps"]) {
    if (s["step"] == "work" && !s.contains("item")) step = &s;
  }
  ASSERT_NE(step, nullptr) << run.dump(2);
  const json& served = (*step)["detail"]["subtasks"];
  ASSERT_EQ(served.size(), 2u);
  EXPECT_EQ(served[0]["id"], "count");
  EXPECT_EQ(served[0]["deployment"], "sim-large");  // code: the rule's model
  EXPECT_EQ(served[1]["id"], "facts");
  EXPECT_EQ(served[1]["deployment"], "sim-small");  // anything else: otherwise
  EXPECT_EQ((*step)["detail"]["planner"]["calls"][0]["deployment"], "sim-small");
  EXPECT_EQ(sim_requests(), 4);  // planner, two subtasks, synthesis
}

constexpr const char* kGated = R"YAML(name: gated
steps:
  - id: draft
    kind: llm
    prompt: "Write a short note"
  - id: review
    kind: approval
    message: "Send this? {{steps.draft.output}}"
    timeout: 1h
  - id: send
    kind: llm
    prompt: "Polish: {{steps.draft.output}} ({{steps.review.output.comment}})"
)YAML";

TEST_F(WorkflowGatewayTest, KillNineMidRunThenResumeWithoutRerunningCompletedSteps) {
  std::ofstream(dir_ / "workflows" / "gated.yaml") << kGated;
  std::ofstream(dir_ / "config.yaml") << config_text((dir_ / "workflows").string());
  const std::vector<std::string> argv = {
      bin_dir() + "/switchyard",       "serve",    "-c",
      (dir_ / "config.yaml").string(), "--listen", "127.0.0.1:0"};
  auto serve = std::make_unique<ChildProcess>();
  ASSERT_TRUE(serve->start(argv, dir_)) << serve->output();
  port_ = serve->port();
  const HttpReply created = call("POST", "/v1/workflows/gated/runs", R"({"input":{}})");
  ASSERT_EQ(created.status, 201) << created.body << serve->output();
  const std::string id = json::parse(created.body)["id"];
  json run = wait_run(id);
  ASSERT_EQ(run["status"], "waiting_approval") << run.dump(2);
  ASSERT_EQ(sim_requests(), 1);

  ASSERT_EQ(serve->stop(SIGKILL), 128 + SIGKILL);
  serve = std::make_unique<ChildProcess>();
  ASSERT_TRUE(serve->start(argv, dir_)) << serve->output();
  port_ = serve->port();
  run = wait_run(id);
  ASSERT_EQ(run["status"], "waiting_approval") << run.dump(2);

  const HttpReply approved = call("POST", "/v1/runs/" + id + "/approvals",
                                  R"({"step":"review","decision":"approve","comment":"ship it"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(
      call("POST", "/v1/runs/" + id + "/approvals", R"({"step":"review","decision":"approve"})")
          .status,
      409);
  run = wait_run(id, /*until_finished=*/true);
  ASSERT_EQ(run["status"], "succeeded") << run.dump(2) << serve->output();
  EXPECT_EQ(sim_requests(), 2);  // draft once before the kill, send once after
  for (const json& s : run["steps"]) {
    EXPECT_EQ(s["attempt"], 1) << s.dump();
    EXPECT_EQ(s["idempotency_key"], id + ":" + s["step"].get<std::string>());
  }
  EXPECT_EQ(serve->stop(SIGTERM), 0) << serve->output();
}

}  // namespace
}  // namespace sy::testing
