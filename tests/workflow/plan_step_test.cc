// Plan steps and context fitting in the engine, on fake ports and a real SQLite store:
// the planner's answer is checked against the schema the engine builds (task types,
// max_subtasks, unique ids) and repaired like an llm step's; each subtask goes out with
// its own task type; the synthesis sees the request and every result; the step's detail
// names the deployment of each subtask; a stopped engine resumes a plan without asking
// the planner or a finished subtask again. Context fitting: an llm step over the window
// its route reaches is fitted (drop_oldest, summarize through workflows.summary_route)
// and says so in its detail; a step within the window is sent whole.
#include "workflow/plan_step.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "routing/token_estimate.h"
#include "workflow/engine.h"

namespace sy::workflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string completion(const std::string& content) {
  return json{
      {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}}}}}
      .dump();
}

struct Call {
  std::string model, task, prompt, request_id;
};

class PlanPorts final : public StepPorts {
 public:
  // (model, task, prompt) -> answer.
  std::function<std::string(const Call&)> answer = [](const Call& c) { return "did " + c.prompt; };
  // Calls whose prompt contains this wait until the engine stops (no answer).
  std::string hang_on;
  // The windows by model name; absent: unknown.
  std::map<std::string, RouteWindow> windows;

  ChatReply chat(const ChatCall& call) override {
    const json body = json::parse(call.body);
    Call c{body["model"], call.task, body["messages"].back()["content"], call.request_id};
    {
      std::lock_guard lock(mu);
      calls.push_back(c);
    }
    if (!hang_on.empty() && c.prompt.find(hang_on) != std::string::npos && call.cancel) {
      {
        std::lock_guard lock(mu);
        ++hung;
      }
      while (!call.cancel->load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return {};
    }
    return {200, completion(answer(c)), "dep-for-" + (c.task.empty() ? "none" : c.task)};
  }
  ToolReply http(const ToolRequest&) override { return {500, "", "no tools here"}; }
  void audit(std::string, const governance::Principal&, int, std::string, std::string) override {}
  std::optional<RouteWindow> context_window(const std::string& model, const std::string&,
                                            const governance::Principal&) override {
    auto it = windows.find(model);
    if (it == windows.end()) return std::nullopt;
    return it->second;
  }

  std::vector<Call> snapshot() {
    std::lock_guard lock(mu);
    return calls;
  }
  int count(const std::function<bool(const Call&)>& pred) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count_if(calls.begin(), calls.end(), pred));
  }

  std::mutex mu;
  std::vector<Call> calls;
  int hung = 0;
};

class PlanEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("sy-plan-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
         "-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    who_.kind = governance::PrincipalKind::Key;
    who_.id = "key_test";
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void start() {
    engine_.reset();
    EngineOptions o;
    o.store_url = "sqlite:" + (dir_ / "runs.db").string();
    o.settings = settings_;
    o.owner = "test-engine";
    o.tick = std::chrono::milliseconds(10);
    auto e = Engine::start(std::move(o), ports_);
    ASSERT_TRUE(e) << e.error().message;
    engine_ = std::move(*e);
  }
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
  static const store::StepRow* step(const RunView& v, const std::string& id, int64_t item = -1) {
    for (const auto& s : v.steps) {
      if (s.step_id == id && s.item == item) return &s;
    }
    return nullptr;
  }

  fs::path dir_;
  WorkflowsConfig settings_;
  governance::Principal who_;
  std::shared_ptr<PlanPorts> ports_ = std::make_shared<PlanPorts>();
  std::unique_ptr<Engine> engine_;
  std::string run_id_;
};

constexpr const char* kPlan = R"(name: report
inputs:
  topic: {type: string}
steps:
  - id: reply
    kind: plan
    task_types: [code, extraction, writing]
    max_subtasks: 3
    concurrency: 2
    prompt: "Write a report on {{inputs.topic}}"
    synthesis: {prompt: "Combine the parts into one report", task: writing}
output: "{{steps.reply.output}}"
)";

const char* kGoodPlan = R"({"subtasks": [
  {"id": "facts", "task": "extraction", "prompt": "List the facts about cats"},
  {"id": "script", "task": "code", "prompt": "Write a script that counts cats"}]})";

bool is_planner(const Call& c) { return c.prompt.find("Split this work") != std::string::npos; }
bool is_synthesis(const Call& c) { return c.prompt.find("Combine the parts") != std::string::npos; }

