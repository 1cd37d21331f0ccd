// `switchyard dlp …`: the DLP scanner from the command line.
//   scan   JSON lines {"text": …} on stdin → one JSON line of findings per input line
//   eval   precision/recall per entity type on the shared presidio data
//   rules  the compiled detectors and the gitleaks import report
#pragma once

#include <CLI/CLI.hpp>

namespace sy::cli {

void add_dlp_commands(CLI::App& app);

}  // namespace sy::cli
