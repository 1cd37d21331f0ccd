// The `switchyard dlp scan` line protocol, as pure functions: one JSON object
// {"text": "..."} in, one JSON line {"findings":[{"entity_type","start","end","detector"}]}
// out, with start/end as Unicode code-point offsets. A bad line yields
// {"error":"...","findings":[]} so the output stays one line per input line.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/error.h"
#include "governance/dlp_scanner.h"

namespace sy::governance {

// The "text" member of one input line.
Result<std::string> parse_scan_line(std::string_view line);
// The output line (without the trailing newline) for `text` and its byte-offset findings.
std::string findings_line(std::string_view text, std::span<const Finding> findings);
std::string error_line(std::string_view message);

}  // namespace sy::governance
