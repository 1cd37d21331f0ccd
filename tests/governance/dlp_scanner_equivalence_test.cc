// The scanner's fast paths (number detectors, IBAN, IPv6 and e-mail matched in code, starts found
// without start-of-match tracking) against the plain semantics: every built-in
// pattern in one Hyperscan database with leftmost start tracking over the whole text,
// the same post-filters. On random and mutated texts dense in digits, separators,
// extensions, context words, IBANs and keys, both must find exactly the same spans.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "governance/dlp_eval.h"
#include "governance/dlp_scanner.h"
#include "governance/dlp_text_gen.h"

namespace sy::governance {
namespace {

// The built-ins with every pattern matched in code or walked back (number detectors, IBAN,
// IPv6, e-mail) scanned as a plain pattern: all text, leftmost start from Hyperscan. The
// e-mail pattern is "@domain" and its start rule adds the local part: here the pattern
// spells the local part out.
std::shared_ptr<const Scanner> reference_scanner() {
  std::vector<DetectorSpec> specs = builtin_detectors();
  for (auto& s : specs) {
    if (s.start == Start::Email) s.pattern = "[A-Za-z0-9_.%+\\-]+" + s.pattern;
    if (!s.numeric() && s.start != Start::Iban && s.start != Start::Ipv6 &&
        s.start != Start::Email) {
      continue;
    }
    s.start = Start::Hyperscan;
  }
  auto r = Scanner::compile(std::move(specs));
  EXPECT_TRUE(r.has_value()) << r.error().message;
  return r.value_or(nullptr);
}

std::string spans(const Scanner& s, std::string_view text, DlpScratch& scratch) {
  std::vector<Finding> found;
  EXPECT_TRUE(s.scan(text, scratch, found).has_value());
  std::string out;
  for (const auto& f : found) {
    out += std::string(f.detector) + "[" + std::to_string(f.start) + "," + std::to_string(f.end) +
           ") ";
  }
  return out;
}

class DlpScannerEquivalence : public ::testing::Test {
 protected:
  void expect_same(std::string_view text) {
    const std::string want = spans(*reference_, text, ref_scratch_);
    const std::string got = spans(*fast_, text, scratch_);
    EXPECT_EQ(got, want) << "text: " << text;
    if (got != want) ++failures_;
    found_ += !got.empty();
  }
  std::shared_ptr<const Scanner> fast_ = *Scanner::compile(DlpConfig{});
  std::shared_ptr<const Scanner> reference_ = reference_scanner();
  DlpScratch scratch_, ref_scratch_;
  int failures_ = 0;
  int found_ = 0;
};

TEST_F(DlpScannerEquivalence, RandomTexts) {
  ASSERT_TRUE(reference_);
  std::mt19937_64 rng(20261126);
  for (int i = 0; i < 8000 && failures_ < 5; ++i) {
    const std::string text = testing::random_dlp_text(rng);
    expect_same(text);
    expect_same(testing::mutate_dlp_text(text, rng));
  }
  EXPECT_GT(found_, 4000);  // the texts do exercise the detectors
}

TEST_F(DlpScannerEquivalence, MutatedSharedTexts) {
  ASSERT_TRUE(reference_);
  auto samples = load_presidio_file(default_presidio_data_path());
  if (!samples) GTEST_SKIP() << "shared DLP data absent";
  std::mt19937_64 rng(7);
  for (const auto& s : *samples) {
    if (failures_ >= 5) break;
    expect_same(s.text);
    expect_same(testing::mutate_dlp_text(s.text, rng));
  }
}

}  // namespace
}  // namespace sy::governance
