// `switchyard eval-router --calibrate FILE`: scores every prompt of the router's training
// data (the shared routing data and the hand-labelled prompts, as load_training_set reads
// them) with the classifier and writes the quantiles of p_cheap_ok — the calibration that
// turns a threshold route's share of strong calls into a threshold (routing/calibration.h).
#pragma once

#include <string>

namespace sy::cli {

struct CalibrateOptions {
  std::string out;     // the calibration file to write
  std::string model;   // "" : the default classifier
  std::string data;    // "" : the default shared routing data
  std::string labels;  // "" : models/task_types.jsonl
  std::string mmlu;    // "" : DATA/mmlu
};

// 0 on success (or a "skipped" note when the data is absent), 1 on error.
int run_calibrate(const CalibrateOptions& o);

}  // namespace sy::cli
