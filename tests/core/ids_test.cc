// Request ids: their shape, uniqueness, and that they sort by creation time.
#include "core/ids.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace sy {
namespace {

TEST(RequestId, IsReqFollowedBy24HexDigits) {
  const std::string id = new_request_id();
  ASSERT_EQ(id.size(), 28u);
  EXPECT_EQ(id.substr(0, 4), "req_");
  for (char c : id.substr(4)) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(c)) << id;
}

TEST(RequestId, IdsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 100'000; ++i) ASSERT_TRUE(seen.insert(new_request_id()).second);
}

TEST(RequestId, LaterIdsSortAfterEarlierOnes) {
  const std::string first = new_request_id();
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const std::string second = new_request_id();
  EXPECT_LT(first, second);
  // The time prefix is the wall clock in milliseconds.
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const long long prefix = std::stoll(second.substr(4, 12), nullptr, 16);
  EXPECT_LE(prefix, now_ms);
  EXPECT_GT(prefix, now_ms - 60'000);
}

}  // namespace
}  // namespace sy
