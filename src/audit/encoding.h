// Hex and base64 codecs for the audit log's text formats. Pure functions, no I/O,
// thread-safe. Decoders are strict: hex is lowercase only, base64 is the standard
// alphabet with '=' padding, no whitespace, and zero unused bits (so every byte string
// has exactly one accepted encoding and an edit to an encoding is never silently ignored).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sy::audit {

// Lowercase hex of `bytes`.
std::string hex_encode(std::span<const uint8_t> bytes);
// Decodes exactly out.size() bytes from `hex` (2 * out.size() lowercase hex digits).
// Returns false, leaving `out` unspecified, on any other input.
bool hex_decode(std::string_view hex, std::span<uint8_t> out);

std::string base64_encode(std::span<const uint8_t> bytes);
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
// Decodes into exactly out.size() bytes; false if `text` is not the canonical encoding of
// out.size() bytes.
bool base64_decode_exact(std::string_view text, std::span<uint8_t> out);

}  // namespace sy::audit
