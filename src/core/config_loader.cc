#include "core/config_loader.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config_auth.h"
#include "core/config_catalog.h"
#include "core/config_dlp.h"
#include "core/policy_loader.h"
#include "core/config_limits.h"
#include "core/config_mcp.h"
#include "core/config_routes.h"
#include "core/url.h"
#include "core/yaml_reader.h"

namespace sy {
namespace {

using YAML::Node;

void read_timeouts(YamlReader& r, const Node& n, const std::string& path, UpstreamTimeouts& t) {
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path, {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"});
  r.read(n, path, "connect_ms", t.connect_ms);
  r.read(n, path, "first_byte_ms", t.first_byte_ms);
  r.read(n, path, "idle_ms", t.idle_ms);
  r.read(n, path, "total_ms", t.total_ms);
}

void read_server(YamlReader& r, const Node& n, ServerConfig& s) {
  const std::string path = "server";
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"listen", "threads", "max_body_bytes", "max_header_bytes", "request_timeout_ms",
                "keepalive_timeout_ms", "drain_timeout_ms", "access_log", "tls"});
  r.read(n, path, "listen", s.listen);
  if (auto a = parse_listen_address(s.listen); !a) r.problem(n["listen"], "server.listen", a.error().message);
  r.read(n, path, "threads", s.threads);
  r.read(n, path, "max_body_bytes", s.max_body_bytes);
  r.read(n, path, "max_header_bytes", s.max_header_bytes);
  r.read(n, path, "request_timeout_ms", s.request_timeout_ms);
  r.read(n, path, "keepalive_timeout_ms", s.keepalive_timeout_ms);
  r.read(n, path, "drain_timeout_ms", s.drain_timeout_ms);
  r.read(n, path, "access_log", s.access_log);
  if (s.max_body_bytes == 0) r.problem(n["max_body_bytes"], "server.max_body_bytes", "must be positive");
  if (s.max_header_bytes < 1024) {
    r.problem(n["max_header_bytes"], "server.max_header_bytes", "must be at least 1024");
  }
  if (const Node tls = n["tls"]; tls.IsDefined() && !tls.IsNull()) {
    if (r.expect_map(tls, "server.tls")) {
      r.allow_keys(tls, "server.tls", {"cert_file", "key_file"});
      TlsListenerConfig t;
      r.read(tls, "server.tls", "cert_file", t.cert_file, true);
      r.read(tls, "server.tls", "key_file", t.key_file, true);
      for (auto [key, file] : {std::pair{"cert_file", &t.cert_file}, {"key_file", &t.key_file}}) {
        std::error_code ec;
        if (!file->empty() && !std::filesystem::exists(*file, ec)) {
          r.problem(tls[key], std::string("server.tls.") + key, "file not found: " + *file);
        }
      }
      s.tls = std::move(t);
    }
  }
}

void read_provider(YamlReader& r, const std::string& name, const Node& n, ProviderConfig& p) {
  const std::string path = "providers." + name;
  p.name = name;
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"type", "base_url", "api_key", "api_version", "headers", "timeouts", "aws_region",
                "aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                "max_idle_connections", "verify_tls", "ca_file"});
  std::string type;
  r.read(n, path, "type", type, true);
  if (type == "openai") {
    p.type = ProviderType::OpenAI;
  } else if (type == "azure_openai") {
    p.type = ProviderType::AzureOpenAI;
  } else if (type == "openai_compatible") {
    p.type = ProviderType::OpenAICompatible;
  } else if (type == "anthropic") {
    p.type = ProviderType::Anthropic;
  } else if (type == "gemini") {
    p.type = ProviderType::Gemini;
  } else if (type == "bedrock") {
    p.type = ProviderType::Bedrock;
  } else if (!type.empty()) {
    r.problem(n["type"], path + ".type",
              fmt::format("unknown provider type \"{}\" (expected openai, azure_openai, "
                          "openai_compatible, anthropic, gemini or bedrock)",
                          type));
  }
  if (p.type == ProviderType::Bedrock) {  // requests are signed with these (SigV4)
    r.read(n, path, "aws_region", p.aws_region, true);
    r.read(n, path, "aws_access_key_id", p.aws_access_key_id, true);
    r.read(n, path, "aws_secret_access_key", p.aws_secret_access_key, true);
    r.read(n, path, "aws_session_token", p.aws_session_token);
  }
  // The public APIs have a default address; anything else must say where it is.
  const char* default_base = p.type == ProviderType::OpenAI      ? "https://api.openai.com/v1"
                             : p.type == ProviderType::Anthropic ? "https://api.anthropic.com"
                             : p.type == ProviderType::Gemini
                                 ? "https://generativelanguage.googleapis.com"
                                 : nullptr;
  const std::string bedrock_base = "https://bedrock-runtime." + p.aws_region + ".amazonaws.com";
  if (p.type == ProviderType::Bedrock) default_base = bedrock_base.c_str();
  r.read(n, path, "base_url", p.base_url, default_base == nullptr);
  if (p.base_url.empty() && default_base != nullptr) p.base_url = default_base;
  if (!p.base_url.empty()) {
    if (auto ep = parse_endpoint(p.base_url); !ep) {
      r.problem(n["base_url"], path + ".base_url", ep.error().message);
    }
  }
  r.read(n, path, "api_key", p.api_key);
  r.read(n, path, "api_version", p.api_version, p.type == ProviderType::AzureOpenAI);
  if (p.api_version.empty() && p.type == ProviderType::Anthropic) p.api_version = "2023-06-01";
  r.read(n, path, "max_idle_connections", p.max_idle_connections);
  r.read(n, path, "verify_tls", p.verify_tls);
  r.read(n, path, "ca_file", p.ca_file);
  if (const Node h = n["headers"]; h.IsDefined() && !h.IsNull()) {
    if (r.expect_map(h, path + ".headers")) {
      for (const auto& kv : h) {
        const std::string key = kv.first.as<std::string>();
        std::string value;
        if (r.scalar(kv.second, path + ".headers." + key, value)) p.headers[key] = value;
      }
    }
  }
  if (const Node t = n["timeouts"]; t.IsDefined() && !t.IsNull()) {
    read_timeouts(r, t, path + ".timeouts", p.timeouts);
  }
}

void read_deployment(YamlReader& r, const std::string& name, const Node& n, DeploymentConfig& d) {
  const std::string path = "deployments." + name;
  d.name = name;
  d.model = name;
  if (!r.expect_map(n, path)) return;
  r.allow_keys(n, path,
               {"provider", "model", "kind", "price", "context_window", "region", "tier", "labels",
                "max_output_tokens", "capabilities", "quality", "limits"});
  r.read(n, path, "provider", d.provider, true);
  std::string kind = "chat";
  r.read(n, path, "kind", kind);
  if (kind == "embedding") {
    d.kind = DeploymentKind::Embedding;
  } else if (kind != "chat") {
    r.problem(n["kind"], path + ".kind",
              fmt::format("unknown kind \"{}\" (expected chat or embedding)", kind));
  }
  r.read(n, path, "model", d.model);
  r.read(n, path, "context_window", d.context_window);
  r.read(n, path, "region", d.region);
  r.read(n, path, "tier", d.tier);
  if (const Node labels = n["labels"]; labels.IsDefined() && !labels.IsNull()) {
    if (!labels.IsSequence()) {
      r.problem(labels, path + ".labels", "expected a list of labels");
    } else {
      for (size_t i = 0; i < labels.size(); ++i) {
        std::string label;
        const std::string lp = fmt::format("{}.labels[{}]", path, i);
        if (!r.scalar(labels[i], lp, label)) continue;
        if (label.empty()) {
          r.problem(labels[i], lp, "expected a non-empty label");
        } else {
          d.labels.push_back(std::move(label));
        }
      }
    }
  }
  read_catalog_facts(r, path, n, d);
}

void read_storage(YamlReader& r, const Node& n, Config& c) {
  if (n.IsDefined() && !n.IsNull() && r.expect_map(n, "storage")) {
    r.allow_keys(n, "storage", {"url"});
    r.read(n, "storage", "url", c.storage.url);
    const auto& u = c.storage.url;
    if (!u.empty() && !u.starts_with("sqlite:") && !u.starts_with("postgres://") &&
        !u.starts_with("postgresql://") && !u.starts_with("postgres:")) {
      r.problem(n["url"], "storage.url",
                "expected sqlite:PATH, postgres://… or postgresql://…, got \"" + u + "\"");
    }
  }
  if (c.storage.url.empty()) c.storage.url = "sqlite:" + c.data_dir + "/switchyard.db";
}

void read_audit(YamlReader& r, const Node& n, Config& c) {
  AuditConfig& a = c.audit;
  if (n.IsDefined() && !n.IsNull() && r.expect_map(n, "audit")) {
    const std::string path = "audit";
    r.allow_keys(n, path,
                 {"enabled", "dir", "log_id", "durability", "batch_interval_ms", "queue_capacity",
                  "checkpoint_interval_ms", "segment_max_bytes", "signing_key_file", "capture",
                  "capture_max_bytes"});
    r.read(n, path, "enabled", a.enabled);
    r.read(n, path, "dir", a.dir);
    r.read(n, path, "log_id", a.log_id);
    if (a.log_id.size() > 64 ||
        a.log_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string::npos) {
      r.problem(n["log_id"], "audit.log_id", "at most 64 letters, digits, '.', '_' or '-'");
    }
    std::string durability, capture;
    r.read(n, path, "durability", durability);
    if (durability == "sync") {
      a.durability = Durability::Sync;
    } else if (durability == "batch" || durability.empty()) {
      a.durability = Durability::Batch;
    } else {
      r.problem(n["durability"], "audit.durability",
                "unknown durability \"" + durability + "\" (expected sync or batch)");
    }
    r.read(n, path, "capture", capture);
    if (capture == "full") {
      a.capture = CaptureMode::Full;
    } else if (capture == "none" || capture.empty()) {
      a.capture = CaptureMode::None;
    } else if (capture == "masked") {
      a.capture = CaptureMode::Masked;
    } else {
      r.problem(n["capture"], "audit.capture",
                "unknown capture mode \"" + capture + "\" (expected none, masked or full)");
    }
    r.read(n, path, "batch_interval_ms", a.batch_interval_ms);
    r.read(n, path, "queue_capacity", a.queue_capacity);
    r.read(n, path, "checkpoint_interval_ms", a.checkpoint_interval_ms);
    r.read(n, path, "segment_max_bytes", a.segment_max_bytes);
    r.read(n, path, "signing_key_file", a.signing_key_file);
    r.read(n, path, "capture_max_bytes", a.capture_max_bytes);
    if (a.batch_interval_ms == 0 || a.batch_interval_ms > 10'000) {
      r.problem(n["batch_interval_ms"], "audit.batch_interval_ms", "must be between 1 and 10000");
    }
    if (a.queue_capacity < 16 || a.queue_capacity > 1'000'000) {
      r.problem(n["queue_capacity"], "audit.queue_capacity", "must be between 16 and 1000000");
    }
    if (a.checkpoint_interval_ms < 10) {
      r.problem(n["checkpoint_interval_ms"], "audit.checkpoint_interval_ms",
                "must be at least 10");
    }
    if (a.segment_max_bytes < 4096) {
      r.problem(n["segment_max_bytes"], "audit.segment_max_bytes", "must be at least 4096");
    }
  }
  if (a.dir.empty()) a.dir = c.data_dir + "/audit";
  if (a.signing_key_file.empty()) a.signing_key_file = c.data_dir + "/audit-signing.key";
}

void read_workflows(YamlReader& r, const Node& n, WorkflowsConfig& w) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, "workflows")) return;
  r.allow_keys(n, "workflows",
               {"dir", "http_allow", "max_step_output_bytes", "max_active_runs", "default_route",
                "escalation_route", "summary_route", "step_timeout_ms", "mcp_servers"});
  r.read(n, "workflows", "dir", w.dir);
  r.read_list(n, "workflows", "http_allow", w.http_allow);
  for (const std::string& prefix : w.http_allow) {
    if (!prefix.starts_with("http://") && !prefix.starts_with("https://")) {
      r.problem(n["http_allow"], "workflows.http_allow",
                "\"" + prefix + "\" must start with http:// or https://");
    }
  }
  r.read(n, "workflows", "max_step_output_bytes", w.max_step_output_bytes);
  r.read(n, "workflows", "max_active_runs", w.max_active_runs);
  r.read(n, "workflows", "default_route", w.default_route);
  r.read(n, "workflows", "escalation_route", w.escalation_route);
  r.read(n, "workflows", "summary_route", w.summary_route);
  r.read(n, "workflows", "step_timeout_ms", w.step_timeout_ms);
  read_mcp_servers(r, n["mcp_servers"], w.mcp_servers);
  if (w.dir.empty()) r.problem(n["dir"], "workflows.dir", "must not be empty");
  if (w.max_step_output_bytes == 0) {
    r.problem(n["max_step_output_bytes"], "workflows.max_step_output_bytes", "must be at least 1");
  }
  if (w.max_active_runs == 0) {
    r.problem(n["max_active_runs"], "workflows.max_active_runs", "must be at least 1");
  }
  if (w.step_timeout_ms == 0) {
    r.problem(n["step_timeout_ms"], "workflows.step_timeout_ms", "must be at least 1");
  }
}

