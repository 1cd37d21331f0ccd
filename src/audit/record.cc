#include "audit/record.h"

#include "audit/checkpoint.h"
#include "audit/json_scratch.h"
#include "core/json_writer.h"

namespace sy::audit {

namespace {

// Valid JSON can only hold a raw line break as whitespace between tokens (inside
// strings it must be escaped), so turning them into spaces keeps the value and keeps
// the entry on one line.
std::string one_line(std::string_view json) {
  std::string s(json);
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

void AuditRecord::clear() {
  constexpr size_t kKeep = 64 * 1024;
  const auto empty = [](std::string& s, std::string_view value = {}) {
    if (s.capacity() > kKeep) std::string().swap(s);
    s.assign(value);
  };
  kind = RecordKind::Request;
  ts_ms = 0;
  empty(request_id);
  empty(principal, "anonymous");
  empty(team);
  empty(project);
  empty(key_id);
  empty(action);
  empty(model);
  empty(route);
  empty(decision_json, "null");
  empty(policy_json, "[]");
  empty(dlp_json, "{}");
  empty(deployment);
  empty(attempts_json, "[]");
  stream = false;
  input_tokens = 0;
  output_tokens = 0;
  cost_usd = 0;
  latency_ms = 0;
  status = 0;
  empty(error);
  empty(detail_json, "{}");
  empty(captured_request);
  empty(captured_response);
  capture_masked = false;
  masked.clear();
}

void append_body(const AuditRecord& r, std::string& out) {
  // Members only, no braces: a Writer that never opens the outer object separates
  // the members all the same.
  out.reserve(out.size() + 512 + r.captured_request.size() + r.captured_response.size());
  json::Writer w(out);
  Rfc3339Buffer time;
  w.key("time").raw(format_rfc3339_ms(r.ts_ms, time, /*quoted=*/true));
  w.field("ts_ms", r.ts_ms);
  w.field("kind", kind_name(r.kind));
  w.field("request_id", r.request_id);
  w.field("principal", r.principal);
  w.field("team", r.team);
  w.field("project", r.project);
  w.field("key_id", r.key_id);
  w.field("action", r.action);
  if (r.kind == RecordKind::Request) {
    w.field("model", r.model);
    w.field("route", r.route);
    w.key("decision").raw(r.decision_json);
    w.key("policy").raw(r.policy_json);
    w.key("dlp").raw(r.dlp_json);
    w.field("deployment", r.deployment);
    w.key("attempts").raw(r.attempts_json);
    w.field("stream", r.stream);
    w.key("usage").begin_object();
    w.field("input_tokens", r.input_tokens);
    w.field("output_tokens", r.output_tokens);
    w.end_object();
    w.field("cost_usd", r.cost_usd);
    w.field("latency_ms", static_cast<uint64_t>(r.latency_ms));
  } else {
    w.key("detail").raw(r.detail_json);
  }
  w.field("status", r.status);
  w.field("error", r.error);
  if (!r.captured_request.empty() || !r.captured_response.empty()) {
    w.key("capture").begin_object();
    w.key("request");
    r.captured_request.empty() ? w.null() : w.raw(one_line(r.captured_request));
    w.key("response");
    r.captured_response.empty() ? w.null() : w.raw(one_line(r.captured_response));
    if (r.capture_masked) {
      w.key("masked").begin_object();
      for (const auto& [data_class, n] : r.masked) w.field(data_class, n);
      w.end_object();
    }
    w.end_object();
  }
}

const char* kind_name(RecordKind kind) {
  return kind == RecordKind::Request ? "request" : "admin";
}

store::AuditIndexRow index_row(const AuditRecord& r) {
  store::AuditIndexRow x;
  x.ts_ms = r.ts_ms;
  x.kind = kind_name(r.kind);
  x.request_id = r.request_id;
  x.principal = r.principal;
  x.action = r.action;
  x.model = r.model;
  x.deployment = r.deployment;
  x.status = r.status;
  x.cost_usd = r.cost_usd;
  x.latency_ms = r.latency_ms;
  return x;
}

AuditRecord admin_record(int64_t ts_ms, std::string request_id, std::string principal,
                         std::string action, int status, std::string error,
                         std::string detail_json) {
  AuditRecord r;
  r.kind = RecordKind::Admin;
  r.ts_ms = ts_ms;
  r.request_id = std::move(request_id);
  r.principal = std::move(principal);
  r.action = std::move(action);
  r.status = status;
  r.error = std::move(error);
  r.detail_json = std::move(detail_json);
  return r;
}

std::optional<store::SpendRow> spend_row(const AuditRecord& r) {
  if (r.kind != RecordKind::Request || r.deployment.empty()) return std::nullopt;
  store::SpendRow s;
  s.ts_ms = r.ts_ms;
  s.request_id = r.request_id;
  s.team = r.team;
  s.project = r.project;
  s.key_id = r.key_id;
  s.model = r.model;
  s.deployment = r.deployment;
  s.input_tokens = r.input_tokens;
  s.output_tokens = r.output_tokens;
  s.cost_usd = r.cost_usd;
  return s;
}

namespace {

template <class T>
bool get(const simdjson::dom::element& obj, const char* key, T& out) {
  auto v = obj[key];
  if (v.error()) return false;
  if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (v.get(s)) return false;
    out.assign(s);
  } else if constexpr (std::is_same_v<T, double>) {
    if (v.get(out)) {
      int64_t i;
      if (v.get(i)) return false;
      out = static_cast<double>(i);
    }
  } else {
    if (v.get(out)) return false;
  }
  return true;
}

}  // namespace

Result<IndexedEntry> index_entry(std::string_view line, uint32_t segment, uint64_t offset) {
  simdjson::dom::element doc;
  if (auto err = parse_json(line).get(doc)) {
    return fail(ErrorKind::Internal,
                std::string("audit entry is not valid JSON: ") + simdjson::error_message(err));
  }
  IndexedEntry e;
  auto& x = e.index;
  x.segment = segment;
  x.offset = offset;
  uint64_t latency = 0;
  int64_t status = 0;
  if (!get(doc, "seq", x.seq) || !get(doc, "ts_ms", x.ts_ms) || !get(doc, "kind", x.kind) ||
      !get(doc, "request_id", x.request_id) || !get(doc, "principal", x.principal) ||
      !get(doc, "action", x.action) || !get(doc, "status", status)) {
    return fail(ErrorKind::Internal, "audit entry lacks a required field");
  }
  x.status = static_cast<int>(status);
  get(doc, "model", x.model);
  get(doc, "deployment", x.deployment);
  get(doc, "cost_usd", x.cost_usd);
  if (get(doc, "latency_ms", latency)) x.latency_ms = static_cast<uint32_t>(latency);
  if (x.kind == "request" && !x.deployment.empty()) {
    store::SpendRow s;
    s.ts_ms = x.ts_ms;
    s.request_id = x.request_id;
    get(doc, "team", s.team);
    get(doc, "project", s.project);
    get(doc, "key_id", s.key_id);
    s.model = x.model;
    s.deployment = x.deployment;
    s.cost_usd = x.cost_usd;
    auto usage = doc["usage"];
    if (!usage.error()) {
      get(usage.value_unsafe(), "input_tokens", s.input_tokens);
      get(usage.value_unsafe(), "output_tokens", s.output_tokens);
    }
    e.spend = std::move(s);
  }
  return e;
}

}  // namespace sy::audit
