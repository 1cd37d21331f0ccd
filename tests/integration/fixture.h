// Integration-test fixtures: a real switchyard-sim process on port 0 and an in-process
// Gateway on port 0 whose config points at it. Temporary files live in a per-test
// directory that is removed afterwards.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gateway/gateway.h"
#include "integration/raw_client.h"

namespace sy::testing {

// Directory holding the built binaries (set by CTest; defaults to the build tree).
std::string bin_dir();

// A child process whose first stdout line announces "... listening on HOST:PORT".
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  // Starts `argv` with extra environment entries; waits for the listening line.
  bool start(const std::vector<std::string>& argv, const std::filesystem::path& dir,
             const std::vector<std::string>& env = {});
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `sig` and waits for exit; returns the exit status (or -1).
  int stop(int sig = SIGTERM, std::chrono::milliseconds wait = std::chrono::seconds(10));
  std::string output() const;  // everything the child wrote to stdout and stderr

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::filesystem::path log_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // What a test adds to the base config (provider `sim` pointing at the simulator,
  // deployments sim-small, sim-large and sim-slow on it). Each string is YAML lines
  // inserted into its section, indented by two spaces.
  struct Setup {
    std::string server = "threads: 2, access_log: false";
    std::string timeouts = "{connect_ms: 1000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 20000}";
    std::string providers;
    std::string deployments;
    std::string routes;
    std::string audit;  // members of the audit section, e.g. "durability: sync"
    std::string admin_key;  // turns the admin API on
    std::string auth;       // members of the auth section, e.g. "require: true"
    std::string data_dir;     // default: <test dir>/data
    std::string storage_url;  // default: SQLite under data_dir
    // Circuit breakers off: these tests provoke failures on purpose and expect every
    // attempt they plan (tests/routing covers the breakers).
    std::string routing = "health: {enabled: false}";
  };
  void start_gateway(const Setup& setup);
  void start_gateway() { start_gateway(Setup{}); }
  std::string config_text(const Setup& setup) const;

  uint16_t port() const { return gateway_->port(); }
  // The simulator's /sim/stats counter at `path` (e.g. "client_disconnects").
  int64_t sim_stat(const std::string& key);
  std::string chat_body(const std::string& model, const std::string& prompt, bool stream = false,
                        const std::string& extra = {}) const;

  std::filesystem::path dir_;
  ChildProcess sim_;
  std::unique_ptr<gateway::Gateway> gateway_;
};

}  // namespace sy::testing
