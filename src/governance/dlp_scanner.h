// Scanner: the compiled DLP engine. Every detector (built-in, custom, imported gitleaks
// rules) is compiled into one Hyperscan block-mode database, except the built-in patterns
// matched in code (dlp_shapes.h): the number detectors, tried at the ends of the text's
// digit groups, IBAN, from the starts of digit groups, IPv6, from colons, and e-mail, from
// '@'. So a text takes one Hyperscan scan (and one more of the context words around numbers
// that need one) and one pass for digits whatever the number of rules. Raw matches then go through
// each detector's post-filters and overlapping findings are resolved. Starts of matches are found
// by each detector's Start rule (dlp_detectors.h); Hyperscan tracks them only where no rule
// applies.
//
// Build one Scanner per config snapshot (Scanner::compile) and share it as
// std::shared_ptr<const Scanner>: it is immutable and thread-safe. Each thread brings its
// own DlpScratch (not thread-safe; reusable across Scanners and snapshots), e.g.
//
//   thread_local DlpScratch scratch;
//   std::vector<Finding> found;
//   scanner->scan(text, scratch, found);   // byte offsets, sorted, non-overlapping
//
// Findings' string_views point into the Scanner: keep the snapshot while using them.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "governance/dlp_config.h"
#include "governance/dlp_detectors.h"
#include "governance/dlp_digit_groups.h"
#include "governance/dlp_shapes.h"

struct hs_database;
struct hs_scratch;

namespace sy::governance {

struct Finding {
  std::string_view entity_type;  // "EMAIL_ADDRESS", "CREDIT_CARD", "SECRET", …
  std::string_view detector;     // detector id, e.g. "pii.card", "gitleaks.aws-access-token"
  std::size_t start = 0;         // byte offsets into the scanned text, [start, end)
  std::size_t end = 0;
};

// A rule that was not compiled, and why. Never silently dropped: the report lists it.
struct RuleIssue {
  std::string id;
  std::string reason;
};

struct CompileReport {
  std::size_t compiled = 0;           // detectors in the database
  std::size_t gitleaks_compiled = 0;  // of which imported from gitleaks files
  std::vector<RuleIssue> rejected;    // gitleaks rules left out (id + reason)
  std::vector<std::string> warnings;  // rules compiled with reduced semantics
};

// Per-thread scan state: Hyperscan scratch space and match buffers. Not thread-safe.
class DlpScratch {
 public:
  DlpScratch() = default;
  ~DlpScratch();
  DlpScratch(const DlpScratch&) = delete;
  DlpScratch& operator=(const DlpScratch&) = delete;

  // One raw Hyperscan match (detector index and byte range); an implementation detail.
  struct RawMatch {
    unsigned id;
    unsigned long long from, to;
  };

 private:
  friend class Scanner;
  struct Candidate {
    std::size_t start, end;
    unsigned id;
    int rank;
  };

 public:
  // A context word of a number detector found in the text (an implementation detail).
  struct ContextHit {
    std::size_t end;  // where it ends in the text
    unsigned word;    // index into Scanner::context_words_
  };

