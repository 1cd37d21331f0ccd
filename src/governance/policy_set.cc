#include "governance/policy_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <span>

namespace sy::governance {
namespace {

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
             std::string_view::npos;
}

Result<void> check_condition(const std::optional<StringCondition>& c, std::string_view rule,
                             std::string_view what) {
  if (!c) return {};
  if (c->values.empty()) {
    return fail(ErrorKind::InvalidRequest,
                fmt::format("policy rule {}: condition {} has no values", rule, what));
  }
  for (const auto& v : c->values) {
    if (v.empty()) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("policy rule {}: condition {} has an empty value", rule, what));
    }
  }
  return {};
}

bool number_holds(const NumberCondition& c, const std::optional<uint32_t>& value) {
  if (!value) return c.match_missing;
  const uint64_t v = *value;
  return (!c.gt || v > *c.gt) && (!c.gte || v >= *c.gte) && (!c.lt || v < *c.lt) &&
         (!c.lte || v <= *c.lte);
}

// Facts up to this many 64-bit words (one bit per distinct value the rules mention, per
// attribute) live on the stack; beyond it, one allocation per evaluation.
constexpr uint32_t kInlineWords = 32;

}  // namespace

Result<std::shared_ptr<const PolicySet>> PolicySet::compile(const PolicyConfig& config) {
  std::shared_ptr<PolicySet> set(new PolicySet());
  set->default_ = config.default_effect;

  // Pass 1: check each rule, and number every value each attribute is compared with.
  std::set<std::string_view> ids;
  for (const PolicyRule& r : config.rules) {
    if (!valid_id(r.id)) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("policy rule id \"{}\": expected 1 to 64 letters, digits, '.', "
                              "'_' or '-'",
                              r.id));
    }
    if (!ids.insert(r.id).second) {
      return fail(ErrorKind::InvalidRequest, fmt::format("duplicate policy rule id \"{}\"", r.id));
    }
    const std::optional<StringCondition>* by_attr[kAttrs] = {
        &r.when.team,  &r.when.project, &r.when.roles,        &r.when.tags,
        &r.when.model, &r.when.task,    &r.when.data_classes, &r.when.tools};
    static constexpr const char* kNames[kAttrs] = {"team",  "project", "roles",        "tags",
                                                   "model", "task",    "data_classes", "tools"};
    for (int a = 0; a < kAttrs; ++a) {
      if (auto ok = check_condition(*by_attr[a], r.id, kNames[a]); !ok) {
        return std::unexpected(ok.error());
      }
      if (*by_attr[a]) {
        for (const auto& v : (*by_attr[a])->values) set->vocab_[a].add(v);
      }
    }
    if (r.effect == PolicyEffect::Mask &&
        (r.data_classes.empty() ||
         std::ranges::any_of(r.data_classes, [](const auto& c) { return c.empty(); }))) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("policy rule {}: effect mask needs the data classes to mask", r.id));
    }
    if (r.effect == PolicyEffect::Restrict) {
      const auto& s = r.deployments;
      const std::optional<StringCondition>* sel[] = {&s.names,   &s.providers, &s.models,
                                                     &s.regions, &s.tiers,     &s.labels};
      bool any = false;
      for (const auto* c : sel) {
        if (auto ok = check_condition(*c, r.id, "deployments"); !ok) {
          return std::unexpected(ok.error());
        }
        any = any || c->has_value();
      }
      if (!any) {
        return fail(
            ErrorKind::InvalidRequest,
            fmt::format("policy rule {}: effect restrict needs a deployment selector", r.id));
      }
    }
  }
  uint32_t offset = 0;
  for (int a = 0; a < kAttrs; ++a) {
    set->offset_[a] = offset;
    offset += set->vocab_[a].words();
  }
  set->total_words_ = offset;

  // Pass 2: conditions as masks over the attributes' bit sets.
  set->rules_.reserve(config.rules.size());
  for (const PolicyRule& r : config.rules) {
    Rule rule;
    rule.id = r.id;
    rule.effect = r.effect;
    rule.message = r.message;
    if (rule.effect == PolicyEffect::Deny && rule.message.empty()) {
      rule.message = fmt::format("request denied by policy rule {}", r.id);
    }
    rule.max_tokens = r.when.max_tokens;
    rule.mask = r.data_classes;
    rule.cond_begin = static_cast<uint32_t>(set->conditions_.size());
    const std::optional<StringCondition>* by_attr[kAttrs] = {
        &r.when.team,  &r.when.project, &r.when.roles,        &r.when.tags,
        &r.when.model, &r.when.task,    &r.when.data_classes, &r.when.tools};
    for (int a = 0; a < kAttrs; ++a) {
      if (!*by_attr[a]) continue;
      const Vocabulary& vocab = set->vocab_[a];
      // Only the words that hold the condition's bits: the others are zero in the mask and
      // cannot change any, all or none.
      uint32_t lo = UINT32_MAX, hi = 0;
      for (const auto& v : (*by_attr[a])->values) {
        lo = std::min(lo, *vocab.find(v));
        hi = std::max(hi, *vocab.find(v));
      }
      Condition c{(*by_attr[a])->op, set->offset_[a] + lo / 64,
                  static_cast<uint32_t>(set->masks_.size()), hi / 64 - lo / 64 + 1};
      set->masks_.resize(set->masks_.size() + c.words, 0);
      for (const auto& v : (*by_attr[a])->values) {
        set_bit(&set->masks_[c.mask], *vocab.find(v) - lo / 64 * 64);
      }
      set->conditions_.push_back(c);
    }
    rule.cond_end = static_cast<uint32_t>(set->conditions_.size());
    if (r.effect == PolicyEffect::Restrict) {
      rule.constraint = static_cast<int>(set->constraints_.size());
      set->constraints_.push_back(DeploymentConstraint::make(r.id, r.deployments));
    }
    set->rules_.push_back(std::move(rule));
  }
  return std::shared_ptr<const PolicySet>(std::move(set));
}

