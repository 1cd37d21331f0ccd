// The engine on a fake model and HTTP (StepPorts) and a real SQLite store: steps run in
// order and see what they name; completed steps never run again across engine restarts;
// approvals (approve, reject, timeout on an injected clock); map fan-out under its
// concurrency limit, results in order; switch branches; schema repair, then escalation;
// the HTTP allow-list; the step output cap; what the engine refuses at submit.
#include "workflow/engine.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "workflow/run_record.h"
#include "workflow/tool_step.h"

namespace sy::workflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A chat completion answering `content`.
std::string completion(const std::string& content) {
  return json{{"id", "x"},
              {"object", "chat.completion"},
              {"choices",
               {{{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", content}}},
                 {"finish_reason", "stop"}}}}}
      .dump();
}

// Answers by a function of (model, last user message); counts calls and concurrency.
class FakePorts final : public StepPorts {
 public:
  std::function<std::string(const std::string& model, const std::string& prompt)> answer =
      [](const std::string&, const std::string& prompt) { return "echo: " + prompt; };
  // Runs inside each chat call with its prompt (a gate for the map test).
  std::function<void(const std::string&)> during_call;

  ChatReply chat(const ChatCall& call) override {
    if (hang_until_cancelled && call.cancel != nullptr) {
      {
        std::lock_guard lock(mu);
        ++hung;
      }
      while (!call.cancel->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {};  // no answer: what a gateway call cut short looks like
    }
    const json body = json::parse(call.body);
    const std::string model = body["model"];
    const std::string prompt = body["messages"].back()["content"];
    {
      std::lock_guard lock(mu);
      ++calls;
      models.push_back(model);
      tasks.push_back(call.task);
      request_ids.push_back(call.request_id);
      principals.push_back(call.principal ? call.principal->id : "");
      max_in_flight = std::max(max_in_flight, ++in_flight);
    }
    if (during_call) during_call(prompt);
    std::string content = answer(model, prompt);
    {
      std::lock_guard lock(mu);
      --in_flight;
    }
    return {200, completion(content), "fake"};
  }
  ToolReply http(const ToolRequest& r) override {
    std::lock_guard lock(mu);
    http_urls.push_back(r.url);
    return {200, R"({"ok":true})", ""};
  }
  void audit(std::string action, const governance::Principal&, int status, std::string error,
             std::string) override {
    std::lock_guard lock(mu);
    audits.push_back(action + " " + std::to_string(status) + " " + error);
  }

  std::atomic<bool> hang_until_cancelled{false};
  std::mutex mu;
  int hung = 0;
  int calls = 0, in_flight = 0, max_in_flight = 0;
  std::vector<std::string> models, tasks, request_ids, principals, http_urls, audits;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sy-engine-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    settings_.http_allow = {"https://allowed.example.com/api"};
    who_.kind = governance::PrincipalKind::Key;
    who_.id = "key_test";
    who_.key_id = "key_test";
    who_.team = "search";
    who_.roles = {governance::Role::Developer};
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void start(const std::string& owner = "test-engine", int64_t lease_ms = 60'000) {
    engine_.reset();
    EngineOptions o;
    o.store_url = "sqlite:" + (dir_ / "runs.db").string();
    o.settings = settings_;
    o.owner = owner;
    o.lease_ms = lease_ms;
    o.tick = std::chrono::milliseconds(10);
    o.clock = [this] { return now_.load(); };
    auto e = Engine::start(std::move(o), ports_);
    ASSERT_TRUE(e) << e.error().message;
    engine_ = std::move(*e);
  }
  // Submits and waits until the engine is idle; returns the run's view.
  RunView run(const std::string& spec, const std::string& input = "{}") {
    auto r = engine_->submit(spec, "test.yaml", input, who_);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) return {};
    run_id_ = r->id;
    return settle();
  }
  RunView settle() {
    EXPECT_TRUE(engine_->wait_idle(std::chrono::seconds(20)));
    auto v = engine_->view(run_id_);
    EXPECT_TRUE(v);
    return v ? *v : RunView{};
  }
  const store::StepRow* step(const RunView& v, const std::string& id, int64_t item = -1) {
    for (const auto& s : v.steps) {
      if (s.step_id == id && s.item == item) return &s;
    }
    return nullptr;
  }

  fs::path dir_;
  WorkflowsConfig settings_;
  governance::Principal who_;
  std::shared_ptr<FakePorts> ports_ = std::make_shared<FakePorts>();
  std::atomic<int64_t> now_{1'700'000'000'000};
  std::unique_ptr<Engine> engine_;
  std::string run_id_;
};

constexpr const char* kChain = R"(name: chain
inputs:
  topic: {type: string}
steps:
  - id: first
    kind: llm
    task: extraction
    route: fast
    prompt: "one {{inputs.topic}}"
  - id: second
    kind: llm
    model: sim-large
    prompt: "two after {{steps.first.output}}"
output: "{{steps.second.output}}"
)";