 private:
  hs_scratch* hs_ = nullptr;
  unsigned long long prepared_for_ = 0;  // Scanner::serial_ the scratch was sized for
  std::vector<RawMatch> raw_;
  std::vector<ContextHit> context_hits_;  // sorted by end
  // The text around pending matches, scanned for their context words in one call: the
  // windows laid end to end, and where each window is in that text and in the scanned one.
  struct Window {
    std::size_t joined_at, text_at;
  };
  std::string windows_text_;
  std::vector<Window> windows_;
  // Number matches that need a context word: where they end (match_numbers), then those
  // that can still be kept, with their starts (match_context_numbers).
  struct Deferred {
    std::size_t end;
    unsigned id;
  };
  std::vector<Deferred> deferred_;
  struct Span {
    std::size_t start, end;
  };
  std::vector<Span> sure_;  // candidates sure to be kept, of higher rank
  std::vector<Candidate> pending_;
  DigitGroups groups_;              // digit groups of the text
  std::vector<ShapeMatch> shapes_;  // IBAN, IPv6 or e-mail matches found in code
  std::vector<Candidate> candidates_;
  std::vector<std::size_t> runs_;  // where each source's candidates end (sort_runs)
  std::vector<Candidate> merged_;  // sort_runs' buffer
  std::vector<Candidate> accepted_;
};

class Scanner {
 public:
  // Compiles the detectors `config` asks for. Fails on a custom detector that does not
  // compile or a gitleaks file that cannot be read or parsed (config errors); gitleaks
  // rules that Hyperscan cannot compile are listed in report().rejected instead.
  static Result<std::shared_ptr<const Scanner>> compile(const DlpConfig& config);
  // Compiles an explicit list of specs (tests, tools). Specs whose id starts with
  // "gitleaks." are reported when they fail; any other failing spec fails the call.
  static Result<std::shared_ptr<const Scanner>> compile(std::vector<DetectorSpec> specs,
                                                        CompileReport report = {});

  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Scans `text` once; appends findings (byte offsets, sorted by start, non-overlapping)
  // to `out`. Returns an error only if Hyperscan fails (e.g. scratch allocation).
  Result<void> scan(std::string_view text, DlpScratch& scratch, std::vector<Finding>& out) const;

  const CompileReport& report() const { return report_; }
  const std::vector<DetectorSpec>& detectors() const { return specs_; }

 private:
  struct Compiled;
  Scanner() = default;
  bool find_start(std::string_view text, unsigned id, std::size_t end, std::size_t& start,
                  DlpScratch& scratch) const;
  bool accept(std::string_view text, unsigned id, std::size_t& start, std::size_t& end) const;
  bool context_near(unsigned id, std::size_t start, std::size_t end,
                    const DlpScratch& scratch) const;
  void match_numbers(std::string_view text, DlpScratch& scratch) const;
  Result<void> match_context_numbers(std::string_view text, DlpScratch& scratch) const;

  std::vector<DetectorSpec> specs_;
  std::vector<unsigned> fixed_width_;  // per spec: match width when constant, else 0
  hs_database* db_ = nullptr;          // every detector Hyperscan matches (hyperscan_matched)
  // The number detectors, matched in code: by rule (bit and index: their Start).
  unsigned numeric_rules_ = 0;
  std::array<std::vector<unsigned>, 32> numeric_by_rule_;
  std::vector<unsigned> iban_;   // detectors with Start::Iban, matched in code
  std::vector<unsigned> ipv6_;   // detectors with Start::Ipv6, matched in code
  std::vector<unsigned> email_;  // detectors with Start::Email, matched in code
  // Context words of number detectors, one literal each in context_db_ with id = index.
  hs_database* context_db_ = nullptr;
  struct ContextWord {
    unsigned spec;
    std::size_t size;
  };
  std::vector<ContextWord> context_words_;
  int context_rank_ = 0;                // the highest rank of a number detector with context words
  std::vector<hs_database*> anchored_;  // per spec: "^(?:pattern)" for Start::TokenRun
  unsigned long long serial_ = 0;       // unique per Scanner: which scratch fits it
  CompileReport report_;
};

// Code-point offsets: converts byte offsets into `text` (UTF-8) into Unicode code-point
// offsets, as Python and the presidio data files count them. Pure; one pass over text.
std::size_t codepoint_offset(std::string_view text, std::size_t byte_offset);
// Converts every finding's start/end; `cp` receives {start, end} pairs in order.
struct CodepointSpan {
  std::size_t start = 0;
  std::size_t end = 0;
};
std::vector<CodepointSpan> codepoint_spans(std::string_view text, std::span<const Finding> f);

}  // namespace sy::governance