bool PolicySet::matches(const Rule& rule, const uint64_t* facts, const RequestFacts& req) const {
  for (uint32_t i = rule.cond_begin; i < rule.cond_end; ++i) {
    const Condition& c = conditions_[i];
    const uint64_t* f = facts + c.fact;
    const uint64_t* m = masks_.data() + c.mask;
    bool holds;
    if (c.op == SetOp::All) {
      holds = true;
      for (uint32_t w = 0; w < c.words; ++w) holds = holds && (f[w] & m[w]) == m[w];
    } else {
      uint64_t hit = 0;
      for (uint32_t w = 0; w < c.words; ++w) hit |= f[w] & m[w];
      holds = (hit != 0) == (c.op == SetOp::Any);
    }
    if (!holds) return false;
  }
  return !rule.max_tokens || number_holds(*rule.max_tokens, req.max_tokens);
}

PolicyDecision PolicySet::evaluate(const PolicyInput& in) const {
  PolicyDecision d;
  evaluate(in, d);
  return d;
}

void PolicySet::evaluate(const PolicyInput& in, PolicyDecision& out) const {
  out.clear();
  std::array<uint64_t, kInlineWords> inline_bits;  // only the first total_words_ are used
  std::vector<uint64_t> heap_bits;
  uint64_t* facts = inline_bits.data();
  if (total_words_ > kInlineWords) {
    heap_bits.assign(total_words_, 0);
    facts = heap_bits.data();
  } else {
    std::fill_n(facts, total_words_, uint64_t{0});
  }
  const auto put = [&](Attr a, std::string_view value) {
    if (value.empty() || vocab_[a].size() == 0) return;
    if (const auto bit = vocab_[a].find(value)) set_bit(facts + offset_[a], *bit);
  };
  const auto put_all = [&](Attr a, std::span<const std::string> values) {
    for (const auto& v : values) put(a, v);
  };
  put(Team, in.principal.team);
  put(Project, in.principal.project);
  put_all(Roles, in.principal.roles);
  put_all(Tags, in.principal.tags);
  put(Model, in.request.model);
  put(Task, in.request.task);
  put_all(DataClasses, in.request.data_classes);
  put_all(Tools, in.request.tools);

  bool denied = false, allowed_by_rule = false;
  for (const Rule& rule : rules_) {
    if (!matches(rule, facts, in.request)) continue;
    out.fired.push_back(rule.id);
    switch (rule.effect) {
      case PolicyEffect::Allow:
        allowed_by_rule = true;
        break;
      case PolicyEffect::Deny:
        if (!denied) {
          denied = true;
          out.deny_rule = rule.id;
          out.deny_message = rule.message;
        }
        break;
      case PolicyEffect::Mask:
        for (const auto& c : rule.mask) {
          if (std::find(out.mask.begin(), out.mask.end(), c) == out.mask.end()) {
            out.mask.push_back(c);
          }
        }
        break;
      case PolicyEffect::Restrict:
        out.constraints.push_back(&constraints_[static_cast<std::size_t>(rule.constraint)]);
        break;
      case PolicyEffect::RequireApproval:
        if (!out.require_approval) {
          out.require_approval = true;
          out.approval_rule = rule.id;
        }
        break;
    }
  }
  if (denied) {
    out.effect = PolicyOutcome::Deny;
  } else if (default_ == PolicyDefault::Deny && !allowed_by_rule) {
    out.effect = PolicyOutcome::Deny;
    out.deny_message = "no policy rule allows this request (policies.default is deny)";
  }
}

}  // namespace sy::governance