TEST_F(EngineTest, RunsStepsInOrderAsTheRunsPrincipal) {
  start();
  const RunView v = run(kChain, R"({"topic":"cats"})");
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(json::parse(v.run.output_json), "echo: two after echo: one cats");
  ASSERT_EQ(ports_->calls, 2);
  EXPECT_EQ(ports_->models, (std::vector<std::string>{"fast", "sim-large"}));
  EXPECT_EQ(ports_->tasks, (std::vector<std::string>{"extraction", ""}));
  EXPECT_EQ(ports_->principals, (std::vector<std::string>{"key_test", "key_test"}));
  EXPECT_EQ(ports_->request_ids[0], v.run.id + ":first:1");
  const auto* first = step(v, "first");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->attempt, 1);
  EXPECT_EQ(first->idempotency_key, v.run.id + ":first");
  auto principal = principal_from_json(v.run.principal_json);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->team, "search");
  EXPECT_EQ(v.run.principal_json.find("sk-"), std::string::npos);

  const auto events = engine_->events(v.run.id, 0).value();
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(json::parse(e.json)["type"]);
  EXPECT_EQ(types,
            (std::vector<std::string>{"run.created", "run.started", "step.started", "step.finished",
                                      "step.started", "step.finished", "run.finished"}));
}

TEST_F(EngineTest, RefusesBadInputAndWhatItCannotRunYet) {
  start();
  auto bad = engine_->submit(kChain, "chain.yaml", R"({"topic": 3})", who_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("/topic"), std::string::npos) << bad.error().message;
  EXPECT_EQ(ports_->calls, 0);
}

constexpr const char* kApproval = R"(name: gated
steps:
  - id: draft
    kind: llm
    prompt: "draft"
  - id: approve
    kind: approval
    message: "Send {{steps.draft.output}}?"
    timeout: 1h
  - id: send
    kind: llm
    prompt: "send {{steps.approve.output.comment}}"
)";

TEST_F(EngineTest, ApprovalWaitsAcrossRestartsAndCompletedStepsNeverRunAgain) {
  start();
  RunView v = run(kApproval);
  ASSERT_EQ(v.run.status, "waiting_approval") << v.run.error;
  ASSERT_EQ(ports_->calls, 1);
  EXPECT_EQ(step(v, "approve")->status, "waiting");
  EXPECT_EQ(json::parse(step(v, "approve")->output_json)["message"], "Send echo: draft?");

  start();  // a restart: the new engine takes the run back and it keeps waiting
  v = settle();
  EXPECT_EQ(v.run.status, "waiting_approval");
  EXPECT_EQ(ports_->calls, 1);
  auto wrong = engine_->decide(run_id_, "draft", true, "", who_);
  ASSERT_FALSE(wrong);
  auto decided = engine_->decide(run_id_, "approve", true, "ok to send", who_);
  ASSERT_TRUE(decided) << decided.error().message;
  v = settle();
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(ports_->calls, 2);  // draft was not run again
  EXPECT_EQ(step(v, "draft")->attempt, 1);
  EXPECT_EQ(json::parse(v.run.output_json), "echo: send ok to send");
  EXPECT_EQ(json::parse(step(v, "approve")->detail_json)["by"], "key:key_test");
}

