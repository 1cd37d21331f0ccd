// Small helpers shared by the SQLite store's files: typed binding of parameters, a
// statement reset on scope exit, reading a text column. Private to sy_store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "store/query_sql.h"

namespace sy::store::sqlite_util {

inline int bind(sqlite3_stmt* s, int i, int64_t v) { return sqlite3_bind_int64(s, i, v); }
inline int bind(sqlite3_stmt* s, int i, double v) { return sqlite3_bind_double(s, i, v); }
inline int bind(sqlite3_stmt* s, int i, std::string_view v) {
  // SQLITE_STATIC: the text outlives the step; ResetOnExit clears the binding after it.
  return sqlite3_bind_text(s, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                           SQLITE_STATIC);
}
inline int bind(sqlite3_stmt* s, int i, const SqlParam& p) {
  return std::visit([&](auto v) { return bind(s, i, v); }, p);
}
template <class... Args>
inline int bind_all(sqlite3_stmt* s, const Args&... args) {
  int i = 0;
  int rc = SQLITE_OK;
  ((rc = rc == SQLITE_OK ? bind(s, ++i, args) : rc), ...);
  return rc;
}

// Resets a statement when leaving a scope, so that no statement keeps a read
// transaction open or points at bound text that is gone.
struct ResetOnExit {
  sqlite3_stmt* s;
  ~ResetOnExit() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

inline std::string column_text(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

}  // namespace sy::store::sqlite_util
