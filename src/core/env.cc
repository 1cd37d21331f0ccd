#include "core/env.h"

#include <cctype>
#include <cstdlib>

namespace sy {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> interpolate(std::string_view text, const EnvLookup& env) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] != '{') {
      out += c;
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return fail(ErrorKind::InvalidRequest, "unterminated '${' in \"" + std::string(text) + "\"");
    }
    std::string_view ref = text.substr(i + 2, close - i - 2);
    std::string_view fallback;
    bool has_fallback = false;
    if (const size_t sep = ref.find(":-"); sep != std::string_view::npos) {
      fallback = ref.substr(sep + 2);
      ref = ref.substr(0, sep);
      has_fallback = true;
    }
    if (ref.empty()) return fail(ErrorKind::InvalidRequest, "empty variable name in '${}'");
    for (char n : ref) {
      if (!(std::isalnum(static_cast<unsigned char>(n)) || n == '_')) {
        return fail(ErrorKind::InvalidRequest,
                    "invalid environment variable name '" + std::string(ref) + "'");
      }
    }
    auto value = env(std::string(ref));
    if (value && !value->empty()) {
      out += *value;
    } else if (has_fallback) {
      out += fallback;
    } else if (value) {
      // Set but empty, no default: an empty value is what was asked for.
    } else {
      return fail(ErrorKind::InvalidRequest,
                  "environment variable " + std::string(ref) +
                      " is not set (write ${" + std::string(ref) + ":-default} to give a default)");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sy
