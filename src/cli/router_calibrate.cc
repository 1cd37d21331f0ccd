#include "cli/router_calibrate.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "routing/calibration.h"
#include "routing/classifier.h"
#include "routing/routing_data.h"

namespace sy::cli {

int run_calibrate(const CalibrateOptions& o) {
  namespace r = sy::routing;
  const std::string model_path = o.model.empty() ? r::default_classifier_path() : o.model;
  std::ifstream in(model_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) {
    fmt::print(stderr, "switchyard eval-router: cannot read {}\n", model_path);
    return 1;
  }
  auto classifier = r::Classifier::from_bytes(bytes.str());
  if (!classifier) {
    fmt::print(stderr, "switchyard eval-router: {}: {}\n", model_path, classifier.error().message);
    return 1;
  }
  const std::string data = o.data.empty() ? r::default_routing_data_dir() : o.data;
  const std::string mmlu = o.mmlu.empty() ? data + "/mmlu" : o.mmlu;
  std::error_code ec;
  if (!std::filesystem::is_directory(mmlu, ec)) {
    fmt::print("switchyard eval-router: skipped: routing data {} is absent (pass --data DIR or set "
               "SWITCHYARD_SHARED_DATA)\n",
               mmlu);
    return 0;
  }
  auto set = r::load_training_set(data, o.labels.empty() ? r::default_task_labels_path() : o.labels, mmlu);
  if (!set) {
    fmt::print(stderr, "switchyard eval-router: {}\n", set.error().message);
    return 1;
  }
  std::vector<float> scores;
  scores.reserve(set->prompts.size());
  for (const auto& p : set->prompts) scores.push_back(classifier->predict(p.text).p_cheap_ok);
  const auto cal = r::Calibration::from_scores(
      scores, r::model_hash(bytes.str()),
      fmt::format("the router's training prompts ({} prompts: MMLU, gsm8k, HumanEval, healthcare, "
                  "hand-labelled)",
                  scores.size()));
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out << cal.to_json();
  if (!out) {
    fmt::print(stderr, "switchyard eval-router: cannot write {}\n", o.out);
    return 1;
  }
  fmt::print("wrote {}: {} prompts; share of strong calls → threshold on p_cheap_ok:\n", o.out, scores.size());
  for (double s : {0.1, 0.2, 0.3, 0.5, 0.7, 0.9}) fmt::print("  {:.0f}% → {:.3f}\n", s * 100, cal.threshold_for(s));
  return 0;
}

}  // namespace sy::cli
