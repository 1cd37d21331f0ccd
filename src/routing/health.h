// HealthBoard: what one worker thread knows about each deployment's health — a circuit
// breaker (closed → open after N consecutive failures or a failure rate over the last
// requests; open for a cooldown, or until a 429's retry-after; then half-open, letting
// one probe through; the probe's outcome closes or re-opens it) and an EWMA of the time
// to first token, for the latency strategy. One board per worker, so the request path
// takes no lock; each worker learns on its own (N workers need up to N times the
// failures to open everywhere). Keyed by deployment name, so it survives config
// reloads. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/config.h"

namespace sy::routing {

struct HealthOptions {
  bool enabled = true;                // off: every deployment is always admitted
  uint32_t consecutive_failures = 5;  // open after this many failures in a row
  uint32_t window = 20;               // … or when, of the last `window` outcomes,
  uint32_t min_outcomes = 10;         // at least this many seen,
  double failure_rate = 0.5;          // this share or more failed
  uint32_t cooldown_ms = 30'000;      // open this long before a probe
  double ewma_alpha = 0.2;            // weight of the newest latency sample
};

HealthOptions health_options(const HealthConfig& config);

class HealthBoard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HealthBoard(HealthOptions options = {}) : options_(options) {}
  // New options (a config reload); what was learnt is kept.
  void set_options(HealthOptions options) { options_ = options; }
  bool enabled() const { return options_.enabled; }

  // "" when `deployment` may be tried now, else why not ("circuit open for 12 s more …").
  // An open circuit past its cooldown turns half-open and admits this one caller (the
  // probe); others are refused until the probe reports.
  std::string admit(std::string_view deployment, Clock::time_point now);
  // Like admit() but changes nothing (for explanations and tests).
  bool would_admit(std::string_view deployment, Clock::time_point now) const;

  void record_success(std::string_view deployment, Clock::time_point now,
                      std::chrono::microseconds first_token);
  // A failure that says something about the deployment (5xx, timeout, connection error,
  // garbage, 429). `retry_after` (from a 429 or 503) opens the circuit at least that long.
  void record_failure(std::string_view deployment, Clock::time_point now,
                      std::optional<std::chrono::seconds> retry_after = {});

  // The caller admitted as a probe gave up without an outcome (client gone): let the
  // next caller probe instead.
  void release(std::string_view deployment);

  // EWMA of the time to first token, in milliseconds; nullopt before the first sample.
  std::optional<double> first_token_ms(std::string_view deployment) const;

  enum class Mode { Closed, Open, HalfOpen };
  Mode mode(std::string_view deployment) const;

 private:
  struct State {
    Mode mode = Mode::Closed;
    uint32_t consecutive = 0;
    uint64_t recent = 0;  // outcome bits, newest in bit 0 (1 = failure)
    uint32_t seen = 0;    // outcomes in `recent` (≤ window)
    Clock::time_point open_until{};
    bool probing = false;
    double ewma_ms = 0;
    bool has_latency = false;
    std::string cause;  // why it opened, for explanations
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  State& state(std::string_view deployment);
  const State* find(std::string_view deployment) const;
  void open(State& s, Clock::time_point now, std::chrono::milliseconds how_long, std::string cause);

  HealthOptions options_;
  std::unordered_map<std::string, State, Hash, std::equal_to<>> states_;
};

}  // namespace sy::routing
