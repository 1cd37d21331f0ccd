// DLP evaluation against presidio-research data: texts with gold character spans. Parses
// the data, runs a Scanner over every text and scores precision and recall per entity
// type, two ways: exact (same type, start and end) and overlap (same type, spans
// intersect). Only the types the scanner detects are scored. Pure apart from
// load_presidio_file; a Scanner is shared read-only, so it is thread-compatible.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "governance/dlp_scanner.h"

namespace sy::governance {

struct LabelledSpan {
  std::string entity_type;
  std::size_t start = 0;  // Unicode code points, [start, end)
  std::size_t end = 0;
};

struct EvalSample {
  std::string text;
  std::vector<LabelledSpan> spans;
};

struct TypeScore {
  std::size_t gold = 0;
  std::size_t predicted = 0;
  std::size_t exact = 0;             // predictions identical to a gold span
  std::size_t pred_overlapping = 0;  // predictions intersecting a gold span of the type
  std::size_t gold_overlapped = 0;   // gold spans intersected by a prediction of the type

  double precision_exact() const;
  double recall_exact() const;
  double precision_overlap() const;
  double recall_overlap() const;
};

struct EvalResult {
  std::size_t samples = 0;
  std::map<std::string, TypeScore> by_type;
  std::vector<std::string> examples;  // misses and false alarms, up to max_examples
};

// The shared presidio data file: $SWITCHYARD_SHARED_DATA/dlp/… when that variable is set,
// else ../shared/data/dlp/… relative to the repository this binary was built from.
std::string default_presidio_data_path();

// The entity types the built-in detectors find (presidio names).
const std::vector<std::string>& scored_entity_types();

// presidio-research JSON: [{"full_text", "spans":[{"entity_type","start_position",
// "end_position"}]}]
Result<std::vector<EvalSample>> parse_presidio_samples(std::string_view json);
Result<std::vector<EvalSample>> load_presidio_file(const std::string& path);

// Adds one text's gold and predicted spans to `into`, for the types in `types`.
void score_sample(std::span<const LabelledSpan> gold, std::span<const LabelledSpan> predicted,
                  const std::vector<std::string>& types, EvalResult& into);

Result<EvalResult> evaluate(const Scanner& scanner, std::span<const EvalSample> samples,
                            std::size_t max_examples = 0);

// A fixed-width table of the result, one row per type plus a micro-averaged total.
std::string format_eval(const EvalResult& r);

}  // namespace sy::governance
