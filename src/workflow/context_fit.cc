#include "workflow/context_fit.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "routing/token_estimate.h"

namespace sy::workflow {
namespace {

using nlohmann::json;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Characters (code points) in UTF-8 text.
size_t characters(std::string_view s) {
  return static_cast<size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return !continuation(c); }));
}

// `pos` moved forward to the start of a character (or the end).
size_t next_boundary(std::string_view s, size_t pos) {
  while (pos < s.size() && continuation(s[pos])) ++pos;
  return pos;
}

std::string drop_marker(size_t chars) {
  return "[… " + std::to_string(chars) +
         " earlier characters dropped to fit the model's context window] ";
}

std::string joined(const std::vector<PromptPart>& parts) {
  std::string s;
  for (const PromptPart& p : parts) s += p.text;
  return s;
}

class Fitter {
 public:
  explicit Fitter(FitRequest& r) : r_(r) {}

  uint32_t tokens() const { return prompt_tokens(r_.parts, r_.other_tokens); }
  bool fits() const { return tokens() <= r_.budget; }

  Result<void> summarize() {
    for (PromptPart& part : r_.parts) {
      if (fits()) return {};
      if (!part.context() || routing::estimate_tokens(part.text) < kMinSummaryTokens) continue;
      const std::string original = part.text;
      std::string_view rest = original;
      std::string summary;
      int chunks = 0;
      while (!rest.empty()) {
        const size_t n = chunk_length(rest, r_.chunk_tokens);
        auto s = r_.summarize(rest.substr(0, n));
        if (!s) return std::unexpected(s.error());
        if (!summary.empty()) summary += "\n";
        summary += *s;
        rest.remove_prefix(n);
        ++chunks;
      }
      std::string text = "[summary of " + std::to_string(characters(original)) +
                         " characters, made to fit the model's context window]\n" + summary;
      json entry = {
          {"source", part.source}, {"chars_before", characters(original)}, {"chunks", chunks}};
      if (routing::estimate_tokens(text) < routing::estimate_tokens(original)) {
        part.text = std::move(text);
        entry["action"] = "summarized";
      } else {
        entry["action"] = "summary_not_shorter";  // kept as it was
      }
      entry["chars_after"] = characters(part.text);
      actions_.push_back(std::move(entry));
    }
    return {};
  }

  void drop_oldest() {
    for (PromptPart& part : r_.parts) {
      if (fits()) return;
      if (!part.context() || part.text.empty()) continue;
      const std::string original = std::move(part.text);
      const auto with_cut = [&](size_t cut) {
        cut = next_boundary(original, cut);
        return drop_marker(characters(std::string_view(original).substr(0, cut))) +
               original.substr(cut);
      };
      part.text = with_cut(original.size());
      json entry = {{"source", part.source}, {"chars_before", characters(original)}};
      if (!fits()) {
        entry["action"] = "dropped";
      } else {
        // The smallest cut that fits: cutting more never makes the prompt larger.
        size_t lo = 0, hi = original.size();  // with_cut(hi) fits; with_cut(lo) does not
        while (lo + 1 < hi) {
          const size_t mid = lo + (hi - lo) / 2;
          part.text = with_cut(mid);
          (fits() ? hi : lo) = mid;
        }
        part.text = with_cut(hi);
        entry["action"] = next_boundary(original, hi) >= original.size() ? "dropped" : "truncated";
      }
      entry["chars_after"] = characters(part.text);
      actions_.push_back(std::move(entry));
    }
  }

  json actions() const { return actions_; }

 private:
  FitRequest& r_;
  json actions_ = json::array();
};

}  // namespace

uint32_t prompt_budget(uint32_t window) { return window - std::min<uint32_t>(window / 4, 4096); }

uint32_t prompt_tokens(const std::vector<PromptPart>& parts, uint32_t other_tokens) {
  return routing::estimate_tokens(joined(parts)) + other_tokens;
}

size_t chunk_length(std::string_view text, uint32_t max_tokens) {
  // A token is rarely more than a few bytes; only a prefix of this length is searched.
  const size_t range =
      std::min<size_t>(text.size(), size_t{std::max<uint32_t>(max_tokens, 1)} * 16);
  if (range == text.size() && routing::estimate_tokens(text) <= max_tokens) return text.size();
  size_t lo = 0, hi = range;  // the prefix of lo fits; hi is the largest candidate
  if (routing::estimate_tokens(text.substr(0, hi)) <= max_tokens) {
    lo = hi;
  } else {
    while (lo + 1 < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      (routing::estimate_tokens(text.substr(0, mid)) <= max_tokens ? lo : hi) = mid;
    }
  }
  size_t n = lo;
  while (n > 0 && n < text.size() && continuation(text[n])) --n;
  if (n == 0) return next_boundary(text, 1);  // always make progress
  const size_t floor = n - n / 10;
  for (size_t i = n; i > floor; --i) {
    if (text[i - 1] == '\n' || text[i - 1] == ' ') return i;
  }
  return n;
}

Result<FitResult> fit_context(FitRequest request) {
  Fitter f(request);
  const uint32_t before = f.tokens();
  FitResult out;
  if (before <= request.budget) {
    out.parts = std::move(request.parts);
    return out;
  }
  if (request.overflow == ContextOverflow::Summarize && request.summarize) {
    if (auto r = f.summarize(); !r) {
      return fail(ErrorKind::UpstreamError, "context_overflow summarize: " + r.error().message);
    }
  }
  f.drop_oldest();
  const uint32_t after = f.tokens();
  if (after > request.budget) {
    std::vector<PromptPart> written;
    for (const PromptPart& p : request.parts) {
      if (!p.context()) written.push_back(p);
    }
    return fail(ErrorKind::InvalidRequest,
                "the prompt does not fit the model's context window (" +
                    std::to_string(request.budget) +
                    " tokens for the prompt) even with every "
                    "substituted value dropped: its own text is about " +
                    std::to_string(prompt_tokens(written, request.other_tokens)) + " tokens");
  }
  out.changed = true;
  out.detail_json = json{
      {"overflow", request.overflow == ContextOverflow::Summarize ? "summarize" : "drop_oldest"},
      {"window_budget", request.budget},
      {"tokens_before", before},
      {"tokens_after", after},
      {"parts",
       f.actions()}}.dump();
  out.parts = std::move(request.parts);
  return out;
}

}  // namespace sy::workflow
