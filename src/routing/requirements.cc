#include "routing/requirements.h"

#include <fmt/format.h>

namespace sy::routing {

Needs needs_of(const model::ChatRequest& request) {
  Needs n;
  n.tools = request.tools > 0;
  n.json_schema = request.json_schema;
  n.stream = request.stream;
  uint32_t tokens = 3;  // the reply's priming
  for (const auto& m : request.messages) {
    n.tools = n.tools || m.tool_calls > 0 || m.role == model::Role::Tool;
    n.vision = n.vision || m.image_parts > 0;
    tokens += 4 + estimate_tokens(m.text);  // per-message framing
  }
  n.input_tokens = tokens;
  n.output_tokens = request.max_tokens.value_or(0);
  return n;
}

void append_need_constraints(const Needs& needs, std::vector<CandidateConstraint>& out) {
  using D = providers::Deployment;
  if (needs.tools) {
    out.push_back({"capability:tools", [](const D& d) {
                     return d.tools ? std::string() : "does not support tool calls";
                   }});
  }
  if (needs.vision) {
    out.push_back({"capability:vision", [](const D& d) {
                     return d.vision ? std::string() : "does not accept images";
                   }});
  }
  if (needs.json_schema) {
    out.push_back({"capability:json_schema", [](const D& d) {
                     return d.json_schema ? std::string() : "does not support JSON-schema output";
                   }});
  }
  if (needs.stream) {
    out.push_back({"capability:streaming", [](const D& d) {
                     return d.streaming ? std::string() : "does not stream";
                   }});
  }
  const uint32_t in = needs.input_tokens, want = needs.output_tokens;
  out.push_back({"context_window", [in, want](const D& d) {
                   if (d.context_window == 0 || uint64_t{in} + want <= d.context_window) return std::string();
                   return "the prompt (about " + std::to_string(in) + " tokens)" +
                          (want ? " plus max_tokens " + std::to_string(want) : std::string()) +
                          " exceeds its context window of " + std::to_string(d.context_window);
                 }});
  if (want > 0) {
    out.push_back({"max_output", [want](const D& d) {
                     if (d.max_output == 0 || want <= d.max_output) return std::string();
                     return "max_tokens " + std::to_string(want) + " exceeds its output limit of " +
                            std::to_string(d.max_output);
                   }});
  }
}

double expected_cost_usd(const providers::Deployment& d, const Needs& needs) {
  const double out = expected_output_tokens(needs);
  const Price& p = d.config->price;
  return (needs.input_tokens * p.input_per_mtok + out * p.output_per_mtok) / 1e6;
}

void append_hint_constraints(const Hints& hints, const Needs& needs, const HealthBoard& board,
                             std::vector<CandidateConstraint>& out) {
  if (hints.max_cost_usd) {
    const double max = *hints.max_cost_usd;
    out.push_back({"hint.max_cost", [max, &needs](const providers::Deployment& d) {
                     const double cost = expected_cost_usd(d, needs);
                     return cost <= max ? std::string()
                                        : fmt::format("expected cost ${:.6f} above x-switchyard-max-cost ${:.6f}",
                                                      cost, max);
                   }});
  }
  if (hints.max_latency_ms) {
    const double max = *hints.max_latency_ms;
    out.push_back({"hint.max_latency", [max, &board](const providers::Deployment& d) {
                     const auto ms = board.first_token_ms(d.name());
                     return !ms || *ms <= max
                                ? std::string()
                                : fmt::format("time to first token {:.0f} ms (EWMA) above x-switchyard-max-latency-ms {:.0f}",
                                              *ms, max);
                   }});
  }
}

}  // namespace sy::routing
