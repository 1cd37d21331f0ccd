// Request identifiers and the per-thread random source used for ids and jitter.
// Every function here uses thread-local state: safe to call from any thread, no locks.
#pragma once

#include <cstdint>
#include <string>

namespace sy {

// A fast, well-seeded per-thread generator (xoshiro256**).
uint64_t random_u64();
// Uniform double in [0, 1).
double random_unit();
// "req_" followed by 24 hex digits: the wall-clock milliseconds (12 digits, so ids sort
// by time, like UUIDv7) and 48 random bits. Time order keeps the audit index's
// request-id B-tree appending at its right edge instead of touching a random page per
// insert. Unique enough to correlate logs across replicas.
std::string new_request_id();

}  // namespace sy
