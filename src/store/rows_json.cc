#include "store/rows_json.h"

#include "core/time_spec.h"

namespace sy::store {

Result<SpendDimension> parse_spend_dimension(std::string_view name) {
  for (auto d : {SpendDimension::Team, SpendDimension::Project, SpendDimension::Key,
                 SpendDimension::Model, SpendDimension::Deployment, SpendDimension::Day}) {
    if (name == spend_dimension_name(d)) return d;
  }
  return fail(ErrorKind::InvalidRequest,
              "group spend by team, project, key, model, deployment or day, not \"" +
                  std::string(name) + "\"",
              "by");
}

const char* spend_dimension_name(SpendDimension d) {
  switch (d) {
    case SpendDimension::Team: return "team";
    case SpendDimension::Project: return "project";
    case SpendDimension::Key: return "key";
    case SpendDimension::Model: return "model";
    case SpendDimension::Deployment: return "deployment";
    case SpendDimension::Day: return "day";
  }
  return "team";
}

namespace {

void write_amounts(json::Writer& w, const SpendTotal& t) {
  w.field("requests", t.requests);
  w.field("input_tokens", t.input_tokens);
  w.field("output_tokens", t.output_tokens);
  w.field("cost_usd", t.cost_usd);
}

}  // namespace

void write_spend_rows(json::Writer& w, SpendDimension by, std::span<const SpendTotal> rows) {
  w.begin_array();
  for (const auto& r : rows) {
    w.begin_object();
    w.field(spend_dimension_name(by), r.group);
    write_amounts(w, r);
    w.end_object();
  }
  w.end_array();
}

void write_spend_total(json::Writer& w, const SpendTotal& total) {
  w.begin_object();
  write_amounts(w, total);
  w.end_object();
}

SpendTotal sum_of(std::span<const SpendTotal> rows) {
  SpendTotal t;
  for (const auto& r : rows) {
    t.requests += r.requests;
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cost_usd += r.cost_usd;
  }
  return t;
}

void write_audit_row(json::Writer& w, const AuditIndexRow& r) {
  w.begin_object();
  w.field("log_id", r.log_id);
  w.field("seq", r.seq);
  w.field("time", format_rfc3339_ms(r.ts_ms));
  w.field("kind", r.kind);
  w.field("request_id", r.request_id);
  w.field("principal", r.principal);
  w.field("action", r.action);
  w.field("model", r.model);
  w.field("deployment", r.deployment);
  w.field("status", r.status);
  w.field("cost_usd", r.cost_usd);
  w.field("latency_ms", static_cast<uint64_t>(r.latency_ms));
  w.field("segment", static_cast<uint64_t>(r.segment));
  w.field("offset", r.offset);
  w.end_object();
}

}  // namespace sy::store
