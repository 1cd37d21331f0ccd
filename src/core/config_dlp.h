// Reading the `dlp:` section of a config file into DlpConfig (core/dlp_config.h). Part
// of load_config_text(); problems go to the YamlReader with their path. Not thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include "core/dlp_config.h"
#include "core/yaml_reader.h"

namespace sy {

void read_dlp(YamlReader& r, const YAML::Node& n, DlpConfig& out);

}  // namespace sy
