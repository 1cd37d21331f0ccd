#include "governance/gitleaks_import.h"

#include <toml++/toml.h>

#include <fstream>
#include <sstream>

namespace sy::governance {
namespace {

std::string to_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::vector<std::string> strings_of(const toml::node_view<const toml::node>& v) {
  std::vector<std::string> out;
  if (const auto* arr = v.as_array()) {
    for (const auto& e : *arr) {
      if (auto s = e.value<std::string>()) out.push_back(*s);
    }
  }
  return out;
}

// gitleaks prefixes many rules with a lazy "[\w.-]{0,50}?" that can match nothing: it
// only widens the reported span to the left. Dropping it keeps every match (the rest of
// the regex decides) and keeps the pattern small enough for Hyperscan's start-of-match
// tracking, which rejects such prefixes as "Pattern is too large".
std::string without_lazy_prefix(std::string re) {
  static constexpr std::string_view kPrefixes[] = {"[\\w.-]{0,50}?", "[\\w.\\-]{0,50}?"};
  std::size_t at = 0;
  if (re.starts_with("(?i)")) at = 4;
  for (auto p : kPrefixes) {
    if (re.compare(at, p.size(), p) == 0) {
      re.erase(at, p.size());
      break;
    }
  }
  return re;
}

}  // namespace

Result<GitleaksRuleSet> parse_gitleaks_toml(std::string_view text, std::string_view source) {
  toml::table doc;
  try {
    doc = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return fail(ErrorKind::InvalidRequest, std::string(source) + ":" + std::to_string(b.line) +
                                               ":" + std::to_string(b.column) + ": " +
                                               std::string(e.description()));
  }
  GitleaksRuleSet set;
  const auto* rules = doc["rules"].as_array();
  if (rules == nullptr) return set;
  std::size_t index = 0;
  for (const auto& node : *rules) {
    ++index;
    const auto* t = node.as_table();
    if (t == nullptr) {
      set.skipped.push_back({"#" + std::to_string(index), "rule is not a table"});
      continue;
    }
    const toml::node_view<const toml::node> rv{*t};
    GitleaksRule r;
    r.id = rv["id"].value_or(std::string());
    if (r.id.empty()) r.id = "#" + std::to_string(index);  // reports must name the rule
    r.description = rv["description"].value_or(std::string());
    r.regex = rv["regex"].value_or(std::string());
    if (auto e = rv["entropy"].value<double>()) r.entropy = *e;
    for (auto& k : strings_of(rv["keywords"])) r.keywords.push_back(to_lower(std::move(k)));
    if (r.regex.empty()) {
      set.skipped.push_back({r.id, rv["path"] ? "path-only rule (matches file names, not content)"
                                              : "rule has no regex"});
      continue;
    }
    if (const auto* lists = rv["allowlists"].as_array()) {
      for (const auto& a : *lists) {
        const toml::node_view<const toml::node> av{a};
        for (auto& w : strings_of(av["stopwords"])) r.stopwords.push_back(to_lower(std::move(w)));
        r.allowlist_regexes += strings_of(av["regexes"]).size() + strings_of(av["paths"]).size();
      }
    }
    if (r.allowlist_regexes > 0) {
      set.warnings.push_back("gitleaks." + r.id + ": " + std::to_string(r.allowlist_regexes) +
                             " allowlist regex/path entries not enforced (stopwords are)");
    }
    set.rules.push_back(std::move(r));
  }
  return set;
}

Result<GitleaksRuleSet> load_gitleaks_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::InvalidRequest, path + ": cannot read gitleaks rule file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_gitleaks_toml(ss.str(), path);
}

DetectorSpec gitleaks_detector_spec(const GitleaksRule& rule) {
  return DetectorSpec{.id = "gitleaks." + rule.id,
                      .entity_type = "SECRET",
                      .pattern = without_lazy_prefix(rule.regex),
                      .edge = Edge::Any,
                      .rank = 1,
                      .keywords = rule.keywords,
                      .stopwords = rule.stopwords,
                      .min_entropy = rule.entropy};
}

}  // namespace sy::governance
