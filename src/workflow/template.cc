#include "workflow/template.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>

namespace sy::workflow {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool segment_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "steps.a.output.items[2].name" -> {"steps","a","output","items","2","name"}.
bool split_path(std::string_view path, std::vector<std::string>& out) {
  std::string current;
  bool after_index = false;
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '.') {
      if (current.empty() && !after_index) return false;
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      after_index = false;
    } else if (c == '[') {
      if (current.empty() && !after_index) return false;
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos || close == i + 1) return false;
      const std::string_view index = path.substr(i + 1, close - i - 1);
      for (char d : index) {
        if (!std::isdigit(static_cast<unsigned char>(d))) return false;
      }
      out.emplace_back(index);
      i = close;
      after_index = true;
    } else if (segment_char(c)) {
      if (after_index) return false;  // "a[0]b"
      current += c;
    } else {
      return false;
    }
  }
  if (!current.empty()) {
    out.push_back(std::move(current));
  } else if (!after_index) {
    return false;  // empty path or a trailing "."
  }
  return true;
}

std::string joined(const std::vector<std::string>& segments, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < segments.size(); ++i) {
    out += (i ? "." : "") + segments[i];
  }
  return out;
}

const char* kind(element e) {
  switch (e.type()) {
    case element_type::OBJECT:
      return "an object";
    case element_type::ARRAY:
      return "an array";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

Result<element> lookup(element root, const TemplateRef& ref) {
  element current = root;
  for (size_t i = 0; i < ref.segments.size(); ++i) {
    const std::string& seg = ref.segments[i];
    auto missing = [&](std::string why) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("{{{{{}}}}}: {}", ref.text, std::move(why)), "", "template_missing");
    };
    if (current.type() == element_type::OBJECT) {
      simdjson::dom::object object;
      [[maybe_unused]] auto e = current.get_object().get(object);
      if (object.at_key(seg).get(current) != simdjson::SUCCESS) {
        std::string keys;
        size_t n = 0;
        for (auto kv : object) {
          if (++n > 10) {
            keys += ", ...";
            break;
          }
          keys += fmt::format("{}{}", keys.empty() ? "" : ", ", kv.key);
        }
        const std::string where = i == 0 ? "the context" : joined(ref.segments, i);
        return missing(keys.empty()
                           ? fmt::format("{} has no \"{}\" (it is empty)", where, seg)
                           : fmt::format("{} has no \"{}\" (it has: {})", where, seg, keys));
      }
    } else if (current.type() == element_type::ARRAY) {
      simdjson::dom::array array;
      [[maybe_unused]] auto e = current.get_array().get(array);
      size_t index = 0;
      bool numeric = !seg.empty() && seg.size() < 10;
      for (char c : seg) numeric = numeric && std::isdigit(static_cast<unsigned char>(c));
      if (numeric) index = std::stoul(seg);
      if (!numeric || array.at(index).get(current) != simdjson::SUCCESS) {
        return missing(fmt::format("{} is an array of {} items; \"{}\" is not an index in it",
                                   joined(ref.segments, i), array.size(), seg));
      }
    } else {
      return missing(fmt::format("{} is {}, which has no \"{}\"", joined(ref.segments, i),
                                 kind(current), seg));
    }
  }
  return current;
}

Result<element> parse_context(simdjson::dom::parser& parser, std::string_view json) {
  auto doc = parser.parse(json.data(), json.size(), true);
  if (doc.error() || doc.value_unsafe().type() != element_type::OBJECT) {
    return fail(ErrorKind::Internal, "template context is not a JSON object");
  }
  return doc.value_unsafe();
}

}  // namespace

Result<Template> Template::parse(std::string_view text) {
  Template t;
  t.text_ = std::string(text);
  size_t pos = 0;
  std::string literal;
  while (pos < text.size()) {
    const size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return fail(ErrorKind::InvalidRequest, fmt::format("unclosed \"{{{{\" at offset {}", open));
    }
    literal += text.substr(pos, open - pos);
    TemplateRef ref;
    ref.text = std::string(trim(text.substr(open + 2, close - open - 2)));
    ref.offset = open;
    if (!split_path(ref.text, ref.segments)) {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("\"{{{{{}}}}}\" at offset {} is not a reference (expected a dotted "
                              "path such as inputs.name or steps.extract.output.total)",
                              ref.text, open));
    }
    const std::string& root = ref.segments[0];
    if (root == "steps") {
      if (ref.segments.size() < 3 || ref.segments[2] != "output") {
        return fail(ErrorKind::InvalidRequest,
                    fmt::format("\"{{{{{}}}}}\" at offset {}: a step is referenced as "
                                "steps.<id>.output[.path]",
                                ref.text, open));
      }
    } else if (root != "inputs" && root != "item" && root != "index") {
      return fail(ErrorKind::InvalidRequest,
                  fmt::format("\"{{{{{}}}}}\" at offset {}: unknown root \"{}\" (expected "
                              "inputs, steps, item or index)",
                              ref.text, open, root));
    }
    t.pieces_.push_back({std::move(literal), static_cast<int>(t.refs_.size())});
    literal.clear();
    t.refs_.push_back(std::move(ref));
    pos = close + 2;
  }
  literal += text.substr(std::min(pos, text.size()));
  if (!literal.empty()) t.pieces_.push_back({std::move(literal), -1});
  return t;
}

Result<std::string> Template::render(std::string_view context_json) const {
  if (refs_.empty()) return text_;
  auto parts = render_parts(context_json);
  if (!parts) return std::unexpected(parts.error());
  std::string out;
  for (const RenderedPart& p : *parts) out += p.text;
  return out;
}

Result<std::vector<RenderedPart>> Template::render_parts(std::string_view context_json) const {
  std::vector<RenderedPart> out;
  if (refs_.empty()) {
    if (!text_.empty()) out.push_back({text_, -1});
    return out;
  }
  simdjson::dom::parser parser;
  auto root = parse_context(parser, context_json);
  if (!root) return std::unexpected(root.error());
  for (const Piece& piece : pieces_) {
    if (!piece.literal.empty()) out.push_back({piece.literal, -1});
    if (piece.ref < 0) continue;
    auto value = lookup(*root, refs_[piece.ref]);
    if (!value) return std::unexpected(value.error());
    if (value->type() == element_type::STRING) {
      std::string_view s;
      [[maybe_unused]] auto e = value->get_string().get(s);
      out.push_back({std::string(s), piece.ref});
    } else {
      out.push_back({std::string(simdjson::minify(*value)), piece.ref});
    }
  }
  return out;
}

Result<std::string> Template::resolve_json(std::string_view context_json) const {
  if (refs_.size() != 1 || pieces_.size() != 1 || !pieces_[0].literal.empty()) {
    return fail(ErrorKind::InvalidRequest, fmt::format("\"{}\" must be exactly one reference, e.g. "
                                                       "{{{{steps.extract.output.items}}}}",
                                                       text_));
  }
  simdjson::dom::parser parser;
  auto root = parse_context(parser, context_json);
  if (!root) return std::unexpected(root.error());
  auto value = lookup(*root, refs_[0]);
  if (!value) return std::unexpected(value.error());
  return simdjson::minify(*value);
}

}  // namespace sy::workflow
