#include "faults.h"

#include <gtest/gtest.h>

namespace sy::sim {
namespace {

TEST(FaultDirectives, ParsesValuesAndFlagsSeparatedBySpacesOrCommas) {
  auto spec = parse_fault_directives(
      " status=429,retry_after=7  delay_ms=250, reset malformed "
      "cut_after=3 stall_after=4 model=sim-small times=2");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->status, 429);
  EXPECT_EQ(spec->retry_after, 7);
  EXPECT_EQ(spec->delay_ms, 250);
  EXPECT_TRUE(spec->reset);
  EXPECT_TRUE(spec->malformed);
  EXPECT_EQ(spec->cut_after, 3);
  EXPECT_EQ(spec->stall_after, 4);
  EXPECT_EQ(spec->model, "sim-small");
  EXPECT_EQ(spec->times, 2);
  EXPECT_EQ(spec->text,
            "status=429 retry_after=7 delay_ms=250 reset malformed cut_after=3 stall_after=4 "
            "model=sim-small times=2");
}

TEST(FaultDirectives, ErrorAfterIsAStreamFault) {
  auto spec = parse_fault_directives("error_after=2");
  ASSERT_TRUE(spec) << spec.error();
  EXPECT_EQ(spec->error_after, 2);
  EXPECT_FALSE(spec->has_no_effect());
  EXPECT_FALSE(parse_fault_directives("error_after=-1"));
  const std::vector<FaultSpec> specs = {*parse_fault_directives("error_after=5"), *spec};
  EXPECT_EQ(merge_faults(specs).error_after, 5);
}

TEST(FaultDirectives, EmptyTextHasNoEffect) {
  auto spec = parse_fault_directives("  ");
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->has_no_effect());
  auto filter_only = parse_fault_directives("model=a times=3");
  ASSERT_TRUE(filter_only);
  EXPECT_TRUE(filter_only->has_no_effect());
}

TEST(FaultDirectives, RejectsBadDirectivesNamingThem) {
  auto unknown = parse_fault_directives("status=503 explode");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("'explode'"), std::string::npos);

  auto unknown_key = parse_fault_directives("statuss=503");
  ASSERT_FALSE(unknown_key);
  EXPECT_NE(unknown_key.error().find("'statuss'"), std::string::npos);

  EXPECT_FALSE(parse_fault_directives("status=abc"));
  EXPECT_FALSE(parse_fault_directives("status=200"));  // not an error status
  EXPECT_FALSE(parse_fault_directives("status=600"));
  EXPECT_FALSE(parse_fault_directives("delay_ms=-1"));
  EXPECT_FALSE(parse_fault_directives("times=0"));
  EXPECT_FALSE(parse_fault_directives("reset=1"));
  EXPECT_FALSE(parse_fault_directives("model="));
  EXPECT_FALSE(parse_fault_directives("cut_after=2x"));
}

TEST(InlineDirectives, FindsEveryBlockInOrder) {
  auto blocks = find_inline_directives(
      "hi [[sim:status=503 times=1]] there [[sim:delay_ms=5]] and [[sim:unterminated");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], "status=503 times=1");
  EXPECT_EQ(blocks[1], "delay_ms=5");
  EXPECT_TRUE(find_inline_directives("no directives [[other:x]]").empty());
}

TEST(FaultApplies, FiltersByModel) {
  FaultTally tally;
  auto spec = parse_fault_directives("status=503 model=sim-small");
  ASSERT_TRUE(spec);
  EXPECT_TRUE(fault_applies(*spec, "sim-small", tally));
  EXPECT_FALSE(fault_applies(*spec, "sim-large", tally));
}

TEST(FaultApplies, TimesCountsPerModelAndDirectiveUntilReset) {
  FaultTally tally;
  auto spec = parse_fault_directives("status=503 times=2");
  auto other = parse_fault_directives("status=500 times=1");
  ASSERT_TRUE(spec && other);
  EXPECT_TRUE(fault_applies(*spec, "a", tally));
  EXPECT_TRUE(fault_applies(*spec, "a", tally));
  EXPECT_FALSE(fault_applies(*spec, "a", tally));
  EXPECT_TRUE(fault_applies(*spec, "b", tally));   // counted per model
  EXPECT_TRUE(fault_applies(*other, "a", tally));  // and per directive
  EXPECT_FALSE(fault_applies(*other, "a", tally));
  tally.reset();
  EXPECT_TRUE(fault_applies(*spec, "a", tally));
}

TEST(FaultApplies, ModelFilterIsCheckedBeforeCounting) {
  FaultTally tally;
  auto spec = parse_fault_directives("status=503 model=a times=1");
  ASSERT_TRUE(spec);
  EXPECT_FALSE(fault_applies(*spec, "b", tally));
  EXPECT_TRUE(fault_applies(*spec, "a", tally));
  EXPECT_FALSE(fault_applies(*spec, "a", tally));
}

TEST(MergeFaults, FirstValueWinsAndFlagsAccumulate) {
  auto first = parse_fault_directives("status=503 delay_ms=10");
  auto second = parse_fault_directives("status=429 reset cut_after=2");
  ASSERT_TRUE(first && second);
  const FaultSpec merged = merge_faults(std::vector<FaultSpec>{*first, *second});
  EXPECT_EQ(merged.status, 503);
  EXPECT_EQ(merged.delay_ms, 10);
  EXPECT_EQ(merged.cut_after, 2);
  EXPECT_TRUE(merged.reset);
  EXPECT_FALSE(merged.malformed);
  EXPECT_TRUE(merge_faults({}).has_no_effect());
}

}  // namespace
}  // namespace sy::sim
