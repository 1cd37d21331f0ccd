// Budget periods: the UTC calendar window a point in time falls in (day, ISO week
// starting Monday, month, or all time) and the label that names it in counter keys, so
// spend rolls over by itself when a new period begins. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "core/config.h"

namespace sy::governance {

// [start_ms, end_ms) in milliseconds since the Unix epoch. Total: [0, INT64_MAX).
struct PeriodWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

PeriodWindow period_window(BudgetPeriod period, int64_t now_ms);

// "2026-03-01" (the window's first day, UTC) or "total".
std::string period_label(BudgetPeriod period, const PeriodWindow& w);

}  // namespace sy::governance
