// SqliteStore: the admin policy versions (see store.h). BEGIN IMMEDIATE takes the write
// lock before the newest version is read, so two writers (two processes on one file)
// cannot both append the same version.
#include <sqlite3.h>

#include "store/sqlite_store.h"
#include "store/policy_rows.h"
#include "store/sqlite_util.h"

namespace sy::store {

using sqlite_util::bind_all;
using sqlite_util::column_text;
using sqlite_util::ResetOnExit;

Result<PolicyVersionRow> SqliteStore::add_policy_version(const PolicyVersionRow& row,
                                                         std::optional<int64_t> expected) {
  if (auto r = run("BEGIN IMMEDIATE"); !r) return std::unexpected(r.error());
  auto body = [&]() -> Result<PolicyVersionRow> {
    auto s = prepare("SELECT COALESCE(MAX(version), 0) FROM policy_versions");
    if (!s) return std::unexpected(s.error());
    ResetOnExit reset{*s};
    if (const int rc = sqlite3_step(*s); rc != SQLITE_ROW) {
      return std::unexpected(error("cannot read the policy version", rc));
    }
    const int64_t newest = sqlite3_column_int64(*s, 0);
    if (expected && *expected != newest)
      return std::unexpected(policy_version_mismatch(newest, *expected));
    PolicyVersionRow stored = row;
    stored.version = newest + 1;
    auto ins = prepare("INSERT INTO policy_versions (" + std::string(kPolicyColumns) +
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!ins) return std::unexpected(ins.error());
    ResetOnExit reset_ins{*ins};
    if (const int rc = bind_all(*ins, stored.version, std::string_view(stored.source),
                                std::string_view(stored.text), std::string_view(stored.sha256_hex),
                                std::string_view(stored.actor), stored.ts_ms);
        rc != SQLITE_OK) {
      return std::unexpected(error("cannot store a policy version", rc));
    }
    if (const int rc = sqlite3_step(*ins); rc != SQLITE_DONE) {
      return std::unexpected(error("cannot store a policy version", rc));
    }
    return stored;
  };
  auto result = body();
  if (result) {
    if (auto r = run("COMMIT"); !r) result = std::unexpected(r.error());
  }
  if (!result) rollback();
  return result;
}

Result<std::vector<PolicyVersionRow>> SqliteStore::policy_versions(uint32_t limit) {
  auto s = prepare("SELECT " + std::string(kPolicyColumns) +
                   " FROM policy_versions ORDER BY version DESC LIMIT ?1");
  if (!s) return std::unexpected(s.error());
  ResetOnExit reset{*s};
  if (const int rc = bind_all(*s, static_cast<int64_t>(limit)); rc != SQLITE_OK) {
    return std::unexpected(error("cannot list policy versions", rc));
  }
  std::vector<PolicyVersionRow> out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    PolicyVersionRow& r = out.emplace_back();
    r.version = sqlite3_column_int64(*s, 0);
    r.source = column_text(*s, 1);
    r.text = column_text(*s, 2);
    r.sha256_hex = column_text(*s, 3);
    r.actor = column_text(*s, 4);
    r.ts_ms = sqlite3_column_int64(*s, 5);
  }
  if (rc != SQLITE_DONE) return std::unexpected(error("cannot list policy versions", rc));
  return out;
}

Result<std::optional<PolicyVersionRow>> SqliteStore::latest_policy_version() {
  auto rows = policy_versions(1);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return std::optional<PolicyVersionRow>{};
  return std::optional<PolicyVersionRow>(std::move(rows->front()));
}

}  // namespace sy::store
