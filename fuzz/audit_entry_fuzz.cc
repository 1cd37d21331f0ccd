// Fuzzes the audit entry checks of audit/segment.h on one log line (without "\n"):
// parse_entry_prefix and check_entry_json. A line whose prefix parses must be rebuilt
// byte for byte by append_entry() from the parsed seq and prev and the rest of the line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "audit/segment.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  if (auto prefix = sy::audit::parse_entry_prefix(line)) {
    std::string head;  // the prefix followed by "}"
    sy::audit::append_entry(head, prefix->seq, prefix->prev, "");
    const size_t head_size = head.size() - 1;
    FUZZ_CHECK(line.size() >= head_size + 2);
    FUZZ_CHECK(line.substr(0, head_size) == std::string_view(head).substr(0, head_size));
    std::string rebuilt;
    sy::audit::append_entry(rebuilt, prefix->seq, prefix->prev,
                            line.substr(head_size, line.size() - head_size - 1));
    FUZZ_CHECK(rebuilt == line);
  } else {
    FUZZ_CHECK(!prefix.error().message.empty());
  }

  if (auto ok = sy::audit::check_entry_json(line)) {
    const size_t first = line.find_first_not_of(" \t\r\n");
    FUZZ_CHECK(first != std::string_view::npos && line[first] == '{');
  } else {
    FUZZ_CHECK(!ok.error().message.empty());
  }
  return 0;
}
