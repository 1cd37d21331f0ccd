#include "admin/admin_api.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <charconv>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "admin/identity_admin.h"
#include "admin/policy_admin.h"
#include "audit/audit_writer.h"
#include "core/json_writer.h"
#include "core/time_spec.h"
#include "core/url.h"
#include "protocols/openai_chat.h"
#include "governance/rbac.h"
#include "store/rows_json.h"

namespace sy::admin {

Reply error_reply(const Error& e) {
  return {static_cast<unsigned>(e.status), protocols::openai_chat::encode_error(e), e.message};
}

namespace {

namespace asio = boost::asio;

using governance::Action;
using governance::Principal;

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Reads [since, until) from the query, with the given default for since.
Result<TimeRange> time_range(const RequestTarget& t, const char* since_default) {
  auto get = [&](const char* k, const char* d) {
    auto it = t.params.find(k);
    return it == t.params.end() ? std::string(d) : it->second;
  };
  return parse_time_range(get("since", since_default), get("until", "now"), unix_now_ms());
}

std::optional<std::string> param(const RequestTarget& t, const char* k) {
  auto it = t.params.find(k);
  if (it == t.params.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<void> only_params(const RequestTarget& t, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : t.params) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return fail(ErrorKind::InvalidRequest, "unknown query parameter \"" + k + "\"", k);
    }
  }
  return {};
}

Reply spend(store::Store& db, const RequestTarget& t) {
  if (auto r = only_params(t, {"by", "since", "until", "team", "project", "key", "model",
                               "deployment"});
      !r) {
    return error_reply(r.error());
  }
  store::SpendQuery q;
  auto by = store::parse_spend_dimension(param(t, "by").value_or("team"));
  if (!by) return error_reply(by.error());
  q.by = *by;
  auto range = time_range(t, "7d");
  if (!range) return error_reply(range.error());
  q.since_ms = range->since_ms;
  q.until_ms = range->until_ms;
  q.team = param(t, "team");
  q.project = param(t, "project");
  q.key_id = param(t, "key");
  q.model = param(t, "model");
  q.deployment = param(t, "deployment");
  auto rows = db.spend(q);
  if (!rows) return error_reply(rows.error());
  const store::SpendTotal total = store::sum_of(*rows);
  Reply reply;
  json::Writer w(reply.body);
  w.begin_object();
  w.field("by", store::spend_dimension_name(q.by));
  w.field("since", format_rfc3339_ms(q.since_ms));
  w.field("until", format_rfc3339_ms(q.until_ms));
  w.key("groups");
  store::write_spend_rows(w, q.by, *rows);
  w.key("total");
  store::write_spend_total(w, total);
  w.end_object();
  return reply;
}

Reply audit_search(store::Store& db, const RequestTarget& t) {
  if (auto r = only_params(t, {"since", "until", "request_id", "principal", "kind", "model",
                               "deployment", "status", "limit", "log_id"});
      !r) {
    return error_reply(r.error());
  }
  store::AuditQuery q;
  auto range = time_range(t, "24h");
  if (!range) return error_reply(range.error());
  q.since_ms = range->since_ms;
  q.until_ms = range->until_ms;
  q.request_id = param(t, "request_id");
  q.principal = param(t, "principal");
  q.kind = param(t, "kind");
  q.model = param(t, "model");
  q.deployment = param(t, "deployment");
  q.log_id = param(t, "log_id");
  auto number = [&](const char* k, int lo, int hi) -> Result<std::optional<int>> {
    auto v = param(t, k);
    if (!v) return std::optional<int>{};
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < lo || n > hi) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("{} must be an integer from {} to {}", k, lo, hi), k);
    }
    return std::optional<int>{n};
  };
  auto status = number("status", 100, 599);
  if (!status) return error_reply(status.error());
  q.status = *status;
  auto limit = number("limit", 1, 10'000);
  if (!limit) return error_reply(limit.error());
  if (*limit) q.limit = static_cast<uint32_t>(**limit);
  auto rows = db.audit_search(q);
  if (!rows) return error_reply(rows.error());
  Reply reply;
  json::Writer w(reply.body);
  w.begin_object();
  w.key("records").begin_array();
  for (const auto& r : *rows) store::write_audit_row(w, r);
  w.end_array();
  w.end_object();
  return reply;
}

