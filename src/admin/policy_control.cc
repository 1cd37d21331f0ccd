#include "admin/policy_control.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "core/log.h"
#include "core/policy_loader.h"
#include "core/time_spec.h"
#include "gateway/gateway.h"
#include "governance/policy_set.h"

namespace sy::admin {
namespace {

// Policies from the admin API are not expanded from this process's environment: an
// administrator's text must not be able to read the gateway's secrets (${VAR} is an error).
const EnvLookup& no_env() {
  static const EnvLookup env = [](const std::string&) { return std::optional<std::string>(); };
  return env;
}

Error unavailable(std::string message) {
  return Error::make(ErrorKind::Unavailable, std::move(message));
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(2 * n);
  for (unsigned int i = 0; i < n; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

PolicyControl::PolicyControl(ConfigPtr file) : file_(std::move(file)), current_(file_) {}

PolicyControl::~PolicyControl() { stop(); }

ConfigPtr PolicyControl::merged(const PolicyConfig* policies) const {
  if (policies == nullptr) return file_;
  auto c = std::make_shared<Config>(*file_);
  c->policies = *policies;
  return c;
}

Result<void> PolicyControl::apply_version(const store::PolicyVersionRow& row,
                                          std::string_view actor) {
  std::optional<PolicyConfig> admin;
  if (row.source == "admin") {
    auto loaded = load_policies_text(row.text, fmt::format("policies version {}", row.version),
                                     *file_, no_env());
    if (!loaded) return std::unexpected(loaded.error());
    admin = std::move(*loaded);
  }
  ConfigPtr next = merged(admin ? &*admin : nullptr);
  if (gateway_ != nullptr) {
    if (auto r = gateway_->apply(next, actor); !r) return r;
  }
  admin_ = std::move(admin);
  applied_ = row;
  applied_.text.clear();  // admin_ keeps it
  current_ = std::move(next);
  return {};
}

Result<ConfigPtr> PolicyControl::start_config(store::Store& db) {
  auto latest = db.latest_policy_version();
  if (!latest) return std::unexpected(latest.error());
  std::lock_guard lock(mutex_);
  if (*latest) {
    if (auto r = apply_version(**latest, "start"); !r) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("the policies set through the admin API (version {}) do not load "
                              "against this config: {}",
                              (*latest)->version, r.error().message));
    }
  }
  return current_;
}

void PolicyControl::attach(gateway::Gateway* gateway) {
  std::lock_guard lock(mutex_);
  gateway_ = gateway;
}

Result<void> PolicyControl::apply_file(ConfigPtr file, std::string_view actor) {
  std::lock_guard lock(mutex_);
  std::optional<PolicyConfig> admin;
  if (admin_) {
    // The override must still load against the new file (a deployment it names may be gone).
    auto loaded = load_policies_text(
        admin_->text, fmt::format("policies version {}", applied_.version), *file, no_env());
    if (!loaded) {
      Error e = loaded.error();
      e.message = "the new config file does not accept the policies set through the admin API: " +
                  e.message;
      if (gateway_ != nullptr)
        gateway_->record_admin("config.reload", std::string(actor), 400, e.message, "{}");
      return std::unexpected(std::move(e));
    }
    admin = std::move(*loaded);
  }
  ConfigPtr old_file = std::exchange(file_, std::move(file));
  ConfigPtr next = merged(admin ? &*admin : nullptr);
  if (gateway_ != nullptr) {
    if (auto r = gateway_->apply(next, actor); !r) {
      file_ = std::move(old_file);
      return r;
    }
  }
  admin_ = std::move(admin);
  current_ = std::move(next);
  return {};
}

Result<PoliciesInForce> PolicyControl::put(store::Store& db, std::string_view text, bool json,
                                           const std::string& actor,
                                           std::optional<int64_t> expected) {
  std::string yaml(text);
  if (json) {
    if (!nlohmann::json::accept(text)) {
      return fail(ErrorKind::InvalidRequest,
                  "the body is not JSON (content-type: application/json)");
    }
  }
  std::lock_guard lock(mutex_);
  if (gateway_ == nullptr) return std::unexpected(unavailable("the gateway is still starting"));
  // Read exactly like the config file's section; errors point into the body as sent.
  auto loaded = load_policies_text(text, "body", *file_, no_env());
  if (!loaded) return std::unexpected(loaded.error());
  if (auto compiled = governance::PolicySet::compile(*loaded); !compiled) {
    return std::unexpected(compiled.error());
  }
  if (json) {
    // Kept and shown as YAML, like every other version.
    try {
      yaml = YAML::Dump(YAML::Load(std::string(text))) + "\n";
    } catch (const YAML::Exception& e) {
      return fail(ErrorKind::InvalidRequest, std::string("body: ") + e.what());
    }
  }
  store::PolicyVersionRow row;
  row.source = "admin";
  row.text = std::move(yaml);
  row.sha256_hex = sha256_hex(row.text);
  row.actor = actor;
  row.ts_ms = unix_now_ms();
  return store_and_apply(db, row, expected);
}

Result<PoliciesInForce> PolicyControl::revert(store::Store& db, const std::string& actor,
                                              std::optional<int64_t> expected) {
  std::lock_guard lock(mutex_);
  if (gateway_ == nullptr) return std::unexpected(unavailable("the gateway is still starting"));
  store::PolicyVersionRow row;
  row.source = "config";
  row.sha256_hex = sha256_hex(file_->policies.text);
  row.actor = actor;
  row.ts_ms = unix_now_ms();
  return store_and_apply(db, row, expected);
}

Result<PoliciesInForce> PolicyControl::store_and_apply(store::Store& db,
                                                       const store::PolicyVersionRow& row,
                                                       std::optional<int64_t> expected) {
  auto stored = db.add_policy_version(row, expected);
  if (!stored) return std::unexpected(stored.error());
  if (auto r = apply_version(*stored, "admin-api"); !r) {
    return fail(ErrorKind::Internal, fmt::format("stored as version {} but not applied here: {}",
                                                 stored->version, r.error().message));
  }
  return describe();
}

PoliciesInForce PolicyControl::describe() const {
  PoliciesInForce out;
  const PolicyConfig& p = admin_ ? *admin_ : file_->policies;
  out.source = admin_ ? "admin" : "config";
  out.version = applied_.version;
  out.text = p.text;
  out.sha256_hex = sha256_hex(p.text);
  out.default_effect = p.default_effect == PolicyDefault::Deny ? "deny" : "allow";
  for (const auto& rule : p.rules) out.rule_ids.push_back(rule.id);
  out.actor = applied_.actor;
  out.ts_ms = applied_.ts_ms;
  return out;
}

PoliciesInForce PolicyControl::in_force() const {
  std::lock_guard lock(mutex_);
  return describe();
}

ConfigPtr PolicyControl::config() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Result<bool> PolicyControl::refresh(store::Store& db) {
  auto latest = db.latest_policy_version();
  if (!latest) return std::unexpected(latest.error());
  std::lock_guard lock(mutex_);
  if (!*latest || (*latest)->version <= applied_.version) return false;
  if (auto r = apply_version(**latest, "policy-poll"); !r) return std::unexpected(r.error());
  spdlog::info("policies: applied version {} ({}) from the store", applied_.version,
               admin_ ? "admin" : "config");
  return true;
}

void PolicyControl::start_polling(std::string store_url, std::chrono::milliseconds interval) {
  stop();
  {
    std::lock_guard lock(poll_mutex_);
    stopping_ = false;
  }
  poller_ = std::thread([this, url = std::move(store_url), interval] { poll_loop(url, interval); });
}

void PolicyControl::stop() {
  {
    std::lock_guard lock(poll_mutex_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void PolicyControl::poll_loop(std::string store_url, std::chrono::milliseconds interval) {
  std::unique_ptr<store::Store> db;
  std::string last_error;
  for (;;) {
    if (!db) {
      auto opened = store::open_store({.url = store_url});
      if (opened) {
        db = std::move(*opened);
      } else if (last_error != opened.error().message) {
        last_error = opened.error().message;
        spdlog::warn("policies: cannot open the store: {}", last_error);
      }
    }
    if (db) {
      auto r = refresh(*db);
      if (!r && last_error != r.error().message) {
        last_error = r.error().message;
        spdlog::error(
            "policies: cannot apply the newest stored version, keeping the ones in "
            "force: {}",
            last_error);
      }
      if (r) last_error.clear();
    }
    std::unique_lock lock(poll_mutex_);
    poll_cv_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) return;
  }
}

}  // namespace sy::admin
