// Fuzzes the gitleaks rule import (governance/gitleaks_import.h) on one TOML file. A file
// that parses yields rules with an id and a regex (the others are listed as skipped, with
// a reason), and each rule becomes a detector spec of the "gitleaks." family: entity
// SECRET, lowest rank, lower-case keywords and stopwords; a file that does not parse is
// reported with the source name and a position.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "governance/gitleaks_import.h"

namespace {

bool lower_case(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sy::governance;
  const std::string_view toml(reinterpret_cast<const char*>(data), size);
  auto set = parse_gitleaks_toml(toml, "fuzz.toml");
  if (!set) {
    FUZZ_CHECK(set.error().message.starts_with("fuzz.toml:"));
    return 0;
  }
  for (const auto& issue : set->skipped) {
    FUZZ_CHECK(!issue.id.empty() && !issue.reason.empty());
  }
  for (const auto& rule : set->rules) {
    FUZZ_CHECK(!rule.id.empty() && !rule.regex.empty());
    for (const auto& k : rule.keywords) FUZZ_CHECK(lower_case(k));
    for (const auto& w : rule.stopwords) FUZZ_CHECK(lower_case(w));
    const DetectorSpec spec = gitleaks_detector_spec(rule);
    FUZZ_CHECK(spec.id == "gitleaks." + rule.id);
    FUZZ_CHECK(spec.entity_type == "SECRET" && spec.rank == 1 && spec.edge == Edge::Any);
    FUZZ_CHECK(spec.start == Start::Hyperscan && !spec.numeric());
    // Dropping the lazy "[\w.-]{0,50}?" prefix only ever shortens the regex.
    FUZZ_CHECK(spec.pattern.size() <= rule.regex.size());
    FUZZ_CHECK(spec.keywords == rule.keywords && spec.stopwords == rule.stopwords);
    FUZZ_CHECK(spec.min_entropy == rule.entropy || std::isnan(rule.entropy));
  }
  return 0;
}
