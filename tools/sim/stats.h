// Counters served at GET /sim/stats: chat requests per model, in flight, completed and abandoned
// by their client. Tests read them to count upstream attempts and to see that a stream was given
// up when the client went away. Not thread-safe: used from the simulator's io_context thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace sy::sim {

class Stats {
 public:
  // A chat completion request arrived; its model is known once the body parsed.
  void count_request() { ++total_; }
  void count_model(std::string_view model);
  void count_completed() { ++completed_; }
  void count_client_disconnect() { ++client_disconnects_; }
  void begin_active() { ++active_; }
  void end_active() { --active_; }

  // Zeroes the counters; `active` is a gauge of requests in flight and is kept.
  void reset();

  // {"requests":{"<model>":N,...},"total":N,"active":N,"completed":N,"client_disconnects":N}
  std::string to_json() const;

 private:
  std::map<std::string, int64_t, std::less<>> per_model_;
  int64_t total_ = 0;
  int64_t active_ = 0;
  int64_t completed_ = 0;
  int64_t client_disconnects_ = 0;
};

}  // namespace sy::sim
