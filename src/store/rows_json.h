// JSON forms of store rows and the names of spend dimensions, shared by the CLI and
// the admin API so both print the same shapes. Pure functions; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "store/store.h"

namespace sy::store {

// "team", "project", "key", "model", "deployment", "day".
Result<SpendDimension> parse_spend_dimension(std::string_view name);
const char* spend_dimension_name(SpendDimension d);

// [{"<by>": group, "requests", "input_tokens", "output_tokens", "cost_usd"}, …]
void write_spend_rows(json::Writer& w, SpendDimension by, std::span<const SpendTotal> rows);
// {"requests", "input_tokens", "output_tokens", "cost_usd"}
void write_spend_total(json::Writer& w, const SpendTotal& total);
// The sum of `rows` (group left empty).
SpendTotal sum_of(std::span<const SpendTotal> rows);
// {"seq", "time", "kind", "request_id", "principal", "action", "model", "deployment",
//  "status", "cost_usd", "latency_ms", "segment", "offset"}
void write_audit_row(json::Writer& w, const AuditIndexRow& row);

}  // namespace sy::store
