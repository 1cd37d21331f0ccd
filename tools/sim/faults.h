// Fault injection for switchyard-sim: parses the directive vocabulary shared by the
// `x-sim-fault` header, `[[sim:...]]` blocks in message text and a model's `faults:` config
// entry, and decides which directives apply to a request. Pure logic, no I/O.
// FaultSpec is a value type; FaultTally is not thread-safe (the simulator uses it from its single
// io_context thread).
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sy::sim {

// One parsed directive list, e.g. "status=503 times=2 model=sim-small".
struct FaultSpec {
  std::optional<int> status;           // answer with this HTTP status and an error envelope
  std::optional<int> retry_after;      // seconds, sent as `retry-after` (429 defaults to 1)
  std::optional<int64_t> delay_ms;     // wait before the response headers
  bool reset = false;                  // abortive close without a response
  bool malformed = false;              // 200 with a body (or stream event) that is not JSON
  std::optional<int64_t> cut_after;    // stream: close after N token chunks
  std::optional<int64_t> stall_after;  // stream: go silent after N token chunks
  std::optional<int64_t> error_after;  // stream: after N token chunks, an in-stream error
  std::optional<std::string> model;    // applies only to requests for this model
  std::optional<int64_t> times;        // applies only to the first N matching requests
  std::string text;                    // normalised directives; identifies it for `times`

  // True when the spec changes nothing about the response.
  bool has_no_effect() const;
};

// Parses space- or comma-separated `key=value` directives and flags. An empty text is a valid,
// empty spec. The error names the offending directive.
std::expected<FaultSpec, std::string> parse_fault_directives(std::string_view text);

// The contents of every `[[sim:...]]` block in `text`, in order of appearance.
std::vector<std::string_view> find_inline_directives(std::string_view text);

// Counts how many requests each (model, directive text) pair has matched since start or reset,
// so that `times=N` can let later requests through.
class FaultTally {
 public:
  // Records one more matching request and returns its 1-based ordinal.
  int64_t record(std::string_view model, std::string_view directive_text);
  void reset() { counts_.clear(); }

 private:
  std::map<std::string, int64_t, std::less<>> counts_;
};

// Whether `spec` applies to a request for `model`: its model filter matches and, with `times`,
// it is among the first N matches (the match is recorded in `tally`).
bool fault_applies(const FaultSpec& spec, std::string_view model, FaultTally& tally);

// The faults that apply to one request for `model`, merged: the `x-sim-fault` header's (when
// given), every `[[sim:...]]` block in `texts`, then the model's standing `model_faults`. The
// error names the bad header or block.
std::expected<FaultSpec, std::string> collect_request_faults(std::optional<std::string_view> header,
                                                             std::span<const std::string_view> texts,
                                                             const FaultSpec& model_faults,
                                                             std::string_view model,
                                                             FaultTally& tally);

// Combines applicable specs into one: for each value the first spec that sets it wins; flags are
// set when any spec sets them.
FaultSpec merge_faults(std::span<const FaultSpec> specs);

}  // namespace sy::sim
