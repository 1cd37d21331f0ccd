#include "workflow/runs_api.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time_spec.h"
#include "governance/rbac.h"
#include "protocols/openai_chat.h"
#include "workflow/run_record.h"
#include "workflow/spec.h"

namespace sy::workflow {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

constexpr auto kEventPoll = std::chrono::milliseconds(200);
constexpr auto kKeepAlive = std::chrono::seconds(15);

// Runs `job` on the pool and resumes the awaiting coroutine on its own executor. A plain
// function returning the awaitable: g++ 12 mishandles temporaries inside co_await.
auto off_thread(asio::thread_pool& pool, std::function<void()>* job) {
  asio::use_awaitable_t<http::Executor> token;
  return asio::async_initiate<decltype(token), void()>(
      [&pool](auto handler, std::function<void()>* j) {
        asio::post(pool, [h = std::move(handler), j]() mutable {
          (*j)();
          auto ex = asio::get_associated_executor(h);
          asio::post(ex, std::move(h));
        });
      },
      token, job);
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Result<std::string> read_workflow(const std::string& dir, const std::string& name) {
  if (!valid_name(name)) {
    return fail(ErrorKind::NotFound, "no workflow named '" + name + "'");
  }
  for (const char* ext : {".yaml", ".yml"}) {
    std::ifstream in(dir + "/" + name + ext, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return fail(ErrorKind::NotFound, "no workflow named '" + name + "' in " + dir);
}

json parse_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  auto j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

// May `who` see or act on `run`? Its own team's runs, or any as org-admin; without
// authentication (everyone anonymous), anyone.
bool may_access(const governance::Principal& who, const store::RunRow& run, bool auth_on) {
  if (!auth_on || who.has_role(governance::Role::OrgAdmin)) return true;
  auto owner = principal_from_json(run.principal_json);
  if (!owner) return false;
  if (!owner->team.empty()) return owner->team == who.team;
  return owner->id == who.id;
}

struct Answer {
  unsigned status = 200;
  std::string body;
};

// GET /v1/runs?status=…&limit=…
struct ListQuery {
  std::string status;
  size_t limit = 50;
};

ListQuery list_query(std::string_view query) {
  ListQuery q;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = pair.substr(0, eq), value = pair.substr(eq + 1);
    if (name == "status") q.status = std::string(value);
    if (name == "limit") {
      size_t n = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), n).ec == std::errc() &&
          n > 0) {
        q.limit = std::min<size_t>(n, 1000);
      }
    }
  }
  return q;
}

// A run in a list: no input, output or steps.
json run_summary(const store::RunRow& r) {
  json j = {{"id", r.id},
            {"object", "workflow.run"},
            {"workflow", r.workflow},
            {"status", r.status},
            {"created_at", r.created_ms},
            {"updated_at", r.updated_ms},
            {"finished_at", r.finished_ms}};
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

Answer error_answer(const Error& e) {
  return {static_cast<unsigned>(e.status), protocols::openai_chat::encode_error(e)};
}

// One of the two groups; both hand everything to the shared RunsApi.
class Group final : public gateway::Endpoints {
 public:
  Group(std::shared_ptr<RunsApi> api, std::string_view prefix)
      : api_(std::move(api)), prefix_(prefix) {}
  std::string_view prefix() const override { return prefix_; }
  http::Task<void> handle(gateway::EndpointRequest request) override {
    return api_->handle(request);
  }

 private:
  std::shared_ptr<RunsApi> api_;
  std::string_view prefix_;
};

http::Task<void> respond(http::Exchange& ex, Answer a, const std::string& request_id) {
  http::Response r;
  r.status = a.status;
  r.body = std::move(a.body);
  r.headers.push_back({"x-request-id", request_id});
  co_await ex.respond(std::move(r));
}

}  // namespace

std::string run_json(const RunView& v) {
  const store::RunRow& r = v.run;
  json steps = json::array();
  for (const store::StepRow& s : v.steps) {
    json j = {{"step", s.step_id},
              {"status", s.status},
              {"attempt", s.attempt},
              {"idempotency_key", s.idempotency_key},
              {"started_at", s.started_ms},
              {"finished_at", s.finished_ms},
              {"output", parse_or_null(s.output_json)},
              {"detail", parse_or_null(s.detail_json)}};
    if (s.item >= 0) j["item"] = s.item;
    if (!s.error.empty()) j["error"] = s.error;
    steps.push_back(std::move(j));
  }
  json principal = parse_or_null(r.principal_json);
  json j = {{"id", r.id},
            {"object", "workflow.run"},
            {"workflow", r.workflow},
            {"status", r.status},
            {"input", parse_or_null(r.input_json)},
            {"output", parse_or_null(r.output_json)},
            {"principal",
             {{"id", principal.value("id", "")},
              {"team", principal.value("team", "")},
              {"project", principal.value("project", "")},
              {"roles", principal.value("roles", json::array())}}},
            {"created_at", r.created_ms},
            {"updated_at", r.updated_ms},
            {"finished_at", r.finished_ms},
            {"steps", std::move(steps)}};
  if (!r.error.empty()) j["error"] = r.error;
  return j.dump();
}

