// The model file: round trip, and refusal of files that are not ours, from another version,
// truncated or corrupt. The classifier's arithmetic equals the trainer's.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "routing/calibration.h"
#include "routing/classifier.h"
#include "routing/classifier_train.h"

namespace sy::routing {
namespace {

ClassifierWeights small_weights() {
  ClassifierWeights w;
  w.params.bits = 8;
  w.resize();
  for (std::size_t i = 0; i < w.w.size(); ++i) w.w[i] = float(int(i % 17) - 8) / 16.0f;
  return w;
}

TEST(ClassifierModel, RoundTripsByteForByte) {
  const auto w = small_weights();
  const std::string bytes = serialize_model(w);
  auto back = parse_model(bytes);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->params.bits, 8u);
  EXPECT_EQ(back->params.seed, w.params.seed);
  EXPECT_EQ(back->w, w.w);
  EXPECT_EQ(serialize_model(*back), bytes);
}

TEST(ClassifierModel, RefusesBadMagic) {
  std::string bytes = serialize_model(small_weights());
  bytes[0] = 'X';
  auto c = Classifier::from_bytes(bytes);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("bad magic"), std::string::npos) << c.error().message;
}

TEST(ClassifierModel, RefusesAnotherVersion) {
  std::string bytes = serialize_model(small_weights());
  const uint32_t v = kModelVersion + 1;
  std::memcpy(bytes.data() + 8, &v, 4);
  auto c = Classifier::from_bytes(bytes);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("format version"), std::string::npos) << c.error().message;
}

TEST(ClassifierModel, RefusesAnotherFeatureLayout) {
  std::string bytes = serialize_model(small_weights());
  const uint32_t dense = kDenseCount + 3;  // the dense count follows magic, version, bits,
  std::memcpy(bytes.data() + 8 + 4 + 4 + 8 + 12, &dense, 4);  // seed, head/tail/char bytes
  auto c = Classifier::from_bytes(bytes);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("dense feature count"), std::string::npos) << c.error().message;
}

TEST(ClassifierModel, RefusesTruncatedAndCorruptFiles) {
  const std::string bytes = serialize_model(small_weights());
  for (std::size_t keep : {std::size_t{0}, std::size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
    auto c = Classifier::from_bytes(std::string_view(bytes).substr(0, keep));
    ASSERT_FALSE(c) << keep;
    EXPECT_NE(c.error().message.find("truncated"), std::string::npos) << c.error().message;
  }
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  auto c = Classifier::from_bytes(flipped);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("checksum"), std::string::npos) << c.error().message;
}

TEST(ClassifierModel, LoadNamesTheFile) {
  const auto path = std::filesystem::temp_directory_path() / "sy_classifier_bad.bin";
  std::ofstream(path, std::ios::binary) << "not a model";
  auto c = Classifier::load(path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find(path.string()), std::string::npos);
  EXPECT_FALSE(Classifier::load("/nonexistent/model.bin"));
}

TEST(ClassifierModel, InferenceMatchesTheTrainersArithmetic) {
  const auto w = small_weights();
  const auto c = Classifier::from_weights(w);
  for (std::string_view text : {"", "x", "Summarize the article below in three bullets.",
                                "def add(a, b):\n    return a + b\n"}) {
    std::array<float, kOutputs> a, b;
    c.logits(text, a);
    score(w, featurize(text, w.params), b);
    for (std::size_t k = 0; k < kOutputs; ++k) EXPECT_NEAR(a[k], b[k], 1e-4) << text << " " << k;
  }
}

TEST(TaskTypeNames, RoundTrip) {
  for (std::size_t k = 0; k < kTaskTypeCount; ++k) {
    const auto t = static_cast<TaskType>(k);
    EXPECT_EQ(parse_task_type(task_type_name(t)), t);
  }
  EXPECT_EQ(parse_task_type("analysis"), TaskType::Reasoning);
  EXPECT_EQ(parse_task_type("writing"), TaskType::Creative);
  EXPECT_FALSE(parse_task_type("poetry"));
}

}  // namespace
}  // namespace sy::routing

namespace sy::routing {
namespace {

// The committed calibration (models/router-calibration.json) must be the committed
// model's: a retrained model without a regenerated calibration would make every config
// with a threshold route fail to load.
TEST(ClassifierModel, CommittedCalibrationIsTheCommittedModels) {
  const std::string model = std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin";
  auto c = Classifier::load(model);
  ASSERT_TRUE(c) << c.error().message;
  auto cal = Calibration::load(calibration_path_for(model), c->hash());
  ASSERT_TRUE(cal) << cal.error().message
                   << " — run: switchyard eval-router --calibrate models/router-calibration.json";
  EXPECT_GT(cal->prompts(), 1000u);
  EXPECT_LT(cal->threshold_for(0.3), cal->threshold_for(0.7));
}

}  // namespace
}  // namespace sy::routing
