// gitleaks import: reads a gitleaks TOML rule file (the `[[rules]]` tables: id, regex,
// entropy, keywords, allowlists) into plain GitleaksRule values, and turns each into a
// DetectorSpec for the Scanner. Rules that cannot become a content detector (path-only
// rules, missing regex) are listed in `skipped` with a reason, never silently dropped;
// rules whose regex Hyperscan rejects are reported by Scanner::compile. Pure functions
// apart from load_gitleaks_file, which reads the file; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "governance/dlp_detectors.h"
#include "governance/dlp_scanner.h"

namespace sy::governance {

struct GitleaksRule {
  std::string id;
  std::string description;
  std::string regex;                   // RE2 syntax as written in the file
  double entropy = 0.0;                // minimum Shannon entropy of the secret, 0 = none
  std::vector<std::string> keywords;   // lower-cased
  std::vector<std::string> stopwords;  // from the rule's allowlists, lower-cased
  std::size_t allowlist_regexes = 0;   // allowlist regexes/paths not enforced (reported)
};

struct GitleaksRuleSet {
  std::vector<GitleaksRule> rules;
  std::vector<RuleIssue> skipped;      // rules that are not content detectors
  std::vector<std::string> warnings;   // semantics not carried over, per rule
};

// Parses TOML text; `source` names it in error messages. Fails on a TOML syntax error.
Result<GitleaksRuleSet> parse_gitleaks_toml(std::string_view toml, std::string_view source);
// Reads and parses a file.
Result<GitleaksRuleSet> load_gitleaks_file(const std::string& path);
// Id "gitleaks.<rule id>", entity type SECRET, rank 1, keywords, stopwords and entropy.
DetectorSpec gitleaks_detector_spec(const GitleaksRule& rule);

}  // namespace sy::governance
