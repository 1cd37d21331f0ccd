#include "core/yaml_reader.h"

#include <algorithm>

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace sy {
namespace {

const char* kind_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "nothing";
  }
}

}  // namespace

std::string YamlReader::join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return path + "." + std::string(key);
}

void YamlReader::problem(const YAML::Node& node, const std::string& path, const std::string& what) {
  YAML::Mark mark = YAML::Mark::null_mark();
  try {
    mark = node.Mark();
  } catch (const YAML::Exception&) {
    // A missing node has no position; report the path alone.
  }
  if (mark.line >= 0) {
    problems_.push_back(fmt::format("{}:{}: {}: {}", source_, mark.line + 1, path, what));
  } else {
    problems_.push_back(fmt::format("{}: {}: {}", source_, path, what));
  }
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  problem(node, path, fmt::format("expected a mapping, got {}", kind_name(node)));
  return false;
}

void YamlReader::allow_keys(const YAML::Node& node, const std::string& path,
                            std::initializer_list<std::string_view> allowed) {
  std::vector<std::pair<std::string, int>> seen;  // key, line (1-based)
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    // yaml-cpp keeps a repeated key and lookups see only the first: refuse it instead.
    const auto again = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
    if (again != seen.end()) {
      problem(kv.first, join(path, key), fmt::format("duplicate key (first at line {})", again->second));
      continue;
    }
    seen.emplace_back(key, kv.first.Mark().line + 1);
    bool ok = false;
    for (auto a : allowed) ok = ok || a == key;
    if (ok) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    problem(kv.first, join(path, key), fmt::format("unknown key (expected one of: {})", list));
  }
}

std::optional<YAML::Node> YamlReader::present(const YAML::Node& map, const std::string& path,
                                              const char* key, bool required) {
  // Copy-construct: assigning a missing (zombie) node to an existing one throws.
  const YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) {
    if (required) problem(map, join(path, key), "required key is missing");
    return std::nullopt;
  }
  return node;
}

bool YamlReader::scalar(const YAML::Node& node, const std::string& path, std::string& out) {
  if (!node.IsScalar()) {
    problem(node, path, fmt::format("expected a scalar value, got {}", kind_name(node)));
    return false;
  }
  auto expanded = interpolate(node.Scalar(), env_);
  if (!expanded) {
    problem(node, path, expanded.error().message);
    return false;
  }
  out = std::move(*expanded);
  return true;
}

void YamlReader::read(const YAML::Node& map, const std::string& path, const char* key,
                      std::string& out, bool required) {
  if (const auto n = present(map, path, key, required)) scalar(*n, join(path, key), out);
}

void YamlReader::read(const YAML::Node& map, const std::string& path, const char* key,
                      uint64_t& out, bool required) {
  const auto n = present(map, path, key, required);
  if (!n) return;
  const std::string p = join(path, key);
  std::string s;
  if (!scalar(*n, p, s)) return;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    problem(*n, p, fmt::format("expected a non-negative integer, got \"{}\"", s));
    return;
  }
  out = v;
}

void YamlReader::read(const YAML::Node& map, const std::string& path, const char* key,
                      uint32_t& out, bool required) {
  uint64_t wide = out;
  const size_t before = problems_.size();
  read(map, path, key, wide, required);
  if (problems_.size() != before) return;
  if (wide > UINT32_MAX) {
    const YAML::Node n = map[key];
    problem(n, join(path, key), "value is too large");
    return;
  }
  out = static_cast<uint32_t>(wide);
}

void YamlReader::read(const YAML::Node& map, const std::string& path, const char* key,
                      double& out, bool required) {
  const auto n = present(map, path, key, required);
  if (!n) return;
  const std::string p = join(path, key);
  std::string s;
  if (!scalar(*n, p, s)) return;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0) {
    problem(*n, p, fmt::format("expected a non-negative number, got \"{}\"", s));
    return;
  }
  out = v;
}

void YamlReader::read(const YAML::Node& map, const std::string& path, const char* key, bool& out,
                      bool required) {
  const auto n = present(map, path, key, required);
  if (!n) return;
  const std::string p = join(path, key);
  std::string s;
  if (!scalar(*n, p, s)) return;
  if (s == "true") {
    out = true;
  } else if (s == "false") {
    out = false;
  } else {
    problem(*n, p, fmt::format("expected true or false, got \"{}\"", s));
  }
}

void YamlReader::read_list(const YAML::Node& map, const std::string& path, const char* key,
                           std::vector<std::string>& out, bool scalar_ok) {
  const YAML::Node n = map[key];
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string p = YamlReader::join(path, key);
  out.clear();
  if (n.IsScalar() && scalar_ok) {
    std::string v;
    if (scalar(n, p, v)) out.push_back(std::move(v));
    return;
  }
  if (!n.IsSequence()) {
    problem(n, p, scalar_ok ? "expected a string or a list of strings" : "expected a list");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    std::string v;
    const std::string ip = fmt::format("{}[{}]", p, i);
    if (!scalar(n[i], ip, v)) continue;
    if (v.empty() || v.find('\n') != std::string::npos) {
      problem(n[i], ip, "must be non-empty and on one line");
      continue;
    }
    out.push_back(std::move(v));
  }
}

}  // namespace sy
