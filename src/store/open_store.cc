// open_store(): picks the backend from the URL, opens it and migrates the schema.
#include <filesystem>
#include <string_view>
#include <system_error>

#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace sy::store {
namespace {

constexpr std::string_view kUrlForms =
    "expected sqlite:PATH, sqlite::memory:, postgres://…, postgresql://… or "
    "postgres:key=value …";

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path, uint32_t busy_timeout_ms) {
  if (path.empty()) {
    return fail(ErrorKind::Internal,
                "sqlite: the store URL has an empty path (" + std::string(kUrlForms) + ")");
  }
  if (path != ":memory:") {
    const auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) {
      return fail(ErrorKind::Internal, "sqlite: cannot create the directory " + parent.string() +
                                           " for " + path + ": " + ec.message());
    }
  }
  auto store = SqliteStore::open(path, busy_timeout_ms);
  if (!store) return std::unexpected(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo,
                                             uint32_t busy_timeout_ms) {
  auto store = PostgresStore::connect(conninfo, busy_timeout_ms);
  if (!store) return std::unexpected(store.error());
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const StoreOptions& options) {
  const std::string_view url = options.url;
  Result<std::unique_ptr<Store>> store;
  if (url.starts_with("sqlite:")) {
    store = open_sqlite(std::string(url.substr(7)), options.busy_timeout_ms);
  } else if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    store = open_postgres(std::string(url), options.busy_timeout_ms);  // libpq parses URIs
  } else if (url.starts_with("postgres:")) {
    store = open_postgres(std::string(url.substr(9)), options.busy_timeout_ms);
  } else {
    // Name only the scheme: the rest of a URL may hold a password.
    const std::string_view scheme = url.substr(0, std::min(url.find(':'), size_t{32}));
    return fail(ErrorKind::Internal, "store: unsupported URL scheme \"" + std::string(scheme) +
                                         "\" (" + std::string(kUrlForms) + ")");
  }
  if (!store) return store;
  if (auto migrated = (*store)->migrate(); !migrated) return std::unexpected(migrated.error());
  return store;
}

}  // namespace sy::store
