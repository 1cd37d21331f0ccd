#include "governance/jwks_source.h"

#include <spdlog/spdlog.h>


#include "core/time_spec.h"

namespace sy::governance {

JwksSource::JwksSource(JwtIssuerConfig issuer, JwksFetcher fetcher, Clock clock)
    : issuer_(std::move(issuer)),
      fetcher_(std::move(fetcher)),
      clock_(clock ? std::move(clock) : Clock([] { return unix_now_ms(); })),
      jwks_(std::make_shared<const Jwks>()) {}

JwksSource::~JwksSource() { stop(); }

Result<void> JwksSource::fetch_now() {
  last_attempt_ms_ = clock_();
  auto text = fetcher_(issuer_);
  if (!text) return std::unexpected(text.error());
  auto jwks = Jwks::parse(*text);
  if (!jwks) {
    return fail(ErrorKind::UpstreamError,
                "JWKS of " + issuer_.issuer + ": " + jwks.error().message);
  }
  for (const std::string& s : jwks->skipped()) {
    spdlog::debug("JWKS of {}: skipped key {}", issuer_.issuer, s);
  }
  jwks_.store(std::make_shared<const Jwks>(std::move(*jwks)));
  return {};
}

bool JwksSource::request_refresh() {
  const int64_t now = clock_();
  int64_t last = last_attempt_ms_.load();
  const int64_t min_ms = int64_t{issuer_.jwks_min_refetch_s} * 1000;
  // Claim the slot atomically: of many concurrent callers, one wins.
  if (now - last < min_ms || !last_attempt_ms_.compare_exchange_strong(last, now)) return false;
  {
    std::lock_guard lock(mutex_);
    wanted_ = true;
  }
  cv_.notify_all();
  return true;
}

void JwksSource::start(bool fetch_at_once) {
  stop();
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    wanted_ = fetch_at_once;
  }
  thread_ = std::thread([this] { loop(); });
}

void JwksSource::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JwksSource::loop() {
  const auto interval = std::chrono::seconds(issuer_.jwks_refresh_s);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, interval, [this] { return stopping_ || wanted_; });
      if (stopping_) return;
      wanted_ = false;
    }
    if (auto r = fetch_now(); !r) {
      spdlog::warn("JWKS of {}: {} (keeping the previous key set)", issuer_.issuer,
                   r.error().message);
    }
  }
}

}  // namespace sy::governance
