// KeyRegistry: the request path's view of every virtual API key — an immutable snapshot
// (SHA-256 of the secret → key record) behind an atomic shared_ptr, so authenticating a
// key is one atomic load and one hash lookup, never a database call. The snapshot is the
// keys in the store merged with the keys declared in the config (a config key wins when
// both hold the same secret). It is rebuilt by reload() after the admin API changes a
// key, and by a background thread that polls the store's identity_version() (every
// auth.key_refresh_ms, 2 s by default) so replicas sharing one database see each other's
// changes within that interval.
//
// Thread-safe: authenticate() and snapshot() from any thread; reload()/refresh() take a
// store connection owned by the calling thread and are serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "governance/principal.h"
#include "store/store.h"

namespace sy::governance {

struct KeyRecord {
  Principal principal;      // kind Key
  int64_t expires_ms = 0;   // 0: never
  int64_t revoked_ms = 0;   // 0: active
  bool from_config = false;
};

struct KeySnapshot {
  std::unordered_map<std::string, KeyRecord> by_hash;  // hash_key(secret) → record
  // Teams in the store that restrict regions: name → allowed regions. A key's record
  // carries its team's list already; JWT principals get theirs through apply_team().
  std::unordered_map<std::string, std::vector<std::string>> team_regions;
  int64_t store_version = -1;  // identity_version() the store keys were read at; -1: never
};

// A store row or a config entry as the record the snapshot holds.
KeyRecord key_record(const store::ApiKeyRow& row);
KeyRecord key_record(const StaticKeyConfig& key);

class KeyRegistry {
 public:
  explicit KeyRegistry(const std::vector<StaticKeyConfig>& config_keys = {});
  ~KeyRegistry();
  KeyRegistry(const KeyRegistry&) = delete;
  KeyRegistry& operator=(const KeyRegistry&) = delete;

  // The principal of `secret`, or a 401 error (unknown, revoked or expired key).
  // Non-blocking.
  Result<Principal> authenticate(std::string_view secret, int64_t now_ms) const;
  std::shared_ptr<const KeySnapshot> snapshot() const { return snapshot_.load(); }
  // Sets `p.team_regions` from its team's record in the store (a JWT's team comes from
  // its claims). Non-blocking.
  void apply_team(Principal& p) const;

  // Replaces the config keys (a config reload) and rebuilds the snapshot.
  void set_config_keys(const std::vector<StaticKeyConfig>& config_keys);
  // Blocking: reads every key from `db` and installs a new snapshot.
  Result<void> reload(store::Store& db);
  // Blocking: reloads when the store's identity_version changed since the last read.
  // True when it reloaded.
  Result<bool> refresh(store::Store& db);

  // Starts the poller: a thread that opens `store_url` and calls refresh() every
  // `interval` (and at once after poke()). Failures are logged and retried.
  void start_polling(std::string store_url, std::chrono::milliseconds interval);
  // Makes the poller refresh now rather than at its next tick.
  void poke();
  // Stops and joins the poller. Idempotent; the destructor calls it.
  void stop();

 private:
  void install(int64_t version);  // with update_mutex_ held
  void poll_loop(std::string store_url, std::chrono::milliseconds interval);

  std::atomic<std::shared_ptr<const KeySnapshot>> snapshot_;

  std::mutex update_mutex_;  // guards the two inputs of the snapshot below
  std::vector<KeyRecord> config_records_;
  std::vector<std::string> config_hashes_;  // config_hashes_[i] belongs to config_records_[i]
  std::vector<std::pair<std::string, KeyRecord>> store_records_;  // hash, record
  std::unordered_map<std::string, std::vector<std::string>> team_regions_;  // from the store
  int64_t store_version_ = -1;

  std::mutex poll_mutex_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  bool poked_ = false;
  std::thread poller_;
};

}  // namespace sy::governance
