#include "governance/dlp_scanner.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>

#include "governance/dlp_validators.h"
#include "governance/gitleaks_import.h"

namespace sy::governance {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_token(char c) { return is_word(c) || c == '-'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether the byte at `i` (an edge neighbour) joins the match to more of the same thing.
// `step` is -1 looking left of the match, +1 looking right.
bool joins(std::string_view text, std::size_t i, int step, Edge edge) {
  const char c = text[i];
  if (edge == Edge::Token) return is_token(c);
  if (is_word(c)) return true;
  if (c == '.' || c == '-' || c == ':') {
    if (step < 0) return i > 0 && is_digit(text[i - 1]);
    return i + 1 < text.size() && is_digit(text[i + 1]);
  }
  return false;
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty() || hay.size() < needle.size()) return needle.empty();
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

bool any_near(std::string_view text, std::size_t start, std::size_t end,
              const std::vector<std::string>& words, std::size_t before, std::size_t after) {
  const std::size_t from = start > before ? start - before : 0;
  const std::size_t to = std::min(text.size(), end + after);
  const std::string_view window = text.substr(from, to - from);
  for (const auto& w : words) {
    if (contains_ci(window, w)) return true;
  }
  return false;
}

// The longest run of base64/token characters: the secret inside "key = 'value'".
std::string_view secret_token(std::string_view m) {
  std::size_t best = 0, best_len = 0, i = 0;
  while (i < m.size()) {
    std::size_t j = i;
    while (j < m.size() && (is_token(m[j]) || m[j] == '+' || m[j] == '/' || m[j] == '=')) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j + 1;
  }
  return m.substr(best, best_len);
}

bool run_check(Check check, std::string_view m) {
  switch (check) {
    case Check::None:
      return true;
    case Check::Card:
      return card_number_valid(m);
    case Check::Iban:
      return iban_valid(m);
    case Check::Ssn:
      return ssn_valid(m);
    case Check::Ipv4:
      return ipv4_valid(m);
    case Check::Ipv6:
      return ipv6_valid(m);
    case Check::Jwt:
      return jwt_valid(m);
    case Check::Phone:
    case Check::PhoneLocal:
      return phone_shape_valid(m);
    case Check::Email:
      return email_valid(m);
  }
  return false;
}

// Anchored confirmation: a match of the whole [start, end) window.
struct AnchoredEnd {
  unsigned long long size;
  bool found;
};
int on_anchored_match(unsigned, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto* want = static_cast<AnchoredEnd*>(ctx);
  if (to != want->size) return 0;
  want->found = true;
  return 1;  // stop
}

bool is_domain(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.';
}
bool is_email_local(char c) { return is_word(c) || c == '.' || c == '%' || c == '+' || c == '-'; }

int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
             void* ctx) {
  static_cast<std::vector<DlpScratch::RawMatch>*>(ctx)->push_back({id, from, to});
  return 0;
}

// A word as a Hyperscan literal: every byte but letters and digits as \xHH.
std::string escaped_literal(std::string_view w) {
  std::string out;
  for (char ch : w) {
    if (is_digit(ch) || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) {
      out += ch;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(ch));
      out += buf;
    }
  }
  return out;
}

bool is_gitleaks(const DetectorSpec& s) { return s.id.starts_with("gitleaks."); }

}  // namespace

DlpScratch::~DlpScratch() {
  if (hs_) hs_free_scratch(hs_);
}

Scanner::~Scanner() {
  if (db_) hs_free_database(db_);
  if (numbers_db_) hs_free_database(numbers_db_);
  if (context_numbers_db_) hs_free_database(context_numbers_db_);
  for (hs_database* db : anchored_) {
    if (db) hs_free_database(db);
  }
}

Result<std::shared_ptr<const Scanner>> Scanner::compile(const DlpConfig& config) {
  std::vector<DetectorSpec> specs;
  CompileReport report;
  if (config.builtins) {
    for (const auto& s : builtin_detectors()) {
      if (std::find(config.disabled.begin(), config.disabled.end(), s.id) ==
          config.disabled.end()) {
        specs.push_back(s);
      }
    }
  }
  for (const auto& c : config.custom) {
    auto spec = custom_detector_spec(c);
    if (!spec) return std::unexpected(spec.error());
    specs.push_back(std::move(*spec));
  }
  for (const auto& path : config.gitleaks_files) {
    auto rules = load_gitleaks_file(path);
    if (!rules) return std::unexpected(rules.error());
    for (auto& issue : rules->skipped) report.rejected.push_back(std::move(issue));
    for (auto& w : rules->warnings) report.warnings.push_back(std::move(w));
    for (const auto& r : rules->rules) specs.push_back(gitleaks_detector_spec(r));
  }
  return compile(std::move(specs), std::move(report));
}

