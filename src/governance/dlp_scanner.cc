#include "governance/dlp_scanner.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>

#include "governance/dlp_shapes.h"
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
    case Check::PhoneLocal:  // accept() adds the short number rule
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

bool is_email_local(char c) { return is_word(c) || c == '.' || c == '%' || c == '+' || c == '-'; }

int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned /*flags*/,
             void* ctx) {
  static_cast<std::vector<DlpScratch::RawMatch>*>(ctx)->push_back({id, from, to});
  return 0;
}

int on_context_word(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  static_cast<std::vector<DlpScratch::ContextHit>*>(ctx)->push_back(
      {static_cast<std::size_t>(to), id});
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

// The walk-back rule of a number detector's Start (dlp_shapes.h).
using NumberRule = std::size_t (*)(std::string_view, std::size_t);
NumberRule number_rule(Start s) {
  switch (s) {
    case Start::Card:
      return card_start;
    case Start::Ssn:
      return ssn_start;
    case Start::SpacedSsn:
      return spaced_ssn_start;
    case Start::Ipv4:
      return ipv4_start;
    case Start::NanpPhone:
      return nanp_phone_start;
    case Start::IntlPhone:
      return intl_phone_start;
    default:
      return local_phone_start;  // Start::PhoneLocal
  }
}

}  // namespace

DlpScratch::~DlpScratch() {
  if (hs_) hs_free_scratch(hs_);
}

