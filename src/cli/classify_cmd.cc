#include "cli/classify_cmd.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/router_calibrate.h"
#include "routing/classifier.h"
#include "routing/router_eval.h"
#include "routing/routing_data.h"
#include "routing/token_estimate.h"

namespace sy::cli {
namespace {

namespace r = sy::routing;
using nlohmann::json;

struct ClassifyOptions {
  std::string model;
  // eval-router
  std::string data;
  std::string mmlu;
  std::string labels;
  std::size_t folds = 5;
  bool json_out = false;
  std::string savings;
  std::string calibrate;
  double threshold = 0.5;
  double strong_price = 10.0;
  double weak_price = 0.6;
  double output_tokens = 300;
};

void put_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string error_line(const std::string& message) { return json{{"error", message}}.dump(); }

Result<r::Classifier> load_model(const ClassifyOptions& o) {
  return r::Classifier::load(o.model.empty() ? r::default_classifier_path() : o.model);
}

// The prompt of one input line, or why the line is unusable.
Result<std::string> prompt_of(const std::string& line, json* parsed) {
  *parsed = json::parse(line, nullptr, false);
  if (parsed->is_discarded()) return fail(ErrorKind::InvalidRequest, "line is not valid JSON");
  if (!parsed->is_object() || !parsed->contains("prompt") || !(*parsed)["prompt"].is_string()) {
    return fail(ErrorKind::InvalidRequest, "expected an object with a string \"prompt\"");
  }
  return (*parsed)["prompt"].get<std::string>();
}

int run_classify(const ClassifyOptions& o) {
  auto model = load_model(o);
  if (!model) {
    fmt::print(stderr, "switchyard classify: {}\n", model.error().message);
    return 1;
  }
  std::string line;
  json parsed;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto prompt = prompt_of(line, &parsed);
    if (!prompt) {
      put_line(error_line(prompt.error().message));
      continue;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const r::Prediction p = model->predict(*prompt);
    const auto t1 = std::chrono::steady_clock::now();
    const double micros = std::chrono::duration<double, std::micro>(t1 - t0).count();
    std::string out = "{";
    if (parsed.contains("id")) out += "\"id\":" + parsed["id"].dump() + ",";
    out += fmt::format(
        "\"task_type\":\"{}\",\"confidence\":{:.3f},\"p_cheap_ok\":{:.3f},"
        "\"tokens\":{},\"micros\":{:.2f}}}",
        r::task_type_name(p.task), p.task_confidence, p.p_cheap_ok, r::estimate_tokens(*prompt),
        micros);
    put_line(out);
  }
  return 0;
}

int run_savings(const ClassifyOptions& o) {
  auto model = load_model(o);
  if (!model) {
    fmt::print(stderr, "switchyard eval-router: {}\n", model.error().message);
    return 1;
  }
  std::FILE* f = std::fopen(o.savings.c_str(), "rb");
  if (!f) {
    fmt::print(stderr, "switchyard eval-router: cannot open {}\n", o.savings);
    return 1;
  }
  std::vector<float> p;
  std::vector<double> tokens;
  std::size_t bad = 0, n = 0;
  std::string line;
  json parsed;
  for (int c; (c = std::fgetc(f)) != EOF || !line.empty();) {
    if (c != EOF && c != '\n') {
      line += char(c);
      continue;
    }
    ++n;
    auto prompt = prompt_of(line, &parsed);
    line.clear();
    if (!prompt) {
      ++bad;
      continue;
    }
    double out_tokens = o.output_tokens;
    if (parsed.contains("output_tokens") && parsed["output_tokens"].is_number()) {
      out_tokens = parsed["output_tokens"].get<double>();
    }
    p.push_back(model->predict(*prompt).p_cheap_ok);
    tokens.push_back(double((prompt->size() + 3) / 4) + out_tokens);  // ~4 bytes a token
  }
  std::fclose(f);
  const auto s = r::estimate_savings(p, tokens, o.strong_price, o.weak_price, o.threshold);
  if (o.json_out) {
    put_line(json{{"prompts", s.prompts},
                  {"skipped_lines", bad},
                  {"threshold", o.threshold},
                  {"to_weak", s.to_weak},
                  {"tokens", s.tokens},
                  {"strong_price_per_mtok", o.strong_price},
                  {"weak_price_per_mtok", o.weak_price},
                  {"cost_always_strong_usd", s.cost_always_strong},
                  {"cost_routed_usd", s.cost_routed},
                  {"saved_share", s.saved_share}}
                 .dump());
    return 0;
  }
  fmt::print(
      "{}: {} prompts ({} lines skipped), {:.0f} tokens (input ~bytes/4, output {} "
      "unless the line says \"output_tokens\")\n",
      o.savings, s.prompts, bad, s.tokens, o.output_tokens);
  fmt::print("threshold {:.3f}: {} prompts ({:.1f}%) to the weak model\n", o.threshold, s.to_weak,
             s.prompts ? 100.0 * double(s.to_weak) / double(s.prompts) : 0.0);
  fmt::print("always strong (${}/M tokens): ${:.4f}\n", o.strong_price, s.cost_always_strong);
  fmt::print("routed (weak ${}/M tokens):    ${:.4f}  saved {:.1f}%\n", o.weak_price, s.cost_routed,
             100 * s.saved_share);
  return 0;
}

void print_tables(const r::RouterMetrics& m, const r::TaskEval& t, std::size_t folds,
                  std::size_t subjects) {
  fmt::print(
      "Difficulty router, MMLU, {} prompts, {} subjects, {}-fold cross-validation by "
      "subject\n",
      m.prompts, subjects, folds);
  fmt::print("weak (Mixtral-8x7B) accuracy {:.3f}, strong (gpt-4-1106-preview) {:.3f}\n\n",
             m.weak_accuracy, m.strong_accuracy);
  fmt::print("{:>14} {:>12} {:>12} {:>12}\n", "strong calls", "PGR", "random PGR", "accuracy");
  for (int s = 0; s <= 100; s += 10) {
    const double share = s / 100.0;
    const double perf =
        m.weak_accuracy + r::pgr_at(m, share) * (m.strong_accuracy - m.weak_accuracy);
    fmt::print("{:>13}% {:>12.3f} {:>12.3f} {:>12.3f}\n", s, r::pgr_at(m, share), share, perf);
  }
  fmt::print("\n{:>10} {:>10} {:>10}\n", "metric", "router", "random");
  fmt::print("{:>10} {:>10.3f} {:>10.3f}\n", "APGR", m.apgr, 0.5);
  fmt::print("{:>10} {:>9.1f}% {:>9.1f}%\n", "CPT(50%)", 100 * m.cpt50, 50.0);
  fmt::print("{:>10} {:>9.1f}% {:>9.1f}%\n", "CPT(80%)", 100 * m.cpt80, 80.0);

  fmt::print(
      "\nTask type, {} labelled prompts, stratified {}-fold cross-validation: accuracy "
      "{:.3f}\n",
      t.prompts, folds, t.accuracy);
  fmt::print("confusion (rows: truth, columns: predicted)\n{:>15}", "");
  for (std::size_t k = 0; k < r::kTaskTypeCount; ++k) {
    fmt::print(" {:>6}", r::task_type_name(r::TaskType(k)).substr(0, 6));
  }
  fmt::print(" {:>7}\n", "recall");
  for (std::size_t i = 0; i < r::kTaskTypeCount; ++i) {
    std::size_t row = 0;
    for (auto c : t.confusion[i]) row += c;
    fmt::print("{:>15}", r::task_type_name(r::TaskType(i)));
    for (auto c : t.confusion[i]) fmt::print(" {:>6}", c);
    fmt::print(" {:>7.3f}\n", row ? double(t.confusion[i][i]) / double(row) : 0.0);
  }
}

int run_eval(const ClassifyOptions& o) {
  if (!o.savings.empty()) return run_savings(o);
  if (!o.calibrate.empty()) return run_calibrate({o.calibrate, o.model, o.data, o.labels, o.mmlu});
  const std::string data = o.data.empty() ? r::default_routing_data_dir() : o.data;
  const std::string mmlu = o.mmlu.empty() ? data + "/mmlu" : o.mmlu;
  std::error_code ec;
  if (!std::filesystem::is_directory(data, ec) || !std::filesystem::is_directory(mmlu, ec)) {
    fmt::print(
        "switchyard eval-router: skipped: routing data {} is absent (pass --data DIR, "
        "--mmlu DIR or set SWITCHYARD_SHARED_DATA)\n",
        mmlu);
    return 0;
  }
  if (o.folds < 2) {
    fmt::print(stderr, "switchyard eval-router: --folds must be at least 2\n");
    return 1;
  }
  auto set =
      r::load_training_set(data, o.labels.empty() ? r::default_task_labels_path() : o.labels, mmlu);
  if (!set) {
    fmt::print(stderr, "switchyard eval-router: {}\n", set.error().message);
    return 1;
  }
  const r::TrainOptions options;
  const auto features = r::featurize_all(set->prompts, options.params);
  std::vector<std::size_t> rows;
  std::vector<uint8_t> weak, strong;
  for (std::size_t i = 0; i < set->prompts.size(); ++i) {
    const auto& p = set->prompts[i];
    if (p.cheap_ok < 0) continue;
    rows.push_back(i);
    weak.push_back(uint8_t(p.cheap_ok));
    strong.push_back(uint8_t(p.strong_ok));
  }
  const auto p = r::cross_validate_difficulty(set->prompts, features, rows, o.folds, options);
  const auto m = r::evaluate_router(p, weak, strong);
  const auto t = r::cross_validate_task(set->prompts, features, o.folds, options);
  std::size_t subjects = 0;
  {
    std::vector<std::string> seen;
    for (std::size_t i : rows) seen.push_back(set->prompts[i].group);
    std::sort(seen.begin(), seen.end());
    subjects = std::size_t(std::unique(seen.begin(), seen.end()) - seen.begin());
  }
  if (!o.json_out) {
    print_tables(m, t, o.folds, subjects);
    return 0;
  }
  json curve = json::array();
  for (int s = 0; s <= 100; s += 5) {
    curve.push_back({{"strong_share", s / 100.0}, {"pgr", r::pgr_at(m, s / 100.0)}});
  }
  json confusion = json::object();
  for (std::size_t i = 0; i < r::kTaskTypeCount; ++i) {
    json row = json::object();
    for (std::size_t k = 0; k < r::kTaskTypeCount; ++k) {
      row[std::string(r::task_type_name(r::TaskType(k)))] = t.confusion[i][k];
    }
    confusion[std::string(r::task_type_name(r::TaskType(i)))] = row;
  }
  put_line(json{
      {"mmlu",
       {{"prompts", m.prompts},
        {"subjects", subjects},
        {"folds", o.folds},
        {"weak_accuracy", m.weak_accuracy},
        {"strong_accuracy", m.strong_accuracy},
        {"apgr", m.apgr},
        {"cpt50", m.cpt50},
        {"cpt80", m.cpt80},
        {"random", {{"apgr", 0.5}, {"cpt50", 0.5}, {"cpt80", 0.8}}},
        {"curve", curve}}},
      {"task_type", {{"prompts", t.prompts}, {"accuracy", t.accuracy}, {"confusion", confusion}}}}
               .dump());
  return 0;
}

}  // namespace

void add_classify_commands(CLI::App& app) {
  auto o = std::make_shared<ClassifyOptions>();
  auto* classify = app.add_subcommand(
      "classify",
      "Read JSON lines {\"prompt\":…} on stdin; write task type and difficulty per line");
  classify->add_option("--model", o->model,
                       "classifier model file (default: $SWITCHYARD_CLASSIFIER or "
                       "models/router-classifier.bin)");
  classify->callback([o] {
    if (int rc = run_classify(*o); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto* eval =
      app.add_subcommand("eval-router",
                         "Cross-validated router evaluation (PGR, APGR, CPT; task-type accuracy), "
                         "or a savings report with --savings");
  eval->add_option("--data", o->data,
                   "shared routing data directory (default: ../shared/data/routing)");
  eval->add_option("--mmlu", o->mmlu, "MMLU correctness CSV directory (default: DATA/mmlu)");
  eval->add_option("--labels", o->labels,
                   "hand-labelled task types (default: models/task_types.jsonl)");
  eval->add_option("--folds", o->folds, "cross-validation folds (default 5)");
  eval->add_flag("--json", o->json_out, "one JSON object instead of tables");
  eval->add_option("--savings", o->savings,
                   "JSON lines {\"prompt\":…[, \"output_tokens\":N]}: report the cost of routed "
                   "traffic against always-strong instead");
  eval->add_option(
      "--threshold", o->threshold,
      "with --savings: send a prompt to the weak model when p_cheap_ok >= T (default 0.5)");
  eval->add_option("--strong-price", o->strong_price,
                   "USD per million tokens, strong (default 10)");
  eval->add_option("--weak-price", o->weak_price, "USD per million tokens, weak (default 0.6)");
  eval->add_option("--output-tokens", o->output_tokens,
                   "output tokens per prompt when a line does not say (default 300)");
  eval->add_option("--calibrate", o->calibrate,
                   "write the threshold strategy's calibration (quantiles of p_cheap_ok over the "
                   "training prompts) to FILE instead (models/router-calibration.json)");
  eval->add_option("--model", o->model, "with --savings or --calibrate: classifier model file");
  eval->callback([o] {
    if (int rc = run_eval(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
