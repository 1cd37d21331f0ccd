// switchyard-train: trains the routing classifier's task-type and difficulty models and
// writes the model file the gateway loads.
// Usage: switchyard-train [--data DIR] [--labels FILE] [--out FILE]
// Reproducible: the same data gives the same file byte for byte (fixed seeds and order).
// When the shared data directory is absent it says so and exits 0 without writing.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "routing/classifier.h"
#include "routing/classifier_train.h"
#include "routing/routing_data.h"

int main(int argc, char** argv) {
  namespace r = sy::routing;
  CLI::App app{"Train the Switchyard routing classifier"};
  std::string data = r::default_routing_data_dir();
  std::string labels = r::default_task_labels_path();
  std::string out = std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin";
  app.add_option("--data", data, "shared routing data directory (default: ../shared/data/routing)");
  app.add_option("--labels", labels, "hand-labelled task types (default: models/task_types.jsonl)");
  app.add_option("--out", out, "model file to write (default: models/router-classifier.bin)");
  CLI11_PARSE(app, argc, argv);

  std::error_code ec;
  if (!std::filesystem::is_directory(data, ec)) {
    fmt::print(
        "switchyard-train: skipped: routing data directory {} is absent (pass --data DIR "
        "or set SWITCHYARD_SHARED_DATA)\n",
        data);
    return 0;
  }
  auto set = r::load_training_set(data, labels);
  if (!set) {
    fmt::print(stderr, "switchyard-train: {}\n", set.error().message);
    return 1;
  }
  for (const auto& n : set->notes) fmt::print("read {}\n", n);
  const r::TrainOptions options;
  const auto weights = r::train_classifier(set->prompts, options);
  const std::string bytes = r::serialize_model(weights);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  if (!f.write(bytes.data(), std::streamsize(bytes.size())) || !f.flush()) {
    fmt::print(stderr, "switchyard-train: cannot write {}\n", out);
    return 1;
  }
  fmt::print("wrote {} ({} bytes, 2^{} feature buckets)\n", out, bytes.size(), options.params.bits);
  return 0;
}