Scanner::~Scanner() {
  if (db_) hs_free_database(db_);
  if (context_db_) hs_free_database(context_db_);
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
  // The context words of number detectors: a database of their own (one caseless literal
  // each, id = index), scanned only around number matches that need one.
  {
    std::vector<std::string> words;
    for (std::size_t i = 0; i < ok.size(); ++i) {
      if (!ok[i].numeric()) continue;
      for (const auto& w : ok[i].context) {
        words.push_back(escaped_literal(w));
        s->context_words_.push_back({static_cast<unsigned>(i), w.size()});
      }
    }
    std::vector<const char*> exprs;
    std::vector<unsigned> ids, fl;
    for (std::size_t k = 0; k < words.size(); ++k) {
      exprs.push_back(words[k].c_str());
      ids.push_back(static_cast<unsigned>(k));
      fl.push_back(HS_FLAG_CASELESS);
    }
    hs_compile_error_t* err = nullptr;
    if (!exprs.empty() &&
        hs_compile_multi(exprs.data(), fl.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                         HS_MODE_BLOCK, nullptr, &s->context_db_, &err) != HS_SUCCESS) {
      std::string reason = err ? err->message : "unknown error";
      hs_free_compile_error(err);
      return fail(ErrorKind::Internal, "dlp context words: " + reason, "context");
    }
  }
  // One database for every detector Hyperscan matches. A gitleaks rule that still fails
  // (for example SOM on a pattern too large for it) is reported and removed, and the rest
  // compiled again.
  while (true) {
    std::vector<const char*> exprs;
    std::vector<unsigned> ids, fl;
    for (std::size_t i = 0; i < ok.size(); ++i) {
      if (!hyperscan_matched(ok[i].start)) continue;
      exprs.push_back(ok[i].pattern.c_str());
      ids.push_back(static_cast<unsigned>(i));
      fl.push_back(flags[i]);
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
    if (bad < 0 || !is_gitleaks(ok[static_cast<std::size_t>(bad)])) {
      const std::string who = bad < 0 ? "database" : ok[static_cast<std::size_t>(bad)].id;
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
  for (std::size_t i = 0; i < ok.size(); ++i) {
    if (ok[i].numeric() && !ok[i].context.empty()) {
      s->context_rank_ = std::max(s->context_rank_, ok[i].rank);
    }
    if (ok[i].numeric()) {
      const auto rule = static_cast<unsigned>(ok[i].start);
      s->numeric_rules_ |= 1u << rule;
      s->numeric_by_rule_[rule].push_back(static_cast<unsigned>(i));
    }
    if (ok[i].start == Start::Iban) s->iban_.push_back(static_cast<unsigned>(i));
    if (ok[i].start == Start::Ipv6) s->ipv6_.push_back(static_cast<unsigned>(i));
    if (ok[i].start == Start::Email) s->email_.push_back(static_cast<unsigned>(i));
  }
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
    case Start::Email: {  // `start` is the '@' (email_matches)
      const std::size_t at = start;
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
    case Start::Card:
    case Start::Ssn:
    case Start::SpacedSsn:
    case Start::Ipv4:
    case Start::NanpPhone:
    case Start::IntlPhone:
    case Start::PhoneLocal:
      start = number_rule(d.start)(text, end);
      return start != std::string_view::npos;
    case Start::Iban:
    case Start::Ipv6:
      return true;  // iban_matches and ipv6_matches give the start with the match
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

bool Scanner::accept(std::string_view text, unsigned id, std::size_t& start,
                     std::size_t& end) const {
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
  if (d.check == Check::PhoneLocal) {
    const std::size_t digits = phone_shape_digits(m);
    if (digits == 0 || (digits < 7 && !short_phone_tail_ok(text.substr(end)))) return false;
  } else if (!run_check(d.check, m)) {
    return false;
  }
  // Number detectors' context words are checked by match_numbers, all at once.
  if (!d.context.empty() && !d.numeric() &&
      !any_near(text, start, end, d.context, kContextBefore, kContextAfter)) {
    return false;
  }
  if (!d.keywords.empty() && !any_near(text, start, end, d.keywords, 64, 16)) return false;
  if (d.min_entropy > 0.0 && shannon_entropy(secret_token(m)) < d.min_entropy) return false;
  for (const auto& stop : d.stopwords) {
    if (contains_ci(secret_token(m), stop)) return false;
  }
  return true;
}

namespace {

// Classes of the byte just before a digit group, for plausible_number_rules.
enum : unsigned char { kSpace = 1, kDash = 2, kDot = 4, kClose = 8, kPlus = 16 };
constexpr std::array<unsigned char, 256> kBefore = [] {
  std::array<unsigned char, 256> t{};
  t[' '] = kSpace;
  t['-'] = kDash;
  t['.'] = kDot;
  t[')'] = kClose;
  t['+'] = kPlus;
  return t;
}();

// Whether the digit group starting at `at` can be the digits of a phone extension
// " ?(?:x|ext\.?|extension) ?\d{1,6}" that follows a digit (a phone's main part ends in
// one).
bool extension_before(std::string_view t, std::size_t at) {
  const std::size_t p = at > 0 && t[at - 1] == ' ' ? at - 1 : at;
  if (p < 2) return false;
  std::string_view word;  // the one word that can end at p, known by its last byte
  switch (t[p - 1]) {
    case 'x':
      word = "x";
      break;
    case 't':
      word = "ext";
      break;
    case '.':
      word = "ext.";
      break;
    case 'n':
      word = "extension";
      break;
    default:
      return false;
  }
  if (p < word.size() + 1 || std::memcmp(t.data() + p - word.size(), word.data(), word.size())) {
    return false;
  }
  const std::size_t q = p - word.size();
  return is_digit(t[q - 1]) || (t[q - 1] == ' ' && q >= 2 && is_digit(t[q - 2]));
}

// Bit (1 << Start) set for each number rule that may have a match ending at g.end: each
// rule's necessary conditions on the group's length, the two bytes before it, `prev_len`,
// the length of the group before it when one byte separates them (else 0), `chain`, the
// digits in this group and the groups before it joined by " .-()" gaps of one or two
// bytes (every digit of a match but its extension lies in that chain; phones need 6,
// SSNs 9, cards 13), and `local_chain`, the same for pii.phone_local's pattern: groups
// joined by one of " .-", after at most one "(group)" or "(group) " (never more than
// `chain`). A test that cannot reject a real match, and rejects most ends.
// Written without short-circuits: the conditions are cheap, branches on them are not.
unsigned plausible_number_rules(std::string_view t, const DigitGroup& g, std::size_t prev_len,
                                std::size_t chain, std::size_t local_chain, bool plus_near) {
  const std::size_t len = g.end - g.start;
  const bool ext = len <= 6 && extension_before(t, g.start);
  if (chain < 6 && !ext) {  // most groups: too few digits for any rule but IPv4's
    const bool ipv4 = chain >= 4 && len <= 3 && g.start > 0 && t[g.start - 1] == '.';
    return static_cast<unsigned>(ipv4) << static_cast<unsigned>(Start::Ipv4);
  }
  const unsigned c1 = g.start > 0 ? kBefore[static_cast<unsigned char>(t[g.start - 1])] : 0u;
  const bool space = c1 == kSpace;
  const bool sep = (c1 & (kSpace | kDash | kDot)) != 0;
  // A match that would start inside a longer group fails the edge rule: hence the upper
  // bounds on len (19 for cards, 9 for bare SSNs, 12 for local phones).
  const bool card = (chain >= 13) & (((len >= 13) & (len <= 19)) |
                                     ((len - 3 <= 2) & ((c1 & (kSpace | kDash)) != 0)));
  const bool ssn = (chain >= 9) & (len == 4) & (c1 == kDash);
  const bool spaced_ssn_shape =
      ((len == 4) & ((prev_len == 2) | (prev_len == 5))) | ((len == 6) & (prev_len == 3));
  const bool spaced_ssn = (chain >= 9) & ((spaced_ssn_shape & space) | (len == 9));
  const bool ipv4 = (chain >= 4) & (len <= 3) & ((c1 & kDot) != 0);
  const bool nanp = ((chain >= 10) & (len == 4) & (prev_len == 3) & sep) | ext;
  const bool intl = plus_near & (((chain >= 6) & (sep | ((c1 & (kClose | kPlus)) != 0))) | ext);
  const bool local = ((local_chain >= 6) & (len >= 2) & (len <= 12)) | ext;
  auto bit = [](Start s, bool on) { return static_cast<unsigned>(on) << static_cast<unsigned>(s); };
  return bit(Start::Card, card) | bit(Start::Ssn, ssn) | bit(Start::SpacedSsn, spaced_ssn) |
         bit(Start::Ipv4, ipv4) | bit(Start::NanpPhone, nanp) | bit(Start::IntlPhone, intl) |
         bit(Start::PhoneLocal, local);
}

// Candidates in text order: by start, then end.
constexpr auto by_start = [](const auto& a, const auto& b) {
  return a.start != b.start ? a.start < b.start : a.end < b.end;
};

// Which of two overlapping candidates is kept: higher rank first, then longer, then
// leftmost (then the lower detector index, so the order is total).
template <typename C>
bool has_priority(const C& a, const C& b) {
  if (a.rank != b.rank) return a.rank > b.rank;
  if (a.end - a.start != b.end - b.start) return a.end - a.start > b.end - b.start;
  if (a.start != b.start) return a.start < b.start;
  return a.id < b.id;
}

// Where the cluster of overlapping candidates that starts at cands[i] ends (cands sorted by
// start): the first candidate that starts at or past every end before it.
template <typename C>
std::size_t cluster_end(const std::vector<C>& cands, std::size_t i) {
  std::size_t j = i + 1;
  for (std::size_t reach = cands[i].end; j < cands.size() && cands[j].start < reach; ++j) {
    reach = std::max(reach, cands[j].end);
  }
  return j;
}

// Sorts v by `less` when v[0, runs[0]), v[runs[0], runs[1]), … (runs ascending, the last
// v.size()) each come nearly in order: an insertion sort of each run (std::sort for one
// that is not nearly in order after all), then the runs merged through `buffer`.
template <typename T, typename Less>
void sort_runs(std::vector<T>& v, const std::vector<std::size_t>& runs, std::vector<T>& buffer,
               Less less) {
  std::size_t from = 0;
  for (const std::size_t to : runs) {
    std::size_t moved = 0;
    for (std::size_t i = from + 1; i < to; ++i) {
      if (!less(v[i], v[i - 1])) continue;
      const T x = v[i];
      std::size_t j = i;
      do {
        v[j] = v[j - 1];
        --j;
      } while (j > from && less(x, v[j - 1]));
      v[j] = x;
      moved += i - j;
      if (moved > 8 * (to - from)) {
        std::sort(v.begin() + static_cast<std::ptrdiff_t>(from),
                  v.begin() + static_cast<std::ptrdiff_t>(to), less);
        break;
      }
    }
    if (from > 0 && from < to) {  // merge the sorted v[0, from) with this run
      buffer.resize(to);
      std::merge(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(from),
                 v.begin() + static_cast<std::ptrdiff_t>(from),
                 v.begin() + static_cast<std::ptrdiff_t>(to), buffer.begin(), less);
      std::copy(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(to), v.begin());
    }
    from = to;
  }
}

// Whether text[from, to) may sit between two digit groups of one number: one or two of
// " .-()".
constexpr std::array<bool, 256> kGap = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {' ', '.', '-', '(', ')'}) t[c] = true;
  return t;
}();
bool number_gap(std::string_view t, std::size_t from, std::size_t to) {
  return to - from - 1 <= 1 && kGap[static_cast<unsigned char>(t[from])] &&
         kGap[static_cast<unsigned char>(t[to - 1])];
}

}  // namespace

// The number detectors, at every end of a digit group (every number pattern ends in a
// digit, and a digit right after the end fails the edge rule): each detector's rule finds
// the leftmost match ending there, then the usual post-filters. Cheap tests first: the
// edge rule once per end, each rule's necessary shape and digit count
// (plausible_number_rules) and a '+' within reach for international numbers. Detectors
// that need a context word are only noted (deferred_) for match_context_numbers.
void Scanner::match_numbers(std::string_view text, DlpScratch& scratch) const {
  // Longer than any match of a number detector: "(1234) " + 12 digits + four groups of
  // 9, and an extension " extension 123456".
  constexpr std::size_t kLongestNumber = 7 + 12 + 4 * 9 + 17;
  const std::size_t n = text.size();
  auto& deferred = scratch.deferred_;
  deferred.clear();
  std::size_t last_plus = std::string_view::npos, next_plus = 0;
  auto find_plus = [&](std::size_t from) {
    const void* p = from < n ? std::memchr(text.data() + from, '+', n - from) : nullptr;
    return p ? static_cast<std::size_t>(static_cast<const char*>(p) - text.data()) : n;
  };
  next_plus = find_plus(0);
  std::size_t chain = 0, local_chain = 0, prev_start = 0, prev_end = 0;
  for (const DigitGroup g : scratch.groups_) {
    const std::size_t e = g.end;
    const std::size_t len = e - g.start;
    const bool joined = prev_end > 0 && number_gap(text, prev_end, g.start);
    chain = (joined ? chain : 0) + len;
    const std::size_t prev_len =
        prev_end > 0 && prev_end + 1 == g.start ? prev_end - prev_start : 0;
    const char after_prev = joined ? text[prev_end] : '\0';
    local_chain = len + (!joined                             ? 0
                         : after_prev == ')'                 ? prev_end - prev_start
                         : prev_len > 0 && after_prev != '(' ? local_chain
                                                             : 0);
    prev_start = g.start;
    prev_end = e;
    while (next_plus < e) {
      last_plus = next_plus;
      next_plus = find_plus(next_plus + 1);
    }
    const bool plus_near = last_plus != std::string_view::npos && e - last_plus <= kLongestNumber;
    const unsigned rules = plausible_number_rules(text, g, prev_len, chain, local_chain, plus_near);
    if (rules == 0) continue;
    const bool word_joined = e < n && joins(text, e, +1, Edge::Word);
    for (unsigned todo = rules & numeric_rules_; todo != 0; todo &= todo - 1) {
      for (unsigned id : numeric_by_rule_[static_cast<std::size_t>(__builtin_ctz(todo))]) {
        const DetectorSpec& d = specs_[id];
        if (d.edge == Edge::Word ? word_joined
                                 : d.edge != Edge::Any && e < n && joins(text, e, +1, d.edge)) {
          continue;
        }
        if (!d.context.empty()) {
          deferred.push_back({e, id});
          continue;
        }
        std::size_t start = 0, end = e;
        if (!find_start(text, id, end, start, scratch)) continue;
        if (!accept(text, id, start, end)) continue;
        scratch.candidates_.push_back({start, end, id, d.rank});
      }
    }
  }
}

// The deferred number matches, which need a context word. One that ends inside a
// candidate that is sure to be kept and ranks above every such detector (context_rank_)
// would lose to it whatever its context: dropped before its start, post-filters and
// context are looked for. (Sure: no other candidate with priority over it overlaps it;
// the deferred ones rank lower, so they cannot change that.) The others' context words
// are looked for in the windows around them, merged where they overlap and laid end to
// end with a NUL between (no word holds one), in one Hyperscan scan. (Scanning the whole
// text for these short, common words costs more, and so does a scan per window.) Kept
// matches are appended to candidates_, which must be sorted by start and stays so.
Result<void> Scanner::match_context_numbers(std::string_view text, DlpScratch& scratch) const {
  const std::size_t n = text.size();
  auto& cands = scratch.candidates_;
  // Sure-kept candidates of higher rank, by start: per cluster of overlapping candidates
  // (capped, to keep this linear on hostile text), those no other candidate of the
  // cluster with priority over them overlaps.
  auto& sure = scratch.sure_;
  sure.clear();
  constexpr std::size_t kLargestCluster = 64;
  for (std::size_t i = 0; i < cands.size();) {
    const std::size_t j = cluster_end(cands, i);
    for (std::size_t k = i; k < j && j - i <= kLargestCluster; ++k) {
      const auto& c = cands[k];
      if (c.rank <= context_rank_) continue;
      bool kept = true;
      for (std::size_t m = i; m < j && kept; ++m) {
        const auto& o = cands[m];
        kept = m == k || o.start >= c.end || c.start >= o.end || !has_priority(o, c);
      }
      if (kept) sure.push_back({c.start, c.end});
    }
    i = j;
  }
  auto& pending = scratch.pending_;
  pending.clear();
  std::size_t next_sure = 0, reach = 0;  // the furthest end of a sure one starting before
  for (const auto& [e, id] : scratch.deferred_) {
    for (; next_sure < sure.size() && sure[next_sure].start < e; ++next_sure) {
      reach = std::max(reach, sure[next_sure].end);
    }
    if (reach >= e) continue;  // a sure candidate holds text[e - 1], as every match here
    std::size_t start = 0, end = e;
    if (!find_start(text, id, end, start, scratch)) continue;
    if (!accept(text, id, start, end)) continue;
    pending.push_back({start, end, id, specs_[id].rank});
  }
  if (pending.empty()) return {};
  std::sort(pending.begin(), pending.end(),
            [](const auto& a, const auto& b) { return a.start < b.start; });
  auto& joined_text = scratch.windows_text_;
  auto& windows = scratch.windows_;
  joined_text.clear();
  windows.clear();
  std::size_t lo = 0, hi = 0;
  auto add_window = [&] {
    if (hi <= lo) return;
    windows.push_back({joined_text.size(), lo});
    joined_text.append(text.data() + lo, hi - lo);
    joined_text.push_back('\0');
  };
  for (const auto& c : pending) {
    const std::size_t from = c.start > kContextBefore ? c.start - kContextBefore : 0;
    const std::size_t to = std::min(n, c.end + kContextAfter);
    if (from <= hi && hi > lo) {
      hi = std::max(hi, to);
      continue;
    }
    add_window();
    lo = from;
    hi = to;
  }
  add_window();
  auto& hits = scratch.context_hits_;
  hits.clear();
  if (joined_text.size() > UINT_MAX) {
    return fail(ErrorKind::PayloadTooLarge, "dlp: text over 4 GiB");
  }
  if (hs_scan(context_db_, joined_text.data(), static_cast<unsigned>(joined_text.size()), 0,
              scratch.hs_, on_context_word, &hits) != HS_SUCCESS) {
    return fail(ErrorKind::Internal, "dlp: Hyperscan scan failed");
  }
  // Back to text offsets: a word lies inside one window, the one holding its last byte.
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.end < b.end; });
  std::size_t w = 0;
  for (auto& h : hits) {
    while (w + 1 < windows.size() && windows[w + 1].joined_at < h.end) ++w;
    h.end = h.end - windows[w].joined_at + windows[w].text_at;
  }
  auto& runs = scratch.runs_;
  runs.assign(1, cands.size());
  for (const auto& c : pending) {
    if (context_near(c.id, c.start, c.end, scratch)) cands.push_back(c);
  }
  runs.push_back(cands.size());
  sort_runs(cands, runs, scratch.merged_, by_start);
  return {};
}

Result<void> Scanner::scan(std::string_view text, DlpScratch& scratch,
                           std::vector<Finding>& out) const {
  if ((db_ == nullptr && numeric_rules_ == 0 && iban_.empty() && ipv6_.empty() && email_.empty()) ||
      text.empty()) {
    return {};
  }
  if (text.size() > UINT_MAX) return fail(ErrorKind::PayloadTooLarge, "dlp: text over 4 GiB");
  if (scratch.prepared_for_ != serial_) {
    for (const hs_database* db : {db_, context_db_}) {
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
  // Each source gives its candidates nearly in text order; runs_ says where each one's end.
  auto& runs = scratch.runs_;
  runs.clear();
  std::array<std::size_t, 4> raw_runs{};  // in raw_: Hyperscan's, IBAN's, IPv6's, e-mail's
  raw_runs[0] = scratch.raw_.size();
  // IBAN, IPv6 and e-mail domains, matched in code: raw matches as Hyperscan's, a run each.
  if (!iban_.empty() || numeric_rules_ != 0) scratch.groups_.find(text);
  std::size_t next_run = 1;
  auto add_shapes = [&](const std::vector<unsigned>& ids, auto find) {
    scratch.shapes_.clear();
    if (!ids.empty()) find();
    for (unsigned id : ids) {
      for (const auto& m : scratch.shapes_) scratch.raw_.push_back({id, m.start, m.end});
    }
    raw_runs[next_run++] = scratch.raw_.size();
  };
  add_shapes(iban_, [&] { iban_matches(text, scratch.groups_, scratch.shapes_); });
  add_shapes(ipv6_, [&] { ipv6_matches(text, scratch.shapes_); });
  add_shapes(email_, [&] { email_matches(text, scratch.shapes_); });
  auto& cands = scratch.candidates_;
  cands.clear();
  for (std::size_t i = 0, run = 0; i < scratch.raw_.size(); ++i) {
    for (; run < raw_runs.size() && raw_runs[run] == i; ++run) runs.push_back(cands.size());
    const auto& r = scratch.raw_[i];
    std::size_t end = static_cast<std::size_t>(r.to);
    std::size_t start = static_cast<std::size_t>(r.from);
    const DetectorSpec& d = specs_[r.id];
    // The right edge first: it needs no start, and rejects most partial matches.
    if (d.edge != Edge::Any && end < text.size() && joins(text, end, +1, d.edge)) continue;
    if (!find_start(text, r.id, end, start, scratch)) continue;
    if (!accept(text, r.id, start, end)) continue;
    cands.push_back({start, end, r.id, d.rank});
  }
  runs.push_back(cands.size());
  scratch.deferred_.clear();
  if (numeric_rules_ != 0) match_numbers(text, scratch);
  runs.push_back(cands.size());
  sort_runs(cands, runs, scratch.merged_, by_start);
  if (!scratch.deferred_.empty()) {
    if (auto r = match_context_numbers(text, scratch); !r) return r;
  }
  // Overlaps: higher rank first, then longer, then leftmost; keep what does not overlap.
  // Whether a candidate is kept depends only on the candidates it overlaps, so this runs
  // per cluster of overlapping candidates (usually one or two), in text order.
  auto& acc = scratch.accepted_;
  for (std::size_t i = 0; i < cands.size();) {
    const std::size_t j = cluster_end(cands, i);
    if (j - i > 1)
      std::sort(cands.begin() + static_cast<std::ptrdiff_t>(i),
                cands.begin() + static_cast<std::ptrdiff_t>(j),
                has_priority<DlpScratch::Candidate>);
    acc.clear();  // kept, by start
    for (std::size_t k = i; k < j; ++k) {
      const auto& c = cands[k];
      auto it = std::lower_bound(acc.begin(), acc.end(), c.start,
                                 [](const auto& a, std::size_t v) { return a.start < v; });
      if (it != acc.end() && it->start < c.end) continue;
      if (it != acc.begin() && std::prev(it)->end > c.start) continue;
      acc.insert(it, c);
    }
    for (const auto& a : acc) {
      const DetectorSpec& d = specs_[a.id];
      out.push_back({d.entity_type, d.id, a.start, a.end});
    }
    i = j;
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
