#include "workflow/spec.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/json_writer.h"
#include "core/time_spec.h"
#include "core/yaml_reader.h"
#include "routing/classifier.h"

namespace sy::workflow {

const char* step_kind_name(StepKind kind) {
  switch (kind) {
    case StepKind::Llm:
      return "llm";
    case StepKind::Tool:
      return "tool";
    case StepKind::Approval:
      return "approval";
    case StepKind::Map:
      return "map";
    case StepKind::Switch:
      return "switch";
    case StepKind::Plan:
      return "plan";
  }
  return "?";
}

const Step* WorkflowSpec::find(std::string_view id) const {
  for (const Step& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

namespace {

using YAML::Node;

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  if (!std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// A YAML value as JSON text: plain scalars that read as null, booleans or numbers become
// those; quoted scalars are strings.
void yaml_to_json(const Node& n, std::string& out) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out += ',';
        first = false;
        out += '"';
        json::append_escaped(out, kv.first.Scalar());
        out += "\":";
        yaml_to_json(kv.second, out);
      }
      out += '}';
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      for (size_t i = 0; i < n.size(); ++i) {
        if (i) out += ',';
        yaml_to_json(n[i], out);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "?") {  // plain (unquoted)
        static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
        if (s == "null" || s == "~" || s == "true" || s == "false" || std::regex_match(s, number)) {
          out += s == "~" ? "null" : s;
          return;
        }
      }
      out += '"';
      json::append_escaped(out, s);
      out += '"';
      return;
    }
    default:
      out += "null";
      return;
  }
}

class Parser {
 public:
  explicit Parser(const std::string& source) : r_(source, no_env_) {}

  YamlReader& reader() { return r_; }
  void workflow(const Node& root, WorkflowSpec& spec);

 private:
  // Raw text of map[key] (no environment expansion: prompts are data).
  bool text(const Node& map, const std::string& path, const char* key, std::string& out,
            bool required = false);
  Template templ(const Node& map, const std::string& path, const char* key, bool required = false);
  std::optional<JsonSchema> schema(const Node& n, const std::string& path);
  void inputs(const Node& n, WorkflowSpec& spec);
  bool step(const Node& n, const std::string& path, Step& s, bool in_map);
  void llm(const Node& n, const std::string& path, LlmStep& s);
  void tool(const Node& n, const std::string& path, ToolStep& s);
  void approval(const Node& n, const std::string& path, ApprovalStep& s);
  void map_step(const Node& n, const std::string& path, MapStep& s);
  void switch_step(const Node& n, const std::string& path, SwitchStep& s);
  void plan(const Node& n, const std::string& path, PlanStep& s);
  void pairs(const Node& n, const std::string& path,
             std::vector<std::pair<std::string, Template>>& out);
  void check_references(const Node& n, const std::string& path, const Step& s, size_t index,
                        const std::map<std::string, size_t, std::less<>>& earlier,
                        std::vector<std::string>& needs);

  EnvLookup no_env_ = [](const std::string&) { return std::optional<std::string>(); };
  YamlReader r_;
};

bool Parser::text(const Node& map, const std::string& path, const char* key, std::string& out,
                  bool required) {
  const Node n = map[key];
  const std::string at = YamlReader::join(path, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) r_.problem(map, at, "is required");
    return false;
  }
  if (!n.IsScalar()) {
    r_.problem(n, at, "expected text");
    return false;
  }
  out = n.Scalar();
  return true;
}

Template Parser::templ(const Node& map, const std::string& path, const char* key, bool required) {
  std::string raw;
  if (!text(map, path, key, raw, required)) return {};
  auto t = Template::parse(raw);
  if (!t) {
    r_.problem(map[key], YamlReader::join(path, key), t.error().message);
    return {};
  }
  return std::move(*t);
}

