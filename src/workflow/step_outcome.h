// StepOutcome: how one execution of a step (or of one map item) ended — with an output,
// with an error, or waiting (an approval). `detail_json` records what happened on the way
// (calls made, repairs, escalation, the approval's decision) for the step's record.
#pragma once

#include <string>

namespace sy::workflow {

struct StepOutcome {
  enum class Kind { Succeeded, Failed, Waiting };
  Kind kind = Kind::Succeeded;
  std::string output_json;
  std::string error;
  std::string detail_json;

  static StepOutcome ok(std::string output, std::string detail = {}) {
    return {Kind::Succeeded, std::move(output), {}, std::move(detail)};
  }
  static StepOutcome failed(std::string error, std::string detail = {}) {
    return {Kind::Failed, {}, std::move(error), std::move(detail)};
  }
};

}  // namespace sy::workflow
