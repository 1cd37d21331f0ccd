// Fuzzes parse_checkpoint (audit/checkpoint.h) on one checkpoint line. A line that parses
// is canonical: it must be exactly encode_checkpoint() of what was parsed, and that
// encoding must parse back to the same checkpoint.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audit/checkpoint.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto cp = sy::audit::parse_checkpoint(line);
  if (!cp) {
    FUZZ_CHECK(!cp.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(cp->ts_ms >= 0);
  FUZZ_CHECK(cp->key_id.size() == 16);
  const std::string encoded = sy::audit::encode_checkpoint(*cp);
  FUZZ_CHECK(encoded == line);
  auto again = sy::audit::parse_checkpoint(encoded);
  FUZZ_CHECK(again && *again == *cp);
  (void)sy::audit::checkpoint_message(cp->tree_size, cp->root, cp->ts_ms);
  return 0;
}
