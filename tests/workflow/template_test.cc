// Template: parsing references, rendering against a context, clear errors when missing.
#include "workflow/template.h"

#include <gtest/gtest.h>

namespace sy::workflow {
namespace {

constexpr std::string_view kContext = R"({
  "inputs": {"document": "Invoice 7", "n": 3, "flags": {"urgent": true}},
  "steps": {"extract": {"output": {"total": 12.5, "items": [{"sku": "A"}, {"sku": "B"}],
                                   "note": null}}}})";

std::string render(std::string_view text) {
  auto t = Template::parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  if (!t) return "<parse error>";
  auto out = t->render(kContext);
  return out ? *out : "<error> " + out.error().message;
}

TEST(Template, RendersStringsAsTextAndOtherValuesAsJson) {
  EXPECT_EQ(render("Summarise {{inputs.document}}."), "Summarise Invoice 7.");
  EXPECT_EQ(render("{{ steps.extract.output.total }} for {{inputs.n}} items"), "12.5 for 3 items");
  EXPECT_EQ(render("{{inputs.flags}}"), R"({"urgent":true})");
  EXPECT_EQ(render("{{steps.extract.output.items[1].sku}}/{{steps.extract.output.items.0.sku}}"),
            "B/A");
  EXPECT_EQ(render("{{steps.extract.output.note}}"), "null");
  EXPECT_EQ(render("no references { at all }"), "no references { at all }");
}

TEST(Template, ListsItsReferences) {
  auto t = Template::parse("a {{inputs.x}} b {{steps.s1.output.y[2]}}");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->references().size(), 2u);
  EXPECT_EQ(t->references()[1].segments,
            (std::vector<std::string>{"steps", "s1", "output", "y", "2"}));
  EXPECT_EQ(t->references()[1].offset, 17u);
}

TEST(Template, MissingReferencesNameWhatIsThere) {
  EXPECT_EQ(render("{{steps.extract.output.totl}}"),
            "<error> {{steps.extract.output.totl}}: steps.extract.output has no \"totl\" (it "
            "has: total, items, note)");
  EXPECT_EQ(render("{{steps.extract.output.items[5]}}"),
            "<error> {{steps.extract.output.items[5]}}: steps.extract.output.items is an array of "
            "2 items; \"5\" is not an index in it");
  EXPECT_EQ(render("{{inputs.document.x}}"),
            "<error> {{inputs.document.x}}: inputs.document is a string, which has no \"x\"");
  EXPECT_EQ(render("{{steps.other.output}}"),
            "<error> {{steps.other.output}}: steps has no \"other\" (it has: extract)");
}

TEST(Template, RejectsMalformedReferences) {
  for (std::string_view bad :
       {"{{inputs.x", "{{}}", "{{inputs..x}}", "{{inputs.x.}}", "{{inputs x}}", "{{env.HOME}}",
        "{{steps.a}}", "{{steps.a.result}}", "{{inputs.a[x]}}", "{{inputs.a[0]b}}"}) {
    EXPECT_FALSE(Template::parse(bad).has_value()) << bad;
  }
  EXPECT_NE(Template::parse("ab {{inputs.x").error().message.find("offset 3"), std::string::npos);
}

TEST(Template, ResolveJsonGivesTheValueOfASoleReference) {
  auto t = Template::parse("{{steps.extract.output.items}}");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t->resolve_json(kContext), R"([{"sku":"A"},{"sku":"B"}])");
  auto mixed = Template::parse("x {{inputs.n}}");
  EXPECT_FALSE(mixed->resolve_json(kContext).has_value());
}

}  // namespace
}  // namespace sy::workflow