Reply latest_checkpoint(store::Store& db, const audit::AuditWriter* audit) {
  if (audit == nullptr) {
    return error_reply(Error::make(ErrorKind::NotFound, "the audit trail is disabled"));
  }
  // From the last size the writer signed: the newest row, without reading them all.
  auto cps = db.checkpoints(audit->log_id(), audit->stats().tree_size);
  if (!cps) return error_reply(cps.error());
  Reply reply;
  json::Writer w(reply.body);
  w.begin_object();
  w.field("log_id", audit->log_id());
  w.key("checkpoint");
  if (cps->empty()) {
    w.null();
  } else {
    const auto& c = cps->back();
    w.begin_object();
    w.field("tree_size", c.tree_size);
    w.field("root", c.root_hex);
    w.field("time", format_rfc3339_ms(c.ts_ms));
    w.field("ts_ms", c.ts_ms);
    w.field("key_id", c.key_id);
    w.field("signature", c.signature_b64);
    w.end_object();
  }
  w.field("public_key", audit->public_key_b64());
  w.end_object();
  return reply;
}

// One admin call as the pool thread sees it.
struct Call {
  std::string action;
  Principal who;
  IdentityCall identity;
  const audit::AuditWriter* audit = nullptr;
  governance::Authenticator* auth = nullptr;
  std::optional<PolicyCall> policy;  // set for the policies endpoints
  PolicyControl* policies = nullptr;
  const gateway::Snapshot* snapshot = nullptr;  // the requesting worker's; outlives the call
};

Reply answer(store::Store& db, Call& c) {
  RequestTarget& t = c.identity.target;
  if (c.action == "admin.spend.query") {
    // A team-admin reads its own team's spend: the team filter is forced to it.
    if (!c.who.has_role(governance::Role::OrgAdmin) && !c.who.has_role(governance::Role::Auditor)) {
      auto it = t.params.find("team");
      if (it == t.params.end() || it->second.empty()) t.params["team"] = c.who.team;
    }
    auto it = t.params.find("team");
    const std::string team = it == t.params.end() ? "" : it->second;
    if (auto r = governance::authorize(c.who, Action::ReadSpend, team); !r) return error_reply(r.error());
    return spend(db, t);
  }
  if (c.action == "admin.audit.search" || c.action == "admin.audit.checkpoint") {
    if (auto r = governance::authorize(c.who, Action::ReadAudit, ""); !r) return error_reply(r.error());
    return c.action == "admin.audit.search" ? audit_search(db, t) : latest_checkpoint(db, c.audit);
  }
  if (c.policy) return answer_policies(db, c.who, *c.policy, c.policies, *c.snapshot);
  return answer_identity(db, c.who, c.identity, c.auth);
}

