// The spend ledger on both backends: totals must equal a brute-force sum over the rows
// for any [since, until) — whole days come from the rollup, the edges from raw rows —
// for every dimension and filter, and replayed rows must never be counted twice.
#include <gtest/gtest.h>

#include <random>

#include "store/store_fixture.h"

namespace sy::store::testing {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kHour = 3'600'000;
constexpr int64_t kFirstDay = 20'500;  // 2026-02-16
constexpr SpendDimension kDimensions[] = {SpendDimension::Team,       SpendDimension::Project,
                                          SpendDimension::Key,        SpendDimension::Model,
                                          SpendDimension::Deployment, SpendDimension::Day};

void write_in_batches(Store& store, const std::vector<SpendRow>& rows, size_t batch_size) {
  for (size_t i = 0; i < rows.size(); i += batch_size) {
    WriteBatch batch;
    batch.spend.assign(
        rows.begin() + static_cast<ptrdiff_t>(i),
        rows.begin() + static_cast<ptrdiff_t>(std::min(rows.size(), i + batch_size)));
    auto written = store.write(batch);
    ASSERT_TRUE(written) << written.error().message;
  }
}

void expect_spend(Store& store, const std::vector<SpendRow>& rows, const SpendQuery& q) {
  auto got = store.spend(q);
  ASSERT_TRUE(got) << describe(q) << ": " << got.error().message;
  EXPECT_EQ(tuples(*got), tuples(brute_spend(rows, q))) << describe(q);
}

TEST_P(StoreTest, SpendIsExactForAnyBounds) {
  const auto rows = make_spend_rows(6'000, kFirstDay, 10, 1);
  write_in_batches(*store_, rows, 2'500);

  const int64_t t0 = kFirstDay * kDay;
  std::vector<std::pair<int64_t, int64_t>> bounds = {
      {0, INT64_MAX},                                           // everything
      {INT64_MIN, INT64_MAX},                                   // everything, extreme bounds
      {t0, t0 + 10 * kDay},                                     // exactly the whole days
      {t0 + 3 * kDay + 5 * kHour, t0 + 7 * kDay + 2 * kHour},   // cuts through two days
      {t0 + 2 * kDay + kHour, t0 + 2 * kDay + 20 * kHour},      // inside one day
      {t0 + 4 * kDay + 20 * kHour, t0 + 5 * kDay + 3 * kHour},  // two partial days, no whole one
      {t0 + 4 * kDay, t0 + 5 * kDay},                           // exactly one day
      {t0 + 4 * kDay - 1, t0 + 5 * kDay + 1},  // one day and a millisecond each side
      {t0 + 4 * kDay + 1, t0 + 5 * kDay - 1},  // one day minus a millisecond each side
      {t0 + 6 * kDay, t0 + 6 * kDay},          // empty
      {t0 + 7 * kDay, t0 + 3 * kDay},          // inverted: empty
      {rows[100].ts_ms, rows[200].ts_ms},      // bounds exactly on rows' times
      {rows[300].ts_ms, rows[300].ts_ms + 1},  // one millisecond
      {t0 - 5 * kDay, t0 + kDay + 7},          // starts before the data
      {t0 + 9 * kDay + 3, t0 + 30 * kDay},     // ends after the data
  };
  std::mt19937_64 rng(7);
  for (int i = 0; i < 15; ++i) {
    int64_t a = t0 - kDay + static_cast<int64_t>(rng() % (12 * kDay));
    int64_t b = t0 - kDay + static_cast<int64_t>(rng() % (12 * kDay));
    bounds.emplace_back(std::min(a, b), std::max(a, b));
  }
  for (const auto& [since, until] : bounds) {
    for (SpendDimension by : kDimensions) {
      expect_spend(*store_, rows, {.by = by, .since_ms = since, .until_ms = until});
    }
  }

  const std::vector<SpendQuery> filters = {
      {.team = "alpha"},
      {.team = ""},
      {.team = "q\"uote", .model = "m,1"},
      {.project = "p 1"},
      {.key_id = "key-3"},
      {.deployment = "d{}"},
      {.team = "back\\slash",
       .project = "",
       .key_id = "key-5",
       .model = "claude",
       .deployment = "az-west"},
      {.team = "nobody"},
  };
  for (size_t b = 0; b < 6; ++b) {
    for (SpendQuery q : filters) {
      for (SpendDimension by : kDimensions) {
        q.by = by;
        q.since_ms = bounds[b].first;
        q.until_ms = bounds[b].second;
        expect_spend(*store_, rows, q);
      }
    }
  }
}

TEST_P(StoreTest, ReplayedSpendIsNotCountedTwice) {
  auto rows = make_spend_rows(3'000, kFirstDay, 5, 2);
  write_in_batches(*store_, rows, 1'000);
  write_in_batches(*store_, rows, 1'000);  // everything again
  write_in_batches(*store_, rows, 700);    // again, cut differently

  // The tail again with new rows after it; a replayed row keeps its first values.
  std::vector<SpendRow> overlap(rows.end() - 500, rows.end());
  overlap.front().cost_usd += 100;
  auto more = make_spend_rows(400, kFirstDay + 3, 3, 3);
  overlap.insert(overlap.end(), more.begin(), more.end());
  write_in_batches(*store_, overlap, 10'000);
  rows.insert(rows.end(), more.begin(), more.end());

  const int64_t t0 = kFirstDay * kDay;
  for (const auto& [since, until] : {std::pair<int64_t, int64_t>{0, INT64_MAX},
                                     {t0 + kDay + 5 * kHour, t0 + 4 * kDay + kHour}}) {
    for (SpendDimension by : kDimensions) {
      expect_spend(*store_, rows, {.by = by, .since_ms = since, .until_ms = until});
    }
  }
}

TEST_P(StoreTest, DuplicateRequestIdInsideOneBatchCountsOnce) {
  const SpendRow row{.ts_ms = kFirstDay * kDay + kHour,
                     .request_id = "same",
                     .team = "a",
                     .input_tokens = 1,
                     .output_tokens = 2,
                     .cost_usd = 0.25};
  SpendRow twin = row;
  twin.cost_usd = 8;
  ASSERT_TRUE(store_->write({.spend = {row, twin, row}}));
  for (SpendDimension by : kDimensions) expect_spend(*store_, {row}, {.by = by});
  expect_spend(*store_, {row}, {.since_ms = row.ts_ms - kDay, .until_ms = row.ts_ms + kDay});
}

TEST_P(StoreTest, ReusedRequestIdAtAnotherTimeIsAnotherRequest) {
  // The gateway adopts a client's x-request-id, so one id can name several requests. A
  // row is a replay only when both its time and its request id match a stored row.
  const int64_t t = kFirstDay * kDay + kHour;
  const std::vector<SpendRow> rows = {
      {.ts_ms = t, .request_id = "client-id", .team = "a", .cost_usd = 1},
      {.ts_ms = t + 5'000, .request_id = "client-id", .team = "a", .cost_usd = 2},
      {.ts_ms = t + kDay, .request_id = "client-id", .team = "a", .cost_usd = 4}};
  ASSERT_TRUE(store_->write({.spend = rows}));
  ASSERT_TRUE(store_->write({.spend = {rows[1], rows[0]}}));  // replayed
  EXPECT_EQ(tuples(store_->spend({}).value()), tuples(std::vector<SpendTotal>{{"a", 3, 0, 0, 7}}));
  expect_spend(*store_, rows, {.by = SpendDimension::Day});
}

TEST_P(StoreTest, SpendGroupsByUtcDay) {
  const int64_t midnight = 20'513 * kDay;  // 2026-03-01T00:00:00Z
  const std::vector<SpendRow> rows = {
      {.ts_ms = midnight - 1, .request_id = "a", .cost_usd = 1},  // 2026-02-28 23:59:59.999
      {.ts_ms = midnight, .request_id = "b", .cost_usd = 2},      // 2026-03-01 00:00:00.000
      {.ts_ms = midnight + kDay - 1, .request_id = "c", .cost_usd = 4},
      {.ts_ms = 0, .request_id = "epoch", .cost_usd = 0.5},            // 1970-01-01
      {.ts_ms = -1, .request_id = "before-epoch", .cost_usd = 0.125},  // 1969-12-31
  };
  ASSERT_TRUE(store_->write({.spend = rows}));
  auto days = store_->spend({.by = SpendDimension::Day, .since_ms = INT64_MIN});
  ASSERT_TRUE(days) << days.error().message;
  EXPECT_EQ(tuples(*days), tuples(std::vector<SpendTotal>{{"2026-03-01", 2, 0, 0, 6},
                                                          {"2026-02-28", 1, 0, 0, 1},
                                                          {"1970-01-01", 1, 0, 0, 0.5},
                                                          {"1969-12-31", 1, 0, 0, 0.125}}));
  expect_spend(*store_, rows, {.by = SpendDimension::Day, .since_ms = INT64_MIN});
  expect_spend(*store_, rows, {.by = SpendDimension::Day});  // default since 0 drops ts -1
  expect_spend(*store_, rows,
               {.by = SpendDimension::Day, .since_ms = midnight - 1, .until_ms = midnight + 1});
  expect_spend(*store_, rows, {.by = SpendDimension::Day, .since_ms = -kDay, .until_ms = midnight});
}

TEST_P(StoreTest, SpendIsOrderedByCostDescending) {
  const int64_t ts = kFirstDay * kDay + kHour;
  ASSERT_TRUE(
      store_->write({.spend = {{.ts_ms = ts, .request_id = "1", .model = "m1", .cost_usd = 1},
                               {.ts_ms = ts, .request_id = "2", .model = "m3", .cost_usd = 3},
                               {.ts_ms = ts, .request_id = "3", .model = "m2", .cost_usd = 2},
                               {.ts_ms = ts, .request_id = "4", .model = "b", .cost_usd = 2},
                               {.ts_ms = ts, .request_id = "5", .model = "z", .cost_usd = 0}}}));
  std::vector<std::string> order;
  const auto totals = store_->spend({.by = SpendDimension::Model}).value();
  for (const auto& t : totals) order.push_back(t.group);
  EXPECT_EQ(order, (std::vector<std::string>{"m3", "b", "m2", "m1", "z"}));  // ties by name
}

TEST_P(StoreTest, LargeBatchesAreWrittenWhole) {
  auto rows = make_spend_rows(20'000, kFirstDay, 30, 4);
  WriteBatch batch;
  batch.spend = rows;
  for (uint64_t seq = 0; seq < 5'000; ++seq) {
    batch.audit.push_back({.seq = seq, .ts_ms = static_cast<int64_t>(seq), .kind = "request"});
  }
  ASSERT_TRUE(store_->write(batch));
  EXPECT_EQ(store_->audit_high_water("").value(), 5'000u);
  expect_spend(*store_, rows, {.by = SpendDimension::Day});
  expect_spend(*store_, rows,
               {.by = SpendDimension::Key,
                .since_ms = (kFirstDay + 3) * kDay + 7 * kHour,
                .until_ms = (kFirstDay + 20) * kDay + 9 * kHour,
                .team = "alpha"});
}

}  // namespace
}  // namespace sy::store::testing
