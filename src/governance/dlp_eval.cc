#include "governance/dlp_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sy::governance {
namespace {

double ratio(std::size_t a, std::size_t b) { return b == 0 ? 1.0 : static_cast<double>(a) / b; }

bool overlaps(const LabelledSpan& a, const LabelledSpan& b) {
  return a.entity_type == b.entity_type && a.start < b.end && b.start < a.end;
}

}  // namespace

double TypeScore::precision_exact() const { return ratio(exact, predicted); }
double TypeScore::recall_exact() const { return ratio(exact, gold); }
double TypeScore::precision_overlap() const { return ratio(pred_overlapping, predicted); }
double TypeScore::recall_overlap() const { return ratio(gold_overlapped, gold); }

std::string default_presidio_data_path() {
  const char* shared = std::getenv("SWITCHYARD_SHARED_DATA");
  const std::string base =
      shared && *shared ? std::string(shared) : std::string(SY_SOURCE_DIR) + "/../shared/data";
  return base + "/dlp/presidio_generated_large.json";
}

const std::vector<std::string>& scored_entity_types() {
  static const std::vector<std::string> types{"CREDIT_CARD",  "EMAIL_ADDRESS", "IBAN_CODE",
                                              "IP_ADDRESS",   "PHONE_NUMBER",  "US_SSN"};
  return types;
}

Result<std::vector<EvalSample>> parse_presidio_samples(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array()) {
    return fail(ErrorKind::InvalidRequest, "presidio data: expected a JSON array");
  }
  std::vector<EvalSample> out;
  out.reserve(doc.size());
  for (const auto& item : doc) {
    if (!item.is_object() || !item.contains("full_text") || !item["full_text"].is_string()) {
      return fail(ErrorKind::InvalidRequest, "presidio data: item without full_text");
    }
    EvalSample s;
    s.text = item["full_text"].get<std::string>();
    if (item.contains("spans") && item["spans"].is_array()) {
      for (const auto& sp : item["spans"]) {
        if (!sp.is_object() || !sp.contains("entity_type") || !sp.contains("start_position") ||
            !sp.contains("end_position")) {
          return fail(ErrorKind::InvalidRequest, "presidio data: malformed span");
        }
        s.spans.push_back({sp["entity_type"].get<std::string>(),
                           sp["start_position"].get<std::size_t>(),
                           sp["end_position"].get<std::size_t>()});
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<EvalSample>> load_presidio_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::NotFound, path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_presidio_samples(ss.str());
}

void score_sample(std::span<const LabelledSpan> gold, std::span<const LabelledSpan> predicted,
                  const std::vector<std::string>& types, EvalResult& into) {
  auto scored = [&](const std::string& t) {
    return std::find(types.begin(), types.end(), t) != types.end();
  };
  for (const auto& g : gold) {
    if (!scored(g.entity_type)) continue;
    TypeScore& ts = into.by_type[g.entity_type];
    ++ts.gold;
    if (std::any_of(predicted.begin(), predicted.end(),
                    [&](const auto& p) { return overlaps(p, g); })) {
      ++ts.gold_overlapped;
    }
  }
  for (const auto& p : predicted) {
    if (!scored(p.entity_type)) continue;
    TypeScore& ts = into.by_type[p.entity_type];
    ++ts.predicted;
    if (std::any_of(gold.begin(), gold.end(), [&](const auto& g) {
          return g.entity_type == p.entity_type && g.start == p.start && g.end == p.end;
        })) {
      ++ts.exact;
    }
    if (std::any_of(gold.begin(), gold.end(), [&](const auto& g) { return overlaps(p, g); })) {
      ++ts.pred_overlapping;
    }
  }
}

Result<EvalResult> evaluate(const Scanner& scanner, std::span<const EvalSample> samples,
                            std::size_t max_examples) {
  EvalResult r;
  for (const auto& t : scored_entity_types()) r.by_type[t];
  DlpScratch scratch;
  std::vector<Finding> found;
  std::vector<LabelledSpan> predicted;
  for (const auto& s : samples) {
    found.clear();
    if (auto ok = scanner.scan(s.text, scratch, found); !ok) return std::unexpected(ok.error());
    const auto cps = codepoint_spans(s.text, found);
    predicted.clear();
    for (std::size_t i = 0; i < found.size(); ++i) {
      predicted.push_back({std::string(found[i].entity_type), cps[i].start, cps[i].end});
    }
    ++r.samples;
    score_sample(s.spans, predicted, scored_entity_types(), r);
    if (r.examples.size() >= max_examples) continue;
    // Examples: gold spans missed and predictions matching no gold span (code points are
    // shown as offsets; the text is shown whole so the reader sees the context).
    for (const auto& g : s.spans) {
      const auto& types = scored_entity_types();
      if (std::find(types.begin(), types.end(), g.entity_type) == types.end()) continue;
      const bool hit = std::any_of(predicted.begin(), predicted.end(), [&](const auto& p) {
        return p.entity_type == g.entity_type && p.start == g.start && p.end == g.end;
      });
      if (!hit) r.examples.push_back(fmt::format("MISS {} [{},{}) in: {}", g.entity_type,
                                                 g.start, g.end, s.text));
    }
    for (std::size_t i = 0; i < predicted.size(); ++i) {
      const auto& p = predicted[i];
      const auto& types = scored_entity_types();
      if (std::find(types.begin(), types.end(), p.entity_type) == types.end()) continue;
      const bool hit = std::any_of(s.spans.begin(), s.spans.end(), [&](const auto& g) {
        return p.entity_type == g.entity_type && p.start == g.start && p.end == g.end;
      });
      if (!hit) {
        r.examples.push_back(fmt::format("FALSE {} ({}) '{}' in: {}", p.entity_type,
                                         found[i].detector,
                                         s.text.substr(found[i].start, found[i].end - found[i].start),
                                         s.text));
      }
    }
  }
  return r;
}

std::string format_eval(const EvalResult& r) {
  std::string out = fmt::format("{:<15} {:>5} {:>5} | {:>9} {:>9} | {:>9} {:>9}\n", "entity_type",
                                "gold", "pred", "P exact", "R exact", "P overlap", "R overlap");
  TypeScore total;
  for (const auto& [type, s] : r.by_type) {
    out += fmt::format("{:<15} {:>5} {:>5} | {:>9.3f} {:>9.3f} | {:>9.3f} {:>9.3f}\n", type,
                       s.gold, s.predicted, s.precision_exact(), s.recall_exact(),
                       s.precision_overlap(), s.recall_overlap());
    total.gold += s.gold;
    total.predicted += s.predicted;
    total.exact += s.exact;
    total.pred_overlapping += s.pred_overlapping;
    total.gold_overlapped += s.gold_overlapped;
  }
  out += fmt::format("{:<15} {:>5} {:>5} | {:>9.3f} {:>9.3f} | {:>9.3f} {:>9.3f}\n", "all (micro)",
                     total.gold, total.predicted, total.precision_exact(), total.recall_exact(),
                     total.precision_overlap(), total.recall_overlap());
  return out;
}

}  // namespace sy::governance