void read_admin(YamlReader& r, const Node& n, AdminConfig& a) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, "admin")) return;
  r.allow_keys(n, "admin", {"api_key"});
  r.read(n, "admin", "api_key", a.api_key);
  if (!a.api_key.empty() && a.api_key.size() < 16) {
    r.problem(n["api_key"], "admin.api_key", "must be at least 16 characters");
  }
}

template <class T, class F>
void read_section(YamlReader& r, const Node& root, const char* key, std::map<std::string, T>& out,
                  F&& read_one) {
  const Node section = root[key];
  if (!section.IsDefined() || section.IsNull()) return;
  if (!r.expect_map(section, key)) return;
  for (const auto& kv : section) {
    const std::string name = kv.first.as<std::string>();
    if (name.empty()) {
      r.problem(kv.first, key, "empty name");
      continue;
    }
    read_one(r, name, kv.second, out[name]);
  }
}

void cross_check(YamlReader& r, const Node& root, Config& c) {
  for (auto& [name, d] : c.deployments) {
    // (A missing key is already reported; an empty or unknown name is reported here.)
    const Node given = root["deployments"][name]["provider"];
    if (given.IsDefined() && !c.providers.contains(d.provider)) {
      r.problem(given, "deployments." + name + ".provider",
                fmt::format("unknown provider \"{}\"", d.provider));
    } else if (given.IsDefined() && d.kind == DeploymentKind::Embedding &&
               c.providers.at(d.provider).type == ProviderType::Anthropic) {
      r.problem(root["deployments"][name]["kind"], "deployments." + name + ".kind",
                fmt::format("provider \"{}\" is of type anthropic, which has no embeddings API",
                            d.provider));
    }
  }
  check_routes(r, root, c);
  if (c.deployments.empty()) r.problem(root, "deployments", "at least one deployment is required");
}

}  // namespace

