// gitleaks import: parsing, rules that cannot compile are reported, keyword/entropy/
// stopword post-filters, and the shared default rule file when it is present.
#include "governance/gitleaks_import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "governance/dlp_scanner.h"

namespace sy::governance {
namespace {

constexpr const char* kToml = R"TOML(
title = "inline test rules"

[[rules]]
id = "acme-token"
description = "ACME API token"
regex = '''(?i)[\w.-]{0,50}?(?:acme)(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|:)[\s'"]{0,5}(acm_[a-z0-9]{24})'''
entropy = 3.0
keywords = ["acme"]

[[rules.allowlists]]
stopwords = ["acm_example"]

[[rules]]
id = "broken-backref"
description = "uses a backreference, which Hyperscan does not support"
regex = '''(a)\1'''
keywords = ["a"]

[[rules]]
id = "key-file"
description = "path-only rule"
path = '''\.key$'''
)TOML";

TEST(GitleaksImport, ParsesRulesAndSkipsPathOnly) {
  auto set = parse_gitleaks_toml(kToml, "inline.toml");
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_EQ(set->rules.size(), 2u);
  EXPECT_EQ(set->rules[0].id, "acme-token");
  EXPECT_DOUBLE_EQ(set->rules[0].entropy, 3.0);
  EXPECT_EQ(set->rules[0].keywords, std::vector<std::string>{"acme"});
  EXPECT_EQ(set->rules[0].stopwords, std::vector<std::string>{"acm_example"});
  ASSERT_EQ(set->skipped.size(), 1u);
  EXPECT_EQ(set->skipped[0].id, "key-file");
  EXPECT_FALSE(parse_gitleaks_toml("[[rules]\nid=", "bad.toml").has_value());
}

// Found by fuzz/gitleaks_toml_fuzz.cc: an empty id made a report entry naming nothing.
TEST(GitleaksImport, RuleWithoutAnIdIsNamedByPosition) {
  auto set = parse_gitleaks_toml("[[rules]]\nid = \"\"\n[[rules]]\nid = \"\"\nregex = \"x\"\n",
                                 "ids.toml");
  ASSERT_TRUE(set.has_value()) << set.error().message;
  ASSERT_EQ(set->skipped.size(), 1u);
  EXPECT_EQ(set->skipped[0].id, "#1");
  ASSERT_EQ(set->rules.size(), 1u);
  EXPECT_EQ(gitleaks_detector_spec(set->rules[0]).id, "gitleaks.#2");
}

TEST(GitleaksImport, UncompilableRuleIsReportedAndOthersWork) {
  auto set = parse_gitleaks_toml(kToml, "inline.toml");
  ASSERT_TRUE(set.has_value());
  std::vector<DetectorSpec> specs;
  for (const auto& r : set->rules) specs.push_back(gitleaks_detector_spec(r));
  auto s = Scanner::compile(std::move(specs));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const auto& rep = (*s)->report();
  EXPECT_EQ(rep.gitleaks_compiled, 1u);
  ASSERT_EQ(rep.rejected.size(), 1u);
  EXPECT_EQ(rep.rejected[0].id, "gitleaks.broken-backref");
  EXPECT_FALSE(rep.rejected[0].reason.empty());

  DlpScratch scratch;
  std::vector<Finding> out;
  const std::string hit = "ACME_TOKEN = \"acm_9f8e7d6c5b4a3z2y1x0w9v8u\"";
  ASSERT_TRUE((*s)->scan(hit, scratch, out).has_value());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].detector, "gitleaks.acme-token");
  EXPECT_EQ(out[0].entity_type, "SECRET");
  EXPECT_EQ(hit.substr(out[0].start, 4), "ACME");  // the lazy prefix is not in the span
  out.clear();
  ASSERT_TRUE((*s)->scan("acme: acm_aaaaaaaaaaaaaaaaaaaaaaaa", scratch, out).has_value());
  EXPECT_TRUE(out.empty()) << "low entropy must be filtered";
  ASSERT_TRUE((*s)->scan("acme: acm_example7d6c5b4a3z2y1x0w9", scratch, out).has_value());
  EXPECT_TRUE(out.empty()) << "stopword must be filtered";
}

TEST(GitleaksImport, SharedDefaultRules) {
  const std::string path =
      std::string(SY_SOURCE_DIR) + "/../shared/data/secrets/gitleaks_default_rules.toml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " absent; shared data not here";
  DlpConfig c;
  c.gitleaks_files = {path};
  auto s = Scanner::compile(c);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const auto& rep = (*s)->report();
  // 222 rules in the file: every one is either compiled or reported with a reason.
  EXPECT_EQ(rep.gitleaks_compiled + rep.rejected.size(), 222u);
  EXPECT_GE(rep.gitleaks_compiled, 200u);
  for (const auto& r : rep.rejected) EXPECT_FALSE(r.reason.empty()) << r.id;
  DlpScratch scratch;
  std::vector<Finding> out;
  const std::string text = "export STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  ASSERT_TRUE((*s)->scan(text, scratch, out).has_value());
  EXPECT_TRUE(std::any_of(out.begin(), out.end(),
                          [](const Finding& f) { return f.entity_type == "SECRET"; }));
}

}  // namespace
}  // namespace sy::governance
