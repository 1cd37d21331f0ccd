// AuditRecord: one audit event — a gateway request or an admin action — as the request
// path hands it to the AuditWriter, and its serialisation as the body of a log entry
// (docs/audit.md lists every field). index_entry() goes the other way: from a stored
// log line back to the searchable index row and the spend row, which is how the
// database index is rebuilt from the log after a crash. Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace sy::audit {

enum class RecordKind { Request, Admin };

struct AuditRecord {
  RecordKind kind = RecordKind::Request;
  int64_t ts_ms = 0;  // when the request arrived (wall clock, ms since the epoch)
  std::string request_id;

  // Who: the principal and what its spend is attributed to. Until identity lands every
  // caller is "anonymous" with no team.
  std::string principal = "anonymous";
  std::string team, project, key_id;

  std::string action;  // "POST /v1/chat/completions", or an admin action ("config.reload")
  std::string model;   // the model or route the client asked for
  std::string route;   // compact route decision (as in x-switchyard-route)
  std::string decision_json = "null";  // the full route decision, a JSON value
  std::string policy_json = "[]";      // policy rule ids that fired, a JSON array
  std::string dlp_json = "{}";         // data class → count, a JSON object (never values)
  std::string deployment;              // what served it ("" when nothing did)
  std::string attempts_json = "[]";    // [{"deployment","outcome","ms"}…]
  bool stream = false;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  uint32_t latency_ms = 0;
  int status = 0;
  std::string error;
  std::string detail_json = "{}";  // admin actions: what was done, a JSON object

  // Captured bodies (audit.capture: full or masked), each a JSON text or "" when not
  // captured; with masked capture, what was masked per data class.
  std::string captured_request;
  std::string captured_response;
  bool capture_masked = false;
  std::map<std::string, int> masked;

  // Back to a default-constructed record, keeping the strings' capacity (the audit
  // writer reuses records); captures past 64 KiB give their memory back.
  void clear();
};

// An admin action's record: who did what, with what outcome; `detail_json` is an object.
AuditRecord admin_record(int64_t ts_ms, std::string request_id, std::string principal,
                         std::string action, int status, std::string error,
                         std::string detail_json);

// Appends the entry body: JSON object members without the braces (the log adds the
// seq and prev members in front). Values given as JSON text are inserted verbatim.
// Writes straight into `out`: no allocation beyond its growth.
void append_body(const AuditRecord& r, std::string& out);

struct IndexedEntry {
  store::AuditIndexRow index;
  std::optional<store::SpendRow> spend;  // request entries with a deployment and a cost
};

// Reads a stored log line (with its seq, segment and offset) back into its index row
// and spend row. Fails on a line that is not a well-formed entry.
Result<IndexedEntry> index_entry(std::string_view line, uint32_t segment, uint64_t offset);

// "request" or "admin".
const char* kind_name(RecordKind kind);

// The index row of a record; the caller fills in where the log put it (log_id, seq,
// segment, offset).
store::AuditIndexRow index_row(const AuditRecord& r);

// The spend row of a request record, when it has one (a deployment served it).
std::optional<store::SpendRow> spend_row(const AuditRecord& r);

}  // namespace sy::audit