std::optional<JsonSchema> Parser::schema(const Node& n, const std::string& path) {
  std::string json;
  if (n.IsScalar() && n.Tag() != "?") {
    json = n.Scalar();  // a quoted or block string holding JSON
  } else if (n.IsScalar() && !n.Scalar().empty() && n.Scalar()[0] == '{') {
    json = n.Scalar();
  } else {
    yaml_to_json(n, json);
  }
  auto compiled = JsonSchema::compile(json);
  if (!compiled) {
    r_.problem(n, path, compiled.error().message);
    return std::nullopt;
  }
  return std::move(*compiled);
}

void Parser::inputs(const Node& n, WorkflowSpec& spec) {
  std::string json = R"({"type":"object","properties":{)";
  std::string required;
  if (n.IsDefined() && !n.IsNull() && r_.expect_map(n, "inputs")) {
    bool first = true;
    for (const auto& kv : n) {
      WorkflowInput in;
      in.name = kv.first.Scalar();
      const std::string path = "inputs." + in.name;
      if (!valid_id(in.name))
        r_.problem(kv.first, path, "expected a name of letters, digits, '_' or '-'");
      std::string property = "{}";
      if (kv.second.IsMap()) {
        r_.allow_keys(kv.second, path, {"type", "description", "required", "schema", "default"});
        text(kv.second, path, "description", in.description);
        r_.read(kv.second, path, "required", in.required);
        if (const Node d = kv.second["default"]; d.IsDefined()) {
          yaml_to_json(d, in.default_json);
          if (kv.second["required"].IsDefined() && in.required) {
            r_.problem(d, path + ".default", "an input with a default cannot be required");
          }
          in.required = false;
        }
        if (kv.second["schema"].IsDefined() && kv.second["type"].IsDefined()) {
          r_.problem(kv.second, path, "give either type or schema, not both");
        }
        if (const Node s = kv.second["schema"]; s.IsDefined()) {
          property.clear();
          yaml_to_json(s, property);
          if (!schema(s, path + ".schema")) property = "{}";
        } else if (std::string type; text(kv.second, path, "type", type)) {
          property.clear();
          json::append_escaped(property, type);
          property = R"({"type":")" + property + "\"}";
          if (!JsonSchema::compile(property)) {
            r_.problem(kv.second["type"], path + ".type",
                       "expected string, number, integer, boolean, object or array");
          }
        }
      } else if (!kv.second.IsNull()) {
        r_.problem(kv.second, path,
                   "expected a mapping (type, description, required, schema, default)");
      }
      if (!in.default_json.empty()) {
        auto compiled = JsonSchema::compile(property);
        if (compiled && !compiled->validate(in.default_json).empty()) {
          r_.problem(
              kv.second["default"], path + ".default",
              "does not match the input's type: " + describe(compiled->validate(in.default_json)));
        }
      }
      json += fmt::format("{}\"", first ? "" : ",");
      json::append_escaped(json, in.name);
      json += "\":" + property;
      if (in.required) {
        required += fmt::format("{}\"", required.empty() ? "" : ",");
        json::append_escaped(required, in.name);
        required += '"';
      }
      first = false;
      spec.inputs.push_back(std::move(in));
    }
  }
  json += "},\"required\":[" + required + "],\"additionalProperties\":false}";
  if (auto s = JsonSchema::compile(json)) spec.input_schema = std::move(*s);
}