Result<std::shared_ptr<const Scanner>> Scanner::compile(std::vector<DetectorSpec> specs,
                                                        CompileReport report) {
  static std::atomic<unsigned long long> serials{0};
  std::shared_ptr<Scanner> s(new Scanner());
  s->serial_ = ++serials;
  // Per spec: a syntax check and its width. Hyperscan tracks the start of a match only for
  // patterns of variable width whose start no Start rule finds (custom and gitleaks rules,
  // and bounded built-ins).
  std::vector<DetectorSpec> ok;
  std::vector<unsigned> flags;
  for (auto& spec : specs) {
    unsigned f = spec.caseless ? HS_FLAG_CASELESS : 0u;
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(spec.pattern.c_str(), f, &info, &err) != HS_SUCCESS) {
      std::string reason = err ? err->message : "unknown error";
      hs_free_compile_error(err);
      if (!is_gitleaks(spec)) {
        return fail(ErrorKind::Internal, "dlp detector " + spec.id + ": " + reason, spec.id);
      }
      report.rejected.push_back({spec.id, reason});
      continue;
    }
    const bool fixed =
        info->min_width == info->max_width && info->max_width != UINT_MAX && info->max_width > 0;
    const unsigned width = fixed ? info->max_width : 0;
    std::free(info);
    if (!fixed && spec.start == Start::Hyperscan) f |= HS_FLAG_SOM_LEFTMOST;
    if (is_gitleaks(spec)) {
      // Compile alone first, so one bad rule costs one small compile, not a full retry.
      hs_database_t* one = nullptr;
      if (hs_compile(spec.pattern.c_str(), f, HS_MODE_BLOCK, nullptr, &one, &err) != HS_SUCCESS) {
        report.rejected.push_back({spec.id, err ? err->message : "unknown error"});
        hs_free_compile_error(err);
        continue;
      }
      hs_free_database(one);
    }
    s->fixed_width_.push_back(width);
    flags.push_back(f);
    ok.push_back(std::move(spec));
  }
  // Anchored copies for Start::TokenRun: does the whole token match?
  s->anchored_.assign(ok.size(), nullptr);
  for (std::size_t i = 0; i < ok.size(); ++i) {
    if (ok[i].start != Start::TokenRun) continue;
    const std::string anchored = "^(?:" + ok[i].pattern + ")";
    hs_compile_error_t* err = nullptr;
    if (hs_compile(anchored.c_str(), ok[i].caseless ? HS_FLAG_CASELESS : 0u, HS_MODE_BLOCK, nullptr,
                   &s->anchored_[i], &err) != HS_SUCCESS) {
      std::string reason = err ? err->message : "unknown error";
      hs_free_compile_error(err);
      return fail(ErrorKind::Internal, "dlp detector " + ok[i].id + ": " + reason, ok[i].id);
    }
  }
  // One database for everything that is not a number detector, plus the context words of
  // number detectors that need them (ids from ok.size(), as literals: where they occur
  // decides which runs those detectors see); and the number detectors' databases. A
  // gitleaks rule that still fails (for example SOM on a pattern too large for it) is
  // reported and removed, and the rest compiled again.
  std::vector<std::string> context_words;
  for (std::size_t i = 0; i < ok.size(); ++i) {
    if (!ok[i].numeric) continue;
    for (const auto& w : ok[i].context) {
      context_words.push_back(escaped_literal(w));
      s->context_words_.push_back({static_cast<unsigned>(i), w.size()});
    }
  }
  for (bool with_context : {false, true}) {
    std::vector<const char*> exprs;
    std::vector<unsigned> ids, fl;
    for (std::size_t i = 0; i < ok.size(); ++i) {
      if (!ok[i].numeric || ok[i].context.empty() == with_context) continue;
      exprs.push_back(ok[i].pattern.c_str());
      ids.push_back(static_cast<unsigned>(i));
      fl.push_back(flags[i]);
    }
    hs_database_t*& db = with_context ? s->context_numbers_db_ : s->numbers_db_;
    hs_compile_error_t* err = nullptr;
    if (!exprs.empty() &&
        hs_compile_multi(exprs.data(), fl.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
      std::string reason = err ? err->message : "unknown error";
      hs_free_compile_error(err);
      return fail(ErrorKind::Internal, "dlp number detectors: " + reason, "numbers");
    }
  }
  while (true) {
    std::vector<const char*> exprs;
    std::vector<unsigned> ids, fl;
    for (std::size_t i = 0; i < ok.size(); ++i) {
      if (ok[i].numeric) continue;
      exprs.push_back(ok[i].pattern.c_str());
      ids.push_back(static_cast<unsigned>(i));
      fl.push_back(flags[i]);
    }
    for (std::size_t k = 0; k < context_words.size(); ++k) {
      exprs.push_back(context_words[k].c_str());
      ids.push_back(static_cast<unsigned>(ok.size() + k));
      fl.push_back(HS_FLAG_CASELESS);
    }
    if (exprs.empty()) break;
    hs_compile_error_t* err = nullptr;
    hs_database_t* db = nullptr;
    if (hs_compile_multi(exprs.data(), fl.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS) {
      s->db_ = db;
      break;
    }
    const int bad = err && err->expression >= 0 ? static_cast<int>(ids[err->expression]) : -1;
    std::string reason = err ? err->message : "unknown error";
    hs_free_compile_error(err);
    if (bad < 0 || static_cast<std::size_t>(bad) >= ok.size() ||
        !is_gitleaks(ok[static_cast<std::size_t>(bad)])) {
      const std::string who = bad < 0 || static_cast<std::size_t>(bad) >= ok.size()
                                  ? "database"
                                  : ok[static_cast<std::size_t>(bad)].id;
      return fail(ErrorKind::Internal, "dlp " + who + ": " + reason, who);
    }
    const auto b = static_cast<std::size_t>(bad);
    for (auto& w : s->context_words_) {
      if (w.spec > b) --w.spec;
    }
    report.rejected.push_back({ok[b].id, reason});
    ok.erase(ok.begin() + bad);
    flags.erase(flags.begin() + bad);
    s->fixed_width_.erase(s->fixed_width_.begin() + bad);
    s->anchored_.erase(s->anchored_.begin() + bad);  // gitleaks: never anchored
  }
  s->context_id_ = static_cast<unsigned>(ok.size());
  report.compiled = ok.size();
  report.gitleaks_compiled =
      static_cast<std::size_t>(std::count_if(ok.begin(), ok.end(), is_gitleaks));
  s->specs_ = std::move(ok);
  s->report_ = std::move(report);
  return std::shared_ptr<const Scanner>(std::move(s));
}

bool Scanner::find_start(std::string_view text, unsigned id, std::size_t end, std::size_t& start,
                         DlpScratch& scratch) const {
  const DetectorSpec& d = specs_[id];
  switch (d.start) {
    case Start::Hyperscan:
      if (fixed_width_[id]) start = end - fixed_width_[id];
      return true;
    case Start::Email: {
      std::size_t i = end;
      while (i > 0 && is_domain(text[i - 1])) --i;
      if (i == 0 || text[i - 1] != '@') return false;
      const std::size_t at = i - 1;
      std::size_t j = at;
      while (j > 0 && is_email_local(text[j - 1])) --j;
      start = j;
      return j < at;
    }
    case Start::TokenRun: {
      std::size_t t = end;
      while (t > 0 && is_token(text[t - 1])) --t;
      AnchoredEnd want{end - t, false};
      // Stopped at the first whole match (HS_SCAN_TERMINATED) or ran to the end.
      hs_scan(anchored_[id], text.data() + t, static_cast<unsigned>(end - t), 0, scratch.hs_,
              on_anchored_match, &want);
      start = t;
      return want.found;
    }
    case Start::Jwt: {
      // signature: back to the second dot; payload: back to the first dot; header: the
      // leftmost "eyJ" in the token before it with at least 8 characters after "eyJ".
      std::size_t i = end;
      while (i > 0 && is_token(text[i - 1])) --i;
      if (i == 0 || text[i - 1] != '.') return false;
      std::size_t j = i - 1;
      while (j > 0 && is_token(text[j - 1])) --j;
      if (j == 0 || text[j - 1] != '.') return false;
      const std::size_t dot = j - 1;
      std::size_t r = dot;
      while (r > 0 && is_token(text[r - 1])) --r;
      for (std::size_t k = r; k + 11 <= dot; ++k) {
        if (text.compare(k, 3, "eyJ") == 0) {
          start = k;
          return true;
        }
      }
      return false;
    }
    case Start::PhoneLocal:
      start = local_phone_start(text, end);
      return start != std::string_view::npos;
    case Start::Lead: {
      if (end < d.lead.size()) return false;
      const std::size_t at = text.rfind(d.lead, end - d.lead.size());
      if (at == std::string_view::npos) return false;
      start = at;
      return true;
    }
  }
  return false;
}

// Whether one of spec `id`'s context words lies within [start - kContextBefore,
// end + kContextAfter): what any_near finds, from the words' literal matches.
bool Scanner::context_near(unsigned id, std::size_t start, std::size_t end,
                           const DlpScratch& scratch) const {
  const std::size_t from = start > kContextBefore ? start - kContextBefore : 0;
  const std::size_t to = end + kContextAfter;
  const auto& hits = scratch.context_hits_;
  auto it = std::lower_bound(hits.begin(), hits.end(), from,
                             [](const auto& h, std::size_t v) { return h.end < v; });
  for (; it != hits.end() && it->end <= to; ++it) {
    const ContextWord& w = context_words_[it->word];
    if (w.spec == id && it->end >= from + w.size) return true;
  }
  return false;
}

bool Scanner::accept(std::string_view text, unsigned id, std::size_t& start, std::size_t& end,
                     const DlpScratch& scratch) const {
  const DetectorSpec& d = specs_[id];
  if (d.edge != Edge::Any) {
    if (start > 0 && joins(text, start - 1, -1, d.edge)) return false;
    if (end < text.size() && joins(text, end, +1, d.edge)) return false;
  }
  if (d.pem_block) {
    // Extend to the matching END line (or to the end of the base64 body).
    const std::size_t limit = std::min(text.size(), end + 16384);
    const std::string_view rest = text.substr(end, limit - end);
    const std::size_t e = rest.find("-----END");
    if (e != std::string_view::npos) {
      const std::size_t close = rest.find("-----", e + 8);
      end += close == std::string_view::npos ? e + 8 : close + 5;
    } else {
      while (end < limit && (is_token(text[end]) || text[end] == '+' || text[end] == '/' ||
                             text[end] == '=' || text[end] == '\n' || text[end] == '\r')) {
        ++end;
      }
    }
  }
  const std::string_view m = text.substr(start, end - start);
  if (!run_check(d.check, m)) return false;
  if (d.check == Check::PhoneLocal && phone_digit_count(m) < 7 &&
      !short_phone_tail_ok(text.substr(end))) {
    return false;
  }
  if (!d.context.empty() &&
      !(d.numeric ? context_near(id, start, end, scratch)
                  : any_near(text, start, end, d.context, kContextBefore, kContextAfter))) {
    return false;
  }
  if (!d.keywords.empty() && !any_near(text, start, end, d.keywords, 64, 16)) return false;
  if (d.min_entropy > 0.0 && shannon_entropy(secret_token(m)) < d.min_entropy) return false;
  for (const auto& stop : d.stopwords) {
    if (contains_ci(secret_token(m), stop)) return false;
  }
  return true;
}

// Scans the number runs (all of them, or those near a context word) with `db` in one
// Hyperscan scan of their copies, and appends the matches at text offsets to raw_. A
// match that starts in one run may end in the next one's text through an extension
// ("…96ext. 601192"); per detector and end only the leftmost start counts, as in a scan of
// the whole text, so the first of each (id, end) is kept.
Result<void> Scanner::scan_numbers(std::string_view text, const hs_database* db, bool near_context,
                                   DlpScratch& scratch) const {
  const auto& runs = scratch.runs_;
  auto& near = scratch.near_;
  near.assign(runs.size(), near_context ? 0 : 1);
  if (near_context) {
    // A context word must end within (start - kContextBefore, end + kContextAfter] of a
    // match, and a match lies within its run and tail.
    const auto& hits = scratch.context_hits_;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const NumberRun& r = runs[k];
      const std::size_t lo = r.start > kContextBefore ? r.start - kContextBefore + 1 : 0;
      const std::size_t hi = r.start + r.size + r.tail + kContextAfter;
      auto it = std::lower_bound(hits.begin(), hits.end(), lo,
                                 [](const auto& h, std::size_t v) { return h.end < v; });
      if (it == hits.end() || it->end > hi) continue;
      near[k] = 1;
      for (std::size_t j = k; j > 0 && !near[j - 1] && runs_chained(runs[j - 1], runs[j]); --j) {
        near[j - 1] = 1;
      }
    }
  }
  auto& copied = scratch.copied_;
  copied.clear();
  scratch.numbers_.clear();
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (!near[k]) continue;
    copied.push_back(runs[k]);
    copy_number_run(text, copied.back(), scratch.numbers_);
  }
  if (copied.empty()) return {};
  // Copies with their tails can outgrow the text ("1x1x1x…" copies about ten times it).
  if (scratch.numbers_.size() > UINT_MAX) {
    return fail(ErrorKind::PayloadTooLarge, "dlp: too many number runs in one text");
  }
  auto& nums = scratch.raw_numbers_;
  nums.clear();
  if (hs_scan(db, scratch.numbers_.data(), static_cast<unsigned>(scratch.numbers_.size()), 0,
              scratch.hs_, on_match, &nums) != HS_SUCCESS) {
    return fail(ErrorKind::Internal, "dlp: Hyperscan scan failed");
  }
  // Runs come in text order and Hyperscan reports mostly in end order: try the run of
  // the previous match before searching.
  // Only a match ending in a run's tail can end where another window's match ends: those
  // few wait in tails_, and each (id, end) is kept once, with the leftmost start.
  std::size_t hint = 0;
  auto locate = [&](std::size_t at) -> const NumberRun& {
    if (copied[hint].at > at || (hint + 1 < copied.size() && copied[hint + 1].at <= at)) {
      hint = static_cast<std::size_t>(&run_at(copied, at) - copied.data());
    }
    return copied[hint];
  };
  auto& raw = scratch.raw_;
  auto& tails = scratch.tails_;
  tails.clear();
  const std::size_t first = raw.size();
  for (const auto& m : nums) {
    const std::size_t to = static_cast<std::size_t>(m.to);
    // find_start walks back in the text itself: for those only the end counts here.
    const bool walks = specs_[m.id].start != Start::Hyperscan;
    const std::size_t from = walks                ? to - 1
                             : fixed_width_[m.id] ? to - fixed_width_[m.id]
                                                  : static_cast<std::size_t>(m.from);
    const NumberRun& run = locate(from);
    if (!walks && from - run.at >= run.size) continue;  // in the tail: its own run has it
    const DlpScratch::RawMatch r{m.id, run.start + (from - run.at), run.start + (to - run.at)};
    (to - run.at > run.size ? tails : raw).push_back(r);
  }
  if (tails.empty()) return {};
  auto key = [](const auto& a, const auto& b) { return a.id != b.id ? a.id < b.id : a.to < b.to; };
  std::sort(tails.begin(), tails.end(), [&](const auto& a, const auto& b) {
    return key(a, b) || (!key(b, a) && a.from < b.from);
  });
  tails.erase(
      std::unique(tails.begin(), tails.end(),
                  [](const auto& a, const auto& b) { return a.id == b.id && a.to == b.to; }),
      tails.end());
  std::size_t kept = first;
  for (std::size_t k = first; k < raw.size(); ++k) {
    auto it = std::lower_bound(tails.begin(), tails.end(), raw[k], key);
    if (it != tails.end() && it->id == raw[k].id && it->to == raw[k].to) {
      it->from = std::min(it->from, raw[k].from);
      continue;
    }
    raw[kept++] = raw[k];
  }
  raw.resize(kept);
  raw.insert(raw.end(), tails.begin(), tails.end());
  return {};
}

