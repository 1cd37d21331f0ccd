#include "gateway/classify_stage.h"

#include <charconv>
#include <cmath>

namespace sy::gateway {
namespace {

std::unexpected<Error> bad_hint(std::string_view header, std::string_view value, std::string_view want) {
  return fail(ErrorKind::InvalidRequest,
              "The header " + std::string(header) + ": \"" + std::string(value.substr(0, 64)) +
                  "\" is not valid (expected " + std::string(want) + ")",
              std::string(header), "invalid_routing_hint");
}

std::optional<double> number(std::string_view v) {
  double out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

// The text the classifier reads: the last user message (the request being asked now).
std::string_view prompt_of(const model::ChatRequest& r) {
  for (auto it = r.messages.rbegin(); it != r.messages.rend(); ++it) {
    if (it->role == model::Role::User && !it->text.empty()) return it->text;
  }
  return r.messages.empty() ? std::string_view() : std::string_view(r.messages.back().text);
}

}  // namespace

Result<routing::Hints> read_hints(const http::Exchange& ex) {
  routing::Hints h;
  if (auto v = ex.header("x-switchyard-task"); !v.empty()) {
    h.task = routing::parse_task_type(v);
    if (!h.task) {
      return bad_hint("x-switchyard-task", v,
                      "extraction, summarization, classification, code, math, reasoning, "
                      "creative, chat or translation");
    }
  }
  if (auto v = ex.header("x-switchyard-quality"); !v.empty()) {
    h.quality = number(v);
    if (!h.quality || *h.quality < 0 || *h.quality > 1) return bad_hint("x-switchyard-quality", v, "a number from 0 to 1");
  }
  if (auto v = ex.header("x-switchyard-max-cost"); !v.empty()) {
    h.max_cost_usd = number(v);
    if (!h.max_cost_usd || *h.max_cost_usd <= 0) {
      return bad_hint("x-switchyard-max-cost", v, "a positive number of US dollars");
    }
  }
  if (auto v = ex.header("x-switchyard-max-latency-ms"); !v.empty()) {
    uint32_t ms = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
    if (ec != std::errc() || end != v.data() + v.size() || ms == 0) {
      return bad_hint("x-switchyard-max-latency-ms", v, "a positive whole number of milliseconds");
    }
    h.max_latency_ms = ms;
  }
  return h;
}

Result<void> ClassifyStage::run(RequestContext& ctx) const {
  auto hints = read_hints(ctx.exchange);
  if (!hints) return std::unexpected(std::move(hints.error()));
  ctx.signals.hints = *hints;
  const Snapshot& snap = *ctx.snapshot;
  routing::ClassifierUse use = routing::classifier_use(*snap.catalog, ctx.request.model, ctx.signals.hints);
  if (snap.policies_use_task && !ctx.signals.hints.task) use.task = true;
  if (!use.any() || snap.classifier == nullptr) return {};
  ctx.signals.prediction = snap.classifier->predict(prompt_of(ctx.request));
  return {};
}

}  // namespace sy::gateway
