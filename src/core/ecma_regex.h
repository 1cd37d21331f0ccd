// EcmaRegex: one ECMA-262 regular expression (as JSON Schema's `pattern` and
// `patternProperties` use them) compiled with PCRE2 in UTF mode, JIT-compiled where the
// platform allows. Matching is unanchored ("a" matches "cat"), \d and \w are ASCII as in
// ECMA-262, `$` matches only at the very end, and \uXXXX escapes work.
//
// Compiled once, immutable afterwards: search() may run on many threads at once, each with
// its own EcmaRegex::Scratch. A backtracking budget stops catastrophic patterns: search()
// then reports TooComplex instead of spinning.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace sy {

class EcmaRegex {
 public:
  enum class Match { Yes, No, TooComplex };

  // Per-thread match state; reusable across regexes.
  class Scratch {
   public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class EcmaRegex;
    void* match_data_;  // pcre2_match_data_8*
  };

  // Fails with the PCRE2 message and the offset of the problem in the pattern.
  static Result<EcmaRegex> compile(std::string_view pattern);

  // `subject` must be valid UTF-8 (JSON strings parsed by simdjson are).
  Match search(std::string_view subject, Scratch& scratch) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  EcmaRegex(std::string pattern, std::shared_ptr<const Code> code)
      : pattern_(std::move(pattern)), code_(std::move(code)) {}

  std::string pattern_;
  std::shared_ptr<const Code> code_;
};

}  // namespace sy
