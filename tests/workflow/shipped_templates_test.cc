// The templates shipped in workflows/: each parses, has its NAME.input.json, and that input
// (with the inputs' defaults) matches the workflow's inputs; and input defaults themselves:
// parsed, checked against the input's type, filled in by Engine::submit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "workflow/engine.h"
#include "workflow/spec.h"

namespace sy::workflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ShippedTemplatesTest, EachParsesAndItsInputFileMatchesItsInputs) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SY_SOURCE_DIR) / "workflows")) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    const std::string name = entry.path().stem().string();
    auto spec = load_workflow_file(entry.path().string());
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->name, name);
    const fs::path input_file = entry.path().parent_path() / (name + ".input.json");
    ASSERT_TRUE(fs::exists(input_file)) << input_file << " is missing";
    json input = json::parse(read_text(input_file), nullptr, false);
    ASSERT_TRUE(input.is_object()) << input_file;
    for (const WorkflowInput& in : spec->inputs) {
      if (!in.default_json.empty() && !input.contains(in.name)) {
        input[in.name] = json::parse(in.default_json);
      }
    }
    ASSERT_TRUE(spec->input_schema);
    const auto errors = spec->input_schema->validate(input.dump());
    EXPECT_TRUE(errors.empty()) << name << ": " << describe(errors);
  }
  EXPECT_GE(count, 4);
}

constexpr const char* kWithDefault = R"(name: d
inputs:
  text: {type: string}
  tone: {type: string, default: friendly}
  level: {schema: {enum: [1, 2, 3]}, default: 2}
steps:
  - id: say
    kind: llm
    prompt: "{{inputs.text}} {{inputs.tone}} {{inputs.level}}"
)";

TEST(ShippedTemplatesTest, InputDefaultsAreParsedAndChecked) {
  auto spec = parse_workflow(kWithDefault, "d.yaml");
  ASSERT_TRUE(spec) << spec.error().message;
  ASSERT_EQ(spec->inputs.size(), 3u);
  EXPECT_TRUE(spec->inputs[0].default_json.empty());
  EXPECT_TRUE(spec->inputs[0].required);
  EXPECT_EQ(spec->inputs[1].default_json, "\"friendly\"");
  EXPECT_FALSE(spec->inputs[1].required);
  EXPECT_EQ(spec->inputs[2].default_json, "2");

  auto wrong_type = parse_workflow(R"(name: d
inputs:
  n: {type: integer, default: many}
steps:
  - {id: s, kind: llm, prompt: "{{inputs.n}}"}
)",
                                   "d.yaml");
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message.find("inputs.n.default: does not match the input's type"),
            std::string::npos)
      << wrong_type.error().message;
  auto required = parse_workflow(R"(name: d
inputs:
  n: {type: integer, required: true, default: 3}
steps:
  - {id: s, kind: llm, prompt: "{{inputs.n}}"}
)",
                                 "d.yaml");
  ASSERT_FALSE(required);
  EXPECT_NE(required.error().message.find("cannot be required"), std::string::npos);
}

class NoPorts final : public StepPorts {
 public:
  ChatReply chat(const ChatCall&) override { return {}; }
  ToolReply http(const ToolRequest&) override { return {}; }
  void audit(std::string, const governance::Principal&, int, std::string, std::string) override {}
};

TEST(ShippedTemplatesTest, SubmitFillsInTheDefaults) {
  const fs::path dir = fs::temp_directory_path() / ("sy-defaults-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    EngineOptions o;
    o.store_url = "sqlite:" + (dir / "runs.db").string();
    o.owner = "defaults-test";
    o.settings.max_active_runs = 0;  // one worker; the run's outcome does not matter here
    auto engine = Engine::start(std::move(o), std::make_shared<NoPorts>());
    ASSERT_TRUE(engine) << engine.error().message;
    governance::Principal who;
    who.id = "t";
    auto run = (*engine)->submit(kWithDefault, "d.yaml", R"({"text":"hi","level":3})", who);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(json::parse(run->input_json),
              json::parse(R"({"text":"hi","tone":"friendly","level":3})"));
    auto bad = (*engine)->submit(kWithDefault, "d.yaml", R"({"text":"hi","level":4})", who);
    EXPECT_FALSE(bad);
    (*engine)->stop();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sy::workflow