TEST_F(PlanEngineTest, PlansRunsEachSubtaskWithItsTaskAndSynthesizes) {
  ports_->answer = [](const Call& c) -> std::string {
    if (is_planner(c)) return kGoodPlan;
    if (is_synthesis(c)) return "the report";
    return "result of " + c.prompt;
  };
  start();
  const RunView v = run(kPlan, R"({"topic":"cats"})");
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  const json out = json::parse(v.run.output_json);
  EXPECT_EQ(out["output"], "the report");
  EXPECT_EQ(out["plan"].size(), 2u);
  EXPECT_EQ(out["results"]["facts"], "result of List the facts about cats");
  EXPECT_EQ(out["results"]["script"], "result of Write a script that counts cats");

  const auto calls = ports_->snapshot();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(is_planner(calls[0]));
  EXPECT_EQ(calls[0].task, "reasoning");
  EXPECT_EQ(calls[0].model, "auto");
  EXPECT_NE(calls[0].prompt.find("Write a report on cats"), std::string::npos);
  EXPECT_NE(calls[0].prompt.find("one of: code, extraction, writing"), std::string::npos);
  EXPECT_EQ(calls[0].request_id, v.run.id + ":reply:0:1");
  // Per-subtask routing: each subtask carries its own task type.
  std::map<std::string, std::string> task_of;
  for (const auto& c : calls) task_of[c.prompt] = c.task;
  EXPECT_EQ(task_of["List the facts about cats"], "extraction");
  EXPECT_EQ(task_of["Write a script that counts cats"], "code");
  const Call& synth = calls.back();
  ASSERT_TRUE(is_synthesis(synth));
  EXPECT_EQ(synth.task, "writing");
  EXPECT_EQ(synth.request_id, v.run.id + ":reply:synthesis:1");
  EXPECT_NE(synth.prompt.find("Write a report on cats"), std::string::npos);
  EXPECT_NE(synth.prompt.find("### facts (extraction)\nresult of List the facts"),
            std::string::npos);
  EXPECT_NE(synth.prompt.find("### script (code)\nresult of Write a script"), std::string::npos);

  // Items: 0 the planner, 1.. the subtasks; the step's detail has the plan and who served.
  ASSERT_NE(step(v, "reply", 0), nullptr);
  EXPECT_EQ(step(v, "reply", 2)->idempotency_key, v.run.id + ":reply:2");
  const json detail = json::parse(step(v, "reply")->detail_json);
  EXPECT_EQ(detail["plan"][1]["id"], "script");
  ASSERT_EQ(detail["subtasks"].size(), 2u);
  EXPECT_EQ(detail["subtasks"][0]["deployment"], "dep-for-extraction");
  EXPECT_EQ(detail["subtasks"][1]["deployment"], "dep-for-code");
  EXPECT_EQ(detail["synthesis"]["calls"][0]["deployment"], "dep-for-writing");
}

TEST_F(PlanEngineTest, APlanBreakingTheEnginesSchemaIsRepairedThenEscalated) {
  // Unknown task type, duplicate ids, too many subtasks: each is an error the model sees.
  const std::string bad = R"({"subtasks": [
    {"id": "a", "task": "poetry", "prompt": "p1"},
    {"id": "a", "task": "code", "prompt": "p2"},
    {"id": "b", "task": "code", "prompt": "p3"},
    {"id": "c", "task": "code", "prompt": "p4"}]})";
  const std::string dup = R"({"subtasks": [
    {"id": "a", "task": "code", "prompt": "p1"},
    {"id": "a", "task": "code", "prompt": "p2"}]})";
  ports_->answer = [&](const Call& c) -> std::string {
    if (c.model == "reasoning" && c.prompt.find("did not conform") != std::string::npos) {
      return R"({"subtasks": [{"id": "a", "task": "code", "prompt": "p1"}]})";
    }
    if (c.prompt.find("did not conform") != std::string::npos) return dup;
    if (is_planner(c)) return bad;
    return "ok";
  };
  start();
  const RunView v = run(kPlan, R"({"topic":"cats"})");
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  const json planner = json::parse(step(v, "reply", 0)->detail_json);
  ASSERT_EQ(planner["calls"].size(), 3u);
  const std::string first_errors = planner["calls"][0]["errors"];
  EXPECT_NE(first_errors.find("/subtasks/0/task"), std::string::npos) << first_errors;
  EXPECT_NE(first_errors.find("/subtasks"), std::string::npos) << first_errors;
  const std::string second_errors = planner["calls"][1]["errors"];
  EXPECT_NE(second_errors.find("/subtasks/1/id"), std::string::npos) << second_errors;
  EXPECT_NE(second_errors.find("must be unique"), std::string::npos) << second_errors;
  EXPECT_TRUE(planner["escalated"]);
  EXPECT_EQ(json::parse(v.run.output_json)["plan"].size(), 1u);

  // Task types are checked when the file loads: a subtask's type goes out as a routing hint.
  auto unknown = parse_workflow(R"(name: p
steps:
  - id: p
    kind: plan
    task_types: [code, poetry]
    prompt: "x"
    synthesis: {prompt: "y"}
)",
                                "p.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(
      unknown.error().message.find("p.yaml:5: steps[0].task_types: unknown task type \"poetry\""),
      std::string::npos)
      << unknown.error().message;

  auto schema = plan_schema(PlanStep{.task_types = {"code"}, .max_subtasks = 2});
  ASSERT_TRUE(schema);
  EXPECT_TRUE(schema->accepts(R"({"subtasks":[{"id":"x","task":"code","prompt":"p"}]})"));
  EXPECT_FALSE(schema->accepts(R"({"subtasks":[]})"));
  EXPECT_FALSE(schema->accepts(R"({"subtasks":[{"id":"x y","task":"code","prompt":"p"}]})"));
  auto any = plan_schema(PlanStep{});
  ASSERT_TRUE(any);
  EXPECT_TRUE(any->accepts(R"({"subtasks":[{"id":"x","task":"translation","prompt":"p"}]})"));
  EXPECT_FALSE(any->accepts(R"({"subtasks":[{"id":"x","task":"planning","prompt":"p"}]})"));
}

