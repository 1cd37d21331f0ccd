// Readers for the classifier's training and evaluation data: the shared routing data
// (../shared/data/routing: MMLU correctness CSVs, gsm8k, HumanEval, healthcare utterances),
// read in place at run time and never copied, and the project's own hand-labelled
// task-type prompts (models/task_types.jsonl). Each reader returns its rows in file order;
// directories are read in sorted file-name order, so results are deterministic.
// Blocking file I/O: for tools, never for the request path.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "routing/classifier_train.h"

namespace sy::routing {

// One MMLU prompt and whether each model answered it correctly.
struct MmluRow {
  std::string subject;  // from the file name: mmlu_<subject>.csv
  std::string prompt;
  bool weak_ok = false;    // mistralai/Mixtral-8x7B-Instruct-v0.1
  bool strong_ok = false;  // gpt-4-1106-preview
};

// $SWITCHYARD_SHARED_DATA/routing when set, else <source dir>/../shared/data/routing.
std::string default_routing_data_dir();
// <source dir>/models/task_types.jsonl.
std::string default_task_labels_path();

Result<std::vector<MmluRow>> load_mmlu_dir(const std::string& dir);
// Prompts of a JSON-lines file: the `field` member of each line ("question", "prompt").
// A ".gz" file is decompressed (zlib).
Result<std::vector<std::string>> load_jsonl_prompts(const std::string& path,
                                                    const std::string& field);
// The healthcare routing utterances (CSV column `utterance`).
Result<std::vector<std::string>> load_healthcare_utterances(const std::string& path);
// {"type": "<task type>", "prompt": "…"} per line; unknown types are errors.
Result<std::vector<LabelledPrompt>> load_task_labels(const std::string& path);

// Parses RFC 4180 CSV (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

// What train_classifier learns from, and eval-router cross-validates on:
//   task type: the hand-labelled file; gsm8k (math, every 15th problem); HumanEval (code);
//   the healthcare utterances (chat); MMLU (math for its mathematics subjects, reasoning
//   for the others; every 12th prompt).
//   difficulty: every MMLU prompt, cheap_ok = the weak model answered correctly.
struct TrainingSet {
  std::vector<LabelledPrompt> prompts;
  std::vector<std::string> notes;  // what was read, for the tool's output
};
// `mmlu_dir` defaults to data_dir/mmlu.
Result<TrainingSet> load_training_set(const std::string& data_dir, const std::string& labels,
                                      const std::string& mmlu_dir = {});

}  // namespace sy::routing
