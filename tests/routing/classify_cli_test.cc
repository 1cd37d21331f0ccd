// The `switchyard classify` JSON-lines contract and `eval-router --savings`, driving the
// built binary; and `switchyard-train` reproducing the committed model byte for byte
// (skipped when the shared routing data is absent).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "routing/token_estimate.h"

namespace {

std::string bin(const char* name) {
  const char* d = std::getenv("SWITCHYARD_BIN_DIR");
  return std::string(d ? d : ".") + "/" + name;
}

std::filesystem::path temp(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("classify_cli_test_" + std::to_string(::getpid()) + "_" + name);
}

// Runs `cmd` with `input` on stdin; returns stdout lines and the exit code.
std::vector<std::string> run(const std::string& cmd, const std::string& input, int* rc) {
  const auto in = temp("stdin.jsonl");
  std::ofstream(in, std::ios::binary) << input;
  FILE* p = ::popen((cmd + " < " + in.string() + " 2>/dev/null").c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n;
  while (p && (n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = p ? ::pclose(p) : -1;
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(in);
  std::vector<std::string> lines;
  std::istringstream ss(out);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  return lines;
}

std::string model_flag() {
  return " --model " + std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin";
}

TEST(ClassifyCli, OneLinePerInputAndErrorsDoNotStopIt) {
  if (!std::filesystem::exists(bin("switchyard"))) GTEST_SKIP() << "switchyard not built";
  const std::string input =
      "{\"prompt\": \"def add(a, b):\\n    return a + b\\n\"}\n"
      "not json\n"
      "{\"text\": \"no prompt member\"}\n"
      "{\"prompt\": \"Translate to French: good morning, everyone\", \"id\": 7}\n";
  int rc = -1;
  const auto lines = run(bin("switchyard") + " classify" + model_flag(), input, &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(lines.size(), 4u);
  auto j0 = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j0["task_type"], "code");
  for (const char* key : {"confidence", "p_cheap_ok", "micros"}) {
    ASSERT_TRUE(j0[key].is_number()) << key;
    EXPECT_GE(j0[key].get<double>(), 0.0) << key;
  }
  EXPECT_LE(j0["confidence"].get<double>(), 1.0);
  EXPECT_LE(j0["p_cheap_ok"].get<double>(), 1.0);
  EXPECT_TRUE(nlohmann::json::parse(lines[1]).contains("error"));
  EXPECT_TRUE(nlohmann::json::parse(lines[2]).contains("error"));
  auto j3 = nlohmann::json::parse(lines[3]);
  EXPECT_EQ(j3["task_type"], "translation");
  EXPECT_EQ(j3["id"], 7);
  // The context-window filter's estimate of the prompt (tests/e2e/token_estimate.test.mjs
  // compares it with real tokenizers).
  ASSERT_TRUE(j3["tokens"].is_number_unsigned());
  EXPECT_EQ(j3["tokens"].get<uint32_t>(),
            sy::routing::estimate_tokens("Translate to French: good morning, everyone"));
}

TEST(ClassifyCli, RefusesABadModelFile) {
  if (!std::filesystem::exists(bin("switchyard"))) GTEST_SKIP() << "switchyard not built";
  const auto bad = temp("bad.bin");
  std::ofstream(bad, std::ios::binary) << "garbage";
  int rc = 0;
  const auto lines =
      run(bin("switchyard") + " classify --model " + bad.string(), "{\"prompt\":\"x\"}\n", &rc);
  std::filesystem::remove(bad);
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(lines.empty());
}

TEST(ClassifyCli, SavingsReport) {
  if (!std::filesystem::exists(bin("switchyard"))) GTEST_SKIP() << "switchyard not built";
  const auto sample = temp("traffic.jsonl");
  std::ofstream(sample, std::ios::binary)
      << "{\"prompt\": \"hi there\", \"output_tokens\": 100}\n"
      << "{\"prompt\": \"Translate to German: thank you very much\", \"output_tokens\": 100}\n"
      << "broken\n";
  int rc = -1;
  // Threshold 0: everything goes to the weak model; 1.01: nothing does.
  auto all_weak = run(bin("switchyard") +
                          " eval-router --json --threshold 0 --strong-price 10 "
                          "--weak-price 1 --savings " +
                          sample.string() + model_flag(),
                      "", &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(all_weak.size(), 1u);
  auto j = nlohmann::json::parse(all_weak[0]);
  EXPECT_EQ(j["prompts"], 2);
  EXPECT_EQ(j["skipped_lines"], 1);
  EXPECT_EQ(j["to_weak"], 2);
  // tokens: ceil(8/4)=2 and ceil(39/4)=10 input, plus 100 output each.
  EXPECT_DOUBLE_EQ(j["tokens"].get<double>(), 212);
  EXPECT_NEAR(j["saved_share"].get<double>(), 0.9, 1e-9);
  auto none = run(bin("switchyard") + " eval-router --json --threshold 1.01 --savings " +
                      sample.string() + model_flag(),
                  "", &rc);
  std::filesystem::remove(sample);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(none[0])["to_weak"], 0);
}

TEST(TrainCli, ReproducesTheCommittedModelByteForByte) {
  const std::string data = std::string(SY_SOURCE_DIR) + "/../shared/data/routing";
  if (!std::filesystem::is_directory(data)) {
    GTEST_SKIP() << "shared routing data absent at " << data << ": nothing to retrain from";
  }
  if (!std::filesystem::exists(bin("switchyard-train")))
    GTEST_SKIP() << "switchyard-train not built";
  const auto out = temp("model.bin");
  int rc = -1;
  run(bin("switchyard-train") + " --data " + data + " --out " + out.string(), "", &rc);
  ASSERT_EQ(rc, 0);
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
  };
  const std::string fresh = slurp(out);
  std::filesystem::remove(out);
  const std::string committed = slurp(std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin");
  ASSERT_FALSE(fresh.empty());
  EXPECT_EQ(fresh.size(), committed.size());
  EXPECT_TRUE(fresh == committed) << "retrained model differs from models/router-classifier.bin";
}

}  // namespace