TEST_F(EngineTest, AStepInterruptedByStopRunsAgainAtTheNextStart) {
  ports_->hang_until_cancelled = true;
  start();
  auto r = engine_->submit(kChain, "chain.yaml", R"({"topic":"cats"})", who_);
  ASSERT_TRUE(r);
  run_id_ = r->id;
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(ports_->mu);
      if (ports_->hung > 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  engine_->stop();  // cancels the call it waits on, records no failure
  RunView v = engine_->view(run_id_).value();
  EXPECT_EQ(v.run.status, "running");
  ASSERT_NE(step(v, "first"), nullptr);
  EXPECT_EQ(step(v, "first")->status, "running");

  ports_->hang_until_cancelled = false;
  start();
  v = settle();
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(step(v, "first")->attempt, 2);
  EXPECT_EQ(step(v, "first")->idempotency_key, run_id_ + ":first");
  EXPECT_EQ(step(v, "second")->attempt, 1);
  EXPECT_EQ(ports_->calls, 2);
}

TEST_F(EngineTest, AnotherEngineTakesOverARunOnlyOnceItsLeaseLapsed) {
  start("engine-a", 1'000);
  ASSERT_EQ(run(kApproval).run.status, "waiting_approval");
  engine_->stop();  // engine-a is gone; its lease runs until now + 1 s

  start("engine-b", 1'000);
  // The decision is stored, but engine-b may not run the run while engine-a's lease holds.
  ASSERT_TRUE(engine_->decide(run_id_, "approve", true, "from b", who_));
  RunView v = settle();
  EXPECT_EQ(v.run.status, "waiting_approval");
  EXPECT_EQ(v.run.lease_owner, "engine-a");
  EXPECT_EQ(ports_->calls, 1);

  now_ += 1'001;  // the lease lapses; engine-b's scheduler adopts the run
  for (int i = 0; i < 500 && settle().run.status != "succeeded"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  v = settle();
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(v.run.lease_owner, "engine-b");
  EXPECT_EQ(ports_->calls, 2);
  EXPECT_EQ(step(v, "draft")->attempt, 1);
}

TEST_F(EngineTest, RejectedApprovalFailsTheRun) {
  start();
  ASSERT_EQ(run(kApproval).run.status, "waiting_approval");
  ASSERT_TRUE(engine_->decide(run_id_, "approve", false, "not now", who_));
  const RunView v = settle();
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_NE(v.run.error.find("rejected by key:key_test: not now"), std::string::npos)
      << v.run.error;
  EXPECT_EQ(step(v, "send"), nullptr);
  EXPECT_FALSE(engine_->decide(run_id_, "approve", true, "", who_));  // not waiting any more
}

TEST_F(EngineTest, ApprovalTimeoutRejectsOrApprovesAsConfigured) {
  start();
  ASSERT_EQ(run(kApproval).run.status, "waiting_approval");
  now_ += 3'600'000 - 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(settle().run.status, "waiting_approval");
  now_ += 2;
  // The scheduler notices the deadline on its next tick.
  for (int i = 0; i < 200 && settle().run.status == "waiting_approval"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  RunView v = settle();
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_NE(v.run.error.find("no decision within"), std::string::npos) << v.run.error;

  std::string approving = kApproval;
  approving.replace(approving.find("timeout: 1h"), 11, "timeout: 1h\n    on_timeout: approve");
  ASSERT_EQ(run(approving).run.status, "waiting_approval");
  now_ += 3'600'001;
  for (int i = 0; i < 200 && settle().run.status == "waiting_approval"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  v = settle();
  EXPECT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(json::parse(step(v, "approve")->output_json)["decision"], "timeout");
}

TEST_F(EngineTest, MapFansOutUnderItsConcurrencyLimitAndKeepsOrder) {
  // Each call waits until two calls are in flight (or a generous timeout), so a limit
  // that is not enforced shows as more than two at once.
  std::mutex gate_mu;
  std::condition_variable gate;
  int entered = 0;
  ports_->during_call = [&](const std::string& prompt) {
    if (!prompt.starts_with("item")) return;
    std::unique_lock lock(gate_mu);
    ++entered;
    gate.notify_all();
    gate.wait_for(lock, std::chrono::seconds(5), [&] { return entered % 2 == 0; });
  };
  ports_->answer = [](const std::string&, const std::string& prompt) {
    if (prompt.starts_with("list")) return std::string(R"(["a","b","c","d","e","f"])");
    return "done " + prompt;
  };
  start();
  const RunView ok = run(R"(name: fan
steps:
  - id: list
    kind: llm
    prompt: "list"
    output_schema: {type: array, items: {type: string}}
  - id: each
    kind: map
    over: "{{steps.list.output}}"
    concurrency: 2
    step:
      kind: llm
      prompt: "item {{index}} {{item}}"
)");
  ASSERT_EQ(ok.run.status, "succeeded") << ok.run.error;
  EXPECT_EQ(ports_->max_in_flight, 2);
  const json out = json::parse(ok.run.output_json);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0], "done item 0 a");
  EXPECT_EQ(out[5], "done item 5 f");
  ASSERT_NE(step(ok, "each", 3), nullptr);
  EXPECT_EQ(step(ok, "each", 3)->idempotency_key, ok.run.id + ":each:3");
}

TEST_F(EngineTest, SwitchRunsTheChosenBranchOnly) {
  ports_->answer = [](const std::string&, const std::string& prompt) {
    return prompt == "classify" ? std::string("refund") : "handled " + prompt;
  };
  start();
  const RunView v = run(R"(name: branch
steps:
  - id: classify
    kind: llm
    prompt: "classify"
  - id: route
    kind: switch
    on: "{{steps.classify.output}}"
    cases: {refund: refund, billing: billing}
  - id: refund
    kind: llm
    prompt: "refund"
  - id: billing
    kind: llm
    prompt: "billing"
  - id: after_billing
    kind: llm
    prompt: "after {{steps.billing.output}}"
output: "{{steps.refund.output}}"
)");
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(json::parse(v.run.output_json), "handled refund");
  EXPECT_EQ(step(v, "billing")->status, "skipped");
  EXPECT_EQ(step(v, "after_billing")->status, "skipped");
  EXPECT_EQ(ports_->calls, 2);
}

constexpr const char* kSchema = R"(name: structured
steps:
  - id: STEP
    kind: llm
    route: fast
    prompt: "extract"
    output_schema:
      type: object
      properties: {total: {type: number}}
      required: [total]
)";

std::string with_step(std::string spec, const std::string& id) {
  spec.replace(spec.find("STEP"), 4, id);
  return spec;
}

TEST_F(EngineTest, SchemaFailureIsRepairedOnceThenEscalated) {
  // "fixable": the repair request gets a conforming answer.
  ports_->answer = [](const std::string& model, const std::string& prompt) {
    if (prompt.find("step `fixable` did not conform") != std::string::npos) {
      return std::string(R"({"total": 3})");
    }
    if (model == "reasoning") return std::string("```json\n{\"total\": 7}\n```");
    return std::string(R"({"total": "three"})");
  };
  start();
  RunView v = run(with_step(kSchema, "fixable"));
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(json::parse(v.run.output_json)["total"], 3);
  json detail = json::parse(step(v, "fixable")->detail_json);
  EXPECT_TRUE(detail["repaired"]);
  EXPECT_FALSE(detail["escalated"]);
  EXPECT_EQ(detail["calls"][0]["outcome"], "schema_invalid");
  EXPECT_NE(detail["calls"][0]["errors"].get<std::string>().find("/total"), std::string::npos);
  EXPECT_EQ(ports_->calls, 2);

  // "stubborn": the repair fails too; the escalation route answers (in a fence).
  v = run(with_step(kSchema, "stubborn"));
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(json::parse(v.run.output_json)["total"], 7);
  detail = json::parse(step(v, "stubborn")->detail_json);
  EXPECT_TRUE(detail["escalated"]);
  ASSERT_EQ(detail["calls"].size(), 3u);
  EXPECT_EQ(detail["calls"][2]["model"], "reasoning");
  EXPECT_EQ(ports_->models.back(), "reasoning");

  // Nothing conforms: the step fails and says why.
  ports_->answer = [](const std::string&, const std::string&) { return std::string("{}"); };
  v = run(with_step(kSchema, "hopeless"));
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_NE(v.run.error.find("does not conform"), std::string::npos) << v.run.error;
  EXPECT_NE(v.run.error.find("required"), std::string::npos) << v.run.error;
}

TEST_F(EngineTest, HttpToolOutsideTheAllowListFailsAndIsAudited) {
  start();
  RunView v = run(R"(name: tools
steps:
  - id: call
    kind: tool
    http: {method: GET, url: "https://allowed.example.com/api/items"}
  - id: sneaky
    kind: tool
    http: {method: POST, url: "https://allowed.example.com/apix/steal", body: "{}"}
)");
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_EQ(step(v, "call")->status, "succeeded");
  EXPECT_EQ(json::parse(step(v, "call")->output_json)["ok"], true);
  EXPECT_NE(step(v, "sneaky")->error.find("not allowed"), std::string::npos);
  EXPECT_EQ(ports_->http_urls, (std::vector<std::string>{"https://allowed.example.com/api/items"}));
  ASSERT_EQ(ports_->audits.size(), 2u);
  EXPECT_EQ(ports_->audits[1].substr(0, 22), "workflow.tool.http 403");
}

TEST_F(EngineTest, OversizeStepOutputFailsTheStep) {
  settings_.max_step_output_bytes = 64;
  ports_->answer = [](const std::string&, const std::string&) { return std::string(100, 'x'); };
  start();
  const RunView v = run(kChain, R"({"topic":"big"})");
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_NE(v.run.error.find("over workflows.max_step_output_bytes (64)"), std::string::npos)
      << v.run.error;
  EXPECT_EQ(ports_->calls, 1);
}

TEST(UrlAllowList, MatchesPrefixesAtBoundaries) {
  const std::vector<std::string> allow = {"https://a.example.com", "http://b.example/api/"};
  EXPECT_TRUE(url_allowed("https://a.example.com", allow));
  EXPECT_TRUE(url_allowed("https://a.example.com/x?y=1", allow));
  EXPECT_FALSE(url_allowed("https://a.example.com.evil.io/", allow));
  EXPECT_FALSE(url_allowed("https://a.example.comx", allow));
  EXPECT_TRUE(url_allowed("http://b.example/api/v1", allow));
  EXPECT_FALSE(url_allowed("http://b.example/apiv1", allow));
  EXPECT_FALSE(url_allowed("https://b.example/api/v1", allow));
}

}  // namespace
}  // namespace sy::workflow
