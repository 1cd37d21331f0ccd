#include "admin/policy_admin.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "admin/policy_dry_run.h"
#include "core/json_writer.h"
#include "core/time_spec.h"
#include "governance/rbac.h"

namespace sy::admin {
namespace {

using governance::Action;
using njson = nlohmann::json;

constexpr std::string_view kPath = "/admin/v1/policies";

Reply in_force_reply(const PoliciesInForce& p) {
  Reply reply;
  json::Writer w(reply.body);
  w.begin_object();
  w.field("source", p.source);
  w.field("version", p.version);
  w.field("default", p.default_effect);
  w.key("rules").begin_array();
  for (const auto& id : p.rule_ids) w.value(id);
  w.end_array();
  w.field("text", p.text);
  w.field("sha256", p.sha256_hex);
  if (p.version > 0) {
    w.field("updated_by", p.actor);
    w.field("updated_at", format_rfc3339_ms(p.ts_ms));
  }
  w.end_object();
  return reply;
}

// The snapshot's own policies, for a gateway without a PolicyControl.
PoliciesInForce of_snapshot(const gateway::Snapshot& s) {
  PoliciesInForce p;
  const PolicyConfig& c = s.config->policies;
  p.text = c.text;
  p.sha256_hex = sha256_hex(c.text);
  p.default_effect = c.default_effect == PolicyDefault::Deny ? "deny" : "allow";
  for (const auto& rule : c.rules) p.rule_ids.push_back(rule.id);
  return p;
}

// `If-Match: 3` or `If-Match: "3"` (an entity tag); nullopt when absent.
Result<std::optional<int64_t>> if_match(std::string_view v) {
  if (v.empty()) return std::optional<int64_t>{};
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 0) {
    return fail(ErrorKind::InvalidRequest, "If-Match: expected a policies version number",
                "If-Match");
  }
  return std::optional<int64_t>{n};
}

std::string change_detail(const PoliciesInForce& p) {
  std::string d;
  json::Writer(d)
      .begin_object()
      .field("version", p.version)
      .field("source", p.source)
      .field("sha256", p.sha256_hex)
      .end_object();
  return d;
}

Reply history(store::Store& db, const std::string& limit_text) {
  uint32_t limit = 100;
  if (!limit_text.empty()) {
    auto [end, ec] =
        std::from_chars(limit_text.data(), limit_text.data() + limit_text.size(), limit);
    if (ec != std::errc() || end != limit_text.data() + limit_text.size() || limit == 0 ||
        limit > 1000) {
      return error_reply(Error::make(ErrorKind::InvalidRequest,
                                     "limit must be an integer from 1 to 1000", "limit"));
    }
  }
  auto rows = db.policy_versions(limit);
  if (!rows) return error_reply(rows.error());
  Reply reply;
  json::Writer w(reply.body);
  w.begin_object();
  w.key("versions").begin_array();
  for (const auto& r : *rows) {
    w.begin_object();
    w.field("version", r.version);
    w.field("source", r.source);
    w.field("sha256", r.sha256_hex);
    w.field("updated_by", r.actor);
    w.field("updated_at", format_rfc3339_ms(r.ts_ms));
    w.field("text", r.text);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return reply;
}

// {request, principal?, task?, data_classes?} → the dry run of `switchyard policy test`.
Reply dry_run_reply(const gateway::Snapshot& snapshot, const std::string& body) {
  const auto bad = [](std::string m, std::string param) {
    return error_reply(Error::make(ErrorKind::InvalidRequest, std::move(m), std::move(param)));
  };
  const njson j = njson::parse(body, nullptr, false);
  if (!j.is_object())
    return bad("expected a JSON object {request, principal?, task?, data_classes?}", "");
  for (const auto& [key, value] : j.items()) {
    if (key != "request" && key != "principal" && key != "task" && key != "data_classes") {
      return bad("unknown field \"" + key + "\" (expected request, principal, task, data_classes)",
                 key);
    }
  }
  if (!j.contains("request") || !j["request"].is_object()) {
    return bad("request: expected a chat-completions request object", "request");
  }
  DryRunInput in;
  in.request_json = j["request"].dump();
  in.request_name = "request";
  if (j.contains("principal")) {
    auto p = principal_facts(j["principal"].dump(), "principal");
    if (!p) return error_reply(p.error());
    in.principal = std::move(*p);
  }
  if (j.contains("task")) {
    if (!j["task"].is_string()) return bad("task: expected a string", "task");
    in.task = j["task"].get<std::string>();
  }
  if (j.contains("data_classes")) {
    const njson& d = j["data_classes"];
    std::vector<std::string> classes;
    if (!d.is_array()) return bad("data_classes: expected a list of strings", "data_classes");
    for (const auto& v : d) {
      if (!v.is_string()) return bad("data_classes: expected a list of strings", "data_classes");
      classes.push_back(v.get<std::string>());
    }
    in.data_classes = std::move(classes);
  }
  if (!snapshot.policies) {
    return error_reply(Error::make(ErrorKind::Internal, "no compiled policies in this snapshot"));
  }
  auto out = dry_run(*snapshot.config, *snapshot.policies, in);
  if (!out) return error_reply(out.error());
  return Reply{200, std::move(out->json), {}, {}};
}

}  // namespace

std::optional<std::string> policy_action(const std::string& method, const std::string& path) {
  if (path == kPath) {
    if (method == "GET") return "admin.policies.get";
    if (method == "PUT") return "admin.policies.put";
    if (method == "DELETE") return "admin.policies.revert";
  } else if (path == std::string(kPath) + "/history") {
    if (method == "GET") return "admin.policies.history";
  } else if (path == std::string(kPath) + "/test") {
    if (method == "POST") return "admin.policies.test";
  }
  return std::nullopt;
}

bool is_policy_path(const std::string& path) {
  return path == kPath || path == std::string(kPath) + "/history" ||
         path == std::string(kPath) + "/test";
}

Reply answer_policies(store::Store& db, const governance::Principal& who, const PolicyCall& call,
                      PolicyControl* control, const gateway::Snapshot& snapshot) {
  const bool change = call.action == "admin.policies.put" || call.action == "admin.policies.revert";
  if (auto r =
          governance::authorize(who, change ? Action::ManagePolicies : Action::ReadPolicies, "");
      !r) {
    return error_reply(r.error());
  }
  if (call.action == "admin.policies.get") {
    return in_force_reply(control != nullptr ? control->in_force() : of_snapshot(snapshot));
  }
  if (call.action == "admin.policies.history") return history(db, call.query_limit);
  if (call.action == "admin.policies.test") return dry_run_reply(snapshot, call.body);
  if (control == nullptr) {
    return error_reply(Error::make(ErrorKind::NotFound,
                                   "this gateway takes its policies from the config file only"));
  }
  auto expected = if_match(call.if_match);
  if (!expected) return error_reply(expected.error());
  Result<PoliciesInForce> done;
  if (call.action == "admin.policies.put") {
    const bool json = call.content_type.starts_with("application/json");
    done = control->put(db, call.body, json, who.audit_name(), *expected);
  } else {
    done = control->revert(db, who.audit_name(), *expected);
  }
  if (!done) return error_reply(done.error());
  Reply reply = in_force_reply(*done);
  reply.audit_detail = change_detail(*done);
  return reply;
}

}  // namespace sy::admin