bool Parser::step(const Node& n, const std::string& path, Step& s, bool in_map) {
  if (!r_.expect_map(n, path)) return false;
  std::string kind;
  if (!text(n, path, "kind", kind, true)) return false;
  static const std::map<std::string, std::pair<StepKind, std::vector<std::string_view>>> kKinds = {
      {"llm",
       {StepKind::Llm,
        {"prompt", "system", "task", "route", "model", "output_schema", "context_overflow"}}},
      {"tool", {StepKind::Tool, {"http", "mcp"}}},
      {"approval", {StepKind::Approval, {"message", "timeout", "on_timeout"}}},
      {"map", {StepKind::Map, {"over", "concurrency", "step"}}},
      {"switch", {StepKind::Switch, {"on", "cases", "default"}}},
      {"plan",
       {StepKind::Plan, {"prompt", "task_types", "max_subtasks", "concurrency", "synthesis"}}},
  };
  const auto it = kKinds.find(kind);
  if (it == kKinds.end()) {
    r_.problem(n["kind"], path + ".kind",
               fmt::format("unknown step kind \"{}\" (expected llm, tool, approval, map, "
                           "switch or plan)",
                           kind));
    return false;
  }
  s.kind = it->second.first;
  if (in_map && s.kind != StepKind::Llm && s.kind != StepKind::Tool) {
    r_.problem(n["kind"], path + ".kind", "a map's step must be an llm or tool step");
    return false;
  }
  // allow_keys takes an initializer_list; check the per-kind keys by hand.
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const auto& own = it->second.second;
    const bool common = key == "id" || key == "kind" || key == "needs" || key == "description";
    if (!common && std::find(own.begin(), own.end(), key) == own.end()) {
      std::string list = "id, kind, needs, description";
      for (auto k : own) list += fmt::format(", {}", k);
      r_.problem(kv.first, YamlReader::join(path, key),
                 fmt::format("unknown key for a {} step (expected one of: {})", kind, list));
    }
  }
  if (!in_map) {
    text(n, path, "id", s.id, true);
    if (!s.id.empty() && !valid_id(s.id)) {
      r_.problem(n["id"], path + ".id",
                 "expected a letter, then letters, digits, '_' or '-' (at most 64)");
    }
    r_.read_list(n, path, "needs", s.needs, true);
  } else if (n["id"].IsDefined() || n["needs"].IsDefined()) {
    r_.problem(n, path, "a map's step has no id or needs of its own");
  }
  text(n, path, "description", s.description);
  switch (s.kind) {
    case StepKind::Llm:
      llm(n, path, s.body.emplace<LlmStep>());
      break;
    case StepKind::Tool:
      tool(n, path, s.body.emplace<ToolStep>());
      break;
    case StepKind::Approval:
      approval(n, path, s.body.emplace<ApprovalStep>());
      break;
    case StepKind::Map:
      map_step(n, path, s.body.emplace<MapStep>());
      break;
    case StepKind::Switch:
      switch_step(n, path, s.body.emplace<SwitchStep>());
      break;
    case StepKind::Plan:
      plan(n, path, s.body.emplace<PlanStep>());
      break;
  }
  return true;
}

void Parser::llm(const Node& n, const std::string& path, LlmStep& s) {
  s.prompt = templ(n, path, "prompt", true);
  s.system = templ(n, path, "system");
  text(n, path, "task", s.task);
  text(n, path, "route", s.route);
  text(n, path, "model", s.model);
  if (!s.route.empty() && !s.model.empty()) {
    r_.problem(n["model"], path + ".model", "give either route or model, not both");
  }
  if (const Node o = n["output_schema"]; o.IsDefined()) {
    s.output_schema = schema(o, path + ".output_schema");
  }
  if (std::string overflow; text(n, path, "context_overflow", overflow)) {
    if (overflow == "drop_oldest") {
      s.context_overflow = ContextOverflow::DropOldest;
    } else if (overflow == "summarize") {
      s.context_overflow = ContextOverflow::Summarize;
    } else {
      r_.problem(n["context_overflow"], path + ".context_overflow",
                 "expected drop_oldest or summarize");
    }
  }
}

void Parser::pairs(const Node& n, const std::string& path,
                   std::vector<std::pair<std::string, Template>>& out) {
  if (!n.IsDefined() || n.IsNull() || !r_.expect_map(n, path)) return;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    out.emplace_back(key, templ(n, path, key.c_str(), true));
  }
}

