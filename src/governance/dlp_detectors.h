// DetectorSpec: one DLP detector as data — a Hyperscan pattern plus the post-filters that
// make it precise (edge checks, validators, nearby context words, entropy). The built-in
// table, custom detectors and imported gitleaks rules all become DetectorSpecs, and the
// Scanner compiles every spec into one database. Plain values; the table is immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "governance/dlp_config.h"

namespace sy::governance {

// Post-match validator run on the matched bytes (see dlp_validators.h).
enum class Check { None, Card, Iban, Ssn, Ipv4, Ipv6, Jwt, Phone, PhoneLocal, Email };

// What may sit right outside a match. Word: not a letter, digit or '_', and not '.', '-'
// or ':' followed by a digit (so "1.2.3.4.5" is not an IPv4 address). Token: not a
// letter, digit, '_' or '-' (a secret is the whole token). Any: the regex decides.
enum class Edge { Any, Word, Token };

// How the scanner finds where a match starts. Hyperscan reports where matches end; its
// start-of-match tracking (HS_FLAG_SOM_LEFTMOST) is slow and refuses large unbounded
// patterns, so built-in detectors say how to find the start from the end instead. Each
// rule yields the same start Hyperscan's leftmost start would.
//   Hyperscan: constant width: end - width; otherwise Hyperscan's leftmost start.
//   TokenRun:  matches are made of token characters only (Edge::Token): the start of the
//              token, kept only if the whole token up to the end matches (anchored scan).
//   Jwt:       "eyJ…" "." "eyJ…" "." signature: the leftmost "eyJ" of the first segment.
//   Lead:      the pattern starts with `lead`, which no match contains again: its last
//              occurrence before the end.
// Built-in patterns matched in code (dlp_shapes.h), never given to Hyperscan:
//   Card, Ssn, SpacedSsn, Ipv4, NanpPhone, IntlPhone, PhoneLocal: number detectors
//              (DetectorSpec::numeric), tried at the ends of digit groups;
//   Iban, Ipv6: every match found by iban_matches, ipv6_matches;
//   Email:     the pattern is "@domain", whose ends email_matches finds from each '@';
//              the start walks back from that '@' over the local part (at least one char).
enum class Start {
  Hyperscan,
  Email,
  TokenRun,
  Jwt,
  Lead,
  Ipv6,
  Card,
  Ssn,
  SpacedSsn,
  Ipv4,
  NanpPhone,
  IntlPhone,
  PhoneLocal,
  Iban
};

// Whether Hyperscan finds this start's matches (the others are matched in code).
inline bool hyperscan_matched(Start s) {
  return s == Start::Hyperscan || s == Start::TokenRun || s == Start::Jwt || s == Start::Lead;
}

struct DetectorSpec {
  std::string id;           // stable id reported with findings: "pii.email", "secret.aws"
  std::string entity_type;  // presidio names for PII, "SECRET" for credentials
  std::string pattern;      // Hyperscan syntax
  bool caseless = false;
  Edge edge = Edge::Word;
  Check check = Check::None;
  // Overlap priority: 3 checksum-validated, 2 structurally validated or distinctive,
  // 1 shape plus context only. Higher wins, then the longer span, then the leftmost.
  int rank = 2;
  // If non-empty, one of these words (lower case) must occur within kContextBefore bytes
  // before or kContextAfter bytes after the match, case-insensitively.
  std::vector<std::string> context;
  // gitleaks semantics: the rule applies only where one keyword (lower case) occurs in
  // or near the match; a match containing a stopword is dropped.
  std::vector<std::string> keywords;
  std::vector<std::string> stopwords;
  // Minimum Shannon entropy (bits per byte) of the secret token inside the match.
  double min_entropy = 0.0;
  // Extend a "-----BEGIN … PRIVATE KEY-----" header match to its END line.
  bool pem_block = false;
  Start start = Start::Hyperscan;
  std::string lead;  // Start::Lead: the literal every match begins with
  // A number detector: its start is a number rule (Card … PhoneLocal), and every match
  // ends at the end of a digit group. Built-in detectors only.
  bool numeric() const { return start >= Start::Card && start <= Start::PhoneLocal; }
};

inline constexpr std::size_t kContextBefore = 48;
inline constexpr std::size_t kContextAfter = 24;

// The built-in detectors: email, phone numbers, payment cards, IBAN, US SSN, IPv4/IPv6
// and common secrets (OpenAI, Anthropic, AWS, GitHub, Slack, Google, private keys, JWT).
const std::vector<DetectorSpec>& builtin_detectors();

// A custom detector from config as a spec: a regex as given, or the keyword list as one
// escaped alternation between word edges. Fails when the entry is malformed (no id, both
// or neither of regex and keywords); the Scanner reports patterns that do not compile.
Result<DetectorSpec> custom_detector_spec(const CustomDetector& c);

}  // namespace sy::governance
