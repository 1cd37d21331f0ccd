// The CSV reader the MMLU and healthcare files go through, and the labelled-set reader.
#include "routing/routing_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sy::routing {
namespace {

TEST(RoutingData, CsvQuotedFieldsKeepCommasQuotesAndNewlines) {
  const auto rows = parse_csv(
      "prompt,a,b\n\"Which, of \"\"these\"\"\nA. x\nAnswer:\",True,False\r\nplain,False,True\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "Which, of \"these\"\nA. x\nAnswer:");
  EXPECT_EQ(rows[1][1], "True");
  EXPECT_EQ(rows[1][2], "False");
  EXPECT_EQ(rows[2], (std::vector<std::string>{"plain", "False", "True"}));
  EXPECT_EQ(parse_csv("a,\n").at(0), (std::vector<std::string>{"a", ""}));
}

TEST(RoutingData, MmluDirectoryReadsSubjectsAndColumns) {
  const auto dir = std::filesystem::temp_directory_path() / "sy_mmlu_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "mmlu_zoology.csv")
      << "prompt,mistralai/Mixtral-8x7B-Instruct-v0.1,gpt-4-1106-preview\n\"Q1\nA. "
         "a\",True,False\n";
  std::ofstream(dir / "mmlu_algebra.csv")
      << "gpt-4-1106-preview,prompt,mistralai/Mixtral-8x7B-Instruct-v0.1\nTrue,Q2,False\n";
  auto rows = load_mmlu_dir(dir.string());
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].subject, "algebra");  // sorted by file name
  EXPECT_EQ((*rows)[0].prompt, "Q2");
  EXPECT_FALSE((*rows)[0].weak_ok);
  EXPECT_TRUE((*rows)[0].strong_ok);
  EXPECT_EQ((*rows)[1].prompt, "Q1\nA. a");
  EXPECT_TRUE((*rows)[1].weak_ok);
  std::ofstream(dir / "mmlu_broken.csv") << "prompt,x\nq,1\n";
  EXPECT_FALSE(load_mmlu_dir(dir.string()));
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(load_mmlu_dir(dir.string()));
}

TEST(RoutingData, TheCommittedLabelledSetParses) {
  auto labels = load_task_labels(default_task_labels_path());
  ASSERT_TRUE(labels) << labels.error().message;
  EXPECT_GE(labels->size(), 200u);
  std::array<int, kTaskTypeCount> per{};
  for (const auto& p : *labels) per[std::size_t(p.task)] += 1;
  for (auto t : {TaskType::Extraction, TaskType::Summarization, TaskType::Classification,
                 TaskType::Creative, TaskType::Chat, TaskType::Translation}) {
    EXPECT_GE(per[std::size_t(t)], 25) << task_type_name(t);
  }
}

}  // namespace
}  // namespace sy::routing
