// Template: a workflow text with `{{ reference }}` placeholders, e.g.
//   "Summarise {{inputs.document}} in {{steps.detect.output.language}}"
// A reference is a dotted path into the run's context (a JSON object with `inputs`,
// `steps.<id>.output` for each finished step, and `item` / `index` inside a map step);
// array elements are `.2` or `[2]`. Rendering puts a string's text in as is and any other
// value as compact JSON; a reference that resolves to nothing is an error naming it.
//
// Parsed once when a workflow is loaded (syntax errors surface then, with the offset);
// immutable and thread-safe afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy::workflow {

struct TemplateRef {
  std::string text;                   // as written between the braces, trimmed
  std::vector<std::string> segments;  // {"steps", "extract", "output", "total"}
  std::size_t offset = 0;             // of the opening "{{" in the template
};

// One piece of a rendered template: text written in the template itself, or the value
// one reference put in (context fitting shortens values, never the written text).
struct RenderedPart {
  std::string text;
  int ref = -1;  // index into Template::references(); -1: the template's own text
};

class Template {
 public:
  Template() = default;

  // Fails on an unclosed "{{", an empty or malformed path, or a root other than
  // `inputs`, `steps` (as steps.<id>.output...), `item` or `index`.
  static Result<Template> parse(std::string_view text);

  // `context_json`: the JSON object the references resolve against.
  Result<std::string> render(std::string_view context_json) const;
  // The same, in pieces in order (their texts joined are render()'s result); empty
  // literal pieces are left out.
  Result<std::vector<RenderedPart>> render_parts(std::string_view context_json) const;

  // The value of a template that is exactly one reference ("{{steps.a.output.items}}"),
  // as JSON: what a map step fans out over. Fails for any other template.
  Result<std::string> resolve_json(std::string_view context_json) const;

  const std::vector<TemplateRef>& references() const { return refs_; }
  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }

 private:
  struct Piece {
    std::string literal;  // text before the reference (or the tail, with ref == -1)
    int ref = -1;         // index into refs_
  };
  std::string text_;
  std::vector<Piece> pieces_;
  std::vector<TemplateRef> refs_;
};

}  // namespace sy::workflow
