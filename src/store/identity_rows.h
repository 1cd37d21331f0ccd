// What both backends share for the identity tables: the checks a team, project or key
// must pass before it is written, and how the list columns of a key are stored (items
// joined with '\n'). Pure logic; plain functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace sy::store {

// 1-64 of [A-Za-z0-9._-].
bool valid_identity_name(std::string_view s);
Result<void> validate_team(const TeamRow& t);
Result<void> validate_project(const ProjectRow& p);
Result<void> validate_key(const ApiKeyRow& k);

// Items of a stored list: non-empty, one line each.
Result<void> validate_list_items(const std::vector<std::string>& items);
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(std::string_view text);

// The 409 "already exists" error and the 404 "unknown team/project" errors.
Error already_exists(std::string what);
Error unknown_team(std::string_view team);
Error unknown_project(std::string_view team, std::string_view project);

}  // namespace sy::store
