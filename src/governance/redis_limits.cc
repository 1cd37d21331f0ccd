#include "governance/redis_limits.h"

#include <spdlog/spdlog.h>

#include <vector>

namespace sy::governance {
namespace {

using store::RedisReply;

// KEYS: budget counters. ARGV[1]: micros; then per key: limit, hard (1/0), time to live in ms
// (0: never). All hard keys are checked before any is charged.
const store::RedisScript kReserve(R"lua(
local amt = tonumber(ARGV[1])
for i = 1, #KEYS do
  local b = 1 + (i - 1) * 3
  if ARGV[b + 2] == '1' then
    local used = tonumber(redis.call('HGET', KEYS[i], 'used') or '0')
    if used + amt > tonumber(ARGV[b + 1]) then return {0, i - 1, {}} end
  end
end
local over = {}
for i = 1, #KEYS do
  local b = 1 + (i - 1) * 3
  local used = redis.call('HINCRBY', KEYS[i], 'used', amt)
  local exp = tonumber(ARGV[b + 3])
  if exp > 0 then redis.call('PEXPIRE', KEYS[i], exp) end
  if ARGV[b + 2] ~= '1' and used > tonumber(ARGV[b + 1]) then over[#over + 1] = i - 1 end
end
return {1, 0, over}
)lua");

// KEYS: budget counters. ARGV[1]: reserved micros, ARGV[2]: actual; then per key the time to live.
const store::RedisScript kSettle(R"lua(
local delta = tonumber(ARGV[2]) - tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], 'used', delta)
  redis.call('HINCRBY', KEYS[i], 'spent', ARGV[2])
  local exp = tonumber(ARGV[2 + i])
  if exp > 0 then redis.call('PEXPIRE', KEYS[i], exp) end
end
return 1
)lua");

// The GCRA of gcra.h. KEYS: rate cells. ARGV[1]: now in µs (0: Redis TIME); then per key:
// increment, window. All or none; returns {allowed, first refusing index, retry-after µs}.
const store::RedisScript kAcquire(R"lua(
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tats, refused, wait = {}, -1, 0
for i = 1, #KEYS do
  local inc, win = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now) + inc
  if tat - now > win then
    if refused < 0 then refused = i - 1 end
    wait = math.max(wait, tat - now - win)
  end
  tats[i] = tat
end
if refused >= 0 then return {0, refused, wait} end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX',
             math.ceil((tats[i] - now) / 1000) + 1000)
end
return {1, 0, 0}
)lua");

// KEYS: rate cells. ARGV[1]: now in µs (0: Redis TIME); then per key the increment.
const store::RedisScript kCharge(R"lua(
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
for i = 1, #KEYS do
  local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now) + tonumber(ARGV[1 + i])
  redis.call('SET', KEYS[i], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
return 1
)lua");

Error bad_reply(const char* what) {
  return Error::make(ErrorKind::Internal, std::string("unexpected Redis reply to ") + what, {},
                     "redis_error");
}

bool is_int_array(const RedisReply& r, size_t n) {
  if (r.type != RedisReply::Type::Array || r.elements.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (r.elements[i].type != RedisReply::Type::Integer) return false;
  }
  return true;
}

}  // namespace

RedisLimits::RedisLimits(boost::asio::io_context& ctx, store::RedisOptions redis,
                         RedisLimitsOptions options)
    : conn_(ctx, std::move(redis)), options_(std::move(options)) {}

RedisLimits::~RedisLimits() = default;

void RedisLimits::reserve(std::span<const BudgetCell> cells, int64_t micros,
                          Handler<ReserveOutcome> done) {
  std::vector<std::string> keys, args;
  keys.reserve(cells.size());
  args.reserve(1 + 3 * cells.size());
  args.push_back(std::to_string(micros));
  for (const auto& c : cells) {
    keys.push_back(options_.key_prefix + c.key);
    args.push_back(std::to_string(c.limit_micros));
    args.emplace_back(c.hard ? "1" : "0");
    args.push_back(std::to_string(c.ttl_ms));
  }
  conn_.eval(kReserve, keys, args, [done = std::move(done)](Result<RedisReply> r) mutable {
    if (!r) return done(std::unexpected(std::move(r.error())));
    if (!is_int_array(*r, 2) || r->elements.size() != 3)
      return done(std::unexpected(bad_reply("reserve")));
    ReserveOutcome out;
    out.admitted = r->elements[0].integer == 1;
    out.refused = static_cast<size_t>(r->elements[1].integer);
    for (const auto& e : r->elements[2].elements)
      out.soft_over.push_back(static_cast<size_t>(e.integer));
    done(std::move(out));
  });
}

void RedisLimits::settle(std::span<const BudgetCell> cells, int64_t reserved, int64_t actual,
                         Handler<void> done) {
  std::vector<std::string> keys, args;
  keys.reserve(cells.size());
  args.reserve(2 + cells.size());
  args.push_back(std::to_string(reserved));
  args.push_back(std::to_string(actual));
  for (const auto& c : cells) {
    keys.push_back(options_.key_prefix + c.key);
    args.push_back(std::to_string(c.ttl_ms));
  }
  conn_.eval(kSettle, keys, args,
             [done = std::move(done), key = keys.empty() ? std::string() : keys.front(), reserved,
              actual](Result<RedisReply> r) mutable {
               if (!r && !done) {
                 // Nobody waits for this settlement: say what was not recorded. The
                 // reservation stays held until its counter expires with the period.
                 spdlog::warn("budget settlement lost ({}; reserved {} µUSD, actual {} µUSD): {}",
                              key, reserved, actual, r.error().message);
               }
               if (!done) return;
               if (!r) return done(std::unexpected(std::move(r.error())));
               done({});
             });
}

void RedisLimits::acquire(std::span<const RateCell> cells, int64_t now_us,
                          Handler<RateOutcome> done) {
  std::vector<std::string> keys, args;
  keys.reserve(cells.size());
  args.reserve(1 + 2 * cells.size());
  args.push_back(options_.use_server_clock ? "0" : std::to_string(now_us));
  for (const auto& c : cells) {
    keys.push_back(options_.key_prefix + c.key);
    args.push_back(std::to_string(c.increment_us));
    args.push_back(std::to_string(c.window_us));
  }
  conn_.eval(kAcquire, keys, args, [done = std::move(done)](Result<RedisReply> r) mutable {
    if (!r) return done(std::unexpected(std::move(r.error())));
    if (!is_int_array(*r, 3)) return done(std::unexpected(bad_reply("acquire")));
    RateOutcome out;
    out.allowed = r->elements[0].integer == 1;
    out.refused = static_cast<size_t>(r->elements[1].integer);
    out.retry_after_us = r->elements[2].integer;
    done(out);
  });
}

void RedisLimits::charge(std::span<const RateCell> cells, int64_t now_us, Handler<void> done) {
  std::vector<std::string> keys, args;
  keys.reserve(cells.size());
  args.reserve(1 + cells.size());
  args.push_back(options_.use_server_clock ? "0" : std::to_string(now_us));
  for (const auto& c : cells) {
    keys.push_back(options_.key_prefix + c.key);
    args.push_back(std::to_string(c.increment_us));
  }
  conn_.eval(kCharge, keys, args, [done = std::move(done)](Result<RedisReply> r) mutable {
    if (!done) return;
    if (!r) return done(std::unexpected(std::move(r.error())));
    done({});
  });
}

}  // namespace sy::governance