void Parser::tool(const Node& n, const std::string& path, ToolStep& s) {
  const Node http = n["http"], mcp = n["mcp"];
  if (http.IsDefined() == mcp.IsDefined()) {
    r_.problem(n, path, "a tool step has exactly one of http or mcp");
    return;
  }
  if (http.IsDefined()) {
    const std::string p = path + ".http";
    if (!r_.expect_map(http, p)) return;
    r_.allow_keys(http, p, {"method", "url", "headers", "body"});
    HttpCall& call = s.call.emplace<HttpCall>();
    text(http, p, "method", call.method);
    static constexpr std::string_view kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    if (std::find(std::begin(kMethods), std::end(kMethods), call.method) == std::end(kMethods)) {
      r_.problem(http["method"], p + ".method", "expected GET, POST, PUT, PATCH or DELETE");
    }
    call.url = templ(http, p, "url", true);
    pairs(http["headers"], p + ".headers", call.headers);
    call.body = templ(http, p, "body");
  } else {
    const std::string p = path + ".mcp";
    if (!r_.expect_map(mcp, p)) return;
    r_.allow_keys(mcp, p, {"server", "tool", "arguments"});
    McpCall& call = s.call.emplace<McpCall>();
    text(mcp, p, "server", call.server, true);
    text(mcp, p, "tool", call.tool, true);
    pairs(mcp["arguments"], p + ".arguments", call.arguments);
  }
}

void Parser::approval(const Node& n, const std::string& path, ApprovalStep& s) {
  s.message = templ(n, path, "message", true);
  if (std::string timeout; text(n, path, "timeout", timeout)) {
    auto ms = parse_duration_ms(timeout);
    if (!ms || *ms <= 0) {
      r_.problem(n["timeout"], path + ".timeout", "expected a duration such as 30m, 24h or 7d");
    } else {
      s.timeout_ms = *ms;
    }
  }
  if (std::string on; text(n, path, "on_timeout", on)) {
    if (on != "reject" && on != "approve") {
      r_.problem(n["on_timeout"], path + ".on_timeout", "expected reject or approve");
    }
    s.approve_on_timeout = on == "approve";
  }
}

void Parser::map_step(const Node& n, const std::string& path, MapStep& s) {
  s.over = templ(n, path, "over", true);
  const std::string& over = s.over.text();
  if (!s.over.empty() && (s.over.references().size() != 1 ||
                          over.find_first_not_of(" ") != s.over.references()[0].offset ||
                          over.substr(over.find_last_not_of(" ") - 1) != "}}")) {
    r_.problem(n["over"], path + ".over",
               "expected exactly one reference to a list, e.g. \"{{steps.extract.output.items}}\"");
  }
  r_.read(n, path, "concurrency", s.concurrency);
  if (s.concurrency == 0) r_.problem(n["concurrency"], path + ".concurrency", "must be at least 1");
  if (!n["step"].IsDefined()) {
    r_.problem(n, path + ".step", "is required");
    return;
  }
  auto inner = std::make_shared<Step>();
  if (step(n["step"], path + ".step", *inner, true)) s.step = std::move(inner);
}

void Parser::switch_step(const Node& n, const std::string& path, SwitchStep& s) {
  s.on = templ(n, path, "on", true);
  const Node cases = n["cases"];
  if (!cases.IsDefined() || !r_.expect_map(cases, path + ".cases")) {
    if (!cases.IsDefined()) r_.problem(n, path + ".cases", "is required");
    return;
  }
  for (const auto& kv : cases) {
    std::string target;
    const std::string key = kv.first.Scalar();
    if (text(cases, path + ".cases", key.c_str(), target, true)) s.cases.emplace_back(key, target);
  }
  text(n, path, "default", s.default_step);
}

void Parser::plan(const Node& n, const std::string& path, PlanStep& s) {
  s.prompt = templ(n, path, "prompt", true);
  r_.read_list(n, path, "task_types", s.task_types);
  for (const std::string& t : s.task_types) {
    // Subtasks go out with their task type as x-switchyard-task: it must be one routing knows.
    if (!routing::parse_task_type(t)) {
      r_.problem(n["task_types"], path + ".task_types",
                 fmt::format("unknown task type \"{}\" (expected extraction, summarization, "
                             "classification, code, math, reasoning, creative, chat, translation, "
                             "analysis or writing)",
                             t));
    }
  }
  r_.read(n, path, "max_subtasks", s.max_subtasks);
  if (s.max_subtasks == 0 || s.max_subtasks > 64) {
    r_.problem(n["max_subtasks"], path + ".max_subtasks", "expected 1 to 64");
  }
  r_.read(n, path, "concurrency", s.concurrency);
  if (s.concurrency == 0) r_.problem(n["concurrency"], path + ".concurrency", "must be at least 1");
  const Node synthesis = n["synthesis"];
  if (!synthesis.IsDefined()) {
    r_.problem(n, path + ".synthesis", "is required (how the subtasks' results are combined)");
    return;
  }
  const std::string p = path + ".synthesis";
  if (!r_.expect_map(synthesis, p)) return;
  r_.allow_keys(synthesis, p, {"prompt", "task"});
  s.synthesis_prompt = templ(synthesis, p, "prompt", true);
  text(synthesis, p, "task", s.synthesis_task);
}

