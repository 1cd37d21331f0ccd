#include "gateway/gateway.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "audit/audit_writer.h"
#include "core/ids.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/time_spec.h"
#include "gateway/handler.h"
#include "governance/authenticator.h"
#include "governance/budget_seed.h"
#include "governance/limits_runtime.h"
#include "http/server.h"
#include "protocols/openai_chat.h"

namespace sy::gateway {
namespace {

// {"config": "<file>"}: the detail of an admin record about a config.
std::string config_detail(const Config& config) {
  std::string detail;
  json::Writer(detail).begin_object().field("config", config.source).end_object();
  return detail;
}

// One in-process chat completion on worker `w` (see call_local): the chat path of the
// handler with the principal preset instead of read from headers.
http::Task<void> serve_local(WorkerState& w, std::shared_ptr<LocalExchange> ex, LocalDone done) {
  static const ChatPipeline chat;
  RequestContext ctx(*ex, w,
                     Ingress{&protocols::codec_for(model::Protocol::OpenAIChat),
                             "POST /v1/chat/completions"});
  ctx.request_id = ex->request_id().empty() ? new_request_id() : ex->request_id();
  ctx.preset_principal = &ex->principal();
  co_await chat.run(ctx);
  done(ex->take_response());
}

}  // namespace

void Gateway::call_local(LocalRequest request, LocalDone done) {
  WorkerState& w = *workers_[next_local_.fetch_add(1, std::memory_order_relaxed) % workers_.size()];
  auto ex = std::make_shared<LocalExchange>(std::move(request));
  boost::asio::co_spawn(w.context, serve_local(w, ex, done),
                        [done](const std::exception_ptr& e) {
                          if (!e) return;
                          LocalResponse failed;
                          failed.status = 500;
                          failed.body = R"({"error":{"message":"internal error","type":"server_error"}})";
                          spdlog::error("in-process chat call failed unexpectedly");
                          done(std::move(failed));
                        });
}

Result<std::unique_ptr<Gateway>> Gateway::start(ConfigPtr config, std::string listen,
                                                std::vector<std::shared_ptr<Endpoints>> extra,
                                                std::shared_ptr<governance::Authenticator> auth) {
  auto snapshot = build_snapshot(config);
  if (!snapshot) return std::unexpected(snapshot.error());
  auto address = parse_listen_address(listen.empty() ? config->server.listen : listen);
  if (!address) return std::unexpected(address.error());
  auto options = http::ServerOptions::from(config->server, *address);
  options.render_error = [](const Error& e) { return protocols::openai_chat::encode_error(e); };
  options.make_request_id = new_request_id;
  auto server = http::Server::create(std::move(options));
  if (!server) return std::unexpected(server.error());

  std::unique_ptr<audit::AuditWriter> audit;
  if (config->audit.enabled) {
    auto store = store::open_store({.url = config->storage.url});
    if (!store) return std::unexpected(store.error());
    auto writer = audit::AuditWriter::open(config->audit, std::move(*store));
    if (!writer) return std::unexpected(writer.error());
    audit = std::move(*writer);
  }

  if (!auth) {
    auth = std::make_shared<governance::Authenticator>(config->auth, config->storage.url);
    if (auto started = auth->start(); !started) {
      spdlog::warn("auth: {} (retrying in the background)", started.error().message);
    }
  }

  auto limits = governance::LimitsRuntime::create(*config);
  if (!limits) return std::unexpected(limits.error());
  auto rules = governance::LimitRules::from_config(*config);
  if (governance::MemoryLimits* memory = (*limits)->memory(); memory && !rules->empty()) {
    // In-process budgets start from what the spend ledger says this period has spent.
    auto store = store::open_store({.url = config->storage.url});
    if (!store) return std::unexpected(store.error());
    auto seeded = governance::seed_budgets(*rules, **store, *memory, unix_now_ms());
    if (!seeded) return std::unexpected(seeded.error());
  }

  std::unique_ptr<Gateway> g(new Gateway());
  g->audit_ = std::move(audit);
  g->auth_ = std::move(auth);
  g->limits_ = std::move(*limits);
  g->server_ = std::move(*server);
  g->extra_ = std::move(extra);
  g->current_.store(*snapshot);
  for (size_t i = 0; i < g->server_->workers(); ++i) {
    auto w = std::make_unique<WorkerState>(g->server_->context(i), g->audit_.get(),
                                           g->auth_.get());
    w->snapshot = *snapshot;
    w->health.set_options(routing::health_options((*snapshot)->config->routing.health));
    w->limits = g->limits_->for_worker(g->server_->context(i), rules);
    g->workers_.push_back(std::move(w));
  }
  Gateway* self = g.get();
  g->server_->start([self](size_t i) -> std::unique_ptr<http::Handler> {
    return std::make_unique<GatewayHandler>(*self->workers_[i], self->draining_, self->extra_);
  });
  g->record_admin("gateway.start", "system", 200, {}, config_detail(*config));
  return g;
}

void Gateway::record_admin(std::string action, std::string actor, int status, std::string error,
                           std::string detail_json) {
  if (!audit_) return;
  audit::AuditSlot slot = audit_->try_reserve();
  if (!slot) {
    spdlog::error("audit: could not record {} (the audit queue is full or failing)", action);
    return;
  }
  audit_->submit(std::move(slot), audit::admin_record(unix_now_ms(), new_request_id(), "system:" + actor,
                                     std::move(action), status, std::move(error),
                                     std::move(detail_json)));
}

Gateway::~Gateway() {
  // Connections end first (their coroutines use the workers' pools), then the pools'
  // sockets, while the io_contexts they belong to still exist, then the server; the
  // audit writer last, once nothing can submit to it.
  if (server_ && !draining_.load()) drain();
  workers_.clear();
  server_.reset();
  if (audit_) {
    record_admin("gateway.stop", "system", 200, {}, "{}");
    audit_->stop();
  }
}

uint16_t Gateway::port() const { return server_->port(); }

Result<void> Gateway::apply(ConfigPtr config, std::string_view actor) {
  std::lock_guard lock(apply_mutex_);
  std::string detail = config_detail(*config);
  auto snapshot = build_snapshot(std::move(config));
  if (!snapshot) {
    record_admin("config.reload", std::string(actor), 400, snapshot.error().message, detail);
    return std::unexpected(snapshot.error());
  }
  record_admin("config.reload", std::string(actor), 200, {}, std::move(detail));
  current_.store(*snapshot);
  // Who may call: config keys, auth.require and the JWT issuers, for the next request.
  if (auth_) {
    if (auto r = auth_->apply((*snapshot)->config->auth); !r) {
      spdlog::warn("auth: {} (retrying in the background)", r.error().message);
    }
  }
  // New budget and rate-limit rules (the backend stays: a change of limits.backend
  // applies at the next restart); held reservations keep their cells.
  auto rules = governance::LimitRules::from_config(*(*snapshot)->config);
  for (auto& w : workers_) {
    boost::asio::post(w->context, [w = w.get(), s = *snapshot, rules] {
      w->snapshot = s;
      w->health.set_options(routing::health_options(s->config->routing.health));
      if (w->limits) w->limits->limiter().set_rules(rules);
    });
  }
  return {};
}

size_t Gateway::drain() {
  draining_.store(true, std::memory_order_relaxed);
  const auto timeout = std::chrono::milliseconds(snapshot()->config->server.drain_timeout_ms);
  return server_->drain(timeout);
}

}  // namespace sy::gateway
