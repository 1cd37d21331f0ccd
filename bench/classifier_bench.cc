// Routing classifier micro-benchmarks: the time to classify one prompt (short, 1 KB, 4 KB)
// with the committed model, next to two baselines over the same bytes in the same run:
// memchr for an absent byte (memory bandwidth) and a whitespace word count (the cheapest
// pass that looks at every byte). Compare the time columns; bench/README.md has ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "routing/classifier.h"

namespace {

using namespace sy::routing;

const Classifier& model() {
  static const Classifier c = [] {
    auto m = Classifier::load(default_classifier_path());
    if (!m) {
      std::fprintf(stderr, "classifier_bench: %s\n", m.error().message.c_str());
      std::exit(1);
    }
    return std::move(*m);
  }();
  return c;
}

// Text from the committed labelled prompts (varied English, code, other scripts).
const std::string& corpus() {
  static const std::string text = [] {
    std::ifstream f(std::string(SY_SOURCE_DIR) + "/models/task_types.jsonl");
    std::ostringstream s;
    s << f.rdbuf();
    std::string all = s.str();
    while (all.size() < 8192) all += all.empty() ? std::string("word ") : all;
    return all;
  }();
  return text;
}

std::string prompt(std::size_t bytes) {
  std::size_t n = std::min(bytes, corpus().size());
  while (n > 0 && (static_cast<unsigned char>(corpus()[n]) & 0xC0) == 0x80) --n;
  return corpus().substr(0, n);
}

const std::string kShort = "Translate to French: 'The meeting has been moved to Thursday.'";

void classify(benchmark::State& state, const std::string& text) {
  const Classifier& c = model();
  for (auto _ : state) benchmark::DoNotOptimize(c.predict(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void memchr_baseline(benchmark::State& state, const std::string& text) {
  for (auto _ : state) benchmark::DoNotOptimize(std::memchr(text.data(), '\x01', text.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void word_count_baseline(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    std::size_t words = 0;
    bool in_word = false;
    for (char ch : text) {
      const bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
      words += !space && !in_word;
      in_word = !space;
    }
    benchmark::DoNotOptimize(words);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_Classify_Short(benchmark::State& s) { classify(s, kShort); }
void BM_Classify_1KB(benchmark::State& s) { classify(s, prompt(1024)); }
void BM_Classify_4KB(benchmark::State& s) { classify(s, prompt(4096)); }
void BM_Baseline_Memchr_1KB(benchmark::State& s) { memchr_baseline(s, prompt(1024)); }
void BM_Baseline_Memchr_4KB(benchmark::State& s) { memchr_baseline(s, prompt(4096)); }
void BM_Baseline_WordCount_Short(benchmark::State& s) { word_count_baseline(s, kShort); }
void BM_Baseline_WordCount_1KB(benchmark::State& s) { word_count_baseline(s, prompt(1024)); }
void BM_Baseline_WordCount_4KB(benchmark::State& s) { word_count_baseline(s, prompt(4096)); }

BENCHMARK(BM_Baseline_WordCount_Short);
BENCHMARK(BM_Classify_Short);
BENCHMARK(BM_Baseline_Memchr_1KB);
BENCHMARK(BM_Baseline_WordCount_1KB);
BENCHMARK(BM_Classify_1KB);
BENCHMARK(BM_Baseline_Memchr_4KB);
BENCHMARK(BM_Baseline_WordCount_4KB);
BENCHMARK(BM_Classify_4KB);

}  // namespace

BENCHMARK_MAIN();
