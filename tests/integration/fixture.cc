#include "integration/fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "admin/admin_api.h"
#include "core/config_loader.h"
#include "core/log.h"

namespace sy::testing {

namespace fs = std::filesystem;

std::string bin_dir() {
  const char* d = std::getenv("SWITCHYARD_BIN_DIR");
  return d ? d : ".";
}

ChildProcess::~ChildProcess() { stop(SIGKILL, std::chrono::seconds(5)); }

bool ChildProcess::start(const std::vector<std::string>& argv, const fs::path& dir,
                         const std::vector<std::string>& env) {
  static int counter = 0;
  log_ = dir / ("child-" + std::to_string(++counter) + "-" + fs::path(argv[0]).filename().string() +
                ".log");
  pid_ = ::fork();
  if (pid_ == 0) {
    FILE* out = std::freopen(log_.c_str(), "w", stdout);
    (void)out;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::perror("execv");
    std::_Exit(127);
  }
  const std::regex listening(R"(listening on [^ ]*:(\d+))");
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    const std::string text = output();
    if (std::regex_search(text, m, listening)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      return true;
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int ChildProcess::stop(int sig, std::chrono::milliseconds wait) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  const auto until = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ChildProcess::output() const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

constexpr const char* kSimConfig = R"YAML(
models:
  sim-small: {output_tokens: 12}
  sim-large: {output_tokens: 16}
  sim-slow: {ttft_ms: 0, tokens_per_second: 10, output_tokens: 40}
  sim-embed: {dimensions: 8}
  amazon.titan-embed-text-v2:0: {}
  cohere.embed-english-v3: {}
script:
  - match: "(?i)weather in (\\w+)"
    tool_call: {name: get_weather, arguments: {city: "Paris", days: [1, 2], note: "say \"hi\" — ok"}}
)YAML";

}  // namespace

void GatewayTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = fs::temp_directory_path() /
         ("sy-it-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  std::ofstream(dir_ / "sim.yaml") << kSimConfig;
  ASSERT_TRUE(sim_.start({bin_dir() + "/switchyard-sim", "--listen", "127.0.0.1:0", "--config",
                          (dir_ / "sim.yaml").string()},
                         dir_))
      << "could not start switchyard-sim from " << bin_dir() << ": " << sim_.output();
}

void GatewayTest::TearDown() {
  gateway_.reset();
  sim_.stop();
  fs::remove_all(dir_);
}

std::string GatewayTest::config_text(const Setup& setup) const {
  std::string text = "data_dir: " +
                     (setup.data_dir.empty() ? (dir_ / "data").string() : setup.data_dir) +
                     "\n" +
                     (setup.storage_url.empty() ? ""
                                                : "storage: {url: \"" + setup.storage_url + "\"}\n") +
                     "audit: {" + setup.audit +
                     "}\nadmin: {api_key: \"" + setup.admin_key + "\"}\n" +
                     (setup.auth.empty() ? "" : "auth: {" + setup.auth + "}\n") + "server: {" +
                     setup.server + "}\nproviders:\n  sim:\n" +
                     "    type: openai_compatible\n    base_url: http://127.0.0.1:" +
                     std::to_string(sim_.port()) + "/v1\n    timeouts: " + setup.timeouts + "\n" +
                     setup.providers +
                     "deployments:\n"
                     "  sim-small: {provider: sim, model: sim-small, price: {input_per_mtok: 1, "
                     "output_per_mtok: 2}}\n"
                     "  sim-large: {provider: sim, model: sim-large}\n"
                     "  sim-slow: {provider: sim, model: sim-slow}\n" +
                     setup.deployments;
  if (!setup.routes.empty()) text += "routes:\n" + setup.routes;
  if (!setup.routing.empty()) text += "routing: {" + setup.routing + "}\n";
  return text;
}

void GatewayTest::start_gateway(const Setup& setup) {
  const std::string text = config_text(setup);
  auto config = load_config_text(text, "test.yaml");
  ASSERT_TRUE(config) << config.error().message << "\n" << text;
  std::vector<std::shared_ptr<gateway::Endpoints>> extra{
      std::make_shared<admin::AdminApi>((*config)->storage.url)};
  auto g = gateway::Gateway::start(*config, "127.0.0.1:0", std::move(extra));
  ASSERT_TRUE(g) << g.error().message;
  gateway_ = std::move(*g);
}

int64_t GatewayTest::sim_stat(const std::string& key) {
  auto r = http_request(sim_.port(), "GET", "/sim/stats");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains(key)) return -1;
  return j[key].get<int64_t>();
}

std::string GatewayTest::chat_body(const std::string& model, const std::string& prompt,
                                   bool stream, const std::string& extra) const {
  nlohmann::json j = {{"model", model},
                      {"messages", {{{"role", "user"}, {"content", prompt}}}},
                      {"stream", stream}};
  std::string s = j.dump();
  if (!extra.empty()) s.insert(s.size() - 1, "," + extra);
  return s;
}

}  // namespace sy::testing
