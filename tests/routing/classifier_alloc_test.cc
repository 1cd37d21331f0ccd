// The request path's promise: predict() allocates nothing, for any prompt length.
// Counts every operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "routing/classifier.h"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align) {
  ++g_allocations;
  const std::size_t a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace sy::routing {
namespace {

TEST(ClassifierAllocations, PredictAllocatesNothing) {
  ClassifierWeights w;
  w.params.bits = 12;
  w.resize();
  for (std::size_t i = 0; i < w.w.size(); ++i) w.w[i] = float(i % 7) * 0.01f;
  const auto c = Classifier::from_weights(w);
  std::string text;
  while (text.size() < 8192) text += "def f(x):\n    return x * 2  # Übersetzung? 42 ";
  const std::size_t before = g_allocations.load();
  float sink = 0;
  for (std::size_t n : {std::size_t{0}, std::size_t{10}, std::size_t{1024}, text.size()}) {
    sink += c.predict(std::string_view(text).substr(0, n)).p_cheap_ok;
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_GT(sink, 0.0f);
}

}  // namespace
}  // namespace sy::routing
