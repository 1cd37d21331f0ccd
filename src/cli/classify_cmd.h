// `switchyard classify` and `switchyard eval-router`: the routing classifier from the
// command line.
//   classify     JSON lines {"prompt": …} on stdin → one JSON line per input:
//                {"task_type":"code","confidence":0.93,"p_cheap_ok":0.71,"micros":3.2}
//                (a bad line gets {"error": …} and processing continues)
//   eval-router  PGR curve, APGR and CPT(50%/80%) by subject-held-out cross-validation on
//                the MMLU correctness files, next to a random router; task-type accuracy and
//                confusion by k-fold cross-validation; or, with --savings FILE, the cost of
//                routed traffic against always-strong for a traffic sample.
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_classify_commands(CLI::App& app);

}  // namespace sy::cli
