// Masking: replaces the values of chosen data classes in a text with stable placeholders
// — the same value gets the same placeholder ([EMAIL_1], [CARD_2], …) — and keeps the
// pairs so that an answer can be given its values back (restore). Used by the gateway
// for the policy effect `mask`, on the request body before it leaves for a provider.
// Pure functions over caller-owned state; thread-compatible.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "governance/dlp_scanner.h"

namespace sy::governance {

// A short placeholder stem per data class: "EMAIL" for EMAIL_ADDRESS, "CARD" for
// CREDIT_CARD, …; the entity type itself for any other.
std::string_view placeholder_stem(std::string_view entity_type);

struct MaskedValue {
  std::string placeholder;  // "[EMAIL_1]"
  std::string value;        // what it stands for, as it appeared in the text
};

// Scans `text` and replaces every finding whose entity type is in `classes` (every
// finding when `classes` is empty), numbering
// placeholders per stem after those already in `masked` (which it extends). Returns how
// many values were replaced.
Result<size_t> mask_data_classes(const Scanner& scanner, DlpScratch& scratch,
                                 std::vector<Finding>& findings, std::string& text,
                                 std::span<const std::string_view> classes,
                                 std::vector<MaskedValue>& masked);

// Puts the values back: every placeholder of `masked` in `text` becomes its value.
// `json_escape`: the values are written JSON-escaped (for a JSON body).
void restore_masked(std::string& text, std::span<const MaskedValue> masked, bool json_escape);

}  // namespace sy::governance
