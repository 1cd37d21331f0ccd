// Shapes: built-in detector patterns matched in code instead of by Hyperscan (see
// dlp_detectors.cc for the patterns, which stay their definition). Digit patterns without
// a literal are what makes a Hyperscan scan slow on text full of numbers, and start-of-
// match tracking slows it further; these rules are exact and cheap.
//
// For a candidate end, each *_start function returns where the leftmost match of its
// pattern ending there starts (what Hyperscan's leftmost start-of-match tracking would
// report), or npos when no match ends there. The scanner calls the number rules only at
// ends of digit groups (dlp_digit_groups.h), where every match of theirs ends.
// iban_matches, ipv6_matches and email_matches find those shapes' matches in a text. Pure
// functions, no allocation beyond `out`; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "governance/dlp_digit_groups.h"

namespace sy::governance {

// (?:\d{13,19}|\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{4}(?:[ \-]\d{3})?|\d{4}[ \-]\d{6}[ \-]\d{4,5})
std::size_t card_start(std::string_view text, std::size_t end);
// \d{3}-\d{2}-\d{4}
std::size_t ssn_start(std::string_view text, std::size_t end);
// \d{3} ?\d{2} ?\d{4}
std::size_t spaced_ssn_start(std::string_view text, std::size_t end);
// \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}
std::size_t ipv4_start(std::string_view text, std::size_t end);
// (?:(?:\+1|001|1)[ .\-]?)?(?:\(\d{3}\)[ .\-]?\d{3}[ .\-]|\d{3}[.\-]\d{3}[.\-])\d{4} EXT
std::size_t nanp_phone_start(std::string_view text, std::size_t end);
// \+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,5}){1,6} EXT
std::size_t intl_phone_start(std::string_view text, std::size_t end);
// (?:\(\d{1,4}\) ?)?\d{2,12}(?:[ .\-]\d{2,8}){0,4} EXT
std::size_t local_phone_start(std::string_view text, std::size_t end);
// where EXT is the optional extension (?: ?(?:x|ext\.?|extension) ?\d{1,6})?.

// [0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}
std::size_t ipv6_start(std::string_view text, std::size_t end);

// One match of a pattern: byte offsets [start, end).
struct ShapeMatch {
  std::size_t start = 0;
  std::size_t end = 0;
};
// [A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}: appends every end where a match ends, with
// its leftmost start, as Hyperscan's leftmost start tracking would report them. `groups`
// are the text's digit groups.
void iban_matches(std::string_view text, const DigitGroups& groups, std::vector<ShapeMatch>& out);
// [0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}: appends, with its leftmost start, every
// end where a match ends and a letter or digit does not follow (for a detector with the
// Word edge rule, the only ends that can be accepted).
void ipv6_matches(std::string_view text, std::vector<ShapeMatch>& out);
// @[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+: appends, with its start (the '@'), every end where
// a match ends and a letter or digit does not follow (for a detector with the Word edge
// rule, the only ends that can be accepted).
void email_matches(std::string_view text, std::vector<ShapeMatch>& out);

}  // namespace sy::governance
