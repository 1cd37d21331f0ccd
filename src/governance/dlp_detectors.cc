#include "governance/dlp_detectors.h"

#include <cstdio>

namespace sy::governance {
namespace {

// Words that mark a nearby number as a phone number. Generic on purpose: they describe
// how people talk about phone numbers, not any one data set.
const std::vector<std::string>& phone_context() {
  static const std::vector<std::string> words{
      "phone", "tel", "call", "mobile", "cell", "fax", "office", "home", "work", "reach",
      "contact", "dial", "sms", "text me", "whatsapp", "landline", "answer", "mob.", "ph."};
  return words;
}

std::vector<DetectorSpec> make_table() {
  std::vector<DetectorSpec> t;
  auto add = [&t](DetectorSpec s) { t.push_back(std::move(s)); };

  // --- PII ---------------------------------------------------------------------------
  add({.id = "pii.email", .entity_type = "EMAIL_ADDRESS",
       .pattern = R"(@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)", .check = Check::Email,
       .start = Start::Email});

  // Payment cards: contiguous 13–19 digits, or 4-4-4-4(-3) / 4-6-4(5) groups.
  add({.id = "pii.card", .entity_type = "CREDIT_CARD",
       .pattern = R"((?:\d{13,19}|\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{4}(?:[ \-]\d{3})?|)"
                  R"(\d{4}[ \-]\d{6}[ \-]\d{4,5}))",
       .check = Check::Card, .rank = 3, .start = Start::Card});

  // IBAN: country, check digits, then up to 30 alphanumerics, optionally in groups.
  add({.id = "pii.iban", .entity_type = "IBAN_CODE",
       .pattern = R"([A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30})", .check = Check::Iban,
       .rank = 3, .start = Start::Iban});

  add({.id = "pii.us_ssn", .entity_type = "US_SSN",
       .pattern = R"(\d{3}-\d{2}-\d{4})", .check = Check::Ssn, .start = Start::Ssn});
  // Spaced or bare nine digits look like many other numbers: only near an SSN word.
  add({.id = "pii.us_ssn_weak", .entity_type = "US_SSN", .pattern = R"(\d{3} ?\d{2} ?\d{4})",
       .check = Check::Ssn, .rank = 1,
       .context = {"ssn", "social security", "social sec", "ss#", "ss no", "taxpayer"},
       .start = Start::SpacedSsn});

  add({.id = "pii.ipv4", .entity_type = "IP_ADDRESS",
       .pattern = R"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})", .check = Check::Ipv4,
       .start = Start::Ipv4});
  add({.id = "pii.ipv6", .entity_type = "IP_ADDRESS",
       .pattern = R"([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})", .check = Check::Ipv6,
       .start = Start::Ipv6});

  // Phone numbers. North American forms and "+<country code>" forms are distinctive
  // enough alone; other national forms need a phone word nearby.
  const char* ext = R"((?: ?(?:x|ext\.?|extension) ?\d{1,6})?)";
  add({.id = "pii.phone_nanp", .entity_type = "PHONE_NUMBER",
       .pattern = std::string(R"((?:(?:\+1|001|1)[ .\-]?)?)"
                              R"((?:\(\d{3}\)[ .\-]?\d{3}[ .\-]|\d{3}[.\-]\d{3}[.\-])\d{4})") +
                  ext,
       .check = Check::Phone, .start = Start::NanpPhone});
  add({.id = "pii.phone_intl", .entity_type = "PHONE_NUMBER",
       .pattern = std::string(R"(\+\d{1,3}(?:[ .\-]?\(\d{1,4}\))?(?:[ .\-]?\d{1,5}){1,6})") + ext,
       .check = Check::Phone, .start = Start::IntlPhone});
  add({.id = "pii.phone_local", .entity_type = "PHONE_NUMBER",
       .pattern = std::string(R"((?:\(\d{1,4}\) ?)?\d{2,12}(?:[ .\-]\d{2,8}){0,4})") + ext,
       .check = Check::PhoneLocal, .rank = 1, .context = phone_context(),
       .start = Start::PhoneLocal});

  // --- Secrets -----------------------------------------------------------------------
  add({.id = "secret.openai", .entity_type = "SECRET",
       .pattern = R"(sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|)"
                  R"([A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48}))",
       .edge = Edge::Token, .min_entropy = 3.5, .start = Start::TokenRun});
  add({.id = "secret.anthropic", .entity_type = "SECRET",
       .pattern = R"(sk-ant-(?:api|admin|sid|oat|ort)\d{2}-[A-Za-z0-9_\-]{32,})",
       .edge = Edge::Token, .min_entropy = 3.5, .start = Start::TokenRun});
  add({.id = "secret.aws_access_key_id", .entity_type = "SECRET",
       .pattern = R"((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA))"
                  R"([A-Z2-7]{16})",
       .edge = Edge::Token, .min_entropy = 3.0});
  add({.id = "secret.github", .entity_type = "SECRET",
       .pattern = R"((?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}))",
       .edge = Edge::Token, .min_entropy = 3.0, .start = Start::TokenRun});
  add({.id = "secret.slack", .entity_type = "SECRET",
       .pattern = R"(xox[abposre]-[0-9A-Za-z\-]{10,})", .edge = Edge::Token,
       .min_entropy = 3.0, .start = Start::TokenRun});
  add({.id = "secret.slack_webhook", .entity_type = "SECRET",
       .pattern = R"(hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,})",
       .edge = Edge::Token, .start = Start::Lead, .lead = "hooks.slack.com/"});
  add({.id = "secret.google_api_key", .entity_type = "SECRET",
       .pattern = R"(AIza[0-9A-Za-z_\-]{35})", .edge = Edge::Token, .min_entropy = 3.0});
  add({.id = "secret.private_key", .entity_type = "SECRET",
       .pattern = R"(-----BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)?-----)", .edge = Edge::Any,
       .pem_block = true, .start = Start::Lead, .lead = "-----BEGIN"});
  add({.id = "secret.jwt", .entity_type = "SECRET",
       .pattern = R"(eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)",
       .edge = Edge::Token, .check = Check::Jwt, .start = Start::Jwt});
  return t;
}

}  // namespace

Result<DetectorSpec> custom_detector_spec(const CustomDetector& c) {
  const std::string where = "dlp.custom." + (c.id.empty() ? std::string("?") : c.id);
  if (c.id.empty()) return fail(ErrorKind::InvalidRequest, "dlp custom detector without an id");
  if (c.entity_type.empty()) {
    return fail(ErrorKind::InvalidRequest, where + ": entity_type is required");
  }
  if (c.regex.empty() == c.keywords.empty()) {
    return fail(ErrorKind::InvalidRequest, where + ": set exactly one of regex and keywords");
  }
  DetectorSpec s{.id = c.id, .entity_type = c.entity_type, .caseless = c.case_insensitive,
                 .edge = Edge::Any, .rank = 2};
  if (!c.regex.empty()) {
    s.pattern = c.regex;
    return s;
  }
  // Keywords: literal text, so every regex metacharacter is escaped; \b keeps
  // "secret" from firing inside "secretary" (for keywords that start/end with a word char).
  std::string alt;
  for (const auto& k : c.keywords) {
    if (k.empty()) return fail(ErrorKind::InvalidRequest, where + ": empty keyword");
    if (!alt.empty()) alt += '|';
    for (char ch : k) {
      const bool plain = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= 'a' && ch <= 'z') || ch == '_' ||
                         static_cast<unsigned char>(ch) >= 0x80;
      if (ch == ' ') {
        alt += "\\s+";
      } else if (plain) {
        alt += ch;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(ch));
        alt += buf;
      }
    }
  }
  s.pattern = "(?:" + alt + ")";
  s.edge = Edge::Token;
  return s;
}

const std::vector<DetectorSpec>& builtin_detectors() {
  static const std::vector<DetectorSpec> table = make_table();
  return table;
}

}  // namespace sy::governance
