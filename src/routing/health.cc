#include "routing/health.h"

#include <bit>
#include <cmath>

namespace sy::routing {

HealthOptions health_options(const HealthConfig& c) {
  HealthOptions o;
  o.enabled = c.enabled;
  o.consecutive_failures = c.consecutive_failures;
  o.window = c.window;
  o.min_outcomes = c.min_outcomes;
  o.failure_rate = c.failure_rate;
  o.cooldown_ms = c.cooldown_ms;
  return o;
}

HealthBoard::State& HealthBoard::state(std::string_view deployment) {
  auto it = states_.find(deployment);
  if (it == states_.end()) it = states_.emplace(std::string(deployment), State{}).first;
  return it->second;
}

const HealthBoard::State* HealthBoard::find(std::string_view deployment) const {
  auto it = states_.find(deployment);
  return it == states_.end() ? nullptr : &it->second;
}

std::string HealthBoard::admit(std::string_view deployment, Clock::time_point now) {
  if (!options_.enabled) return {};
  auto it = states_.find(deployment);
  if (it == states_.end()) return {};
  State& s = it->second;
  switch (s.mode) {
    case Mode::Closed:
      return {};
    case Mode::Open:
      if (now >= s.open_until) {
        s.mode = Mode::HalfOpen;
        s.probing = true;  // this caller is the probe
        return {};
      }
      return "circuit open (" + s.cause + ") for " +
             std::to_string(std::chrono::ceil<std::chrono::seconds>(s.open_until - now).count()) +
             " s more";
    case Mode::HalfOpen:
      if (!s.probing) {
        s.probing = true;
        return {};
      }
      return "circuit half-open: a probe request is in flight";
  }
  return {};
}

bool HealthBoard::would_admit(std::string_view deployment, Clock::time_point now) const {
  if (!options_.enabled) return true;
  const State* s = find(deployment);
  if (s == nullptr || s->mode == Mode::Closed) return true;
  if (s->mode == Mode::Open) return now >= s->open_until;
  return !s->probing;
}

void HealthBoard::open(State& s, Clock::time_point now, std::chrono::milliseconds how_long,
                       std::string cause) {
  s.mode = Mode::Open;
  s.probing = false;
  s.open_until = now + how_long;
  s.cause = std::move(cause);
}

void HealthBoard::record_success(std::string_view deployment, Clock::time_point now,
                                 std::chrono::microseconds first_token) {
  (void)now;
  State& s = state(deployment);
  s.consecutive = 0;
  s.recent <<= 1;
  if (s.seen < options_.window) ++s.seen;
  s.mode = Mode::Closed;
  s.probing = false;
  const double ms = first_token.count() / 1000.0;
  s.ewma_ms = s.has_latency ? options_.ewma_alpha * ms + (1 - options_.ewma_alpha) * s.ewma_ms : ms;
  s.has_latency = true;
}

void HealthBoard::record_failure(std::string_view deployment, Clock::time_point now,
                                 std::optional<std::chrono::seconds> retry_after) {
  State& s = state(deployment);
  ++s.consecutive;
  s.recent = (s.recent << 1) | 1u;
  if (s.seen < options_.window) ++s.seen;
  const uint64_t mask = options_.window >= 64 ? ~0ull : ((1ull << options_.window) - 1);
  const auto failures = static_cast<uint32_t>(std::popcount(s.recent & mask));
  const bool rate_tripped = s.seen >= options_.min_outcomes &&
                            failures >= std::ceil(options_.failure_rate * s.seen);
  const std::chrono::milliseconds cooldown(options_.cooldown_ms);
  if (s.mode == Mode::HalfOpen) {
    open(s, now, std::max<std::chrono::milliseconds>(cooldown, retry_after.value_or(std::chrono::seconds(0))),
         "the probe failed");
  } else if (s.consecutive >= options_.consecutive_failures) {
    open(s, now, std::max<std::chrono::milliseconds>(cooldown, retry_after.value_or(std::chrono::seconds(0))),
         std::to_string(s.consecutive) + " failures in a row");
  } else if (rate_tripped) {
    open(s, now, std::max<std::chrono::milliseconds>(cooldown, retry_after.value_or(std::chrono::seconds(0))),
         std::to_string(failures) + " of the last " + std::to_string(s.seen) + " requests failed");
  } else if (retry_after && retry_after->count() > 0) {
    // Rate-limited, not broken: closed again when the provider said there would be room.
    open(s, now, *retry_after, "rate-limited, retry-after " + std::to_string(retry_after->count()) + " s");
  }
}

void HealthBoard::release(std::string_view deployment) {
  auto it = states_.find(deployment);
  if (it != states_.end()) it->second.probing = false;
}

std::optional<double> HealthBoard::first_token_ms(std::string_view deployment) const {
  const State* s = find(deployment);
  if (s == nullptr || !s->has_latency) return std::nullopt;
  return s->ewma_ms;
}

HealthBoard::Mode HealthBoard::mode(std::string_view deployment) const {
  const State* s = find(deployment);
  return s == nullptr ? Mode::Closed : s->mode;
}

}  // namespace sy::routing
