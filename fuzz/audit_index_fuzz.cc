// Fuzzes index_entry (audit/record.h) on one stored log line, as the index rebuild reads
// it after a crash. A line that indexes as a request or admin record is written again the
// way the gateway writes it (append_body, append_entry) and must index to the same rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "audit/record.h"
#include "audit/segment.h"
#include "fuzz_check.h"

namespace {

using sy::audit::AuditRecord;
using sy::audit::IndexedEntry;
using sy::audit::RecordKind;

constexpr uint32_t kSegment = 7;
constexpr uint64_t kOffset = 4096;
// Timestamps the gateway can write: years 1970..9999, as the audit log allows.
constexpr int64_t kMaxTsMs = 253402300799999;

// The record whose entry body indexes to `e` (fields the index does not keep stay default).
AuditRecord record_of(const IndexedEntry& e) {
  const auto& x = e.index;
  AuditRecord r;
  r.kind = x.kind == "admin" ? RecordKind::Admin : RecordKind::Request;
  r.ts_ms = x.ts_ms;
  r.request_id = x.request_id;
  r.principal = x.principal;
  r.action = x.action;
  r.status = x.status;
  if (r.kind == RecordKind::Request) {
    r.model = x.model;
    r.deployment = x.deployment;
    r.cost_usd = x.cost_usd;
    r.latency_ms = x.latency_ms;
  }
  if (e.spend) {
    r.team = e.spend->team;
    r.project = e.spend->project;
    r.key_id = e.spend->key_id;
    r.input_tokens = e.spend->input_tokens;
    r.output_tokens = e.spend->output_tokens;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto e = sy::audit::index_entry(line, kSegment, kOffset);
  if (!e) {
    FUZZ_CHECK(!e.error().message.empty());
    return 0;
  }
  const auto& x = e->index;
  FUZZ_CHECK(x.segment == kSegment && x.offset == kOffset);
  FUZZ_CHECK(e->spend.has_value() == (x.kind == "request" && !x.deployment.empty()));

  if ((x.kind != "request" && x.kind != "admin") || x.ts_ms < 0 || x.ts_ms > kMaxTsMs) return 0;
  const AuditRecord r = record_of(*e);
  std::string body;
  sy::audit::append_body(r, body);
  std::string entry;
  sy::audit::append_entry(entry, x.seq, sy::audit::Hash{}, body);
  FUZZ_CHECK(sy::audit::parse_entry_prefix(entry).has_value());
  FUZZ_CHECK(sy::audit::check_entry_json(entry).has_value());

  auto back = sy::audit::index_entry(entry, kSegment, kOffset);
  FUZZ_CHECK(back.has_value());
  const auto& y = back->index;
  FUZZ_CHECK(y.seq == x.seq && y.ts_ms == x.ts_ms && y.kind == x.kind &&
             y.request_id == x.request_id && y.principal == x.principal && y.action == x.action &&
             y.status == x.status);
  if (r.kind == RecordKind::Request) {
    FUZZ_CHECK(y.model == x.model && y.deployment == x.deployment && y.cost_usd == x.cost_usd &&
               y.latency_ms == x.latency_ms);
  } else {
    FUZZ_CHECK(y.model.empty() && y.deployment.empty() && y.cost_usd == 0 && y.latency_ms == 0);
  }
  FUZZ_CHECK(back->spend.has_value() == e->spend.has_value());
  if (e->spend) {
    const auto& s = *e->spend;
    const auto& t = *back->spend;
    FUZZ_CHECK(t.ts_ms == s.ts_ms && t.request_id == s.request_id && t.team == s.team &&
               t.project == s.project && t.key_id == s.key_id && t.model == s.model &&
               t.deployment == s.deployment && t.input_tokens == s.input_tokens &&
               t.output_tokens == s.output_tokens && t.cost_usd == s.cost_usd);
  }
  return 0;
}
