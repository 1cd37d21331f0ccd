#include "store/identity_rows.h"

namespace sy::store {
namespace {

Result<void> check_name(std::string_view v, const char* field) {
  if (valid_identity_name(v)) return {};
  return fail(ErrorKind::InvalidRequest,
              std::string(field) + " must be 1-64 letters, digits, '.', '_' or '-', got \"" +
                  std::string(v.substr(0, 80)) + "\"",
              field);
}

}  // namespace

bool valid_identity_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<void> validate_list_items(const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    if (item.empty() || item.find('\n') != std::string::npos) {
      return fail(ErrorKind::InvalidRequest, "list items must be non-empty and on one line");
    }
  }
  return {};
}

Result<void> validate_team(const TeamRow& t) {
  if (auto r = check_name(t.name, "name"); !r) return r;
  return validate_list_items(t.regions);
}

Result<void> validate_project(const ProjectRow& p) {
  if (auto r = check_name(p.team, "team"); !r) return r;
  return check_name(p.name, "name");
}

Result<void> validate_key(const ApiKeyRow& k) {
  if (auto r = check_name(k.id, "id"); !r) return r;
  if (auto r = check_name(k.team, "team"); !r) return r;
  if (!k.project.empty()) {
    if (auto r = check_name(k.project, "project"); !r) return r;
  }
  if (k.hash_hex.size() != 64 ||
      k.hash_hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return fail(ErrorKind::InvalidRequest, "hash_hex must be 64 lowercase hex digits", "hash_hex");
  }
  for (const auto* list : {&k.roles, &k.models, &k.routes, &k.regions, &k.tags}) {
    if (auto r = validate_list_items(*list); !r) return r;
  }
  return {};
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += '\n';
    out += i;
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

Error already_exists(std::string what) {
  Error e = Error::make(ErrorKind::InvalidRequest, std::move(what) + " already exists", {},
                        "already_exists");
  e.status = 409;
  return e;
}

Error unknown_team(std::string_view team) {
  return Error::make(ErrorKind::NotFound, "unknown team \"" + std::string(team) + "\"", "team",
                     "team_not_found");
}

Error unknown_project(std::string_view team, std::string_view project) {
  return Error::make(ErrorKind::NotFound,
                     "unknown project \"" + std::string(project) + "\" in team \"" +
                         std::string(team) + "\"",
                     "project", "project_not_found");
}

}  // namespace sy::store