Result<void> Scanner::scan(std::string_view text, DlpScratch& scratch,
                           std::vector<Finding>& out) const {
  if ((db_ == nullptr && numbers_db_ == nullptr && context_numbers_db_ == nullptr) ||
      text.empty()) {
    return {};
  }
  if (text.size() > UINT_MAX) return fail(ErrorKind::PayloadTooLarge, "dlp: text over 4 GiB");
  if (scratch.prepared_for_ != serial_) {
    for (const hs_database* db : {db_, numbers_db_, context_numbers_db_}) {
      if (db && hs_alloc_scratch(db, &scratch.hs_) != HS_SUCCESS) {
        return fail(ErrorKind::Internal, "dlp: cannot allocate Hyperscan scratch");
      }
    }
    for (const hs_database* db : anchored_) {
      if (db && hs_alloc_scratch(db, &scratch.hs_) != HS_SUCCESS) {
        return fail(ErrorKind::Internal, "dlp: cannot allocate Hyperscan scratch");
      }
    }
    scratch.prepared_for_ = serial_;
  }
  scratch.raw_.clear();
  if (db_ && hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch.hs_, on_match,
                     &scratch.raw_) != HS_SUCCESS) {
    return fail(ErrorKind::Internal, "dlp: Hyperscan scan failed");
  }
  // Context words of number detectors: set aside, by where they end.
  auto& hits = scratch.context_hits_;
  hits.clear();
  std::size_t kept = 0;
  for (const auto& r : scratch.raw_) {
    if (r.id >= context_id_) {
      hits.push_back({static_cast<std::size_t>(r.to), r.id - context_id_});
    } else {
      scratch.raw_[kept++] = r;
    }
  }
  scratch.raw_.resize(kept);
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.end < b.end; });
  // Number detectors: only over runs of number characters, translated back to the text.
  if (numbers_db_ || (context_numbers_db_ && !hits.empty())) {
    find_number_runs(text, scratch.runs_);
    if (numbers_db_) {
      if (auto r = scan_numbers(text, numbers_db_, false, scratch); !r) return r;
    }
    if (context_numbers_db_ && !hits.empty()) {
      if (auto r = scan_numbers(text, context_numbers_db_, true, scratch); !r) return r;
    }
  }
  auto& cands = scratch.candidates_;
  cands.clear();
  for (const auto& r : scratch.raw_) {
    std::size_t end = static_cast<std::size_t>(r.to);
    std::size_t start = static_cast<std::size_t>(r.from);
    const DetectorSpec& d = specs_[r.id];
    // The right edge first: it needs no start, and rejects most partial matches.
    if (d.edge != Edge::Any && end < text.size() && joins(text, end, +1, d.edge)) continue;
    if (!find_start(text, r.id, end, start, scratch)) continue;
    if (!accept(text, r.id, start, end, scratch)) continue;
    cands.push_back({start, end, r.id, d.rank});
  }
  // Overlaps: higher rank first, then longer, then leftmost; keep what does not overlap.
  std::sort(cands.begin(), cands.end(), [](const auto& a, const auto& b) {
    if (a.rank != b.rank) return a.rank > b.rank;
    if (a.end - a.start != b.end - b.start) return a.end - a.start > b.end - b.start;
    if (a.start != b.start) return a.start < b.start;
    return a.id < b.id;
  });
  auto& acc = scratch.accepted_;
  acc.clear();
  for (const auto& c : cands) {
    auto it = std::lower_bound(acc.begin(), acc.end(), c.start,
                               [](const auto& a, std::size_t s) { return a.start < s; });
    if (it != acc.end() && it->start < c.end) continue;
    if (it != acc.begin() && std::prev(it)->end > c.start) continue;
    acc.insert(it, c);
  }
  for (const auto& a : acc) {
    const DetectorSpec& d = specs_[a.id];
    out.push_back({d.entity_type, d.id, a.start, a.end});
  }
  return {};
}

