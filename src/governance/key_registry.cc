#include "governance/key_registry.h"

#include <spdlog/spdlog.h>

#include "governance/api_key.h"

namespace sy::governance {
namespace {

std::vector<Role> roles_of(const std::vector<std::string>& names) {
  std::vector<Role> out;
  for (const std::string& n : names) {
    Role r;
    if (parse_role(n, r)) out.push_back(r);  // unknown names (from a newer build) are ignored
  }
  return out;
}

Error invalid_key(std::string message) {
  return Error::make(ErrorKind::Authentication, std::move(message), {}, "invalid_api_key");
}

}  // namespace

namespace {

// The principal of a key, from a stored row or a config entry (same field names).
template <class KeySource>
Principal key_principal(const KeySource& key) {
  Principal p;
  p.kind = PrincipalKind::Key;
  p.id = key.id;
  p.key_id = key.id;
  p.team = key.team;
  p.project = key.project;
  p.roles = roles_of(key.roles);
  p.tags = key.tags;
  p.allowed_models = key.models;
  p.allowed_routes = key.routes;
  p.allowed_regions = key.regions;
  return p;
}

}  // namespace

KeyRecord key_record(const store::ApiKeyRow& row) {
  KeyRecord k;
  k.principal = key_principal(row);
  k.expires_ms = row.expires_ms;
  k.revoked_ms = row.revoked_ms;
  return k;
}

KeyRecord key_record(const StaticKeyConfig& key) {
  KeyRecord k;
  k.principal = key_principal(key);
  k.from_config = true;
  return k;
}

KeyRegistry::KeyRegistry(const std::vector<StaticKeyConfig>& config_keys) {
  set_config_keys(config_keys);
}

KeyRegistry::~KeyRegistry() { stop(); }

Result<Principal> KeyRegistry::authenticate(std::string_view secret, int64_t now_ms) const {
  const auto snap = snapshot_.load();
  const auto it = snap->by_hash.find(hash_key(secret));
  if (it == snap->by_hash.end()) return std::unexpected(invalid_key("invalid API key"));
  const KeyRecord& k = it->second;
  if (k.revoked_ms != 0) {
    return std::unexpected(invalid_key("API key " + k.principal.id + " has been revoked"));
  }
  if (k.expires_ms != 0 && now_ms >= k.expires_ms) {
    return std::unexpected(invalid_key("API key " + k.principal.id + " has expired"));
  }
  return k.principal;
}

void KeyRegistry::apply_team(Principal& p) const {
  const auto snap = snapshot_.load();
  const auto it = snap->team_regions.find(p.team);
  p.team_regions = it == snap->team_regions.end() ? std::vector<std::string>{} : it->second;
}

void KeyRegistry::set_config_keys(const std::vector<StaticKeyConfig>& config_keys) {
  std::lock_guard lock(update_mutex_);
  config_records_.clear();
  for (const auto& k : config_keys) config_records_.push_back(key_record(k));
  // The hash goes in the record's place in the map; keep the secrets' hashes beside them.
  config_hashes_.clear();
  for (const auto& k : config_keys) {
    config_hashes_.push_back(k.key.empty() ? k.key_sha256 : hash_key(k.key));
  }
  install(store_version_);
}

void KeyRegistry::install(int64_t version) {
  auto snap = std::make_shared<KeySnapshot>();
  snap->store_version = version;
  snap->team_regions = team_regions_;
  snap->by_hash.reserve(store_records_.size() + config_records_.size());
  for (const auto& [hash, record] : store_records_) snap->by_hash.insert_or_assign(hash, record);
  for (size_t i = 0; i < config_records_.size(); ++i) {
    snap->by_hash.insert_or_assign(config_hashes_[i], config_records_[i]);
  }
  for (auto& [hash, record] : snap->by_hash) {
    const auto it = team_regions_.find(record.principal.team);
    if (it != team_regions_.end()) record.principal.team_regions = it->second;
  }
  snapshot_.store(std::move(snap));
}

Result<void> KeyRegistry::reload(store::Store& db) {
  // The version first: a change that lands between the two reads is read again next time.
  auto version = db.identity_version();
  if (!version) return std::unexpected(version.error());
  auto rows = db.keys(std::nullopt);
  if (!rows) return std::unexpected(rows.error());
  auto teams = db.teams();
  if (!teams) return std::unexpected(teams.error());
  std::lock_guard lock(update_mutex_);
  team_regions_.clear();
  for (auto& team : *teams) {
    if (!team.regions.empty()) team_regions_.emplace(team.name, std::move(team.regions));
  }
  store_records_.clear();
  store_records_.reserve(rows->size());
  for (const auto& row : *rows) store_records_.emplace_back(row.hash_hex, key_record(row));
  store_version_ = *version;
  install(*version);
  return {};
}

Result<bool> KeyRegistry::refresh(store::Store& db) {
  auto version = db.identity_version();
  if (!version) return std::unexpected(version.error());
  {
    std::lock_guard lock(update_mutex_);
    if (*version == store_version_) return false;
  }
  if (auto r = reload(db); !r) return std::unexpected(r.error());
  return true;
}

void KeyRegistry::start_polling(std::string store_url, std::chrono::milliseconds interval) {
  stop();
  {
    std::lock_guard lock(poll_mutex_);
    stopping_ = false;
  }
  poller_ = std::thread([this, url = std::move(store_url), interval] { poll_loop(url, interval); });
}

void KeyRegistry::poke() {
  {
    std::lock_guard lock(poll_mutex_);
    poked_ = true;
  }
  poll_cv_.notify_all();
}

void KeyRegistry::stop() {
  {
    std::lock_guard lock(poll_mutex_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void KeyRegistry::poll_loop(std::string store_url, std::chrono::milliseconds interval) {
  std::unique_ptr<store::Store> db;
  bool failing = false;
  for (;;) {
    if (!db) {
      auto opened = store::open_store({.url = store_url});
      if (opened) {
        db = std::move(*opened);
      } else if (!failing) {
        spdlog::warn("key registry: cannot open the store: {}", opened.error().message);
        failing = true;
      }
    }
    if (db) {
      auto r = refresh(*db);
      if (!r && !failing) {
        spdlog::warn("key registry: cannot refresh keys, serving the last snapshot: {}",
                     r.error().message);
      }
      if (r && failing) spdlog::info("key registry: refreshing keys again");
      failing = !r;
    }
    std::unique_lock lock(poll_mutex_);
    poll_cv_.wait_for(lock, interval, [this] { return stopping_ || poked_; });
    if (stopping_) return;
    poked_ = false;
  }
}

}  // namespace sy::governance
