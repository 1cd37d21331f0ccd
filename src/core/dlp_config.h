// DlpConfig: what the data-loss-prevention scanner is built from — which built-in
// detectors are on, the organisation's custom detectors (regexes or keyword lists) and
// gitleaks rule files to import. Plain values read from the config file's `dlp:`
// section (docs/dlp.md); governance/dlp_scanner.h compiles them, once per snapshot.
#pragma once

#include <string>
#include <vector>

namespace sy {

// One organisation-defined detector. Exactly one of `regex` and `keywords` is set.
struct CustomDetector {
  std::string id;           // reported as the finding's detector, e.g. "custom.codename"
  std::string entity_type;  // data class the finding carries, e.g. "PROJECT_CODENAME"
  std::string regex;        // Hyperscan (PCRE subset) syntax: no lookaround, no backrefs
  std::vector<std::string> keywords;  // literal words or phrases, matched at word edges
  bool case_insensitive = true;       // applies to both forms
};

struct DlpConfig {
  bool enabled = true;                        // scan every request (off: no data classes)
  bool builtins = true;                       // every built-in detector (dlp_detectors.h)
  std::vector<std::string> disabled;          // built-in detector ids to leave out
  std::vector<CustomDetector> custom;         // compiled into the same database
  std::vector<std::string> gitleaks_files;    // gitleaks TOML rule files to import
};

}  // namespace sy
