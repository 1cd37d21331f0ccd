// Cascade checks: whether an answer from a cascade route's cheaper target is good enough
// to keep, or the request escalates to the next target (RouteStrategy::Cascade). The
// checks look at the answer's text (an answer that is only tool calls passes them all):
// json (the text is one JSON value), json_schema (it matches the request's
// response_format schema; passes when the request has none), not_refusal (it does not
// open with a refusal) and min_chars. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/config.h"

namespace sy::routing {

struct CheckFailure {
  const char* check = "";  // "json", "json_schema", "not_refusal", "min_chars"
  std::string reason;      // for the explanation: "expected number at /total, got string"
};

// Validates text against the request's schema: "" when it conforms, else why not. Null
// when the request asks for no schema.
using SchemaCheck = std::function<std::string(std::string_view)>;

// The first check `text` fails, or nothing when it passes them all.
std::optional<CheckFailure> run_checks(std::span<const CascadeCheck> checks, std::string_view text,
                                       const SchemaCheck* schema);

// Whether `text` opens (after white space) with a refusal: "I'm sorry", "I can't",
// "I cannot", "I am unable", "As an AI", … in English, case-insensitive.
bool looks_like_refusal(std::string_view text);

const char* check_name(CascadeCheck::Kind k);

}  // namespace sy::routing
