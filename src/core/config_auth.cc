#include "core/config_auth.h"

#include <fmt/format.h>

#include <set>

#include "core/url.h"

namespace sy {
namespace {

using YAML::Node;

void check_roles(YamlReader& r, const Node& map, const std::string& path, const char* key,
                 const std::vector<std::string>& roles) {
  for (size_t i = 0; i < roles.size(); ++i) {
    if (!known_role_name(roles[i])) {
      r.problem(map[key][i], fmt::format("{}.{}[{}]", path, key, i),
                fmt::format("unknown role \"{}\" (expected org-admin, team-admin, developer or "
                            "auditor)",
                            roles[i]));
    }
  }
}

void read_static_key(YamlReader& r, const Node& n, const std::string& path, size_t index,
                     StaticKeyConfig& k) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"id", "key", "key_sha256", "team", "project", "roles", "models", "routes",
                "regions", "tags"});
  r.read(n, path, "id", k.id);
  if (k.id.empty()) k.id = fmt::format("static-{}", index);
  r.read(n, path, "key", k.key);
  r.read(n, path, "key_sha256", k.key_sha256);
  r.read(n, path, "team", k.team, true);
  r.read(n, path, "project", k.project);
  r.read_list(n, path, "roles", k.roles);
  check_roles(r, n, path, "roles", k.roles);
  r.read_list(n, path, "models", k.models);
  r.read_list(n, path, "routes", k.routes);
  r.read_list(n, path, "regions", k.regions);
  r.read_list(n, path, "tags", k.tags);
  if (k.key.empty() == k.key_sha256.empty()) {
    r.problem(n, path, "give exactly one of key (the secret) and key_sha256 (its SHA-256)");
  }
  for (char& c : k.key_sha256) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!k.key_sha256.empty() && (k.key_sha256.size() != 64 ||
                                k.key_sha256.find_first_not_of("0123456789abcdef") !=
                                    std::string::npos)) {
    r.problem(n["key_sha256"], path + ".key_sha256", "expected 64 hex digits");
  }
}

void read_issuer(YamlReader& r, const Node& n, const std::string& path, JwtIssuerConfig& j) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"issuer", "audience", "jwks_url", "jwks_file", "team_claim", "team_prefix",
                "project_claim", "roles_claim", "role_map", "default_roles", "leeway_s",
                "jwks_refresh_s", "jwks_min_refetch_s", "verify_tls", "ca_file"});
  r.read(n, path, "issuer", j.issuer, true);
  r.read_list(n, path, "audience", j.audiences, /*scalar_ok=*/true);
  if (j.audiences.empty()) r.problem(n, path + ".audience", "at least one audience is required");
  r.read(n, path, "jwks_url", j.jwks_url);
  r.read(n, path, "jwks_file", j.jwks_file);
  if (j.jwks_url.empty() == j.jwks_file.empty()) {
    r.problem(n, path, "give exactly one of jwks_url and jwks_file");
  }
  if (!j.jwks_url.empty()) {
    auto ep = parse_endpoint(j.jwks_url);
    if (!ep) {
      r.problem(n["jwks_url"], path + ".jwks_url", ep.error().message);
    } else if (!ep->tls && ep->host != "127.0.0.1" && ep->host != "localhost" && ep->host != "::1") {
      r.problem(n["jwks_url"], path + ".jwks_url", "must be https (plain http only on loopback)");
    }
  }
  r.read(n, path, "team_claim", j.team_claim);
  r.read(n, path, "team_prefix", j.team_prefix);
  r.read(n, path, "project_claim", j.project_claim);
  r.read(n, path, "roles_claim", j.roles_claim);
  r.read_list(n, path, "default_roles", j.default_roles);
  check_roles(r, n, path, "default_roles", j.default_roles);
  if (const Node m = n["role_map"]; m.IsDefined() && !m.IsNull()) {
    if (r.expect_map(m, path + ".role_map")) {
      for (const auto& kv : m) {
        const std::string from = kv.first.as<std::string>();
        const std::string p = path + ".role_map." + from;
        std::string to;
        if (!r.scalar(kv.second, p, to)) continue;
        if (!known_role_name(to)) {
          r.problem(kv.second, p, fmt::format("unknown role \"{}\"", to));
          continue;
        }
        j.role_map[from] = to;
      }
    }
  }
  r.read(n, path, "leeway_s", j.leeway_s);
  r.read(n, path, "jwks_refresh_s", j.jwks_refresh_s);
  r.read(n, path, "jwks_min_refetch_s", j.jwks_min_refetch_s);
  r.read(n, path, "verify_tls", j.verify_tls);
  r.read(n, path, "ca_file", j.ca_file);
  if (j.leeway_s > 600) r.problem(n["leeway_s"], path + ".leeway_s", "at most 600");
  if (j.jwks_refresh_s < 10) r.problem(n["jwks_refresh_s"], path + ".jwks_refresh_s", "at least 10");
  if (j.jwks_min_refetch_s < 1 || j.jwks_min_refetch_s > 3600) {
    r.problem(n["jwks_min_refetch_s"], path + ".jwks_min_refetch_s", "between 1 and 3600");
  }
}

}  // namespace

bool known_role_name(std::string_view s) {
  return s == "org-admin" || s == "team-admin" || s == "developer" || s == "auditor";
}

void read_auth(YamlReader& r, const Node& n, AuthConfig& a) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, "auth")) return;
  r.allow_keys(n, "auth", {"keys", "jwt", "require", "key_refresh_ms"});
  r.read(n, "auth", "require", a.require);
  r.read(n, "auth", "key_refresh_ms", a.key_refresh_ms);
  if (a.key_refresh_ms < 100 || a.key_refresh_ms > 600'000) {
    r.problem(n["key_refresh_ms"], "auth.key_refresh_ms", "must be between 100 and 600000");
  }
  if (const Node keys = n["keys"]; keys.IsDefined() && !keys.IsNull()) {
    if (!keys.IsSequence()) {
      r.problem(keys, "auth.keys", "expected a list");
    } else {
      std::set<std::string> ids, secrets;
      for (size_t i = 0; i < keys.size(); ++i) {
        const std::string path = fmt::format("auth.keys[{}]", i);
        StaticKeyConfig& k = a.keys.emplace_back();
        read_static_key(r, keys[i], path, i, k);
        if (!ids.insert(k.id).second) r.problem(keys[i], path + ".id", "duplicate key id");
        const std::string& secret = k.key.empty() ? k.key_sha256 : k.key;
        if (!secret.empty() && !secrets.insert(secret).second) {
          r.problem(keys[i], path, "the same key is declared twice");
        }
      }
    }
  }
  if (const Node jwt = n["jwt"]; jwt.IsDefined() && !jwt.IsNull()) {
    if (!jwt.IsSequence()) {
      r.problem(jwt, "auth.jwt", "expected a list");
    } else {
      std::set<std::string> issuers;
      for (size_t i = 0; i < jwt.size(); ++i) {
        const std::string path = fmt::format("auth.jwt[{}]", i);
        JwtIssuerConfig& j = a.jwt.emplace_back();
        read_issuer(r, jwt[i], path, j);
        if (!j.issuer.empty() && !issuers.insert(j.issuer).second) {
          r.problem(jwt[i], path + ".issuer", "duplicate issuer");
        }
      }
    }
  }
}

}  // namespace sy