Result<ConfigPtr> load_config_text(std::string_view yaml, std::string source,
                                   const EnvLookup& env) {
  Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::InvalidRequest,
                fmt::format("{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  auto config = std::make_shared<Config>();
  config->source = source;
  YamlReader r(source, env);
  try {
    if (r.expect_map(root, "(top level)")) {
      r.allow_keys(root, "",
                   {"data_dir", "storage", "audit", "admin", "auth", "server", "providers",
                    "deployments", "routes", "policies", "dlp", "limits", "budgets",
                    "rate_limits", "routing", "workflows"});
      r.read(root, "", "data_dir", config->data_dir);
      if (config->data_dir.empty()) r.problem(root["data_dir"], "data_dir", "must not be empty");
      read_storage(r, root["storage"], *config);
      read_audit(r, root["audit"], *config);
      read_admin(r, root["admin"], config->admin);
      read_workflows(r, root["workflows"], config->workflows);
      read_auth(r, root["auth"], config->auth);
      if (const Node s = root["server"]; s.IsDefined() && !s.IsNull()) read_server(r, s, config->server);
      read_section(r, root, "providers", config->providers, read_provider);
      read_section(r, root, "deployments", config->deployments, read_deployment);
      read_section(r, root, "routes", config->routes, read_route);
      read_routing(r, root["routing"], config->routing);
      read_policies(r, root["policies"], config->policies);
      read_dlp(r, root["dlp"], config->dlp);
      read_limits_sections(r, root, *config);
      cross_check(r, root, *config);
      check_policy_references(r, root, *config);
    }
  } catch (const YAML::Exception& e) {
    r.problem(root, "(document)", e.what());
  }
  if (!r.problems().empty()) {
    std::string message = fmt::format("invalid configuration ({} problem{}):", r.problems().size(),
                                      r.problems().size() == 1 ? "" : "s");
    for (const auto& p : r.problems()) message += "\n  " + p;
    return fail(ErrorKind::InvalidRequest, std::move(message));
  }
  return ConfigPtr(std::move(config));
}

Result<ConfigPtr> load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::InvalidRequest, "cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path, env);
}

}  // namespace sy
