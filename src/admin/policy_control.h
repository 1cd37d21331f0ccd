// PolicyControl: which policies the gateway enforces — the config file's `policies:`
// section, or the newest version set through the admin API and kept in the store
// (docs/policies.md, "Central policies") — and the one path through which `serve` applies
// configs to its Gateway. Precedence: the newest stored version decides; an "admin"
// version replaces the file's policies (and survives restarts and file reloads), a
// "config" version (a revert) or no version at all leaves the file's in force.
//
// Every config applied is the file's config with the policies in force, so a file reload
// keeps an admin override and an admin change keeps the file's other sections. Replicas
// sharing the store see each other's changes through refresh() (a poller thread, like
// the key registry's). Thread-safe: any method from any thread; changes (and every
// Gateway::apply this object makes) are serialised by one mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "store/store.h"

namespace sy::gateway {
class Gateway;
}

namespace sy::admin {

// The policies in force, as GET /admin/v1/policies shows them.
struct PoliciesInForce {
  std::string source = "config";      // "config" or "admin"
  int64_t version = 0;                // the newest stored version applied (0: none stored)
  std::string text;                   // the policies' YAML
  std::string sha256_hex;             // of text
  std::string default_effect;         // "allow" or "deny"
  std::vector<std::string> rule_ids;  // in evaluation order
  std::string actor;                  // who stored `version` ("" for none)
  int64_t ts_ms = 0;                  // when
};

// The hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

class PolicyControl {
 public:
  // `file` is the config as loaded from the config file (or the embedded demo).
  explicit PolicyControl(ConfigPtr file);
  ~PolicyControl();
  PolicyControl(const PolicyControl&) = delete;
  PolicyControl& operator=(const PolicyControl&) = delete;

  // Before Gateway::start: reads the newest stored version and returns the config to
  // start with. Fails when a stored admin version no longer loads against the file's
  // config (e.g. it names a deployment the file dropped): the gateway does not start
  // with weaker policies than the ones an administrator set.
  Result<ConfigPtr> start_config(store::Store& db);
  // The gateway to apply changes to, once started; until then changes are refused (503).
  void attach(gateway::Gateway* gateway);

  // The config file changed (SIGHUP, file watch): applies it with the admin policies in
  // force, if any, in place of its own. On error the running config stays.
  Result<void> apply_file(ConfigPtr file, std::string_view actor);

  // PUT: reads `text` (YAML, or JSON when `json`) like the config file's section, stores
  // it as the next version when `expected` is nullopt or the newest version (else 412),
  // and applies it. Nothing changes on any error.
  Result<PoliciesInForce> put(store::Store& db, std::string_view text, bool json,
                              const std::string& actor, std::optional<int64_t> expected);
  // DELETE: stores a "config" version and applies the file's policies.
  Result<PoliciesInForce> revert(store::Store& db, const std::string& actor,
                                 std::optional<int64_t> expected);
  PoliciesInForce in_force() const;
  // The config in force (the file's with the policies in force).
  ConfigPtr config() const;

  // Applies the newest stored version when it is newer than the one in force; true when
  // it applied one.
  Result<bool> refresh(store::Store& db);
  // A thread that opens `store_url` and calls refresh() every `interval`.
  void start_polling(std::string store_url, std::chrono::milliseconds interval);
  // Stops and joins the poller. Idempotent; the destructor calls it.
  void stop();

 private:
  // The file's config with `policies` (or its own when null). Caller holds mutex_.
  ConfigPtr merged(const PolicyConfig* policies) const;
  // Makes `row` (a stored version) the one in force. Caller holds mutex_.
  Result<void> apply_version(const store::PolicyVersionRow& row, std::string_view actor);
  // Stores `row` as the next version (If-Match `expected`) and applies it (mutex_ held).
  Result<PoliciesInForce> store_and_apply(store::Store& db, const store::PolicyVersionRow& row,
                                          std::optional<int64_t> expected);
  PoliciesInForce describe() const;
  void poll_loop(std::string store_url, std::chrono::milliseconds interval);

  mutable std::mutex mutex_;
  ConfigPtr file_;                     // the config file's config
  std::optional<PolicyConfig> admin_;  // the admin policies in force, if any
  store::PolicyVersionRow applied_;    // the newest version applied (version 0: none)
  ConfigPtr current_;                  // what was last applied
  gateway::Gateway* gateway_ = nullptr;

  std::mutex poll_mutex_;
  std::condition_variable poll_cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace sy::admin
