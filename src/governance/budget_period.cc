#include "governance/budget_period.h"

#include <fmt/format.h>

#include <chrono>
#include <limits>

namespace sy::governance {

namespace chr = std::chrono;

namespace {

int64_t ms_of(chr::sys_days d) {
  return chr::duration_cast<chr::milliseconds>(d.time_since_epoch()).count();
}

}  // namespace

PeriodWindow period_window(BudgetPeriod period, int64_t now_ms) {
  const chr::sys_time<chr::milliseconds> now{chr::milliseconds(now_ms)};
  const chr::sys_days today = chr::floor<chr::days>(now);
  switch (period) {
    case BudgetPeriod::Day:
      return {ms_of(today), ms_of(today + chr::days(1))};
    case BudgetPeriod::Week: {
      // Days since the last Monday (ISO weeks).
      const chr::weekday wd{today};
      const chr::sys_days monday = today - (wd - chr::Monday);
      return {ms_of(monday), ms_of(monday + chr::days(7))};
    }
    case BudgetPeriod::Month: {
      const chr::year_month_day ymd{today};
      const chr::year_month first = ymd.year() / ymd.month();
      const chr::year_month next = first + chr::months(1);
      return {ms_of(chr::sys_days(first / 1)), ms_of(chr::sys_days(next / 1))};
    }
    case BudgetPeriod::Total:
      break;
  }
  return {0, std::numeric_limits<int64_t>::max()};
}

std::string period_label(BudgetPeriod period, const PeriodWindow& w) {
  if (period == BudgetPeriod::Total) return "total";
  const chr::sys_days d =
      chr::floor<chr::days>(chr::sys_time<chr::milliseconds>(chr::milliseconds(w.start_ms)));
  const chr::year_month_day ymd{d};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace sy::governance
