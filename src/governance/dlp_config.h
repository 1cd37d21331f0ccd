// The scanner's configuration types live in core (core/dlp_config.h), where the config
// loader reads them; governance uses them under its own namespace.
#pragma once

#include "core/dlp_config.h"

namespace sy::governance {

using sy::CustomDetector;
using sy::DlpConfig;

}  // namespace sy::governance