// Every template of a step (and of a map's inner step).
void collect_templates(const Step& s, std::vector<const Template*>& out) {
  auto add = [&](const Template& t) { out.push_back(&t); };
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, LlmStep>) {
          add(b.prompt);
          add(b.system);
        } else if constexpr (std::is_same_v<T, ToolStep>) {
          if (const auto* h = std::get_if<HttpCall>(&b.call)) {
            add(h->url);
            add(h->body);
            for (const auto& [k, t] : h->headers) add(t);
          } else {
            for (const auto& [k, t] : std::get<McpCall>(b.call).arguments) add(t);
          }
        } else if constexpr (std::is_same_v<T, ApprovalStep>) {
          add(b.message);
        } else if constexpr (std::is_same_v<T, MapStep>) {
          add(b.over);
          if (b.step) collect_templates(*b.step, out);
        } else if constexpr (std::is_same_v<T, SwitchStep>) {
          add(b.on);
        } else if constexpr (std::is_same_v<T, PlanStep>) {
          add(b.prompt);
          add(b.synthesis_prompt);
        }
      },
      s.body);
}

void Parser::check_references(const Node& n, const std::string& path, const Step& s, size_t index,
                              const std::map<std::string, size_t, std::less<>>& earlier,
                              std::vector<std::string>& needs) {
  auto need = [&](const std::string& id, const std::string& what) {
    const auto it = earlier.find(id);
    if (it == earlier.end() || it->second >= index) {
      r_.problem(
          n, path,
          fmt::format("{} names step \"{}\", which is not defined before this step", what, id));
      return;
    }
    if (std::find(needs.begin(), needs.end(), id) == needs.end()) needs.push_back(id);
  };
  for (const std::string& id : std::vector<std::string>(s.needs)) need(id, "needs");
  // item/index are allowed only in a map's inner step: check the outer templates apart.
  std::vector<const Template*> outer, inner;
  if (const auto* m = std::get_if<MapStep>(&s.body)) {
    outer.push_back(&m->over);
    if (m->step) collect_templates(*m->step, inner);
  } else {
    collect_templates(s, outer);
  }
  for (const auto* list : {&outer, &inner}) {
    for (const Template* t : *list) {
      for (const TemplateRef& ref : t->references()) {
        if (ref.segments[0] == "steps") {
          need(ref.segments[1], fmt::format("{{{{{}}}}}", ref.text));
        } else if ((ref.segments[0] == "item" || ref.segments[0] == "index") && list == &outer) {
          r_.problem(n, path,
                     fmt::format("{{{{{}}}}} is only available inside a map's step", ref.text));
        }
      }
    }
  }
}

