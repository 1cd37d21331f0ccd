// The pure part of the spend query: how [since, until) splits into whole UTC days (from
// the rollup) and raw edges, and the day arithmetic, table-driven.
#include "store/query_sql.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>

namespace sy::store {
namespace {

constexpr int64_t kDay = kDayMs;
constexpr int64_t kHour = 3'600'000;

struct PlanCase {
  const char* name;
  int64_t since, until;
  SpendPlan want;
};

void PrintTo(const PlanCase& c, std::ostream* os) {
  *os << c.name << " [" << c.since << ", " << c.until << ")";
}

class SpendPlanTest : public ::testing::TestWithParam<PlanCase> {};

TEST_P(SpendPlanTest, SplitsAtUtcDays) {
  const PlanCase& c = GetParam();
  const SpendPlan got = plan_spend(c.since, c.until);
  EXPECT_EQ(got.first_day, c.want.first_day);
  EXPECT_EQ(got.end_day, c.want.end_day);
  EXPECT_EQ(got.head.begin, c.want.head.begin);
  EXPECT_EQ(got.head.end, c.want.head.end);
  EXPECT_EQ(got.tail.begin, c.want.tail.begin);
  EXPECT_EQ(got.tail.end, c.want.tail.end);
  // Whatever the split, the parts cover [since, until) exactly once (checked where the
  // lengths fit in 64 bits).
  if (c.since < c.until && c.since > INT64_MIN / 2 && c.until < INT64_MAX / 2) {
    const int64_t covered = (got.head.empty() ? 0 : got.head.end - got.head.begin) +
                            (got.end_day - got.first_day) * kDay +
                            (got.tail.empty() ? 0 : got.tail.end - got.tail.begin);
    EXPECT_EQ(covered, c.until - c.since);
  }
}

constexpr int64_t D = 20'000;  // a day number; D * kDay is a midnight
INSTANTIATE_TEST_SUITE_P(
    store, SpendPlanTest,
    ::testing::Values(
        PlanCase{"whole_days",
                 D* kDay,
                 (D + 3) * kDay,
                 {D, D + 3, {D * kDay, D* kDay}, {(D + 3) * kDay, (D + 3) * kDay}}},
        PlanCase{"cut_both_ends",
                 D* kDay + 5 * kHour,
                 (D + 3) * kDay + kHour,
                 {D + 1,
                  D + 3,
                  {D * kDay + 5 * kHour, (D + 1) * kDay},
                  {(D + 3) * kDay, (D + 3) * kDay + kHour}}},
        PlanCase{"inside_one_day",
                 D* kDay + 1,
                 D* kDay + 2,
                 {0, 0, {D * kDay + 1, D* kDay + 2}, {D * kDay + 2, D* kDay + 2}}},
        PlanCase{"two_partial_days",
                 D* kDay + 20 * kHour,
                 (D + 1) * kDay + 3 * kHour,
                 {0,
                  0,
                  {D * kDay + 20 * kHour, (D + 1) * kDay + 3 * kHour},
                  {(D + 1) * kDay + 3 * kHour, (D + 1) * kDay + 3 * kHour}}},
        PlanCase{"one_whole_day_plus_a_ms",
                 D* kDay - 1,
                 (D + 1) * kDay + 1,
                 {D, D + 1, {D * kDay - 1, D* kDay}, {(D + 1) * kDay, (D + 1) * kDay + 1}}},
        PlanCase{"empty", D* kDay, D* kDay, {0, 0, {D * kDay, D* kDay}, {D * kDay, D* kDay}}},
        PlanCase{"inverted", 5, 3, {0, 0, {5, 5}, {3, 3}}},
        PlanCase{"before_epoch", -kDay - 1, 1, {-1, 0, {-kDay - 1, -kDay}, {0, 1}}},
        PlanCase{"unbounded",
                 INT64_MIN,
                 INT64_MAX,
                 {INT64_MIN / kDay,
                  INT64_MAX / kDay,
                  {INT64_MIN, (INT64_MIN / kDay) * kDay},
                  {(INT64_MAX / kDay) * kDay, INT64_MAX}}},
        PlanCase{"default_bounds",
                 0,
                 INT64_MAX,
                 {0, INT64_MAX / kDay, {0, 0}, {(INT64_MAX / kDay) * kDay, INT64_MAX}}}),
    [](const auto& info) { return std::string(info.param.name); });

struct DayCase {
  int64_t ts_ms;
  int64_t day;
  const char* date;
};

void PrintTo(const DayCase& c, std::ostream* os) { *os << c.ts_ms << " -> " << c.date; }

class UtcDayTest : public ::testing::TestWithParam<DayCase> {};

TEST_P(UtcDayTest, FloorsToTheUtcDay) {
  EXPECT_EQ(day_of(GetParam().ts_ms), GetParam().day);
  EXPECT_EQ(format_day(day_of(GetParam().ts_ms)), GetParam().date);
}

INSTANTIATE_TEST_SUITE_P(
    store, UtcDayTest,
    ::testing::Values(DayCase{0, 0, "1970-01-01"}, DayCase{kDay - 1, 0, "1970-01-01"},
                      DayCase{kDay, 1, "1970-01-02"}, DayCase{-1, -1, "1969-12-31"},
                      DayCase{-kDay, -1, "1969-12-31"}, DayCase{-kDay - 1, -2, "1969-12-30"},
                      DayCase{1'709'164'800'000, 19'782, "2024-02-29"},
                      DayCase{1'772'323'199'999, 20'512, "2026-02-28"},
                      DayCase{253'402'300'799'999, 2'932'896, "9999-12-31"}),
    [](const auto& info) {
      std::string name = info.param.date;
      std::replace(name.begin(), name.end(), '-', '_');
      return name + (info.param.ts_ms < 0 ? "_before_epoch" : "") + "_" +
             std::to_string(info.index);
    });

}  // namespace
}  // namespace sy::store
