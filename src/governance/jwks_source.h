// JwksSource: one issuer's key set, kept current. It is read from jwks_file or fetched
// from jwks_url (HTTPS GET on the source's own background thread, never on a gateway
// worker), cached as an immutable Jwks behind an atomic shared_ptr, fetched again every
// jwks_refresh_s, and sooner when a token names a kid the set does not hold
// (request_refresh(): at most one such early fetch per jwks_min_refetch_s, 30 s by
// default, so a flood of tokens with made-up kids cannot turn into a flood of fetches).
// A failed fetch keeps the previous set.
//
// Thread-safe: current() and request_refresh() from any thread, without blocking.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/config.h"
#include "core/error.h"
#include "governance/jwks.h"

namespace sy::governance {

// Reads a JWKS document: the file, or the body of a GET of the URL.
using JwksFetcher = std::function<Result<std::string>(const JwtIssuerConfig&)>;
// The default fetcher: jwks_file from disk, jwks_url with the gateway's HTTP client
// (10 s total deadline, TLS verified unless verify_tls is false).
Result<std::string> fetch_jwks(const JwtIssuerConfig& issuer);

class JwksSource {
 public:
  using Clock = std::function<int64_t()>;  // milliseconds; injectable for tests

  explicit JwksSource(JwtIssuerConfig issuer, JwksFetcher fetcher = fetch_jwks,
                      Clock clock = nullptr);
  ~JwksSource();
  JwksSource(const JwksSource&) = delete;
  JwksSource& operator=(const JwksSource&) = delete;

  const JwtIssuerConfig& issuer() const { return issuer_; }
  // The current key set (empty until the first successful fetch). Never null.
  std::shared_ptr<const Jwks> current() const { return jwks_.load(); }

  // Blocking: fetches and installs the set now.
  Result<void> fetch_now();
  // Non-blocking: asks the background thread to fetch soon. False when rate-limited
  // (the last fetch, or the last early one, was less than jwks_min_refetch_s ago).
  bool request_refresh();

  // Starts the background thread. `fetch_at_once`: fetch as soon as the thread starts (false when the caller has just
  // fetched with fetch_now()); then every jwks_refresh_s or on request_refresh().
  void start(bool fetch_at_once = true);
  void stop();

 private:
  void loop();

  JwtIssuerConfig issuer_;
  JwksFetcher fetcher_;
  Clock clock_;
  std::atomic<std::shared_ptr<const Jwks>> jwks_;
  std::atomic<int64_t> last_attempt_ms_{INT64_MIN / 2};

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool wanted_ = false;
  std::thread thread_;
};

}  // namespace sy::governance
