// Number runs: the parts of a text the number detectors (DetectorSpec::numeric) can match
// in — maximal runs of kNumberChars holding digits — and their copy into one buffer, so
// that one Hyperscan scan of the buffer replaces a scan of the whole text. Digit patterns
// without a literal are what makes a Hyperscan scan slow on ordinary text; runs are a few
// percent of it. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sy::governance {

struct NumberRun {
  std::size_t start = 0;  // byte offset of the run in the text
  std::size_t size = 0;   // bytes of the run
  std::size_t tail = 0;   // bytes after it that are copied too (an extension suffix)
  std::size_t at = 0;     // offset of the copy in the buffer (copy_number_run)
};

// Replaces `runs` with the runs of `text` worth scanning, in text order: at least
// kNumberMinDigits digits, or followed by an extension marker ('x' or 'e'), since a match
// starting there may run on into the next run and decide where that match starts.
void find_number_runs(std::string_view text, std::vector<NumberRun>& runs);

// Whether a match starting in `a` can reach into `b` (a's tail overlaps b).
inline bool runs_chained(const NumberRun& a, const NumberRun& b) {
  return a.start + a.size + a.tail > b.start;
}

// Appends the run and its tail to `buf`, then '\n' (no number pattern crosses it), and
// records where in `run.at`.
void copy_number_run(std::string_view text, NumberRun& run, std::string& buf);

// The run whose copy holds buffer offset `at`; `runs` sorted by `at`, `at` >= runs[0].at.
const NumberRun& run_at(std::span<const NumberRun> runs, std::size_t at);

}  // namespace sy::governance