TEST_F(PlanEngineTest, AStoppedPlanResumesWithoutAskingThePlannerOrAFinishedSubtaskAgain) {
  ports_->answer = [](const Call& c) -> std::string {
    if (is_planner(c)) return kGoodPlan;
    if (is_synthesis(c)) return "the report";
    return "result of " + c.prompt;
  };
  settings_.max_active_runs = 1;
  ports_->hang_on = "counts cats";  // the second subtask never answers
  start();
  auto r = engine_->submit(
      std::string(kPlan).replace(std::string(kPlan).find("concurrency: 2"), 14, "concurrency: 1"),
      "p.yaml", R"({"topic":"cats"})", who_);
  ASSERT_TRUE(r);
  run_id_ = r->id;
  for (int i = 0; i < 2000; ++i) {
    {
      std::lock_guard lock(ports_->mu);
      if (ports_->hung > 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  engine_->stop();
  RunView v = engine_->view(run_id_).value();
  EXPECT_EQ(v.run.status, "running");
  EXPECT_EQ(step(v, "reply")->status, "running");
  EXPECT_EQ(step(v, "reply", 0)->status, "succeeded");
  EXPECT_EQ(step(v, "reply", 1)->status, "succeeded");
  EXPECT_EQ(step(v, "reply", 2)->status, "running");

  ports_->hang_on.clear();
  start();
  v = settle();
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  EXPECT_EQ(ports_->count(is_planner), 1);
  EXPECT_EQ(ports_->count([](const Call& c) { return c.prompt == "List the facts about cats"; }),
            1);
  EXPECT_EQ(
      ports_->count([](const Call& c) { return c.prompt == "Write a script that counts cats"; }),
      2);
  EXPECT_EQ(step(v, "reply", 0)->attempt, 1);
  EXPECT_EQ(step(v, "reply", 1)->attempt, 1);
  EXPECT_EQ(step(v, "reply", 2)->attempt, 2);
  EXPECT_EQ(step(v, "reply")->attempt, 2);
  EXPECT_EQ(json::parse(v.run.output_json)["results"]["facts"],
            "result of List the facts about cats");
}

TEST_F(PlanEngineTest, AFailedSubtaskFailsTheStepAndNamesIt) {
  settings_.max_step_output_bytes = 200;  // the plan fits; the code subtask's answer does not
  ports_->answer = [](const Call& c) -> std::string {
    if (is_planner(c)) return kGoodPlan;
    if (c.task == "code") return std::string(300, 'y');
    return "x";
  };
  start();
  const RunView v = run(kPlan, R"({"topic":"cats"})");
  EXPECT_EQ(v.run.status, "failed");
  EXPECT_NE(v.run.error.find("subtask item 2"), std::string::npos) << v.run.error;
  EXPECT_EQ(ports_->count(is_synthesis), 0);
}

// --- context fitting -------------------------------------------------------------------

std::string words(int n, const std::string& prefix) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + prefix + std::to_string(i);
  return s;
}

constexpr const char* kLong = R"(name: long
inputs:
  doc: {type: string}
  question: {type: string}
steps:
  - id: answer
    kind: llm
    model: small
    OVERFLOW
    prompt: "Read this: {{inputs.doc}} Then answer: {{inputs.question}}"
)";

std::string long_spec(const std::string& overflow) {
  std::string s = kLong;
  s.replace(s.find("OVERFLOW"), 8, overflow.empty() ? "" : "context_overflow: " + overflow);
  return s;
}

TEST_F(PlanEngineTest, AStepOverItsWindowIsFittedByDroppingTheOldestContext) {
  ports_->windows["small"] = {2000, 2000};
  start();
  const std::string doc = words(4000, "d");
  const RunView v = run(long_spec(""), json{{"doc", doc}, {"question", "why?"}}.dump());
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  const auto calls = ports_->snapshot();
  ASSERT_EQ(calls.size(), 1u);
  const std::string& sent = calls[0].prompt;
  EXPECT_LE(routing::estimate_tokens(sent) + 7, prompt_budget(2000));
  EXPECT_TRUE(sent.starts_with("Read this: [… ")) << sent.substr(0, 60);
  EXPECT_TRUE(sent.ends_with(" Then answer: why?"));
  EXPECT_NE(sent.find(" earlier characters dropped to fit the model's context window] "),
            std::string::npos);
  EXPECT_NE(sent.find("d3999 Then answer"), std::string::npos);  // the newest text stays
  const json fit = json::parse(step(v, "answer")->detail_json)["context_fit"];
  EXPECT_EQ(fit["window"], 2000);
  EXPECT_EQ(fit["model"], "small");
  EXPECT_EQ(fit["overflow"], "drop_oldest");
  EXPECT_GT(fit["tokens_before"].get<int>(), 4000);
  EXPECT_LE(fit["tokens_after"].get<int>(), 1500);
  EXPECT_EQ(fit["parts"][0]["source"], "inputs.doc");
  EXPECT_EQ(fit["parts"][0]["action"], "truncated");

  // Within the window: sent whole, no fitting recorded.
  const RunView small = run(long_spec(""), json{{"doc", "short"}, {"question", "why?"}}.dump());
  ASSERT_EQ(small.run.status, "succeeded") << small.run.error;
  EXPECT_EQ(ports_->snapshot().back().prompt, "Read this: short Then answer: why?");
  EXPECT_FALSE(json::parse(step(small, "answer")->detail_json).contains("context_fit"));
}

TEST_F(PlanEngineTest, SummarizeSendsTheOldestContextToTheSummaryRouteInChunks) {
  ports_->windows["small"] = {2000, 2000};
  ports_->windows["cheap"] = {1000, 1000};
  settings_.summary_route = "cheap";
  ports_->answer = [](const Call& c) -> std::string {
    if (c.model == "cheap") return "a short summary";
    return "answered";
  };
  start();
  const RunView v =
      run(long_spec("summarize"), json{{"doc", words(3000, "d")}, {"question", "why?"}}.dump());
  ASSERT_EQ(v.run.status, "succeeded") << v.run.error;
  const auto calls = ports_->snapshot();
  std::vector<Call> summaries;
  for (const auto& c : calls) {
    if (c.model == "cheap") summaries.push_back(c);
  }
  ASSERT_GE(summaries.size(), 4u);  // 3000+ tokens in chunks that fit a 1000-token window
  for (const auto& s : summaries) {
    EXPECT_EQ(s.task, "summarization");
    EXPECT_LE(routing::estimate_tokens(s.prompt), prompt_budget(1000));
  }
  EXPECT_EQ(summaries[0].request_id, v.run.id + ":answer:summary:1");
  const std::string& sent = calls.back().prompt;
  EXPECT_EQ(calls.back().model, "small");
  EXPECT_TRUE(sent.starts_with("Read this: [summary of ")) << sent.substr(0, 80);
  EXPECT_NE(sent.find("a short summary\na short summary"), std::string::npos);
  EXPECT_TRUE(sent.ends_with(" Then answer: why?"));
  const json fit = json::parse(step(v, "answer")->detail_json)["context_fit"];
  EXPECT_EQ(fit["overflow"], "summarize");
  EXPECT_EQ(fit["parts"][0]["action"], "summarized");
  EXPECT_EQ(fit["summary_calls"].size(), summaries.size());
}

}  // namespace
}  // namespace sy::workflow
