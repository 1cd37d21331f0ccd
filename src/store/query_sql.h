// What both backends share: the batch rules, how a SpendQuery splits into whole UTC days (read from
// the spend_daily rollup) and partial days at the edges (read from the raw spend rows), and the
// text of the spend and audit-search statements with only the filters a query uses. Pure logic, no
// I/O; plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "store/store.h"

namespace sy::store {

inline constexpr int64_t kDayMs = 86'400'000;

// Floor division (rounds towards minus infinity, unlike `/`); b > 0.
int64_t floor_div(int64_t a, int64_t b);
// The UTC day (days since 1970-01-01) that holds ts_ms.
inline int64_t day_of(int64_t ts_ms) { return floor_div(ts_ms, kDayMs); }
// "YYYY-MM-DD" of a UTC day number.
std::string format_day(int64_t day);
// The same day arithmetic as day_of(), as an SQL expression over the column ts_ms
// (SQLite and PostgreSQL both truncate integer division and `%` towards zero).
inline constexpr std::string_view kSqlDayOfTs =
    "((ts_ms - ((ts_ms % 86400000) + 86400000) % 86400000) / 86400000)";

struct TimeRange {
  int64_t begin = 0;  // inclusive
  int64_t end = 0;    // exclusive
  bool empty() const { return begin >= end; }
};

// [since_ms, until_ms) = head ∪ days [first_day, end_day) ∪ tail, disjoint.
struct SpendPlan {
  int64_t first_day = 0;  // whole days read from the rollup: [first_day, end_day)
  int64_t end_day = 0;
  TimeRange head;  // raw rows before first_day
  TimeRange tail;  // raw rows from end_day on
};
SpendPlan plan_spend(int64_t since_ms, int64_t until_ms);

enum class Dialect { Sqlite, Postgres };

// A bound parameter: an integer or text (a view into the query, which must outlive it).
using SqlParam = std::variant<int64_t, std::string_view>;

struct SqlStatement {
  std::string text;
  std::vector<SqlParam> params;  // params[i] is placeholder i + 1
};

// Result columns: group (text, or the day number for SpendDimension::Day), requests,
// input_tokens, output_tokens, cost_usd; unordered. With `grouped` one row per group;
// without, one row per rollup cell and raw row (the caller sums them: SQLite sorts to
// GROUP BY, which costs several times more than the scan, so SpendTotals hashes instead).
SqlStatement spend_sql(const SpendQuery& q, Dialect dialect, bool grouped);
// Result columns: those of AuditIndexRow in declaration order; newest first, q.limit rows.
SqlStatement audit_search_sql(const AuditQuery& q, Dialect dialect);
inline constexpr std::string_view kAuditColumns =
    "seq, ts_ms, kind, request_id, principal, action, model, deployment, status, cost_usd, "
    "latency_ms, segment, byte_offset, log_id";

// The rules a batch must meet before either backend writes it: every spend row has a
// non-empty request_id (the ledger's replay key).
Result<void> validate_batch(const WriteBatch& batch);

// Sums rows of a spend query by group and returns them in the interface's order: largest
// cost first, ties by group bytewise (the same order on both backends).
class SpendTotals {
 public:
  explicit SpendTotals(SpendDimension by) : by_(by) {}
  // `group` is the dimension's text, or the decimal day number for SpendDimension::Day.
  void add(std::string_view group, int64_t requests, int64_t input_tokens, int64_t output_tokens,
           double cost_usd);
  std::vector<SpendTotal> finish() &&;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  SpendDimension by_;
  std::unordered_map<std::string, SpendTotal, Hash, std::equal_to<>> groups_;
  SpendTotal* last_ = nullptr;  // rows of one group often come in a run
};

}  // namespace sy::store
