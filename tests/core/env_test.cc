#include "core/env.h"

#include <gtest/gtest.h>

#include <map>

namespace sy {
namespace {

EnvLookup fake(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Interpolate, ReplacesSetVariables) {
  auto r = interpolate("http://${HOST}:${PORT}/v1", fake({{"HOST", "h"}, {"PORT", "9"}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "http://h:9/v1");
}

TEST(Interpolate, UsesDefaultWhenUnsetOrEmpty) {
  EXPECT_EQ(*interpolate("${A:-x}", fake({})), "x");
  EXPECT_EQ(*interpolate("${A:-x}", fake({{"A", ""}})), "x");
  EXPECT_EQ(*interpolate("${A:-}", fake({})), "");
  EXPECT_EQ(*interpolate("${A:-http://d:1}", fake({{"A", "set"}})), "set");
}

TEST(Interpolate, UnsetWithoutDefaultIsAnErrorNamingTheVariable) {
  auto r = interpolate("key ${OPENAI_API_KEY}", fake({}));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("OPENAI_API_KEY"), std::string::npos);
}

TEST(Interpolate, DollarEscapesAndPlainDollars) {
  EXPECT_EQ(*interpolate("$$HOME costs $5", fake({})), "$HOME costs $5");
}

TEST(Interpolate, RejectsMalformedReferences) {
  EXPECT_FALSE(interpolate("${UNCLOSED", fake({})));
  EXPECT_FALSE(interpolate("${}", fake({})));
  EXPECT_FALSE(interpolate("${BAD-NAME}", fake({})));
}

}  // namespace
}  // namespace sy
