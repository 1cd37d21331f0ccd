#include "core/ecma_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

namespace sy {
namespace {

// Backtracking budget per search: plenty for the patterns schemas use (formats, ids,
// dates), small enough that "(a+)+$" against a long string fails in milliseconds.
constexpr uint32_t kMatchLimit = 200'000;
constexpr uint32_t kDepthLimit = 10'000;

}  // namespace

struct EcmaRegex::Code {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  ~Code() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

EcmaRegex::Scratch::Scratch() : match_data_(pcre2_match_data_create(1, nullptr)) {}

EcmaRegex::Scratch::~Scratch() {
  pcre2_match_data_free(static_cast<pcre2_match_data*>(match_data_));
}

Result<EcmaRegex> EcmaRegex::compile(std::string_view pattern) {
  std::unique_ptr<pcre2_compile_context, decltype(&pcre2_compile_context_free)> cctx(
      pcre2_compile_context_create(nullptr), &pcre2_compile_context_free);
  if (!cctx) return fail(ErrorKind::Internal, "out of memory compiling a pattern");
  // \u{XXXXX} as in ECMA-262 with the u flag, besides \uXXXX (PCRE2_ALT_BSUX).
  pcre2_set_compile_extra_options(cctx.get(), PCRE2_EXTRA_ALT_BSUX);
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_ALT_BSUX | PCRE2_DOLLAR_ENDONLY, &code, &offset, cctx.get());
  if (re == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(code, message, sizeof message);
    return fail(ErrorKind::InvalidRequest,
                fmt::format("invalid regular expression \"{}\": {} at offset {}", pattern,
                            reinterpret_cast<const char*>(message), offset));
  }
  auto compiled = std::make_shared<Code>();
  compiled->code = re;
  pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when unavailable
  compiled->context = pcre2_match_context_create(nullptr);
  if (compiled->context == nullptr) return fail(ErrorKind::Internal, "out of memory");
  pcre2_set_match_limit(compiled->context, kMatchLimit);
  pcre2_set_depth_limit(compiled->context, kDepthLimit);
  return EcmaRegex(std::string(pattern), std::move(compiled));
}

EcmaRegex::Match EcmaRegex::search(std::string_view subject, Scratch& scratch) const {
  const int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, PCRE2_NO_UTF_CHECK,
                             static_cast<pcre2_match_data*>(scratch.match_data_), code_->context);
  if (rc >= 0) return Match::Yes;  // 0: matched, ovector too small for the groups
  if (rc == PCRE2_ERROR_NOMATCH) return Match::No;
  return Match::TooComplex;  // match or depth limit, JIT stack exhausted
}

}  // namespace sy
