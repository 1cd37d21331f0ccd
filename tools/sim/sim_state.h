// State shared by every connection of one simulator: the immutable config, the counters, the
// `times=N` fault tally and the random source for response ids. Not thread-safe: it lives on the
// single io_context thread. Connections hold it by shared_ptr, so it outlives all of them.
#pragma once

#include <random>
#include <string>
#include <string_view>

#include "faults.h"
#include "sim_config.h"
#include "stats.h"

namespace sy::sim {

struct SimState {
  explicit SimState(SimConfig sim_config) : config(std::move(sim_config)) {}

  // prefix + `length` random alphanumerics, e.g. "chatcmpl-Ab3...".
  std::string random_id(std::string_view prefix, size_t length) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id(prefix);
    for (size_t i = 0; i < length; ++i) id += kAlphabet[rng() % kAlphabet.size()];
    return id;
  }

  const SimConfig config;
  Stats stats;
  FaultTally fault_tally;
  std::mt19937_64 rng{std::random_device{}()};
};

}  // namespace sy::sim
