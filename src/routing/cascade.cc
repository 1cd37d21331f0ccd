#include "routing/cascade.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sy::routing {
namespace {

std::string_view trim_left(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != static_cast<unsigned char>(prefix[i])) return false;
  }
  return true;
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string json_error(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  auto doc = parser.parse(padded);
  if (doc.error()) return simdjson::error_message(doc.error());
  return {};
}

}  // namespace

const char* check_name(CascadeCheck::Kind k) {
  switch (k) {
    case CascadeCheck::Json: return "json";
    case CascadeCheck::JsonSchema: return "json_schema";
    case CascadeCheck::MinChars: return "min_chars";
    case CascadeCheck::NotRefusal: return "not_refusal";
  }
  return "?";
}

bool looks_like_refusal(std::string_view text) {
  // Lower-case prefixes; the apostrophe also comes typographic (U+2019).
  static constexpr std::array<std::string_view, 16> kOpenings = {
      "i'm sorry", "i\xe2\x80\x99m sorry", "i am sorry", "sorry, i can", "i can't", "i can\xe2\x80\x99t",
      "i cannot", "i'm unable", "i\xe2\x80\x99m unable", "i am unable", "i'm not able",
      "i\xe2\x80\x99m not able", "i am not able", "as an ai", "i won't", "i will not"};
  const std::string_view t = trim_left(text);
  return std::any_of(kOpenings.begin(), kOpenings.end(),
                     [&](std::string_view p) { return starts_with_nocase(t, p); });
}

std::optional<CheckFailure> run_checks(std::span<const CascadeCheck> checks, std::string_view text,
                                       const SchemaCheck* schema) {
  for (const auto& c : checks) {
    switch (c.kind) {
      case CascadeCheck::Json:
        if (std::string e = json_error(text); !e.empty()) return CheckFailure{"json", "not JSON: " + e};
        break;
      case CascadeCheck::JsonSchema:
        if (schema == nullptr || !*schema) break;
        if (std::string e = (*schema)(text); !e.empty()) return CheckFailure{"json_schema", std::move(e)};
        break;
      case CascadeCheck::MinChars:
        if (const size_t n = code_points(text); n < c.min_chars) {
          return CheckFailure{"min_chars", fmt::format("{} characters, fewer than {}", n, c.min_chars)};
        }
        break;
      case CascadeCheck::NotRefusal:
        if (looks_like_refusal(text)) {
          return CheckFailure{"not_refusal", "the answer opens with a refusal: \"" +
                                                 std::string(trim_left(text).substr(0, 40)) + "\""};
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace sy::routing
