// DLP scanner micro-benchmarks. Throughput over the shared presidio texts concatenated
// (MB/s per core: one thread), the same texts one by one, and the time to scan one 4 KB
// prompt with every built-in detector on; then parts: the digit pass alone, the number
// detectors and the others apart, each detector alone. Baselines measured in the same run
// over the same bytes: memchr for an absent byte (memory bandwidth), and hs_scan with one
// trivial literal pattern (the floor of any Hyperscan scan). Compare the
// bytes_per_second columns.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include <cstring>
#include <string>

#include "governance/dlp_digit_groups.h"
#include "governance/dlp_eval.h"
#include "governance/dlp_scanner.h"

namespace {

using namespace sy::governance;

const std::string& corpus() {
  static const std::string text = [] {
    std::string all;
    if (auto samples = load_presidio_file(default_presidio_data_path())) {
      for (const auto& s : *samples) {
        all += s.text;
        all += '\n';
      }
    }
    if (all.empty()) {  // shared data absent: a synthetic stand-in, said so in the label
      const std::string line =
          "Please charge my card 4111 1111 1111 1111, call me on +44 20 7946 0958 or mail "
          "jane.doe@example.com; my address is 12 Court Street, Springfield.\n";
      while (all.size() < (1u << 20)) all += line;
    }
    return all;
  }();
  return text;
}

std::string prompt_4k() {
  const std::string& c = corpus();
  std::size_t n = std::min<std::size_t>(4096, c.size());
  while (n > 0 && (static_cast<unsigned char>(c[n]) & 0xC0) == 0x80) --n;  // whole UTF-8
  return c.substr(0, n);
}

const Scanner& builtins() {
  static const auto s = *Scanner::compile(DlpConfig{});
  return *s;
}

void BM_Baseline_Memchr(benchmark::State& state) {
  const std::string& c = corpus();
  for (auto _ : state) benchmark::DoNotOptimize(std::memchr(c.data(), '\x01', c.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.size()));
}

int on_match(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  ++*static_cast<std::size_t*>(ctx);
  return 0;
}

// Hyperscan with one literal that never matches over `text`: the floor of any scan.
void one_literal_baseline(benchmark::State& state, const std::string& text) {
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  hs_compile("zqxjzqxj", 0, HS_MODE_BLOCK, nullptr, &db, &err);
  hs_scratch_t* scratch = nullptr;
  hs_alloc_scratch(db, &scratch);
  std::size_t matches = 0;
  for (auto _ : state) {
    hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match, &matches);
  }
  benchmark::DoNotOptimize(matches);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  hs_free_scratch(scratch);
  hs_free_database(db);
}

// Every built-in detector over `text`.
void builtins_scan(benchmark::State& state, const std::string& text) {
  static DlpScratch scratch;  // one for every run, as each gateway thread keeps one
  std::vector<Finding> out;
  (void)builtins().scan(text, scratch, out);  // warm: scratch sized, buffers grown
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(builtins().scan(text, scratch, out));
  }
  state.counters["findings"] = static_cast<double>(out.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Baseline_HyperscanOneLiteral(benchmark::State& state) {
  one_literal_baseline(state, corpus());
}

void BM_DlpScan_Corpus(benchmark::State& state) {
  builtins_scan(state, corpus());
  state.SetLabel(std::to_string(corpus().size()) + " bytes");
}

void BM_DlpScan_Prompt4KB(benchmark::State& state) { builtins_scan(state, prompt_4k()); }

// The same texts scanned one by one, as the gateway scans each message: what a call costs
// on top of the bytes (2,109 texts of about 85 bytes).
void BM_DlpScan_EachText(benchmark::State& state) {
  std::vector<std::string> texts;
  if (auto samples = load_presidio_file(default_presidio_data_path())) {
    for (auto& s : *samples) texts.push_back(std::move(s.text));
  }
  std::size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  DlpScratch scratch;
  std::vector<Finding> out;
  for (auto _ : state) {
    for (const auto& t : texts) {
      out.clear();
      benchmark::DoNotOptimize(builtins().scan(t, scratch, out));
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(std::to_string(texts.size()) + " texts");
}

void BM_Baseline_HyperscanOneLiteral_Prompt4KB(benchmark::State& state) {
  one_literal_baseline(state, prompt_4k());
}

// The pass every scan makes for digits (DigitGroups::find) alone: a floor for the number
// detectors.
void BM_DigitGroups(benchmark::State& state) {
  DigitGroups groups;
  for (auto _ : state) {
    groups.find(corpus());
    benchmark::DoNotOptimize(groups.size());
  }
  state.counters["groups"] = static_cast<double>(groups.size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus().size()));
}

// `specs` alone over the corpus: where the time goes.
void subset_scan(benchmark::State& state, std::vector<DetectorSpec> specs, std::string label) {
  const auto scanner = *Scanner::compile(std::move(specs));
  const std::string& c = corpus();
  DlpScratch scratch;
  std::vector<Finding> out;
  (void)scanner->scan(c, scratch, out);  // warm
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(scanner->scan(c, scratch, out));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.size()));
  state.SetLabel(std::move(label));
}

// One built-in detector alone.
void BM_DlpScan_OneDetector(benchmark::State& state) {
  const auto& spec = builtin_detectors()[static_cast<std::size_t>(state.range(0))];
  subset_scan(state, {spec}, spec.id);
}

// The built-in detectors split in two: number detectors (0) and the rest (1).
void BM_DlpScan_Group(benchmark::State& state) {
  std::vector<DetectorSpec> specs;
  for (const auto& s : builtin_detectors()) {
    if (s.numeric() == (state.range(0) == 0)) specs.push_back(s);
  }
  subset_scan(state, std::move(specs),
              state.range(0) == 0 ? "number detectors" : "other detectors");
}

BENCHMARK(BM_Baseline_Memchr);
BENCHMARK(BM_DigitGroups);
BENCHMARK(BM_DlpScan_Group)->DenseRange(0, 1);
BENCHMARK(BM_Baseline_HyperscanOneLiteral);
BENCHMARK(BM_DlpScan_Corpus);
BENCHMARK(BM_Baseline_HyperscanOneLiteral_Prompt4KB);
BENCHMARK(BM_DlpScan_Prompt4KB);
BENCHMARK(BM_DlpScan_EachText);
BENCHMARK(BM_DlpScan_OneDetector)
    ->DenseRange(0, static_cast<int64_t>(builtin_detectors().size()) - 1);

}  // namespace

BENCHMARK_MAIN();
