// Config: the validated, immutable description of a gateway — server settings,
// providers, deployments, routes and policies — as read from one YAML file. Built once per load
// (start-up or reload) by load_config(); shared read-only afterwards
// (std::shared_ptr<const Config>), so it is safe to read from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dlp_config.h"
#include "core/error.h"
#include "core/policy_config.h"

namespace sy {

// Per-call deadlines towards an upstream. Zero disables one.
struct UpstreamTimeouts {
  uint32_t connect_ms = 5'000;      // TCP (+TLS) connect
  uint32_t first_byte_ms = 60'000;  // request sent → response headers
  uint32_t idle_ms = 30'000;        // between two stream chunks
  uint32_t total_ms = 600'000;      // whole call
};

// The provider's API. openai, azure_openai and openai_compatible speak OpenAI Chat
// Completions; anthropic speaks Anthropic Messages; gemini the Gemini API; bedrock the
// Bedrock Runtime Converse API, signed with AWS SigV4.
enum class ProviderType { OpenAI, AzureOpenAI, OpenAICompatible, Anthropic, Gemini, Bedrock };

struct ProviderConfig {
  std::string name;
  ProviderType type = ProviderType::OpenAICompatible;
  std::string base_url;
  std::string api_key;      // may be empty (local servers)
  std::string api_version;  // Azure: the api-version query; Anthropic: the anthropic-version header
  // Bedrock: the AWS region and credentials requests are signed with (SigV4).
  std::string aws_region;
  std::string aws_access_key_id;
  std::string aws_secret_access_key;
  std::string aws_session_token;  // temporary credentials only
  std::map<std::string, std::string> headers;  // extra headers sent upstream
  UpstreamTimeouts timeouts;
  uint32_t max_idle_connections = 64;  // per worker thread
  bool verify_tls = true;
  std::string ca_file;  // extra CA bundle; the system store is always used
};

struct Price {
  double input_per_mtok = 0;   // USD per 1M input tokens
  double output_per_mtok = 0;  // USD per 1M output tokens
  std::optional<double> cached_input_per_mtok;  // USD per 1M cached input tokens (default: input)
};

// What a deployment can do. Unset: the model family's default (providers/model_family.h),
// else true for tools and streaming, false for vision and JSON schema.
struct Capabilities {
  std::optional<bool> tools;
  std::optional<bool> vision;
  std::optional<bool> json_schema;
  std::optional<bool> streaming;
};

// The task types the router and the classifier know (docs/routing.md).
inline constexpr std::array<std::string_view, 9> kTaskTypes = {
    "extraction", "summarization", "classification", "code", "math",
    "reasoning",  "creative",      "chat",           "translation"};

// What a deployment serves: chat (POST /v1/chat/completions, /v1/messages) or
// embeddings (POST /v1/embeddings). A request only ever routes to deployments of its kind.
enum class DeploymentKind { Chat, Embedding };

// "chat" or "embedding" (the config names).
const char* deployment_kind_name(DeploymentKind kind);

struct DeploymentConfig {
  std::string name;      // the public model name clients ask for
  DeploymentKind kind = DeploymentKind::Chat;
  std::string provider;  // key into Config::providers
  std::string model;     // upstream model id (Azure: the deployment name)
  Price price;
  uint32_t context_window = 0;
  std::string region;               // e.g. "eu-west-1" or "on-prem"; policies match it
  std::string tier;                 // free-form class, e.g. "premium"; policies match it
  std::vector<std::string> labels;  // free-form tags, e.g. [on_prem, gpu]; policies match them
  uint32_t max_output_tokens = 0;   // 0: the model family's default
  Capabilities capabilities;
  // Quality per task type in [0, 1] ("default" for the others); unset: the family's.
  std::map<std::string, double, std::less<>> quality;
  uint32_t rpm = 0;  // the provider's requests-per-minute limit for it (0: unknown)
  uint32_t tpm = 0;  // tokens per minute (0: unknown)
};

// fallback: targets in order; weighted: random by weight; cheapest: by expected cost for
// this request; latency: lowest time-to-first-token (EWMA), power of two choices; rules:
// the request's task type picks another route or a deployment; threshold: the predicted
// difficulty against a calibrated threshold picks the weak or the strong target; cascade:
// the targets in order, escalating when an answer fails the route's checks.
enum class RouteStrategy { Fallback, Weighted, Cheapest, LowestLatency, Rules, Threshold, Cascade };

struct RouteTarget {
  std::string deployment;
  uint32_t weight = 1;
};

struct RetryPolicy {
  uint32_t max_attempts = 4;              // across every deployment of the route
  uint32_t attempts_per_deployment = 1;   // tries of one deployment before moving on
  uint32_t backoff_ms = 50;               // base of the exponential backoff (full jitter)
  uint32_t max_backoff_ms = 2'000;
};

// rules: requests of these task types go to `to` (a route or a deployment).
struct RouteRule {
  std::vector<std::string> tasks;
  std::string to;
};

// cascade: what an answer must pass before it is accepted from a target that is not the
// last. json: the answer's text is JSON; json_schema: it matches the request's
// response_format schema (passes when the request has none); min_chars: at least that
// many characters; not_refusal: it does not open with a refusal ("I can't", "I'm sorry").
struct CascadeCheck {
  enum Kind { Json, JsonSchema, MinChars, NotRefusal } kind = JsonSchema;
  uint32_t min_chars = 0;
};

struct RouteConfig {
  std::string name;
  RouteStrategy strategy = RouteStrategy::Fallback;
  std::vector<RouteTarget> targets;   // every strategy but rules
  std::vector<RouteRule> rules;       // rules
  std::string otherwise;              // rules: where the other task types go
  // The default cost–quality knob in [0, 1] (a request's x-switchyard-quality overrides):
  // threshold: the share of requests sent to the strong target; cheapest: candidates
  // whose quality for the task is below knob × the best candidate's are left out.
  std::optional<double> quality;
  std::vector<CascadeCheck> checks;   // cascade
  RetryPolicy retry;
};

// Per-deployment circuit breakers (docs/concepts.md#health). Applied on reload.
struct HealthConfig {
  bool enabled = true;
  uint32_t consecutive_failures = 5;
  uint32_t window = 20;        // outcomes remembered for the failure rate (at most 64)
  uint32_t min_outcomes = 10;  // outcomes needed before the rate counts
  double failure_rate = 0.5;
  uint32_t cooldown_ms = 30'000;
};

struct RoutingConfig {
  HealthConfig health;
  // The classifier model file (task type and difficulty); "": the default
  // (routing::default_classifier_path()). Loaded when a route or a policy needs it.
  std::string classifier;
};

struct TlsListenerConfig {
  std::string cert_file;
  std::string key_file;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  uint32_t threads = 0;                      // 0: one per core
  uint64_t max_body_bytes = 10ull << 20;     // 10 MiB
  uint32_t max_header_bytes = 64 * 1024;
  uint32_t request_timeout_ms = 30'000;      // client must send a whole request within this
  uint32_t keepalive_timeout_ms = 75'000;    // idle keep-alive connection lifetime
  uint32_t drain_timeout_ms = 30'000;        // SIGTERM: time given to in-flight requests
  bool access_log = true;
  std::optional<TlsListenerConfig> tls;
};

// Where durable state lives (docs/storage.md). Read at start-up; a reload that changes
// it is applied at the next restart.
struct StorageConfig {
  std::string url;  // "sqlite:PATH" or "postgres://…"; default sqlite:<data_dir>/switchyard.db
};

enum class Durability { Batch, Sync };
enum class CaptureMode { None, Masked, Full };

// The tamper-evident audit trail (docs/audit.md). Read at start-up, like storage.
struct AuditConfig {
  bool enabled = true;
  std::string dir;                           // default <data_dir>/audit
  std::string log_id;                        // this log's name in a shared store; default:
                                             // host name + random, kept in <dir>/log-id
  Durability durability = Durability::Batch; // sync: acknowledge only once on disk
  uint32_t batch_interval_ms = 20;           // batch: the most a crash can lose
  uint32_t queue_capacity = 8'192;           // records waiting for the writer; full → 503
  uint32_t checkpoint_interval_ms = 1'000;   // how often a signed checkpoint is made
  uint64_t segment_max_bytes = 64ull << 20;  // a new segment file past this size
  std::string signing_key_file;              // default <data_dir>/audit-signing.key
  CaptureMode capture = CaptureMode::None;   // prompts and responses in the record
  uint32_t capture_max_bytes = 256 * 1024;   // per captured body
};

// The admin API (/admin/v1/…; docs/http-api.md). Off unless a key is configured.
struct AdminConfig {
  std::string api_key;  // bearer token; acts as org-admin (docs/identity.md)
};

// A virtual API key declared in the config (docs/identity.md), merged with the keys in
// the store. Exactly one of `key` (the secret in plain, for demos) and `key_sha256`.
struct StaticKeyConfig {
  std::string id;          // public id; default "static-<n>"
  std::string key;         // the secret itself
  std::string key_sha256;  // or its SHA-256, 64 hex digits
  std::string team;
  std::string project;
  std::vector<std::string> roles = {"developer"};
  std::vector<std::string> models, routes, regions, tags;
};

// An OIDC issuer whose JWTs are accepted as bearer tokens.
struct JwtIssuerConfig {
  std::string issuer;                  // must equal the token's "iss"
  std::vector<std::string> audiences;  // the token's "aud" must hold one of them
  std::string jwks_url;                // https://…/keys; or
  std::string jwks_file;               // a JWKS document on disk
  std::string team_claim;              // dotted path, e.g. "groups" or "org.team"
  std::string team_prefix;             // with an array claim: first item with this prefix,
                                       // the prefix removed
  std::string project_claim;           // dotted path; optional
  std::string roles_claim;             // "roles" (Entra), "groups" (Okta),
                                       // "realm_access.roles" (Keycloak)
  std::map<std::string, std::string> role_map;  // claim value → role; empty: values that
                                                // are role names are used as they are
  std::vector<std::string> default_roles;       // given when no claim value maps to a role
  uint32_t leeway_s = 60;                       // clock skew allowed on exp and nbf
  uint32_t jwks_refresh_s = 300;                // how often the JWKS is fetched again
  uint32_t jwks_min_refetch_s = 30;             // an unknown kid refetches at most this often
  bool verify_tls = true;
  std::string ca_file;

