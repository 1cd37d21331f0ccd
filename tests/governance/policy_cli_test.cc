// `switchyard policy test`, driving the built binary: the JSON it prints, DLP-derived data
// classes, --data-classes, principals, and the exit codes (0 allow, 2 deny, 1 bad input).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string binary() {
  const char* d = std::getenv("SWITCHYARD_BIN_DIR");
  return std::string(d ? d : ".") + "/switchyard";
}

constexpr const char* kConfig = R"(
providers:
  p: {type: openai_compatible, base_url: "http://127.0.0.1:1"}
deployments:
  cloud-eu: {provider: p, model: gpt-4o, region: eu-west-1, labels: [cloud]}
  cloud-us: {provider: p, model: gpt-4o, region: us-east-1, labels: [cloud]}
  local: {provider: p, model: llama-3, region: on-prem, labels: [on_prem]}
routes:
  auto: {targets: [cloud-eu, cloud-us, local]}
policies:
  - id: no-secrets-anywhere
    when: {data_classes: [SECRET]}
    effect: deny
    message: requests containing secrets are blocked
  - id: pii-on-prem
    when: {data_classes: [EMAIL_ADDRESS, PHONE_NUMBER, US_SSN]}
    effect: restrict
    deployments: {labels: [on_prem]}
  - id: mask-emails-for-contractors
    when: {roles: [contractor], data_classes: [EMAIL_ADDRESS]}
    effect: mask
    data_classes: [EMAIL_ADDRESS]
  - id: no-shell-outside-core
    when: {team: {not: [core]}, tools: [shell]}
    effect: deny
  - id: big-jobs-need-approval
    when: {max_tokens: {gt: 8000}}
    effect: require_approval
)";

class PolicyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(binary())) GTEST_SKIP() << binary() << " not built";
    dir_ = fs::temp_directory_path() / ("policy_cli_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write("config.yaml", kConfig);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }
  // Runs `switchyard policy test --config … <args>`; returns stdout and sets rc.
  std::string run(const std::string& args, int& rc) {
    const std::string cmd = binary() + " policy test --config " + (dir_ / "config.yaml").string() +
                            " " + args + " 2>" + (dir_ / "stderr").string();
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    std::array<char, 4096> buf{};
    std::size_t n;
    while (p && (n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    const int status = p ? ::pclose(p) : -1;
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }
  std::string err() {
    std::ifstream in(dir_ / "stderr");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path dir_;
};

TEST_F(PolicyCli, DlpFindingsRestrictDeploymentsAndMask) {
  const auto req = write("req.json", R"({"model": "auto", "messages": [
      {"role": "user", "content": "mail the report to jane.doe@example.com please"}]})");
  const auto who = write("who.json", R"({"team": "sales", "roles": ["contractor"]})");
  int rc = -1;
  const auto out = run("--request " + req + " --principal " + who, rc);
  EXPECT_EQ(rc, 0) << err();
  const json j = json::parse(out);
  EXPECT_EQ(j["effect"], "allow");
  EXPECT_EQ(j["input"]["request"]["data_classes"], json({"EMAIL_ADDRESS"}));
  EXPECT_EQ(j["input"]["request"]["data_classes_from"], "dlp");
  EXPECT_EQ(j["fired"], json({"pii-on-prem", "mask-emails-for-contractors"}));
  EXPECT_EQ(j["mask"], json({"EMAIL_ADDRESS"}));
  EXPECT_EQ(j["admitted"], 1);
  ASSERT_EQ(j["deployments"].size(), 3u);
  EXPECT_EQ(j["deployments"][0]["name"], "cloud-eu");
  EXPECT_EQ(j["deployments"][0]["admitted"], false);
  EXPECT_EQ(j["deployments"][0]["removed_by"], "pii-on-prem");
  EXPECT_EQ(j["deployments"][0]["reason"],
            "removed by policy rule pii-on-prem: labels [cloud] include none of [on_prem]");
  EXPECT_EQ(j["deployments"][2]["name"], "local");
  EXPECT_EQ(j["deployments"][2]["admitted"], true);
}

TEST_F(PolicyCli, DenyExitsWithTwo) {
  const auto req = write("req.json", R"({"model": "auto", "max_tokens": 9000,
      "messages": [{"role": "user", "content": "hi"}],
      "tools": [{"type": "function", "function": {"name": "shell", "parameters": {}}}]})");
  int rc = -1;
  auto j = json::parse(run("--request " + req + " --data-classes SECRET,PHONE_NUMBER", rc));
  EXPECT_EQ(rc, 2);
  EXPECT_EQ(j["effect"], "deny");
  EXPECT_EQ(j["deny"]["rule"], "no-secrets-anywhere");
  EXPECT_EQ(j["deny"]["message"], "requests containing secrets are blocked");
  EXPECT_EQ(j["input"]["request"]["tools"], json({"shell"}));
  EXPECT_EQ(j["input"]["request"]["max_tokens"], 9000);
  EXPECT_EQ(j["input"]["request"]["data_classes_from"], "--data-classes");
  EXPECT_EQ(j["fired"], json({"no-secrets-anywhere", "pii-on-prem", "no-shell-outside-core",
                              "big-jobs-need-approval"}));
  EXPECT_EQ(j["require_approval"], true);

  // The core team may offer the shell tool; with no data classes nothing else fires.
  const auto core = write("core.json", R"({"team": "core"})");
  j = json::parse(run("--request " + req + " --principal " + core + " --data-classes ''", rc));
  EXPECT_EQ(rc, 0) << err();
  EXPECT_EQ(j["fired"], json({"big-jobs-need-approval"}));
  EXPECT_EQ(j["admitted"], 3);
}

TEST_F(PolicyCli, BadInputExitsWithOne) {
  int rc = -1;
  const auto bad_req = write("bad.json", R"({"model": 3})");
  EXPECT_EQ(run("--request " + bad_req, rc), "");
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err().find("bad.json"), std::string::npos) << err();

  const auto req =
      write("req.json", R"({"model": "m", "messages": [{"role": "user", "content": "x"}]})");
  const auto who = write("who.json", R"({"teams": "x"})");
  run("--request " + req + " --principal " + who, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err().find("teams: unknown key"), std::string::npos) << err();

  write("config.yaml", "policies: [{id: x, effect: nope}]\n");
  run("--request " + req, rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err().find("unknown effect"), std::string::npos) << err();
}

}  // namespace
