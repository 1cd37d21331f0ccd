// Random texts for differential DLP tests: short lines dense in what the number, IBAN and
// secret detectors look at (digit groups, separators, "+", parentheses, extensions,
// context words, e-mail addresses, IBAN- and card-like strings, key prefixes), and
// mutations of given texts with the same alphabet. Deterministic for a given generator
// state; used by dlp_scanner_equivalence_test.cc and the dlp_textgen tool.
#pragma once

#include <random>
#include <string>
#include <string_view>

namespace sy::governance::testing {

// A new random text of about 20–300 bytes.
std::string random_dlp_text(std::mt19937_64& rng);

// `text` with a few random insertions, deletions and replacements.
std::string mutate_dlp_text(std::string_view text, std::mt19937_64& rng);

}  // namespace sy::governance::testing
