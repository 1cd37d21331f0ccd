#include "core/config_dlp.h"

#include <fmt/format.h>

#include <cctype>
#include <set>

namespace sy {
namespace {

void read_custom(YamlReader& r, const YAML::Node& n, const std::string& path, CustomDetector& d) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"id", "entity_type", "regex", "keywords", "case_insensitive"});
  r.read(n, path, "id", d.id, /*required=*/true);
  r.read(n, path, "entity_type", d.entity_type, /*required=*/true);
  r.read(n, path, "regex", d.regex);
  r.read_list(n, path, "keywords", d.keywords);
  r.read(n, path, "case_insensitive", d.case_insensitive);
  if (d.regex.empty() == d.keywords.empty()) {
    r.problem(n, path, "needs exactly one of regex and keywords");
  }
  for (char c : d.entity_type) {
    if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      r.problem(n["entity_type"], YamlReader::join(path, "entity_type"),
                "must be upper case letters, digits and '_' (like EMAIL_ADDRESS)");
      break;
    }
  }
}

}  // namespace

void read_dlp(YamlReader& r, const YAML::Node& n, DlpConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string path = "dlp";
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"enabled", "builtins", "disabled", "custom", "gitleaks_files"});
  r.read(n, path, "enabled", out.enabled);
  r.read(n, path, "builtins", out.builtins);
  r.read_list(n, path, "disabled", out.disabled);
  r.read_list(n, path, "gitleaks_files", out.gitleaks_files);
  const YAML::Node custom = n["custom"];
  if (!custom.IsDefined() || custom.IsNull()) return;
  if (!custom.IsSequence()) {
    r.problem(custom, "dlp.custom", "expected a list of detectors");
    return;
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < custom.size(); ++i) {
    const std::string p = fmt::format("dlp.custom[{}]", i);
    CustomDetector d;
    read_custom(r, custom[i], p, d);
    if (!d.id.empty() && !ids.insert(d.id).second) r.problem(custom[i], p, "duplicate id " + d.id);
    out.custom.push_back(std::move(d));
  }
}

}  // namespace sy
