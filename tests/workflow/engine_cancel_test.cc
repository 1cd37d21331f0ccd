// Cancelling runs (Engine::cancel) on a fake model and a real SQLite store: a run waiting
// for an approval, and a run whose llm step waits on its call (the call is abandoned);
// the run ends `cancelled` with its events and an audit record, nothing more is written
// or called for it, a second cancel is refused (409), and a restarted engine leaves it
// cancelled.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "workflow/engine.h"

namespace sy::workflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Answers every call at once, or with `hang`, only gives up when the call is cancelled.
class HangingPorts final : public StepPorts {
 public:
  ChatReply chat(const ChatCall& call) override {
    {
      std::lock_guard lock(mu);
      ++calls;
    }
    if (hang) {
      while (call.cancel == nullptr || !call.cancel->load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      std::lock_guard lock(mu);
      ++abandoned;
      return {};
    }
    const json body = {
        {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", "ok"}}}}}}};
    return {200, body.dump(), "fake"};
  }
  ToolReply http(const ToolRequest&) override { return {200, "{}", ""}; }
  void audit(std::string action, const governance::Principal& who, int status, std::string,
             std::string detail) override {
    std::lock_guard lock(mu);
    audits.push_back(action + " " + who.id + " " + std::to_string(status) + " " + detail);
  }
  int count(const int& n) {
    std::lock_guard lock(mu);
    return n;
  }

  std::atomic<bool> hang{false};
  std::mutex mu;
  int calls = 0, abandoned = 0;
  std::vector<std::string> audits;
};

constexpr const char* kGated = R"(name: gated
steps:
  - id: draft
    kind: llm
    prompt: "draft"
  - id: approve
    kind: approval
    message: "Send {{steps.draft.output}}?"
  - id: send
    kind: llm
    prompt: "send"
)";

class EngineCancelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sy-cancel-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    who_.kind = governance::PrincipalKind::Key;
    who_.id = "key_ops";
    who_.key_id = "key_ops";
    who_.team = "ops";
  }
  void TearDown() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void start() {
    engine_.reset();
    EngineOptions o;
    o.store_url = "sqlite:" + (dir_ / "runs.db").string();
    o.owner = "cancel-test";
    o.tick = std::chrono::milliseconds(10);
    auto e = Engine::start(std::move(o), ports_);
    ASSERT_TRUE(e) << e.error().message;
    engine_ = std::move(*e);
  }
  RunView settle() {
    EXPECT_TRUE(engine_->wait_idle(std::chrono::seconds(20)));
    return engine_->view(run_id_).value();
  }
  std::string step_status(const RunView& v, const std::string& id) {
    for (const auto& s : v.steps) {
      if (s.step_id == id && s.item < 0) return s.status;
    }
    return "(none)";
  }
  std::vector<std::string> event_types() {
    std::vector<std::string> out;
    const auto events = engine_->events(run_id_, 0);
    EXPECT_TRUE(events);
    if (!events) return out;
    for (const auto& e : *events) {
      const json j = json::parse(e.json);
      out.push_back(j.value("type", "") + ":" + j.value("step", "") + ":" + j.value("status", ""));
    }
    return out;
  }

  fs::path dir_;
  governance::Principal who_;
  std::shared_ptr<HangingPorts> ports_ = std::make_shared<HangingPorts>();
  std::unique_ptr<Engine> engine_;
  std::string run_id_;
};

TEST_F(EngineCancelTest, ARunWaitingForAnApprovalIsCancelledAndStaysCancelled) {
  start();
  auto r = engine_->submit(kGated, "gated.yaml", "{}", who_);
  ASSERT_TRUE(r) << r.error().message;
  run_id_ = r->id;
  ASSERT_EQ(settle().run.status, "waiting_approval");

  auto cancelled = engine_->cancel(run_id_, "wrong recipient", who_);
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, "cancelled");
  RunView v = settle();
  EXPECT_EQ(v.run.status, "cancelled");
  EXPECT_EQ(v.run.error, "cancelled by key:key_ops: wrong recipient");
  EXPECT_GT(v.run.finished_ms, 0);
  EXPECT_EQ(step_status(v, "approve"), "cancelled");
  EXPECT_EQ(step_status(v, "send"), "(none)");
  const auto events = event_types();
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2], "step.cancelled:approve:cancelled");
  EXPECT_EQ(events.back(), "run.finished::cancelled");
  {
    std::lock_guard lock(ports_->mu);
    ASSERT_EQ(ports_->audits.size(), 1u);
    EXPECT_EQ(ports_->audits[0].rfind("workflow.run.cancel key_ops 200 ", 0), 0u)
        << ports_->audits[0];
    EXPECT_NE(ports_->audits[0].find(run_id_), std::string::npos);
  }

  // The approval cannot be given any more; a second cancel is refused; unknown runs 404.
  EXPECT_FALSE(engine_->decide(run_id_, "approve", true, "", who_));
  auto again = engine_->cancel(run_id_, "", who_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().status, 409);
  EXPECT_EQ(again.error().code, "already_finished");
  auto unknown = engine_->cancel("run_nope", "", who_);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().status, 404);

  // A restart resumes pending, running and waiting runs: not this one.
  start();
  v = settle();
  EXPECT_EQ(v.run.status, "cancelled");
  EXPECT_EQ(step_status(v, "approve"), "cancelled");
  EXPECT_EQ(ports_->count(ports_->calls), 1);  // only the draft, before the cancel
}

TEST_F(EngineCancelTest, CancellingAbandonsTheCallOfTheRunningStep) {
  ports_->hang = true;
  start();
  auto r = engine_->submit(kGated, "gated.yaml", "{}", who_);
  ASSERT_TRUE(r) << r.error().message;
  run_id_ = r->id;
  for (int i = 0; i < 5000 && ports_->count(ports_->calls) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(ports_->count(ports_->calls), 1);
  ASSERT_TRUE(engine_->cancel(run_id_, "", who_));
  RunView v = settle();  // the executor gave up the call and wrote nothing after the cancel
  EXPECT_EQ(ports_->count(ports_->abandoned), 1);
  EXPECT_EQ(v.run.status, "cancelled");
  EXPECT_EQ(v.run.error, "cancelled by key:key_ops");
  EXPECT_EQ(step_status(v, "draft"), "cancelled");
  EXPECT_EQ(step_status(v, "approve"), "(none)");
  EXPECT_EQ(event_types().back(), "run.finished::cancelled");

  ports_->hang = false;
  start();
  v = settle();
  EXPECT_EQ(v.run.status, "cancelled");
  EXPECT_EQ(ports_->count(ports_->calls), 1);  // the cancelled step never ran again
}

}  // namespace
}  // namespace sy::workflow