void Parser::workflow(const Node& root, WorkflowSpec& spec) {
  if (!r_.expect_map(root, "(top level)")) return;
  r_.allow_keys(root, "", {"name", "description", "inputs", "steps", "output"});
  text(root, "", "name", spec.name, true);
  if (!spec.name.empty() && !valid_id(spec.name)) {
    r_.problem(root["name"], "name", "expected a letter, then letters, digits, '_' or '-'");
  }
  text(root, "", "description", spec.description);
  inputs(root["inputs"], spec);
  const Node steps = root["steps"];
  if (!steps.IsSequence() || steps.size() == 0) {
    r_.problem(steps.IsDefined() ? steps : root, "steps", "expected a non-empty list of steps");
    return;
  }
  std::map<std::string, size_t, std::less<>> index;  // id -> position
  std::vector<Node> nodes;
  for (size_t i = 0; i < steps.size(); ++i) {
    Step s;
    const std::string path = fmt::format("steps[{}]", i);
    if (!step(steps[i], path, s, false)) continue;
    if (!s.id.empty() && !index.emplace(s.id, spec.steps.size()).second) {
      r_.problem(steps[i]["id"], path + ".id", fmt::format("duplicate step id \"{}\"", s.id));
    }
    spec.steps.push_back(std::move(s));
    nodes.push_back(steps[i]);
  }
  for (size_t i = 0; i < spec.steps.size(); ++i) {
    Step& s = spec.steps[i];
    const std::string path = s.id.empty() ? fmt::format("steps[{}]", i) : "steps." + s.id;
    std::vector<std::string> needs;
    check_references(nodes[i], path, s, i, index, needs);
    std::sort(needs.begin(), needs.end(),
              [&](const std::string& a, const std::string& b) { return index[a] < index[b]; });
    s.needs = std::move(needs);
    if (const auto* sw = std::get_if<SwitchStep>(&s.body)) {
      std::vector<std::string> targets;
      for (const auto& [value, target] : sw->cases) targets.push_back(target);
      if (!sw->default_step.empty()) targets.push_back(sw->default_step);
      for (const std::string& target : targets) {
        const auto it = index.find(target);
        if (it == index.end() || it->second <= i) {
          r_.problem(
              nodes[i], path,
              fmt::format("switch target \"{}\" is not a step defined after this one", target));
        }
      }
    }
  }
  // `output`: one template, or a mapping of names to templates (the result is an object).
  const auto output_template = [&](const Node& node, const std::string& path,
                                   const std::string& text) -> std::optional<Template> {
    auto t = Template::parse(text);
    if (!t) {
      r_.problem(node, path, t.error().message);
      return std::nullopt;
    }
    for (const TemplateRef& ref : t->references()) {
      if (ref.segments[0] == "steps" && !index.contains(ref.segments[1])) {
        r_.problem(node, path, fmt::format("{{{{{}}}}} names an unknown step", ref.text));
      } else if (ref.segments[0] == "item" || ref.segments[0] == "index") {
        r_.problem(node, path,
                   fmt::format("{{{{{}}}}} is only available inside a map's step", ref.text));
      }
    }
    return std::move(*t);
  };
  if (const Node out = root["output"]; out.IsDefined() && out.IsMap()) {
    for (const auto& kv : out) {
      const std::string key = kv.first.as<std::string>();
      const std::string path = "output." + key;
      if (!kv.second.IsScalar()) {
        r_.problem(kv.second, path, "expected a template string");
        continue;
      }
      if (auto t = output_template(kv.second, path, kv.second.as<std::string>())) {
        spec.output_fields.emplace_back(key, std::move(*t));
      }
    }
  } else if (std::string output; text(root, "", "output", output)) {
    if (auto t = output_template(root["output"], "output", output)) spec.output = std::move(*t);
  }
}

}  // namespace

Result<WorkflowSpec> parse_workflow(std::string_view yaml, const std::string& source) {
  Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::InvalidRequest,
                fmt::format("{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  WorkflowSpec spec;
  Parser p(source);
  try {
    p.workflow(root, spec);
  } catch (const YAML::Exception& e) {
    p.reader().problem(root, "(document)", e.what());
  }
  const auto& problems = p.reader().problems();
  if (!problems.empty()) {
    std::string message = fmt::format("invalid workflow ({} problem{}):", problems.size(),
                                      problems.size() == 1 ? "" : "s");
    for (const auto& problem : problems) message += "\n  " + problem;
    return fail(ErrorKind::InvalidRequest, std::move(message));
  }
  return spec;
}

Result<WorkflowSpec> load_workflow_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::InvalidRequest, "cannot read workflow file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_workflow(ss.str(), path);
}

}  // namespace sy::workflow
