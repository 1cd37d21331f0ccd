#include "providers/model_family.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace sy::providers {
namespace {

// prefix, context, max output, tools, vision, json_schema, quality, {task overrides}
constexpr ModelFamily kFamilies[] = {
    {"gpt-5-nano", 400'000, 128'000, true, true, true, 0.70f, {{"code", 0.70f}, {"math", 0.78f}}},
    {"gpt-5-mini", 400'000, 128'000, true, true, true, 0.84f, {{"code", 0.84f}, {"math", 0.88f}}},
    {"gpt-5", 400'000, 128'000, true, true, true, 0.92f, {{"code", 0.93f}, {"math", 0.94f}, {"reasoning", 0.93f}}},
    {"gpt-4.1-nano", 1'047'576, 32'768, true, true, true, 0.64f, {{"math", 0.60f}}},
    {"gpt-4.1-mini", 1'047'576, 32'768, true, true, true, 0.78f, {{"code", 0.78f}}},
    {"gpt-4.1", 1'047'576, 32'768, true, true, true, 0.87f, {{"code", 0.90f}, {"math", 0.82f}}},
    {"gpt-4o-mini", 128'000, 16'384, true, true, true, 0.70f, {{"math", 0.66f}, {"reasoning", 0.65f}}},
    {"gpt-4o", 128'000, 16'384, true, true, true, 0.84f, {{"code", 0.84f}, {"math", 0.78f}, {"creative", 0.86f}}},
    {"gpt-3.5-turbo", 16'385, 4'096, true, false, false, 0.58f, {{"math", 0.45f}, {"reasoning", 0.50f}}},
    {"o4-mini", 200'000, 100'000, true, true, true, 0.82f, {{"math", 0.93f}, {"code", 0.88f}, {"reasoning", 0.88f}}},
    {"o3-mini", 200'000, 100'000, true, false, true, 0.76f, {{"math", 0.91f}, {"code", 0.86f}, {"reasoning", 0.86f}}},
    {"o3", 200'000, 100'000, true, true, true, 0.88f, {{"math", 0.95f}, {"code", 0.91f}, {"reasoning", 0.94f}}},
    {"o1", 200'000, 100'000, true, true, true, 0.86f, {{"math", 0.93f}, {"code", 0.88f}, {"reasoning", 0.92f}}},
    {"claude-opus-4", 200'000, 32'000, true, true, false, 0.92f, {{"code", 0.95f}, {"reasoning", 0.93f}, {"math", 0.88f}}},
    {"claude-sonnet-4", 200'000, 64'000, true, true, false, 0.89f, {{"code", 0.93f}, {"reasoning", 0.89f}, {"math", 0.85f}}},
    {"claude-3-7-sonnet", 200'000, 64'000, true, true, false, 0.87f, {{"code", 0.91f}, {"math", 0.82f}}},
    {"claude-3-5-sonnet", 200'000, 8'192, true, true, false, 0.85f, {{"code", 0.89f}, {"math", 0.76f}}},
    {"claude-haiku-4", 200'000, 64'000, true, true, false, 0.80f, {{"code", 0.84f}, {"math", 0.75f}}},
    {"claude-3-5-haiku", 200'000, 8'192, true, true, false, 0.72f, {{"code", 0.74f}, {"math", 0.62f}}},
    {"claude-3-haiku", 200'000, 4'096, true, true, false, 0.62f, {{"math", 0.50f}}},
    {"gemini-2.5-pro", 1'048'576, 65'536, true, true, true, 0.91f, {{"math", 0.92f}, {"code", 0.90f}, {"reasoning", 0.91f}}},
    {"gemini-2.5-flash-lite", 1'048'576, 65'536, true, true, true, 0.72f, {{"math", 0.72f}}},
    {"gemini-2.5-flash", 1'048'576, 65'536, true, true, true, 0.83f, {{"math", 0.86f}, {"code", 0.80f}}},
    {"gemini-2.0-flash", 1'048'576, 8'192, true, true, true, 0.76f, {{"math", 0.76f}}},
    {"gemini-1.5-pro", 2'097'152, 8'192, true, true, true, 0.80f, {{"math", 0.76f}}},
    {"gemini-1.5-flash", 1'048'576, 8'192, true, true, true, 0.68f, {{"math", 0.62f}}},
    {"deepseek-reasoner", 128'000, 64'000, false, false, false, 0.84f, {{"math", 0.93f}, {"reasoning", 0.90f}, {"code", 0.86f}}},
    {"deepseek-r1", 128'000, 32'768, false, false, false, 0.84f, {{"math", 0.92f}, {"reasoning", 0.89f}, {"code", 0.85f}}},
    {"deepseek-chat", 128'000, 8'192, true, false, true, 0.82f, {{"code", 0.84f}, {"math", 0.80f}}},
    {"deepseek-coder", 128'000, 8'192, true, false, false, 0.62f, {{"code", 0.82f}}},
    {"qwen2.5-coder", 32'768, 8'192, true, false, false, 0.55f, {{"code", 0.80f}}},
    {"qwen3", 131'072, 32'768, true, false, false, 0.78f, {{"math", 0.85f}, {"code", 0.80f}}},
    {"codestral", 256'000, 8'192, true, false, false, 0.60f, {{"code", 0.82f}}},
    {"mistral-large", 128'000, 8'192, true, false, true, 0.80f, {{"code", 0.80f}}},
    {"mistral-small", 32'768, 8'192, true, false, true, 0.66f, {{"math", 0.58f}}},
    {"llama-3.3-70b", 131'072, 8'192, true, false, false, 0.76f, {{"math", 0.72f}}},
    {"llama-3.1-70b", 131'072, 8'192, true, false, false, 0.74f, {{"math", 0.68f}}},
    {"llama-3.1-8b", 131'072, 8'192, true, false, false, 0.55f, {{"math", 0.45f}, {"reasoning", 0.48f}}},
    {"llama3.1:8b", 131'072, 8'192, true, false, false, 0.55f, {{"math", 0.45f}, {"reasoning", 0.48f}}},
};

}  // namespace

const ModelFamily* model_family(std::string_view upstream_model) {
  std::string id(upstream_model);
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Provider-qualified ids ("models/gemini-…", "meta-llama/llama-3.1-8b…",
  // Bedrock's "us.anthropic.claude-3-5-haiku-…") are matched without their qualifiers.
  if (auto slash = id.rfind('/'); slash != std::string::npos) id.erase(0, slash + 1);
  static constexpr std::string_view kQualifiers[] = {"us.",   "eu.",       "apac.",  "anthropic.",
                                                     "meta.", "mistral.", "amazon.", "cohere."};
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (auto q : kQualifiers) {
      if (id.starts_with(q)) {
        id.erase(0, q.size());
        stripped = true;
      }
    }
  }
  const ModelFamily* best = nullptr;
  for (const auto& f : kFamilies) {
    if (id.starts_with(f.prefix) && (best == nullptr || f.prefix.size() > best->prefix.size())) {
      best = &f;
    }
  }
  return best;
}

}  // namespace sy::providers
