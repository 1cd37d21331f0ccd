// The `switchyard dlp scan` JSON-lines contract, driving the built binary on stdin.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

std::string binary() {
  const char* d = std::getenv("SWITCHYARD_BIN_DIR");
  return std::string(d ? d : ".") + "/switchyard";
}

// Runs `switchyard <args>` with `input` on stdin; returns stdout lines and the exit code.
std::vector<std::string> run(const std::string& args, const std::string& input, int* rc) {
  const auto in = std::filesystem::temp_directory_path() /
                  ("dlp_cli_test_" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(in, std::ios::binary) << input;
  const std::string cmd = binary() + " " + args + " < " + in.string() + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
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

TEST(DlpCli, ScanWritesOneLinePerInputWithCodepointOffsets) {
  if (!std::filesystem::exists(binary())) GTEST_SKIP() << binary() << " not built";
  const std::string input =
      "{\"text\": \"mail jane@example.com\"}\n"
      "{\"text\": \"Grüße, SSN 536-32-3065\"}\n"
      "not json\n"
      "{\"other\": 1}\n"
      "{\"text\": \"nothing here\"}\n";
  int rc = -1;
  const auto lines = run("dlp scan", input, &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(lines.size(), 5u);
  auto j0 = nlohmann::json::parse(lines[0]);
  ASSERT_EQ(j0["findings"].size(), 1u);
  EXPECT_EQ(j0["findings"][0]["entity_type"], "EMAIL_ADDRESS");
  EXPECT_EQ(j0["findings"][0]["start"], 5);
  EXPECT_EQ(j0["findings"][0]["end"], 21);
  EXPECT_EQ(j0["findings"][0]["detector"], "pii.email");
  auto j1 = nlohmann::json::parse(lines[1]);
  ASSERT_EQ(j1["findings"].size(), 1u);
  EXPECT_EQ(j1["findings"][0]["start"], 11);  // "Grüße, SSN " is 11 code points, 13 bytes
  EXPECT_EQ(j1["findings"][0]["end"], 22);
  for (int i : {2, 3}) {
    auto e = nlohmann::json::parse(lines[static_cast<std::size_t>(i)]);
    EXPECT_TRUE(e.contains("error")) << lines[static_cast<std::size_t>(i)];
    EXPECT_TRUE(e["findings"].empty());
  }
  EXPECT_EQ(lines[4], "{\"findings\":[]}");
}

TEST(DlpCli, EvalSkipsWhenDataIsAbsent) {
  if (!std::filesystem::exists(binary())) GTEST_SKIP() << binary() << " not built";
  int rc = -1;
  const auto lines = run("dlp eval --data /nonexistent/presidio.json", "", &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("skipped"), std::string::npos);
}

}  // namespace
