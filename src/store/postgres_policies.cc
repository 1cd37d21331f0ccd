// PostgresStore: the admin policy versions (see store.h). The append takes an exclusive
// lock on the table for its transaction, so replicas appending at once get consecutive
// versions and a stale `expected` is always noticed.
#include "store/postgres_rows.h"
#include "store/postgres_store.h"
#include "store/policy_rows.h"

namespace sy::store {
namespace {

std::string num(int64_t v) { return std::to_string(v); }

}  // namespace

Result<PolicyVersionRow> PostgresStore::add_policy_version(const PolicyVersionRow& row,
                                                           std::optional<int64_t> expected) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  PolicyVersionRow stored = row;
  auto r = in_transaction([&]() -> Result<void> {
    if (auto l =
            exec("LOCK TABLE policy_versions IN EXCLUSIVE MODE", "cannot lock policy_versions");
        !l) {
      return std::unexpected(l.error());
    }
    auto newest_rows = exec("SELECT COALESCE(MAX(version), 0) FROM policy_versions",
                            "cannot read the policy version");
    if (!newest_rows) return std::unexpected(newest_rows.error());
    const int64_t newest = newest_rows->integer(0, 0);
    if (expected && *expected != newest) {
      return std::unexpected(policy_version_mismatch(newest, *expected));
    }
    stored.version = newest + 1;
    auto added =
        execute("INSERT INTO policy_versions (" + std::string(kPolicyColumns) +
                    ") VALUES ($1::bigint, $2, $3, $4, $5, $6::bigint)",
                {num(stored.version), pg_clean_text(stored.source), pg_clean_text(stored.text),
                 pg_clean_text(stored.sha256_hex), pg_clean_text(stored.actor), num(stored.ts_ms)},
                "cannot store a policy version");
    if (!added) return std::unexpected(added.error());
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return stored;
}

Result<std::vector<PolicyVersionRow>> PostgresStore::policy_versions(uint32_t limit) {
  if (auto c = ensure_connected(); !c) return std::unexpected(c.error());
  auto rows = execute("SELECT " + std::string(kPolicyColumns) +
                          " FROM policy_versions ORDER BY version DESC LIMIT $1::bigint",
                      {num(limit)}, "cannot list policy versions");
  if (!rows) return std::unexpected(rows.error());
  std::vector<PolicyVersionRow> out(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    PolicyVersionRow& r = out[static_cast<size_t>(i)];
    r.version = rows->integer(i, 0);
    r.source = rows->text(i, 1);
    r.text = rows->text(i, 2);
    r.sha256_hex = rows->text(i, 3);
    r.actor = rows->text(i, 4);
    r.ts_ms = rows->integer(i, 5);
  }
  return out;
}

Result<std::optional<PolicyVersionRow>> PostgresStore::latest_policy_version() {
  auto rows = policy_versions(1);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<PolicyVersionRow>{};
  return std::optional<PolicyVersionRow>(std::move(rows->front()));
}

}  // namespace sy::store