struct RunsApi::Pool {
  explicit Pool(unsigned n) : threads(n) {}
  asio::thread_pool threads;
};

RunsApi::RunsApi(std::string workflows_dir, std::shared_ptr<governance::Authenticator> auth,
                 unsigned threads)
    : dir_(std::move(workflows_dir)),
      auth_(std::move(auth)),
      pool_(std::make_unique<Pool>(threads)) {}

RunsApi::~RunsApi() { pool_->threads.join(); }

std::vector<std::shared_ptr<gateway::Endpoints>> RunsApi::endpoints() {
  // "/v1/runs" without the slash: the list (the handler answers 404 for "/v1/runsX").
  return {std::make_shared<Group>(shared_from_this(), "/v1/workflows/"),
          std::make_shared<Group>(shared_from_this(), "/v1/runs")};
}

http::Task<void> RunsApi::handle(gateway::EndpointRequest req) {
  http::Exchange& ex = req.exchange;
  const std::string request_id = req.request_id;
  std::string path(ex.target());
  std::string query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  const std::string method(ex.method());
  Engine* engine = engine_.load();
  if (engine == nullptr) {
    co_await respond(
        ex, error_answer(Error::make(ErrorKind::Unavailable, "the workflow engine is starting")),
        request_id);
    co_return;
  }

  // Who is calling: like the model API's identify stage.
  governance::Principal who;
  const bool auth_on = auth_ != nullptr;
  if (auth_) {
    std::string header(ex.header("authorization"));
    if (header.empty() && !ex.header("x-api-key").empty()) {
      header = "Bearer " + std::string(ex.header("x-api-key"));
    }
    Result<void> ok;
    if (header.empty()) {
      if (auth_->required()) {
        ok = fail(ErrorKind::Authentication,
                  "Missing credentials: send 'Authorization: Bearer <key>'", {}, "missing_api_key");
      }
    } else if (auto p = auth_->authenticate_header(header, unix_now_ms())) {
      who = std::move(*p);
      ok = governance::authorize(who, governance::Action::CallModel, who.team);
    } else if (auth_->required() ||
               auth_->recognises(header.size() > 7 ? std::string_view(header).substr(7) : "")) {
      ok = std::unexpected(p.error());
    }
    if (!ok) {
      co_await respond(ex, error_answer(ok.error()), request_id);
      co_return;
    }
  }

  // /v1/workflows/{name}/runs | /v1/runs | /v1/runs/{id} | /v1/runs/{id}/events |
  // /v1/runs/{id}/approvals | /v1/runs/{id}/cancel
  std::vector<std::string> parts;
  for (size_t i = 1; i <= path.size();) {
    const size_t slash = path.find('/', i);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    parts.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  const bool workflows = parts.size() == 4 && parts[1] == "workflows" && parts[3] == "runs";
  const bool list = parts.size() == 2 && parts[1] == "runs";
  const bool run_get = parts.size() == 3 && parts[1] == "runs" && !parts[2].empty();
  const bool run_sub = parts.size() == 4 && parts[1] == "runs";
  const bool run_post = run_sub && (parts[3] == "approvals" || parts[3] == "cancel");
  if (!workflows && !list && !run_get && !(run_sub && (parts[3] == "events" || run_post))) {
    co_await respond(
        ex,
        error_answer(Error::make(ErrorKind::NotFound, "no such endpoint: " + method + " " + path)),
        request_id);
    co_return;
  }
  const bool want_post = workflows || run_post;
  if (method != (want_post ? "POST" : "GET")) {
    co_await respond(ex,
                     error_answer(Error::make(
                         ErrorKind::MethodNotAllowed,
                         "use " + std::string(want_post ? "POST" : "GET") + " for " + path)),
                     request_id);
    co_return;
  }

  Answer answer;
  std::string body = ex.take_body();
  std::function<void()> job;
  if (workflows) {
    const std::string name = parts[2];
    job = [&] {
      const json j = json::parse(body, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        answer = error_answer(Error::make(ErrorKind::InvalidRequest,
                                          "the body must be a JSON object {\"input\": {...}}"));
        return;
      }
      // The workflow file of that name, or the text sent along (`switchyard run --gateway`).
      Result<std::string> spec = fail(ErrorKind::InvalidRequest, "\"workflow\" must be a string");
      if (!j.contains("workflow")) {
        spec = read_workflow(dir_, name);
      } else if (j["workflow"].is_string()) {
        spec = j["workflow"].get<std::string>();
        auto parsed = parse_workflow(*spec, name + ".yaml");
        if (parsed && parsed->name != name) {
          spec = fail(ErrorKind::InvalidRequest,
                      "the workflow sent is named '" + parsed->name + "', not '" + name + "'");
        }
      }
      if (!spec) {
        answer = error_answer(spec.error());
        return;
      }
      const std::string input = j.contains("input") ? j["input"].dump() : "{}";
      auto run = engine->submit(*spec, name + ".yaml", input, who);
      if (!run) {
        answer = error_answer(run.error());
        return;
      }
      answer = {201, run_json({*run, {}})};
    };
    co_await off_thread(pool_->threads, &job);
    co_await respond(ex, std::move(answer), request_id);
    co_return;
  }

  if (list) {
    job = [&] {
      const ListQuery q = list_query(query);
      auto runs = engine->runs(q.status);
      if (!runs) {
        answer = error_answer(runs.error());
        return;
      }
      json data = json::array();
      for (const store::RunRow& r : *runs) {
        if (data.size() >= q.limit) break;
        if (may_access(who, r, auth_on)) data.push_back(run_summary(r));
      }
      answer = {200, json{{"object", "list"}, {"data", std::move(data)}}.dump()};
    };
    co_await off_thread(pool_->threads, &job);
    co_await respond(ex, std::move(answer), request_id);
    co_return;
  }

  const std::string run_id = parts[2];
  bool allowed = false;
  job = [&] {
    auto view = engine->view(run_id);
    if (!view) {
      answer = error_answer(view.error());
      return;
    }
    allowed = may_access(who, view->run, auth_on);
    if (!allowed) {
      answer = error_answer(Error::make(ErrorKind::NotFound, "no run " + run_id));
      return;
    }
    answer = {200, run_json(*view)};
  };
  co_await off_thread(pool_->threads, &job);
  if (!allowed || run_get) {
    co_await respond(ex, std::move(answer), request_id);
    co_return;
  }

  if (parts[3] == "approvals") {
    job = [&] {
      const json j = json::parse(body, nullptr, false);
      const std::string decision = j.is_object() ? j.value("decision", "") : "";
      const std::string step = j.is_object() ? j.value("step", "") : "";
      if (step.empty() || (decision != "approve" && decision != "reject")) {
        answer = error_answer(
            Error::make(ErrorKind::InvalidRequest,
                        "the body must be {\"step\": ..., \"decision\": \"approve\" | \"reject\", "
                        "\"comment\": ...}"));
        return;
      }
      const std::string comment = j.value("comment", "");
      auto decided = engine->decide(run_id, step, decision == "approve", comment, who);
      if (!decided) {
        Error e = decided.error();
        if (e.code == "not_waiting") e.status = 409;
        answer = error_answer(e);
        return;
      }
      auto view = engine->view(run_id);
      answer = view ? Answer{200, run_json(*view)} : error_answer(view.error());
    };
    co_await off_thread(pool_->threads, &job);
    co_await respond(ex, std::move(answer), request_id);
    co_return;
  }

  if (parts[3] == "cancel") {
    job = [&] {
      const json j = body.empty() ? json::object() : json::parse(body, nullptr, false);
      if (!j.is_object() || (j.contains("comment") && !j["comment"].is_string())) {
        answer = error_answer(Error::make(ErrorKind::InvalidRequest,
                                          "the body must be empty or {\"comment\": \"...\"}"));
        return;
      }
      auto cancelled = engine->cancel(run_id, j.value("comment", ""), who);
      if (!cancelled) {
        answer = error_answer(cancelled.error());
        return;
      }
      auto view = engine->view(run_id);
      answer = view ? Answer{200, run_json(*view)} : error_answer(view.error());
    };
    co_await off_thread(pool_->threads, &job);
    co_await respond(ex, std::move(answer), request_id);
    co_return;
  }

  // The event stream: replay, then poll the store for new events until the run ends.
  int64_t after = 0;
  if (const std::string_view last = ex.header("last-event-id"); !last.empty()) {
    std::from_chars(last.data(), last.data() + last.size(), after);
  }
  std::vector<http::HeaderField> headers{{"x-request-id", request_id},
                                         {"cache-control", "no-cache"}};
  std::string content_type = "text/event-stream";
  const bool begun = co_await ex.begin_stream(200, std::move(content_type), std::move(headers));
  if (!begun) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto quiet_since = std::chrono::steady_clock::now();
  bool finished = false;
  std::vector<store::RunEventRow> batch;
  std::string failure;
  job = [&] {
    auto events = engine->events(run_id, after);
    if (events) {
      batch = std::move(*events);
    } else {
      failure = events.error().message;
    }
  };
  while (!finished && !ex.client_gone() && !engine->stopping()) {
    batch.clear();
    co_await off_thread(pool_->threads, &job);
    if (!failure.empty()) break;
    std::string out;
    for (const store::RunEventRow& e : batch) {
      const auto type = json::parse(e.json, nullptr, false).value("type", "event");
      out += "id: " + std::to_string(e.seq) + "\nevent: " + type + "\ndata: " + e.json + "\n\n";
      after = e.seq;
      if (type == "run.finished") finished = true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (out.empty() && now - quiet_since > kKeepAlive) out = ": keep-alive\n\n";
    if (!out.empty()) {
      quiet_since = now;
      if (!co_await ex.write_chunk(out)) co_return;
    }
    if (finished) break;
    timer.expires_after(kEventPoll);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable_t<http::Executor>{}));
  }
  co_await ex.end_stream();
}

}  // namespace sy::workflow
