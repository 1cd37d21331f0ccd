// PostgresStore::Rows: a query result (owns a PGresult), shared by the PostgreSQL store's
// files; and the text cleaning every value sent to the server goes through. Private to
// sy_store.
#pragma once

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "store/postgres_store.h"

namespace sy::store {

class PostgresStore::Rows {
 public:
  explicit Rows(PGresult* r) : r_(r) {}
  Rows(Rows&& other) noexcept : r_(std::exchange(other.r_, nullptr)) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows() { PQclear(r_); }

  PGresult* get() const { return r_; }
  int size() const { return PQntuples(r_); }
  bool null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string text(int row, int col) const {
    return {PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col))};
  }
  int64_t integer(int row, int col) const {
    const char* p = PQgetvalue(r_, row, col);
    int64_t v = 0;
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }
  double real(int row, int col) const {
    const char* p = PQgetvalue(r_, row, col);
    double v = 0;
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }

 private:
  PGresult* r_;
};

template <class Body>
Result<void> PostgresStore::in_transaction(Body&& body) {
  if (auto begun = exec("BEGIN", "BEGIN"); !begun) return std::unexpected(begun.error());
  Result<void> result = body();
  if (result) {
    if (auto committed = exec("COMMIT", "COMMIT"); !committed) {
      result = std::unexpected(committed.error());
    }
  }
  const auto tx = PQtransactionStatus(conn_);
  if (!result && tx != PQTRANS_IDLE && tx != PQTRANS_UNKNOWN) (void)exec("ROLLBACK", "ROLLBACK");
  return result;
}

// `s` as valid UTF-8 without NUL bytes (invalid bytes and NULs become U+FFFD).
std::string pg_clean_text(std::string_view s);

}  // namespace sy::store