// Runs the query on `pool` (each pool thread keeps its own store connection) and
// resumes the awaiting coroutine on its own executor with the reply. A plain function
// returning the awaitable: g++ 12 mishandles class temporaries inside co_await.
auto run_query(asio::thread_pool& pool, const std::string& url, Call& call) {
  asio::use_awaitable_t<http::Executor> token;
  return asio::async_initiate<decltype(token), void(Reply)>(
      [&pool](auto handler, std::string url, Call* call) {
        asio::post(pool, [h = std::move(handler), url = std::move(url), call]() mutable {
          thread_local std::unique_ptr<store::Store> db;
          Reply r;
          if (!db) {
            auto opened = store::open_store({.url = url});
            if (opened) {
              db = std::move(*opened);
            } else {
              r = error_reply(opened.error());
            }
          }
          if (db) r = answer(*db, *call);
          auto ex = asio::get_associated_executor(h);
          asio::post(ex, [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
        });
      },
      token, url, &call);
}

}  // namespace

// The query threads and their store connections (one per thread, opened on first use).
struct AdminApi::Pool {
  explicit Pool(unsigned n) : threads(n) {}
  asio::thread_pool threads;
};

AdminApi::AdminApi(std::string storage_url, std::shared_ptr<governance::Authenticator> auth,
                   unsigned threads, std::shared_ptr<PolicyControl> policies)
    : storage_url_(std::move(storage_url)),
      auth_(std::move(auth)),
      policies_(std::move(policies)),
      pool_(std::make_unique<Pool>(threads)) {}

AdminApi::~AdminApi() { pool_->threads.join(); }

http::Task<void> AdminApi::handle(gateway::EndpointRequest req) {
  Reply reply;
  Call call;
  call.action = "admin.unknown";
  call.audit = req.audit;
  call.auth = auth_.get();
  call.policies = policies_.get();
  call.snapshot = &req.snapshot;
  std::string query_text;
  const std::string& key = req.snapshot.config->admin.api_key;
  auto target = parse_request_target(req.exchange.target());
  const std::string_view auth = req.exchange.header("authorization");
  const std::string method(req.exchange.method());
  std::string principal_name = "unauthenticated";
  bool authorised = false;
  if (key.empty() && !auth_) {
    reply = error_reply(Error::make(ErrorKind::NotFound,
                                    "the admin API is off: set admin.api_key in the config"));
  } else if (!key.empty() && auth.starts_with("Bearer ") && same_secret(auth.substr(7), key)) {
    call.who.kind = governance::PrincipalKind::Admin;
    call.who.id = "admin-key";
    call.who.roles = {governance::Role::OrgAdmin};
    authorised = true;
  } else if (auth_) {
    auto who = auth_->authenticate_header(auth, unix_now_ms());
    if (who) {
      call.who = std::move(*who);
      authorised = true;
    } else {
      reply = error_reply(who.error());
    }
  } else {
    reply = error_reply(Error::make(ErrorKind::Authentication,
                                    "the admin API needs Authorization: Bearer <admin.api_key>"));
  }
  if (authorised) principal_name = call.who.audit_name();
  if (authorised && !target) {
    reply = error_reply(target.error());
    authorised = false;
  }
  if (target) {
    query_text = std::string(req.exchange.target());
    const std::string& p = target->path;
    const bool get = method == "GET";
    std::optional<std::string> identity = identity_action(method, p);
    std::optional<std::string> policy = policy_action(method, p);
    if (get && p == "/admin/v1/spend") call.action = "admin.spend.query";
    else if (get && p == "/admin/v1/audit") call.action = "admin.audit.search";
    else if (get && p == "/admin/v1/audit/checkpoint") call.action = "admin.audit.checkpoint";
    else if (identity) call.action = *identity;
    else if (policy) {
      call.action = *policy;
      call.policy.emplace();
      call.policy->action = *policy;
      if (auto it = target->params.find("limit"); it != target->params.end()) {
        call.policy->query_limit = it->second;
      }
      call.policy->content_type = std::string(req.exchange.header("content-type"));
      call.policy->if_match = std::string(req.exchange.header("if-match"));
    } else if (authorised) {
      const bool known = p == "/admin/v1/spend" || p.starts_with("/admin/v1/audit") ||
                         is_policy_path(p) ||
                         identity_action("GET", p) || identity_action("POST", p) ||
                         identity_action("DELETE", p) || identity_action("PUT", p);
      reply = error_reply(known ? Error::make(ErrorKind::MethodNotAllowed,
                                              method + " is not allowed on " + p)
                                : Error::make(ErrorKind::NotFound, "no such admin endpoint: " + p));
      authorised = false;
    }
  }
  if (authorised) {
    call.identity.method = method;
    call.identity.target = std::move(*target);
    call.identity.body = req.exchange.take_body();
    if (call.policy) call.policy->body = call.identity.body;
    reply = co_await run_query(pool_->threads, storage_url_, call);
  }
  // Every admin call is recorded, allowed or not; never the key itself.
  if (audit::AuditSlot slot = req.audit != nullptr ? req.audit->try_reserve() : audit::AuditSlot{};
      slot) {
    std::string detail;
    json::Writer w(detail);
    w.begin_object().field("target", query_text);
    if (!reply.audit_detail.empty()) w.key("policies").raw(reply.audit_detail);
    w.end_object();
    const int64_t ts_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(req.received.time_since_epoch())
            .count();
    req.audit->submit(std::move(slot), audit::admin_record(ts_ms, req.request_id,
                                          principal_name, call.action,
                                          static_cast<int>(reply.status), reply.error,
                                          std::move(detail)));
  }
  http::Response out;
  out.status = reply.status;
  out.body = std::move(reply.body);
  out.headers.push_back({"x-request-id", req.request_id});
  co_await req.exchange.respond(std::move(out));
}

}  // namespace sy::admin
