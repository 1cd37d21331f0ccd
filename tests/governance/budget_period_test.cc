// UTC calendar periods of budgets and the labels in their counter keys.
#include "governance/budget_period.h"

#include <gtest/gtest.h>

#include <limits>

namespace sy::governance {
namespace {

// 2024-02-29T23:59:59.999Z, a Thursday in a leap year.
constexpr int64_t kLeapDayEnd = 1709251199999;
constexpr int64_t kDay = 86'400'000;

TEST(BudgetPeriod, DayIsTheUtcCalendarDay) {
  const auto w = period_window(BudgetPeriod::Day, kLeapDayEnd);
  EXPECT_EQ(w.start_ms, 1709164800000);  // 2024-02-29T00:00Z
  EXPECT_EQ(w.end_ms, w.start_ms + kDay);
  EXPECT_EQ(period_label(BudgetPeriod::Day, w), "2024-02-29");
  // One millisecond later is the next day.
  const auto next = period_window(BudgetPeriod::Day, kLeapDayEnd + 1);
  EXPECT_EQ(next.start_ms, w.end_ms);
  EXPECT_EQ(period_label(BudgetPeriod::Day, next), "2024-03-01");
}

TEST(BudgetPeriod, WeekStartsOnMonday) {
  const auto w = period_window(BudgetPeriod::Week, kLeapDayEnd);
  EXPECT_EQ(period_label(BudgetPeriod::Week, w), "2024-02-26");  // Monday
  EXPECT_EQ(w.end_ms - w.start_ms, 7 * kDay);
  // A Monday at midnight starts its own week; the Sunday before belongs to the last.
  const int64_t monday = 1709510400000;  // 2024-03-04T00:00Z
  EXPECT_EQ(period_window(BudgetPeriod::Week, monday).start_ms, monday);
  EXPECT_EQ(period_window(BudgetPeriod::Week, monday - 1).start_ms, monday - 7 * kDay);
  // The epoch was a Thursday: its week began on Monday 1969-12-29.
  EXPECT_EQ(period_window(BudgetPeriod::Week, 0).start_ms, -3 * kDay);
}

TEST(BudgetPeriod, MonthHandlesLeapYearsAndYearEnds) {
  const auto feb = period_window(BudgetPeriod::Month, kLeapDayEnd);
  EXPECT_EQ(period_label(BudgetPeriod::Month, feb), "2024-02-01");
  EXPECT_EQ(feb.end_ms - feb.start_ms, 29 * kDay);
  EXPECT_EQ(feb.end_ms, kLeapDayEnd + 1);
  const int64_t dec31 = 1735689599000;  // 2024-12-31T23:59:59Z
  const auto dec = period_window(BudgetPeriod::Month, dec31);
  EXPECT_EQ(period_label(BudgetPeriod::Month, dec), "2024-12-01");
  EXPECT_EQ(dec.end_ms, 1735689600000);  // 2025-01-01T00:00Z
  EXPECT_EQ(period_label(BudgetPeriod::Month, period_window(BudgetPeriod::Month, dec.end_ms)),
            "2025-01-01");
}

TEST(BudgetPeriod, TotalNeverRollsOver) {
  const auto w = period_window(BudgetPeriod::Total, kLeapDayEnd);
  EXPECT_EQ(w.start_ms, 0);
  EXPECT_EQ(w.end_ms, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(period_label(BudgetPeriod::Total, w), "total");
}

}  // namespace
}  // namespace sy::governance
