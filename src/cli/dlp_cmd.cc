#include "cli/dlp_cmd.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "governance/dlp_eval.h"
#include "governance/dlp_jsonl.h"
#include "governance/dlp_scanner.h"

namespace sy::cli {
namespace {

using governance::DlpConfig;
using governance::Scanner;

struct DlpOptions {
  std::vector<std::string> gitleaks;
  bool no_builtins = false;
  std::string data;
  std::size_t examples = 0;
};

Result<std::shared_ptr<const Scanner>> build(const DlpOptions& o) {
  DlpConfig config;
  config.builtins = !o.no_builtins;
  config.gitleaks_files = o.gitleaks;
  return Scanner::compile(config);
}

void print_report(const Scanner& s, bool verbose) {
  const auto& r = s.report();
  fmt::print(stderr, "switchyard dlp: {} detectors compiled ({} from gitleaks), {} rejected\n",
             r.compiled, r.gitleaks_compiled, r.rejected.size());
  if (!verbose) return;
  for (const auto& x : r.rejected) fmt::print(stderr, "  rejected {}: {}\n", x.id, x.reason);
  for (const auto& w : r.warnings) fmt::print(stderr, "  warning {}\n", w);
}

void put_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int run_scan(const DlpOptions& o) {
  auto scanner = build(o);
  if (!scanner) {
    fmt::print(stderr, "switchyard dlp scan: {}\n", scanner.error().message);
    return 1;
  }
  if (!o.gitleaks.empty()) print_report(**scanner, false);
  governance::DlpScratch scratch;
  std::vector<governance::Finding> found;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto text = governance::parse_scan_line(line);
    if (!text) {
      put_line(governance::error_line(text.error().message));
      continue;
    }
    found.clear();
    if (auto ok = (*scanner)->scan(*text, scratch, found); !ok) {
      put_line(governance::error_line(ok.error().message));
      continue;
    }
    put_line(governance::findings_line(*text, found));
  }
  return 0;
}

int run_eval(const DlpOptions& o) {
  const std::string path = o.data.empty() ? governance::default_presidio_data_path() : o.data;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    fmt::print("switchyard dlp eval: skipped: data file {} is absent (pass --data FILE or set "
               "SWITCHYARD_SHARED_DATA)\n", path);
    return 0;
  }
  auto samples = governance::load_presidio_file(path);
  if (!samples) {
    fmt::print(stderr, "switchyard dlp eval: {}\n", samples.error().message);
    return 1;
  }
  auto scanner = build(o);
  if (!scanner) {
    fmt::print(stderr, "switchyard dlp eval: {}\n", scanner.error().message);
    return 1;
  }
  auto result = governance::evaluate(**scanner, *samples, o.examples);
  if (!result) {
    fmt::print(stderr, "switchyard dlp eval: {}\n", result.error().message);
    return 1;
  }
  fmt::print("{}: {} texts, {} detectors\n", path, result->samples, (*scanner)->report().compiled);
  fmt::print("exact: same type and same [start,end) in code points; overlap: same type and "
             "the spans intersect\n");
  fmt::print("{}", governance::format_eval(*result));
  for (const auto& e : result->examples) fmt::print("  {}\n", e);
  return 0;
}

int run_rules(const DlpOptions& o) {
  auto scanner = build(o);
  if (!scanner) {
    fmt::print(stderr, "switchyard dlp rules: {}\n", scanner.error().message);
    return 1;
  }
  for (const auto& d : (*scanner)->detectors()) {
    fmt::print("{:<48} {:<14} rank {}\n", d.id, d.entity_type, d.rank);
  }
  print_report(**scanner, true);
  return 0;
}

}  // namespace

void add_dlp_commands(CLI::App& app) {
  auto o = std::make_shared<DlpOptions>();
  auto* dlp = app.add_subcommand("dlp", "Data-loss prevention: scan text, evaluate detectors");
  dlp->require_subcommand(1);
  auto add_rule_options = [o](CLI::App* cmd) {
    cmd->add_option("--gitleaks", o->gitleaks, "also import this gitleaks TOML rule file");
    cmd->add_flag("--no-builtins", o->no_builtins, "leave the built-in detectors out");
  };

  auto* scan = dlp->add_subcommand(
      "scan", "Read JSON lines {\"text\":…} on stdin; write one line of findings per input");
  add_rule_options(scan);
  scan->callback([o] {
    if (int rc = run_scan(*o); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto* eval = dlp->add_subcommand("eval", "Precision and recall per entity type (presidio data)");
  eval->add_option("--data", o->data, "presidio-research JSON file (default: ../shared/data/dlp)");
  eval->add_option("--examples", o->examples, "print up to N misses and false alarms");
  add_rule_options(eval);
  eval->callback([o] {
    if (int rc = run_eval(*o); rc != 0) throw CLI::RuntimeError(rc);
  });

  auto* rules = dlp->add_subcommand("rules", "List compiled detectors and rejected rules");
  add_rule_options(rules);
  rules->callback([o] {
    if (int rc = run_rules(*o); rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sy::cli