  bool operator==(const JwtIssuerConfig&) const = default;
};

// Authentication of model API callers (docs/identity.md).
struct AuthConfig {
  std::vector<StaticKeyConfig> keys;
  std::vector<JwtIssuerConfig> jwt;
  bool require = false;             // refuse requests without a valid bearer token
  uint32_t key_refresh_ms = 2'000;  // how often replicas poll the store for key changes
};

// Budgets and rate limits (docs/budgets.md). Where their counters live: in this process
// (the default; one gateway) or in Redis (shared by every replica).
enum class LimitsBackendKind { Memory, Redis };

struct LimitsConfig {
  LimitsBackendKind backend = LimitsBackendKind::Memory;
  std::string redis_url = "redis://127.0.0.1:6379/0";  // redis://[:password@]host[:port][/db]
                                                       // or unix:PATH[?db=N]
  uint32_t redis_timeout_ms = 250;   // connect and per-command deadline
};

// Who a budget or a rate limit counts: one API key, team, project or organization.
enum class LimitScope { Key, Team, Project, Org };
enum class BudgetPeriod { Day, Week, Month, Total };  // UTC calendar periods; weeks start Monday
enum class BudgetMode { Hard, Soft };                 // hard: refuse; soft: warn

struct BudgetRule {
  std::string id;                // unique among budgets; part of the counter's key
  LimitScope scope = LimitScope::Team;
  std::string match = "*";       // one subject's name, or "*": every subject separately
  BudgetPeriod period = BudgetPeriod::Month;
  double limit_usd = 0;
  BudgetMode mode = BudgetMode::Hard;
};

struct RateLimitRule {
  std::string id;                // unique among rate limits
  LimitScope scope = LimitScope::Key;  // key or team
  std::string match = "*";
  uint32_t rpm = 0;              // requests per minute; 0: no request limit
  uint32_t tpm = 0;              // tokens (input + output) per minute; 0: no token limit
};

// Durable workflows (docs/workflows.md).
// An MCP server that workflow `tool` steps may call (docs/configuration.md,
// workflows.mcp_servers): a process spoken to over stdio, or a streamable HTTP endpoint.
enum class McpTransportKind { Stdio, Http };

struct McpServerConfig {
  std::string name;
  McpTransportKind transport = McpTransportKind::Stdio;
  std::vector<std::string> command;          // stdio: argv; argv[0] is looked up in PATH
  std::map<std::string, std::string> env;    // stdio: added to a minimal environment
  std::string cwd;                           // stdio: "" = the gateway's
  std::string url;                           // http: the MCP endpoint
  std::map<std::string, std::string> headers;  // http: sent with every request
  std::optional<std::vector<std::string>> tools;  // allowed tool names; unset = all listed
  uint64_t timeout_ms = 0;                   // one call; 0 = workflows.step_timeout_ms
};

struct WorkflowsConfig {
  std::string dir = "workflows";            // POST /v1/workflows/{name}/runs loads NAME.yaml here
  std::vector<std::string> http_allow;      // URL prefixes an HTTP tool step may call
  uint64_t max_step_output_bytes = 1 << 20;  // a larger step output fails the step
  uint32_t max_active_runs = 8;              // runs executing at once in this process
  std::string default_route = "auto";       // llm steps naming neither route nor model
  std::string escalation_route = "reasoning";  // after a failed schema repair
  std::string summary_route = "standard";      // context_overflow: summarize sends chunks here
  uint64_t step_timeout_ms = 300'000;        // one llm or tool call, end to end
  std::map<std::string, McpServerConfig> mcp_servers;  // by name, for MCP tool steps
};

struct Config {
  std::string source;  // file the config came from ("<embedded demo>" for the default)
  std::string data_dir = "./data";
  StorageConfig storage;
  AuditConfig audit;
  AdminConfig admin;
  AuthConfig auth;
  ServerConfig server;
  RoutingConfig routing;
  std::map<std::string, ProviderConfig> providers;
  std::map<std::string, DeploymentConfig> deployments;
  std::map<std::string, RouteConfig> routes;
  PolicyConfig policies;  // docs/policies.md; compiled by governance/policy_set.h
  DlpConfig dlp;          // docs/dlp.md; compiled by governance/dlp_scanner.h
  LimitsConfig limits;
  std::vector<BudgetRule> budgets;
  std::vector<RateLimitRule> rate_limits;
  WorkflowsConfig workflows;
};

using ConfigPtr = std::shared_ptr<const Config>;

}  // namespace sy
