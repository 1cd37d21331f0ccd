// JsonSchema::validate: one instance against the compiled nodes.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/json_schema.h"
#include "core/json_schema_compiled.h"

namespace sy {
namespace json_schema_detail {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using Errors = std::vector<SchemaError>;

// Work budget: a fixed allowance plus some per byte of instance, counted in subschema
// evaluations and value comparisons. Real schemas use a few per instance value; only
// combinatorial ones (nested anyOf through $ref, uniqueItems on huge arrays) get near it.
constexpr uint64_t kBaseBudget = 2'000'000;
constexpr uint64_t kBudgetPerByte = 32;
// Nesting of subschema evaluations (instance depth times in-place applicator chains).
constexpr size_t kMaxEvalDepth = 1000;
constexpr size_t kMaxPreview = 60;        // bytes of a string value quoted in a message
constexpr size_t kMaxListedBranches = 5;  // anyOf/oneOf alternatives summarised

double as_double(element v) {
  switch (v.type()) {
    case element_type::INT64:
      return static_cast<double>(v.get_int64().value_unsafe());
    case element_type::UINT64:
      return static_cast<double>(v.get_uint64().value_unsafe());
    default:
      return v.get_double().value_unsafe();
  }
}

size_t count_of(simdjson::dom::array a) {
  size_t n = a.size();
  if (n < 0xFFFFFF) return n;  // the tape saturates sizes at 2^24 - 1: count by hand
  n = 0;
  for ([[maybe_unused]] element e : a) ++n;
  return n;
}

size_t count_of(simdjson::dom::object o) {
  size_t n = o.size();
  if (n < 0xFFFFFF) return n;
  n = 0;
  for ([[maybe_unused]] auto kv : o) ++n;
  return n;
}

size_t code_points(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A value as JSON, cut short (at a UTF-8 boundary) when long.
std::string shown(element v) {
  std::string text = simdjson::minify(v);
  if (text.size() <= kMaxPreview) return text;
  size_t cut = kMaxPreview - 5;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += v.type() == element_type::STRING ? "...\"" : "...";
  return text;
}

// "string \"abc\"", "integer 3", "object": the value for "got ..." in a message.
std::string got(element v) {
  const char* kind = kind_name(v);
  switch (v.type()) {
    case element_type::OBJECT:
    case element_type::ARRAY:
      return kind;
    case element_type::NULL_VALUE:
      return "null";
    default:
      return fmt::format("{} {}", kind, shown(v));
  }
}

std::string type_list(uint8_t bits) {
  std::vector<std::string_view> names;
  if (bits & kString) names.push_back("string");
  if (bits & kNumber) {
    names.push_back("number");
  } else if (bits & kInteger) {
    names.push_back("integer");
  }
  if (bits & kObject) names.push_back("object");
  if (bits & kArray) names.push_back("array");
  if (bits & kBoolean) names.push_back("boolean");
  if (bits & kNull) names.push_back("null");
  return fmt::format("{}", fmt::join(names, " or "));
}

std::string num(double d) { return fmt::format("{}", d); }

class Evaluator {
 public:
  Evaluator(const Compiled& c, uint64_t budget) : c_(c), budget_(budget) {}

  bool eval(int n, element v, Errors* out, size_t depth);
  bool equal(element a, element b);

  const std::string& aborted() const { return aborted_; }

 private:
  // Records an error for keyword `kw` of `s` at the current instance location; the
  // message is built only when errors are being collected.
  template <class Message>
  bool fail(Errors* out, const SchemaNode& s, std::string_view kw, Message&& message) {
    if (out != nullptr && out->size() < JsonSchema::kMaxErrors) {
      out->push_back({ptr_, fmt::format("{}/{}", s.location, kw), message()});
    }
    return false;
  }
  bool charge(uint64_t steps) {
    steps_ += steps;
    if (steps_ > budget_ && aborted_.empty()) {
      aborted_ = "validation stopped: this schema is too expensive to evaluate on this value";
    }
    return aborted_.empty();
  }
  bool numbers(const SchemaNode& s, element v, Errors* out);
  bool strings(const SchemaNode& s, element v, Errors* out);
  bool arrays(const SchemaNode& s, simdjson::dom::array a, Errors* out, size_t depth);
  bool objects(const SchemaNode& s, element v, Errors* out, size_t depth);
  bool alternatives(const SchemaNode& s, element v, Errors* out, size_t depth);
  std::string first_errors(const std::vector<int>& branches, element v, size_t depth);

  const Compiled& c_;
  uint64_t budget_;
  uint64_t steps_ = 0;
  std::string aborted_;  // why validation gave up, if it did
  std::string ptr_;      // JSON Pointer of the value being checked
  EcmaRegex::Scratch scratch_;
};

bool Evaluator::equal(element a, element b) {
  if (!charge(1)) return false;
  const uint8_t ta = type_bits(a), tb = type_bits(b);
  if ((ta & kNumber) && (tb & kNumber)) {
    const auto at = a.type(), bt = b.type();
    if (at == element_type::INT64 && bt == element_type::INT64) {
      return a.get_int64().value_unsafe() == b.get_int64().value_unsafe();
    }
    if (at == element_type::UINT64 && bt == element_type::UINT64) {
      return a.get_uint64().value_unsafe() == b.get_uint64().value_unsafe();
    }
    return as_double(a) == as_double(b);  // 1 == 1.0
  }
  if (ta != tb) return false;
  switch (a.type()) {
    case element_type::STRING:
      return as_string(a) == as_string(b);
    case element_type::BOOL:
      return a.get_bool().value_unsafe() == b.get_bool().value_unsafe();
    case element_type::NULL_VALUE:
      return true;
    case element_type::ARRAY: {
      auto x = as_array(a), y = as_array(b);
      if (count_of(x) != count_of(y)) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (!equal(*i, *j)) return false;
      }
      return true;
    }
    case element_type::OBJECT: {
      auto x = as_object(a), y = as_object(b);
      const size_t size = count_of(x);
      if (size != count_of(y) || !charge(size * size)) return false;  // at_key is a scan
      for (auto [key, value] : x) {
        auto other = y.at_key(key);
        if (other.error() || !equal(value, other.value_unsafe())) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool Evaluator::eval(int n, element v, Errors* out, size_t depth) {
  if (!charge(1)) return false;
  if (depth > kMaxEvalDepth) {
    if (aborted_.empty()) aborted_ = "validation stopped: the schema nests too deeply here";
    return false;
  }
  const SchemaNode& s = c_.nodes[n];
  if (s.kind == SchemaNode::Kind::True) return true;
  if (s.kind == SchemaNode::Kind::False) {
    if (out != nullptr && out->size() < JsonSchema::kMaxErrors) {
      out->push_back({ptr_, s.location, "no value is allowed here"});
    }
    return false;
  }
  bool ok = true;
  // After a failure: go on only when collecting every error.
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return (ok || out != nullptr) && aborted_.empty();
  };

  if (s.ref != kNone && !step(eval(s.ref, v, out, depth + 1))) return false;
  const uint8_t bits = type_bits(v);
  if (s.types != 0 && !(s.types & bits)) {
    if (!step(fail(out, s, "type", [&] {
          return fmt::format("expected {}, got {}", type_list(s.types), got(v));
        }))) {
      return false;
    }
  }
  if (s.const_value && !step(equal(v, *s.const_value) || fail(out, s, "const", [&] {
                               return fmt::format("expected exactly {}, got {}",
                                                  shown(*s.const_value), got(v));
                             }))) {
    return false;
  }
  if (s.enum_values) {
    bool found = false;
    for (element e : *s.enum_values) {
      if (equal(v, e)) {
        found = true;
        break;
      }
    }
    if (!step(found || fail(out, s, "enum", [&] {
                std::string list;
                for (element e : *s.enum_values) {
                  if (list.size() > 200) {
                    list += ", ...";
                    break;
                  }
                  list += list.empty() ? "" : ", ";
                  list += shown(e);
                }
                return fmt::format("expected one of {}, got {}", list, got(v));
              }))) {
      return false;
    }
  }
  if ((bits & kNumber) && !step(numbers(s, v, out))) return false;
  if ((bits & kString) && !step(strings(s, v, out))) return false;
  if ((bits & kArray) && !step(arrays(s, as_array(v), out, depth))) return false;
  if ((bits & kObject) && !step(objects(s, v, out, depth))) {
    return false;
  }
  for (int sub : s.all_of) {
    if (!step(eval(sub, v, out, depth + 1))) return false;
  }
  if (!step(alternatives(s, v, out, depth))) return false;
  if (s.not_schema != kNone &&
      !step(!eval(s.not_schema, v, nullptr, depth + 1) || fail(out, s, "not", [] {
        return std::string(
            "this value is not allowed here (it matches the "
            "schema under \"not\")");
      }))) {
    return false;
  }
  if (s.if_schema != kNone) {
    const bool cond = eval(s.if_schema, v, nullptr, depth + 1);
    const int branch = cond ? s.then_schema : s.else_schema;
    if (branch != kNone && !step(eval(branch, v, out, depth + 1))) return false;
  }
  return ok && aborted_.empty();
}

bool Evaluator::numbers(const SchemaNode& s, element v, Errors* out) {
  const double x = as_double(v);
  bool ok = true;
  auto check = [&](bool passed, std::string_view kw, std::string_view relation, double bound) {
    if (passed) return true;
    ok = fail(out, s, kw, [&] {
      return fmt::format("expected a number {} {}, got {}", relation, num(bound), shown(v));
    });
    return out != nullptr;
  };
  if (s.minimum && !check(x >= *s.minimum, "minimum", ">=", *s.minimum)) return false;
  if (s.maximum && !check(x <= *s.maximum, "maximum", "<=", *s.maximum)) return false;
  if (s.exclusive_minimum &&
      !check(x > *s.exclusive_minimum, "exclusiveMinimum", ">", *s.exclusive_minimum)) {
    return false;
  }
  if (s.exclusive_maximum &&
      !check(x < *s.exclusive_maximum, "exclusiveMaximum", "<", *s.exclusive_maximum)) {
    return false;
  }
  if (s.multiple_of) {
    const double m = *s.multiple_of;
    bool multiple;
    if (v.type() == element_type::INT64 && std::floor(m) == m && m < 9e18) {
      multiple = v.get_int64().value_unsafe() % static_cast<int64_t>(m) == 0;
    } else {
      const double q = x / m;
      multiple =
          std::isfinite(q) && std::abs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::abs(q));
    }
    if (!multiple) {
      ok = fail(out, s, "multipleOf",
                [&] { return fmt::format("expected a multiple of {}, got {}", num(m), shown(v)); });
    }
  }
  return ok;
}

bool Evaluator::strings(const SchemaNode& s, element v, Errors* out) {
  const std::string_view str = as_string(v);
  bool ok = true;
  if (s.min_length || s.max_length) {
    const size_t length = code_points(str);
    if (s.min_length && length < *s.min_length) {
      ok = fail(out, s, "minLength", [&] {
        return fmt::format("expected a string of at least {} characters, got {}", *s.min_length,
                           length);
      });
      if (!out) return false;
    }
    if (s.max_length && length > *s.max_length) {
      ok = fail(out, s, "maxLength", [&] {
        return fmt::format("expected a string of at most {} characters, got {}", *s.max_length,
                           length);
      });
      if (!out) return false;
    }
  }
  if (s.pattern != kNone) {
    const EcmaRegex& re = c_.regexes[s.pattern];
    switch (re.search(str, scratch_)) {
      case EcmaRegex::Match::Yes:
        break;
      case EcmaRegex::Match::No:
        ok = fail(out, s, "pattern", [&] {
          return fmt::format("expected a string matching the regular expression {}, got {}",
                             re.pattern(), shown(v));
        });
        break;
      case EcmaRegex::Match::TooComplex:
        ok = fail(out, s, "pattern", [&] {
          return fmt::format(
              "the regular expression {} is too complex to check against this "
              "string",
              re.pattern());
        });
        break;
    }
  }
  return ok;
}

bool Evaluator::arrays(const SchemaNode& s, simdjson::dom::array a, Errors* out, size_t depth) {
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return (ok || out != nullptr) && aborted_.empty();
  };
  const size_t size = count_of(a);
  if (s.min_items && size < *s.min_items && !step(fail(out, s, "minItems", [&] {
        return fmt::format("expected at least {} items, got {}", *s.min_items, size);
      }))) {
    return false;
  }
  if (s.max_items && size > *s.max_items && !step(fail(out, s, "maxItems", [&] {
        return fmt::format("expected at most {} items, got {}", *s.max_items, size);
      }))) {
    return false;
  }
  const bool per_item = !s.prefix_items.empty() || s.items != kNone || s.contains != kNone;
  if (per_item) {
    size_t i = 0, matches = 0;
    const size_t mark = ptr_.size();
    for (element item : a) {
      fmt::format_to(std::back_inserter(ptr_), "/{}", i);
      const int sub = i < s.prefix_items.size() ? s.prefix_items[i] : s.items;
      const bool passed = sub == kNone || eval(sub, item, out, depth + 1);
      if (s.contains != kNone && eval(s.contains, item, nullptr, depth + 1)) ++matches;
      ptr_.resize(mark);
      if (!step(passed)) return false;
      ++i;
    }
    if (s.contains != kNone) {
      const uint64_t min = s.min_contains.value_or(1);
      if (matches < min && !step(fail(out, s, "contains", [&] {
            return fmt::format(
                "expected at least {} item(s) matching the \"contains\" schema, "
                "found {}",
                min, matches);
          }))) {
        return false;
      }
      if (s.max_contains && matches > *s.max_contains && !step(fail(out, s, "maxContains", [&] {
            return fmt::format(
                "expected at most {} item(s) matching the \"contains\" schema, "
                "found {}",
                *s.max_contains, matches);
          }))) {
        return false;
      }
    }
  }
  if (s.unique_items && size > 1) {
    std::vector<element> items(a.begin(), a.end());
    for (size_t i = 0; i < items.size(); ++i) {
      for (size_t j = i + 1; j < items.size(); ++j) {
        if (!aborted_.empty()) return false;
        if (equal(items[i], items[j])) {
          return step(fail(out, s, "uniqueItems",
                           [&] {
                             return fmt::format(
                                 "expected unique items, but items {} and {} are equal", i, j);
                           })) &&
                 ok;
        }
      }
    }
  }
  return ok;
}

bool Evaluator::objects(const SchemaNode& s, element v, Errors* out, size_t depth) {
  const simdjson::dom::object o = as_object(v);
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return (ok || out != nullptr) && aborted_.empty();
  };
  for (const std::string& name : s.required) {
    if (o.at_key(name).error() && !step(fail(out, s, "required", [&] {
          return fmt::format("missing required property \"{}\"", name);
        }))) {
      return false;
    }
  }
  const size_t size = count_of(o);
  if (s.min_properties && size < *s.min_properties && !step(fail(out, s, "minProperties", [&] {
        return fmt::format("expected at least {} properties, got {}", *s.min_properties, size);
      }))) {
    return false;
  }
  if (s.max_properties && size > *s.max_properties && !step(fail(out, s, "maxProperties", [&] {
        return fmt::format("expected at most {} properties, got {}", *s.max_properties, size);
      }))) {
    return false;
  }
  for (const auto& [name, needed] : s.dependent_required) {
    if (o.at_key(name).error()) continue;
    for (const std::string& other : needed) {
      if (o.at_key(other).error() && !step(fail(out, s, "dependentRequired", [&] {
            return fmt::format("missing property \"{}\", required when \"{}\" is present", other,
                               name);
          }))) {
        return false;
      }
    }
  }
  for (const auto& [name, sub] : s.dependent_schemas) {
    if (!o.at_key(name).error() && !step(eval(sub, v, out, depth + 1))) return false;
  }
  if (s.properties.empty() && s.pattern_properties.empty() && s.additional_properties == kNone) {
    return ok;
  }
  const size_t mark = ptr_.size();
  for (auto [key, value] : o) {
    bool known = false;
    ptr_ += '/';
    ptr_ += pointer_token(key);
    bool passed = true;
    auto it = std::lower_bound(s.properties.begin(), s.properties.end(), key,
                               [](const auto& p, std::string_view k) { return p.first < k; });
    if (it != s.properties.end() && it->first == key) {
      known = true;
      passed = eval(it->second, value, out, depth + 1);
    }
    for (const auto& [re, sub] : s.pattern_properties) {
      if ((!passed && !out) || !aborted_.empty()) break;
      const auto m = c_.regexes[re].search(key, scratch_);
      if (m == EcmaRegex::Match::No) continue;
      known = true;
      if (m == EcmaRegex::Match::TooComplex) {
        passed = fail(out, s, "patternProperties", [&] {
          return fmt::format(
              "the regular expression {} is too complex to check against this "
              "property name",
              c_.regexes[re].pattern());
        });
      } else if (!eval(sub, value, out, depth + 1)) {
        passed = false;
      }
    }
    if (!known && s.additional_properties != kNone && (passed || out)) {
      const SchemaNode& extra = c_.nodes[s.additional_properties];
      if (extra.kind == SchemaNode::Kind::False) {
        passed = fail(out, s, "additionalProperties", [&] {
          if (s.properties.empty() && s.pattern_properties.empty()) {
            return fmt::format("property \"{}\" is not allowed: this object takes no properties",
                               key);
          }
          std::string names;
          for (const auto& [name, sub] : s.properties) {
            if (names.size() > 200) {
              names += ", ...";
              break;
            }
            names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", name);
          }
          return fmt::format("property \"{}\" is not allowed here; allowed: {}{}", key,
                             names.empty() ? "names matching the patternProperties" : names,
                             s.pattern_properties.empty() || names.empty()
                                 ? ""
                                 : " and names matching the patternProperties");
        });
      } else {
        passed = eval(s.additional_properties, value, out, depth + 1);
      }
    }
    ptr_.resize(mark);
    if (!step(passed)) return false;
  }
  return ok;
}

// anyOf and oneOf. Branches are tried without collecting; only when the value fails are
// the branches' first errors gathered into one message.
bool Evaluator::alternatives(const SchemaNode& s, element v, Errors* out, size_t depth) {
  bool ok = true;
  if (!s.any_of.empty()) {
    bool any = false;
    for (int sub : s.any_of) {
      if (eval(sub, v, nullptr, depth + 1)) {
        any = true;
        break;
      }
      if (!aborted_.empty()) return false;
    }
    if (!any) {
      ok = fail(out, s, "anyOf", [&] {
        return fmt::format(
            "expected a value matching at least one of the anyOf alternatives, "
            "but {}",
            first_errors(s.any_of, v, depth));
      });
      if (!out) return false;
    }
  }
  if (!s.one_of.empty()) {
    std::vector<size_t> matched;
    for (size_t i = 0; i < s.one_of.size() && matched.size() < 2; ++i) {
      if (eval(s.one_of[i], v, nullptr, depth + 1)) matched.push_back(i);
      if (!aborted_.empty()) return false;
    }
    if (matched.empty()) {
      ok = fail(out, s, "oneOf", [&] {
        return fmt::format(
            "expected a value matching exactly one of the oneOf alternatives, "
            "but {}",
            first_errors(s.one_of, v, depth));
      });
    } else if (matched.size() > 1) {
      ok = fail(out, s, "oneOf", [&] {
        return fmt::format(
            "expected a value matching exactly one of the oneOf alternatives, "
            "but it matches alternatives {} and {}",
            matched[0], matched[1]);
      });
    }
  }
  return ok;
}

// "(0) expected string, got integer 5; (1) at /name: missing required property \"a\"".
std::string Evaluator::first_errors(const std::vector<int>& branches, element v, size_t depth) {
  std::string text;
  const std::string here = ptr_;
  for (size_t i = 0; i < branches.size() && i < kMaxListedBranches; ++i) {
    Errors errors;
    eval(branches[i], v, &errors, depth + 1);
    ptr_ = here;
    if (errors.empty()) continue;
    const SchemaError& e = errors.front();
    text += fmt::format("{}alternative {}: ", text.empty() ? "" : "; ", i);
    if (e.instance_location != here) text += fmt::format("at {}: ", e.instance_location);
    text += e.message;
  }
  if (branches.size() > kMaxListedBranches) text += "; ...";
  return text.empty() ? "it matches none" : text;
}

simdjson::dom::parser& instance_parser() {
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    [[maybe_unused]] const auto error = p.allocate(4096, JsonSchema::kMaxInstanceDepth);
    return p;
  }();
  return parser;
}

// Runs the schema over the instance; `out` null: stop at the first failure.
bool run(const Compiled& c, std::string_view instance_json, Errors* out) {
  const simdjson::padded_string padded(instance_json);
  auto doc = instance_parser().parse(padded);
  if (doc.error()) {
    if (out != nullptr) {
      out->push_back(
          {"", "",
           doc.error() == simdjson::DEPTH_ERROR
               ? fmt::format("the value nests deeper than {} levels", JsonSchema::kMaxInstanceDepth)
               : fmt::format("not valid JSON: {}", simdjson::error_message(doc.error()))});
    }
    return false;
  }
  Evaluator evaluator(c, kBaseBudget + kBudgetPerByte * instance_json.size());
  const bool ok = evaluator.eval(0, doc.value_unsafe(), out, 0);
  if (!evaluator.aborted().empty()) {
    if (out != nullptr) {
      if (out->size() >= JsonSchema::kMaxErrors) out->pop_back();
      out->push_back({"", "", evaluator.aborted()});
    }
    return false;
  }
  return ok;
}

}  // namespace
}  // namespace json_schema_detail

std::vector<SchemaError> JsonSchema::validate(std::string_view instance_json) const {
  std::vector<SchemaError> errors;
  json_schema_detail::run(*compiled_, instance_json, &errors);
  return errors;
}

bool JsonSchema::accepts(std::string_view instance_json) const {
  return json_schema_detail::run(*compiled_, instance_json, nullptr);
}

std::string describe(const std::vector<SchemaError>& errors) {
  std::string text;
  for (const SchemaError& e : errors) {
    text += fmt::format(
        "- {}: {}\n",
        e.instance_location.empty() ? "at the top level" : "at " + e.instance_location, e.message);
  }
  return text;
}

}  // namespace sy
