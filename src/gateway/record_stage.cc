#include "gateway/record_stage.h"

#include <boost/asio/use_awaitable.hpp>

#include "core/json_writer.h"
#include "core/log.h"
#include "gateway/request_facts.h"

namespace sy::gateway {
namespace {

double elapsed_ms(const RequestContext& ctx) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ctx.started)
      .count();
}

void access_log_line(const RequestContext& ctx) {
  auto& log = access_log();
  if (!log.should_log(spdlog::level::info)) return;
  if (!ctx.snapshot->config->server.access_log) return;
  std::string attempts;
  for (const auto& a : ctx.attempts) {
    if (!attempts.empty()) attempts += ',';
    attempts += a.deployment + "=" + a.outcome;
  }
  log.info("{} status={} model={} deployment={} attempts=[{}] stream={} in={} out={} cost_usd={:.6f} ms={:.1f}{}{}",
           ctx.request_id, ctx.status, requested_model(ctx),
           ctx.served_by ? ctx.served_by->name() : std::string("-"), attempts, ctx.request.stream,
           ctx.usage.input_tokens, ctx.usage.output_tokens, ctx.cost_usd, elapsed_ms(ctx),
           ctx.error.empty() ? "" : " error=", ctx.error);
}

}  // namespace

void fill_audit_record(const RequestContext& ctx, audit::AuditRecord& r) {
  r.kind = audit::RecordKind::Request;
  r.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.received.time_since_epoch())
                .count();
  // Assignments into the record's strings reuse their capacity: no allocation once the
  // slot has served a request like this one.
  r.request_id = ctx.request_id;
  if (ctx.authenticated) {
    r.principal = ctx.principal.audit_name();
    r.team = ctx.principal.team;
    r.project = ctx.principal.project;
    r.key_id = ctx.principal.key_id;
  }
  if (ctx.policy_evaluated) {
    r.policy_json.clear();
    json::Writer p(r.policy_json);
    p.begin_array();
    for (std::string_view rule : ctx.policy.fired) p.value(rule);
    p.end_array();
  }
  if (!ctx.data_classes.empty()) {
    r.dlp_json.clear();
    json::Writer d(r.dlp_json);
    d.begin_object();
    for (const auto& c : ctx.data_classes) d.field(c.entity_type, c.count);
    d.end_object();
  }
  r.action = ctx.ingress.action;
  r.model = requested_model(ctx);
  if (!ctx.decision.requested.empty()) {  // routed, even if every candidate was removed
    r.route.clear();
    ctx.decision.append_compact(r.route);
    r.decision_json.clear();
    ctx.decision.append_json(r.decision_json);
  }
  if (ctx.served_by != nullptr) r.deployment = ctx.served_by->name();
  r.attempts_json.clear();
  json::Writer w(r.attempts_json);
  w.begin_array();
  for (const auto& a : ctx.attempts) {
    w.begin_object();
    w.field("deployment", a.deployment);
    w.field("outcome", a.outcome);
    w.field("ms", static_cast<uint64_t>(a.ms));
    w.end_object();
  }
  w.end_array();
  r.stream = ctx.request.stream;
  r.input_tokens = ctx.usage.input_tokens;
  r.output_tokens = ctx.usage.output_tokens;
  r.cost_usd = ctx.cost_usd;
  r.latency_ms = static_cast<uint32_t>(elapsed_ms(ctx));
  r.status = static_cast<int>(ctx.status);
  r.error = ctx.error;
  const auto& audit = ctx.snapshot->config->audit;
  if (audit.capture != CaptureMode::None) {  // masked: the audit writer masks them
    // Only bodies known to be JSON are embedded; the decoder validated the request.
    if (const std::string& body = request_body(ctx);
        !body.empty() && body.size() <= audit.capture_max_bytes) {
      r.captured_request = body;
    }
    if (ctx.answer && ctx.answer->body.size() <= audit.capture_max_bytes) {
      r.captured_response = ctx.answer->body;
    } else if (!ctx.captured_response.empty()) {
      r.captured_response = ctx.captured_response;
      r.captured_response += ']';
    }
  }
}

http::Task<void> RecordStage::run(RequestContext& ctx) const {
  if (ctx.status == 0) ctx.status = ctx.exchange.client_gone() ? 499 : 200;
  access_log_line(ctx);
  audit::AuditWriter* audit = ctx.worker.audit;
  if (audit == nullptr || !ctx.audit_slot) co_return;
  fill_audit_record(ctx, ctx.audit_slot.record());
  if (audit->durability() == Durability::Batch) {
    audit->submit(std::move(ctx.audit_slot));
    co_return;
  }
  const bool durable = co_await audit->commit(std::move(ctx.audit_slot),
                                              boost::asio::use_awaitable_t<http::Executor>{});
  if (!durable && !ctx.failure) {
    Error e = Error::make(ErrorKind::Unavailable,
                          "the answer is withheld: its audit record could not be written", {},
                          "audit_unavailable");
    if (!ctx.stream_open) ctx.status = static_cast<unsigned>(e.status);
    ctx.error = e.message;
    ctx.failure = std::move(e);
  }
}

}  // namespace sy::gateway