std::size_t codepoint_offset(std::string_view text, std::size_t byte_offset) {
  std::size_t cp = 0;
  const std::size_t n = std::min(byte_offset, text.size());
  for (std::size_t i = 0; i < n; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++cp;
  }
  return cp;
}

std::vector<CodepointSpan> codepoint_spans(std::string_view text, std::span<const Finding> f) {
  std::vector<std::size_t> offsets;
  offsets.reserve(f.size() * 2);
  for (const auto& x : f) {
    offsets.push_back(x.start);
    offsets.push_back(x.end);
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
  std::vector<std::size_t> cps(offsets.size());
  std::size_t cp = 0, i = 0;
  for (std::size_t k = 0; k < offsets.size(); ++k) {
    const std::size_t target = std::min(offsets[k], text.size());
    for (; i < target; ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++cp;
    }
    cps[k] = cp;
  }
  auto lookup = [&](std::size_t b) {
    return cps[static_cast<std::size_t>(std::lower_bound(offsets.begin(), offsets.end(), b) -
                                        offsets.begin())];
  };
  std::vector<CodepointSpan> spans;
  spans.reserve(f.size());
  for (const auto& x : f) spans.push_back({lookup(x.start), lookup(x.end)});
  return spans;
}

}  // namespace sy::governance
