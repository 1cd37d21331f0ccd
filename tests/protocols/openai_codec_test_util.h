// Helpers shared by the OpenAI codec tests: fixture loading and SSE splitting.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sy::protocols::testing {

inline std::string fixture(const std::string& name) {
  const std::string path = std::string(SY_SOURCE_DIR) + "/tests/protocols/fixtures/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The data of each "data: …" event of an SSE text (events separated by blank lines).
inline std::vector<std::string> sse_data(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    std::string event = text.substr(pos, end - pos);
    pos = end + 2;
    if (event.starts_with("data: "))
      out.push_back(event.substr(6));
    else if (!event.empty())
      ADD_FAILURE() << "not a data event: " << event;
  }
  return out;
}

}  // namespace sy::protocols::testing
