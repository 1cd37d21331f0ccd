// FUZZ_CHECK: the invariant checks of the fuzz targets. A failed check prints what was
// expected and aborts, which libFuzzer reports as a crash with the input that caused it.
// Only for fuzz/; a target is one input at a time, single-threaded.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)
