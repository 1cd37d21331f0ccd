// YamlReader: a small strict reader over yaml-cpp nodes that remembers where it is.
// Each accessor checks the node's type, records a problem ("file:line: path: expected
// X, got Y") instead of throwing, and lets the caller carry on so that every problem in
// a file is reported in one go. Unknown and repeated keys in a mapping are problems too.
// Not thread-safe; one reader per load.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"

namespace sy {

class YamlReader {
 public:
  YamlReader(std::string source, const EnvLookup& env) : source_(std::move(source)), env_(env) {}

  // Records a problem at `node` (path is the dotted path inside the file).
  void problem(const YAML::Node& node, const std::string& path, const std::string& what);
  const std::vector<std::string>& problems() const { return problems_; }

  // True when `node` is a mapping; otherwise records "expected a mapping".
  bool expect_map(const YAML::Node& node, const std::string& path);
  // Records every key of mapping `node` that is not in `allowed`, and every repeated key.
  void allow_keys(const YAML::Node& node, const std::string& path,
                  std::initializer_list<std::string_view> allowed);

  // Typed reads of `map[key]`. A missing key leaves `out` unchanged unless `required`.
  void read(const YAML::Node& map, const std::string& path, const char* key, std::string& out,
            bool required = false);
  void read(const YAML::Node& map, const std::string& path, const char* key, uint32_t& out,
            bool required = false);
  void read(const YAML::Node& map, const std::string& path, const char* key, uint64_t& out,
            bool required = false);
  void read(const YAML::Node& map, const std::string& path, const char* key, double& out,
            bool required = false);
  void read(const YAML::Node& map, const std::string& path, const char* key, bool& out,
            bool required = false);

  // A list of non-empty one-line strings; with `scalar_ok`, one scalar stands for a list
  // of one. A missing key leaves `out` unchanged.
  void read_list(const YAML::Node& map, const std::string& path, const char* key,
                 std::vector<std::string>& out, bool scalar_ok = false);

  // A scalar with environment references expanded; records a problem and returns
  // nullopt-like empty on failure (check problems()).
  bool scalar(const YAML::Node& node, const std::string& path, std::string& out);

  static std::string join(const std::string& path, std::string_view key);

 private:
  std::optional<YAML::Node> present(const YAML::Node& map, const std::string& path,
                                    const char* key, bool required);

  std::string source_;
  const EnvLookup& env_;
  std::vector<std::string> problems_;
};

}  // namespace sy
