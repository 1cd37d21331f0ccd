// The request path's promise: once a thread's DlpScratch has seen a text of this size,
// scanning allocates nothing. Counts every operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "governance/dlp_scanner.h"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sy::governance {
namespace {

TEST(DlpScannerAllocations, SteadyStateScanAllocatesNothing) {
  auto scanner = Scanner::compile(DlpConfig{});
  ASSERT_TRUE(scanner.has_value()) << scanner.error().message;
  // About 4 KB with a finding of every PII kind and a secret, and plenty of numbers.
  const std::string block =
      "Please charge my card 4111 1111 1111 1111 (or 5500-0000-0000-0004), call me on "
      "0487 23 46 71 ext. 12 or +44 20 7946 0958, office (978)645-9740x11144. SSN "
      "536-32-3065, social security 536 32 3065; IBAN GB82 WEST 1234 5698 7654 32. "
      "Mail jane.doe+x@mail.example.org from 10.218.6.131 / 2001:db8::8a2e:370:7334. "
      "key=AKIAIOSFODNN7EXAMPLQ order 20240506 qty 12 room 1234567 on 2024-05-06.\n";
  std::string text;
  while (text.size() < 4096) text += block;
  DlpScratch scratch;
  std::vector<Finding> found;
  for (int warm = 0; warm < 2; ++warm) {
    found.clear();
    ASSERT_TRUE((*scanner)->scan(text, scratch, found).has_value());
  }
  const std::size_t findings = found.size();
  ASSERT_GT(findings, 50u);
  found.clear();
  const std::size_t before = g_allocations.load();
  ASSERT_TRUE((*scanner)->scan(text, scratch, found).has_value());
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(found.size(), findings);
}

}  // namespace
}  // namespace sy::governance
