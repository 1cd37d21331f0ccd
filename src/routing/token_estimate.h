// Token count of a prompt, estimated from its bytes in one pass, without a vocabulary,
// so that the context-window filter can run on every request. The estimate errs high:
// on the shared English and code corpora it is never below the true o200k_base or
// cl100k_base count (tests/e2e/token_estimate.test.mjs measures it; docs/routing.md has
// the numbers). Anthropic's and Gemini's tokenizers are not public and were not measured.
//
// The model follows how BPE tokenizers pre-split text (words with their leading space,
// digits in groups of three, punctuation runs, whitespace runs, newlines):
//   - a word (ASCII letters; a capital after a small letter starts a new one) costs 1,
//     1.5 when it starts with a capital (names split more), plus 1/4 for each letter
//     after the third (rare and long words split into pieces);
//   - a number costs 1, plus 1/3 for each digit after its first (tokenizers take digits
//     by threes); a space before it costs 1 (numbers take no leading space);
//   - a punctuation byte costs 1, 1/2 when it follows another;
//   - a newline costs 1; a run of two or more spaces or tabs costs 1 (the last joins
//     the next word);
//   - a non-ASCII character costs by its UTF-8 lead byte, that is by script: 1/2 for
//     Latin accents, 5/8 for Cyrillic, 1 1/8 for Greek, 1 1/4 for Hebrew and Arabic,
//     1 3/8 for CJK and Hangul, 1 1/2 for Indic and Thai, 2 1/2 for emoji.
// The rules are bit-mask operations over 64 bytes at a time (SSE2 class masks), so a
// prompt costs about a memchr's worth of passes; tests/routing/choose_test.cc checks the
// result against the rules applied one byte at a time. Pure; thread-safe; no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace sy::routing {

uint32_t estimate_tokens(std::string_view text);

}  // namespace sy::routing
