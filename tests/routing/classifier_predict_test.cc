// The committed model on prompts whose type nobody would dispute, and the trainer on a tiny
// separable set (it must learn it; a broken gradient would not).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/classifier.h"
#include "routing/classifier_train.h"

namespace sy::routing {
namespace {

const Classifier& committed() {
  static const Classifier c = [] {
    auto m = Classifier::load(std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin");
    EXPECT_TRUE(m) << m.error().message;
    return m ? std::move(*m) : Classifier::from_weights([] {
      ClassifierWeights w;
      w.params.bits = 8;
      w.resize();
      return w;
    }());
  }();
  return c;
}

struct Case {
  const char* prompt;
  TaskType want;
};

TEST(ClassifierPredict, UnmistakablePrompts) {
  const Case cases[] = {
      {"def fibonacci(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\n    >>> "
       "fibonacci(10)\n    55\n    \"\"\"\n",
       TaskType::Code},
      {"Translate to French: 'Where is the nearest pharmacy?'", TaskType::Translation},
      {"Tom has 12 apples. He gives 5 to his sister and buys 3 times as many as he has left. "
       "How many apples does Tom have now?",
       TaskType::Math},
      {"Summarize the following article in two sentences:\nThe council voted on Monday to "
       "extend the tram line to the airport, a project expected to take four years.",
       TaskType::Summarization},
      {"Write a short poem about a lighthouse in winter.", TaskType::Creative},
      {"Extract all phone numbers from this text and return them as a JSON list: call me on "
       "555-0134 or at the office, 555-0199.",
       TaskType::Extraction},
  };
  for (const auto& c : cases) {
    const auto p = committed().predict(c.prompt);
    EXPECT_EQ(task_type_name(p.task), task_type_name(c.want)) << c.prompt;
    EXPECT_GT(p.task_confidence, 1.0f / kTaskTypeCount);
    EXPECT_LE(p.task_confidence, 1.0f);
    EXPECT_GE(p.p_cheap_ok, 0.0f);
    EXPECT_LE(p.p_cheap_ok, 1.0f);
  }
}

TEST(ClassifierPredict, EmptyAndHugePromptsAreFine) {
  const auto e = committed().predict("");
  EXPECT_GE(e.task_confidence, 0.0f);
  std::string huge(1 << 20, 'a');
  const auto h = committed().predict(huge);
  EXPECT_LE(h.p_cheap_ok, 1.0f);
}

TEST(ClassifierTrain, LearnsASeparableSetAndIsDeterministic) {
  std::vector<LabelledPrompt> set;
  const char* code[] = {"def f(x): return x", "int main() { return 0; }",
                        "for i in range(3): print(i)", "fn main() { println!(\"hi\"); }",
                        "SELECT * FROM users;"};
  const char* tr[] = {"translate to german: good night", "translate into spanish: thank you",
                      "translate to french: the cat", "translate this to italian: hello",
                      "translate into dutch: bread"};
  for (int i = 0; i < 5; ++i) {
    set.push_back({code[i], int(TaskType::Code), 0, "t"});
    set.push_back({tr[i], int(TaskType::Translation), 1, "t"});
  }
  TrainOptions o;
  o.params.bits = 12;
  const auto w = train_classifier(set, o);
  const auto c = Classifier::from_weights(w);
  EXPECT_EQ(c.predict("def g(y): return y * 2").task, TaskType::Code);
  EXPECT_EQ(c.predict("translate to portuguese: water").task, TaskType::Translation);
  EXPECT_GT(c.predict("translate into swedish: milk").p_cheap_ok,
            c.predict("int f() { return 1; }").p_cheap_ok);
  EXPECT_EQ(serialize_model(train_classifier(set, o)), serialize_model(w));
}

}  // namespace
}  // namespace sy::routing
