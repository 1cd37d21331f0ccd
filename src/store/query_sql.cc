#include "store/query_sql.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace sy::store {
namespace {

std::string placeholder(Dialect dialect, size_t n) {
  return (dialect == Dialect::Sqlite ? "?" : "$") + std::to_string(n);
}

// Appends " AND column = <placeholder>" when the filter is set, binding its value.
void append_filter(std::string& where, std::vector<SqlParam>& params, Dialect dialect,
                   std::string_view column, const std::optional<std::string>& value) {
  if (!value) return;
  params.emplace_back(std::string_view(*value));
  where += " AND ";
  where += column;
  where += " = ";
  where += placeholder(dialect, params.size());
}

}  // namespace

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}

std::string format_day(int64_t day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{days{day}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

SpendPlan plan_spend(int64_t since_ms, int64_t until_ms) {
  SpendPlan plan;
  if (since_ms >= until_ms) {
    plan.head = {since_ms, since_ms};
    plan.tail = {until_ms, until_ms};
    return plan;
  }
  // The first day that starts at or after since_ms, and the day that holds until_ms.
  // Written so that nothing overflows for since_ms = INT64_MIN or until_ms = INT64_MAX.
  const int64_t first = floor_div(since_ms, kDayMs) + (since_ms % kDayMs != 0 ? 1 : 0);
  const int64_t end = floor_div(until_ms, kDayMs);
  if (first < end) {
    plan.first_day = first;
    plan.end_day = end;
    plan.head = {since_ms, first * kDayMs};
    plan.tail = {end * kDayMs, until_ms};
  } else {  // no whole day inside: at most two partial days, all raw
    plan.head = {since_ms, until_ms};
    plan.tail = {until_ms, until_ms};
  }
  return plan;
}

SqlStatement spend_sql(const SpendQuery& q, Dialect dialect, bool grouped) {
  const SpendPlan plan = plan_spend(q.since_ms, q.until_ms);
  SqlStatement st;
  st.params = {plan.first_day, plan.end_day,    plan.head.begin,
               plan.head.end,  plan.tail.begin, plan.tail.end};
  std::string filters;
  append_filter(filters, st.params, dialect, "team", q.team);
  append_filter(filters, st.params, dialect, "project", q.project);
  append_filter(filters, st.params, dialect, "key_id", q.key_id);
  append_filter(filters, st.params, dialect, "model", q.model);
  append_filter(filters, st.params, dialect, "deployment", q.deployment);

  std::string_view rollup_group, raw_group;
  switch (q.by) {
    case SpendDimension::Team:
      rollup_group = raw_group = "team";
      break;
    case SpendDimension::Project:
      rollup_group = raw_group = "project";
      break;
    case SpendDimension::Key:
      rollup_group = raw_group = "key_id";
      break;
    case SpendDimension::Model:
      rollup_group = raw_group = "model";
      break;
    case SpendDimension::Deployment:
      rollup_group = raw_group = "deployment";
      break;
    case SpendDimension::Day:
      rollup_group = "day";
      raw_group = kSqlDayOfTs;
      break;
  }
  const auto p = [&](size_t n) { return placeholder(dialect, n); };
  // Grouped: each part sums its own rows first, then the parts are summed per group.
  const std::string rollup_cols =
      grouped ? " AS g, SUM(requests) AS r, SUM(input_tokens) AS i, SUM(output_tokens) AS o, "
                "SUM(cost_usd) AS c"
              : " AS g, requests, input_tokens, output_tokens, cost_usd";
  const std::string raw_cols =
      grouped ? " AS g, COUNT(*) AS r, SUM(input_tokens) AS i, SUM(output_tokens) AS o, "
                "SUM(cost_usd) AS c"
              : " AS g, 1, input_tokens, output_tokens, cost_usd";
  const std::string group_by = grouped ? " GROUP BY 1" : "";
  const auto raw_part = [&](size_t begin, size_t end) {
    return "SELECT " + std::string(raw_group) + raw_cols +
           " FROM spend WHERE ts_ms >= " + p(begin) + " AND ts_ms < " + p(end) + filters + group_by;
  };
  std::string parts = "SELECT " + std::string(rollup_group) + rollup_cols +
                      " FROM spend_daily WHERE day >= " + p(1) + " AND day < " + p(2) + filters +
                      group_by + " UNION ALL " + raw_part(3, 4) + " UNION ALL " + raw_part(5, 6);
  st.text =
      grouped ? "SELECT g, SUM(r), SUM(i), SUM(o), SUM(c) FROM (" + parts + ") AS parts GROUP BY g"
              : std::move(parts);
  return st;
}

SqlStatement audit_search_sql(const AuditQuery& q, Dialect dialect) {
  SqlStatement st;
  st.params = {q.since_ms, q.until_ms};
  std::string filters;
  append_filter(filters, st.params, dialect, "request_id", q.request_id);
  append_filter(filters, st.params, dialect, "principal", q.principal);
  append_filter(filters, st.params, dialect, "kind", q.kind);
  append_filter(filters, st.params, dialect, "model", q.model);
  append_filter(filters, st.params, dialect, "deployment", q.deployment);
  append_filter(filters, st.params, dialect, "log_id", q.log_id);
  if (q.status) {
    st.params.emplace_back(int64_t{*q.status});
    filters += " AND status = " + placeholder(dialect, st.params.size());
  }
  st.params.emplace_back(int64_t{q.limit});
  st.text = "SELECT " + std::string(kAuditColumns) +
            " FROM audit_index WHERE ts_ms >= " + placeholder(dialect, 1) + " AND ts_ms < " +
            placeholder(dialect, 2) + filters + " ORDER BY ts_ms DESC, seq DESC LIMIT " +
            placeholder(dialect, st.params.size());
  return st;
}

Result<void> validate_batch(const WriteBatch& batch) {
  for (size_t i = 0; i < batch.spend.size(); ++i) {
    if (batch.spend[i].request_id.empty()) {
      return fail(ErrorKind::Internal, "spend row " + std::to_string(i) + " of the batch (ts_ms " +
                                           std::to_string(batch.spend[i].ts_ms) +
                                           ") has an empty request_id; nothing was written");
    }
  }
  return {};
}

void SpendTotals::add(std::string_view group, int64_t requests, int64_t input_tokens,
                      int64_t output_tokens, double cost_usd) {
  if (last_ == nullptr || last_->group != group) {
    auto it = groups_.find(group);
    if (it == groups_.end()) {
      it = groups_.emplace(std::string(group), SpendTotal{.group = std::string(group)}).first;
    }
    last_ = &it->second;
  }
  last_->requests += requests;
  last_->input_tokens += input_tokens;
  last_->output_tokens += output_tokens;
  last_->cost_usd += cost_usd;
}

std::vector<SpendTotal> SpendTotals::finish() && {
  std::vector<SpendTotal> totals;
  totals.reserve(groups_.size());
  for (auto& [group, total] : groups_) {
    if (by_ == SpendDimension::Day) {
      int64_t day = 0;
      std::from_chars(group.data(), group.data() + group.size(), day);
      total.group = format_day(day);
    }
    totals.push_back(std::move(total));
  }
  std::sort(totals.begin(), totals.end(), [](const SpendTotal& a, const SpendTotal& b) {
    if (a.cost_usd != b.cost_usd) return a.cost_usd > b.cost_usd;
    return a.group < b.group;
  });
  return totals;
}

}  // namespace sy::store
