#include "routing/classifier.h"

#include "routing/calibration.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sy::routing {
namespace {

static_assert(std::endian::native == std::endian::little, "the model file is little-endian");

constexpr std::array<std::string_view, kTaskTypeCount> kNames = {
    "extraction", "summarization", "classification", "code",       "math",
    "reasoning",  "creative",      "chat",           "translation"};

constexpr char kMagic[8] = {'S', 'Y', 'R', 'C', 'L', 'F', '\0', '\x01'};
constexpr std::size_t kNameBytes = 16;
// magic, version, bits, seed, head/tail/char bytes, dense count, tasks, outputs, names.
constexpr std::size_t kHeaderBytes = 8 + 4 + 4 + 8 + 4 * 4 + 4 + 4 + kNameBytes * kTaskTypeCount;

uint64_t fnv1a(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

template <class T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
T get(std::string_view bytes, std::size_t& at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

Result<void> expect_u32(std::string_view bytes, std::size_t& at, uint32_t want, const char* what) {
  const auto got = get<uint32_t>(bytes, at);
  if (got != want) {
    return fail(ErrorKind::Internal, "classifier model: " + std::string(what) + " is " +
                                         std::to_string(got) + ", this build expects " +
                                         std::to_string(want) + " (retrain with switchyard-train)");
  }
  return {};
}

float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

std::string_view task_type_name(TaskType type) {
  const auto i = static_cast<std::size_t>(type);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<TaskType> parse_task_type(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<TaskType>(i);
  }
  if (name == "analysis") return TaskType::Reasoning;
  if (name == "writing") return TaskType::Creative;
  return std::nullopt;
}

std::string serialize_model(const ClassifierWeights& weights) {
  std::string out;
  out.reserve(kHeaderBytes + weights.w.size() * 4 + 8);
  out.append(kMagic, sizeof(kMagic));
  put<uint32_t>(out, kModelVersion);
  put<uint32_t>(out, weights.params.bits);
  put<uint64_t>(out, weights.params.seed);
  put<uint32_t>(out, uint32_t(kHeadBytes));
  put<uint32_t>(out, uint32_t(kTailBytes));
  put<uint32_t>(out, uint32_t(kCharBytes));
  put<uint32_t>(out, uint32_t(kDenseCount));
  put<uint32_t>(out, uint32_t(kTaskTypeCount));
  put<uint32_t>(out, uint32_t(kOutputs));
  for (auto name : kNames) {
    char b[kNameBytes] = {};
    std::memcpy(b, name.data(), name.size());
    out.append(b, kNameBytes);
  }
  for (float f : weights.w) put<float>(out, f);
  put<uint64_t>(out, fnv1a(out));
  return out;
}

Result<ClassifierWeights> parse_model(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes + 8) {
    return fail(ErrorKind::Internal, "classifier model: file too short (" +
                                         std::to_string(bytes.size()) + " bytes): truncated?");
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return fail(ErrorKind::Internal,
                "classifier model: bad magic: not a switchyard classifier file");
  }
  std::size_t at = sizeof(kMagic);
  ClassifierWeights weights;
  if (auto ok = expect_u32(bytes, at, kModelVersion, "format version"); !ok) {
    return std::unexpected(ok.error());
  }
  weights.params.bits = get<uint32_t>(bytes, at);
  weights.params.seed = get<uint64_t>(bytes, at);
  if (weights.params.bits < 8 || weights.params.bits > 24) {
    return fail(ErrorKind::Internal, "classifier model: hash bits " +
                                         std::to_string(weights.params.bits) +
                                         " out of range [8, 24]");
  }
  for (auto [want, what] : {std::pair{uint32_t(kHeadBytes), "head bytes"},
                            std::pair{uint32_t(kTailBytes), "tail bytes"},
                            std::pair{uint32_t(kCharBytes), "character n-gram bytes"},
                            std::pair{uint32_t(kDenseCount), "dense feature count"},
                            std::pair{uint32_t(kTaskTypeCount), "task type count"},
                            std::pair{uint32_t(kOutputs), "output count"}}) {
    if (auto ok = expect_u32(bytes, at, want, what); !ok) return std::unexpected(ok.error());
  }
  for (auto name : kNames) {
    std::string_view got(bytes.data() + at, kNameBytes);
    got = got.substr(0, got.find('\0'));
    if (got != name) {
      return fail(ErrorKind::Internal, "classifier model: task type '" + std::string(got) +
                                           "' where this build has '" + std::string(name) + "'");
    }
    at += kNameBytes;
  }
  weights.resize();
  const std::size_t want = kHeaderBytes + weights.w.size() * 4 + 8;
  if (bytes.size() != want) {
    return fail(ErrorKind::Internal, "classifier model: " + std::to_string(bytes.size()) +
                                         " bytes where the header implies " + std::to_string(want) +
                                         ": truncated or corrupt");
  }
  std::memcpy(weights.w.data(), bytes.data() + at, weights.w.size() * 4);
  at += weights.w.size() * 4;
  if (get<uint64_t>(bytes, at) != fnv1a(bytes.substr(0, bytes.size() - 8))) {
    return fail(ErrorKind::Internal, "classifier model: checksum mismatch: corrupt file");
  }
  return weights;
}

Result<Classifier> Classifier::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::Internal, "classifier model: cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  auto c = from_bytes(buf.str());
  if (!c) c.error().message = path + ": " + c.error().message;
  return c;
}

Result<Classifier> Classifier::from_bytes(std::string_view bytes) {
  auto weights = parse_model(bytes);
  if (!weights) return std::unexpected(weights.error());
  Classifier c = from_weights(*weights);
  c.hash_ = model_hash(bytes);
  return c;
}

Classifier Classifier::from_weights(const ClassifierWeights& weights) {
  Classifier c;
  c.params_ = weights.params;
  const std::size_t sparse = weights.sparse_rows();
  c.rows_.assign(sparse, Row{});
  for (std::size_t r = 0; r < sparse; ++r) {
    std::memcpy(c.rows_[r].v, weights.w.data() + r * kOutputs, kOutputs * sizeof(float));
  }
  for (std::size_t d = 0; d < kDenseCount; ++d) {
    for (std::size_t k = 0; k < kOutputs; ++k) {
      c.dense_[d][k] = weights.w[weights.dense_row(d) * kOutputs + k];
    }
  }
  for (std::size_t k = 0; k < kOutputs; ++k)
    c.bias_[k] = weights.w[weights.bias_row() * kOutputs + k];
  return c;
}

void Classifier::logits(std::string_view prompt, std::array<float, kOutputs>& out) const {
  // Indices are gathered in batches with their rows prefetched; each batch is summed in
  // vector registers (GCC vector extensions): the 10 outputs of a row are its first 12
  // lanes, 3 SSE adds; the padding lanes are never read.
  using F32x4 = float __attribute__((vector_size(16)));
  static_assert(kOutputs <= 12);
  constexpr std::size_t kBatch = 32;
  uint32_t batch[kBatch];
  std::size_t pending = 0;
  F32x4 acc0 = {}, acc1 = {}, acc2 = {};
  const Row* rows = rows_.data();
  auto flush = [&] {
    F32x4 a0 = acc0, a1 = acc1, a2 = acc2;
    for (std::size_t b = 0; b < pending; ++b) {
      const float* v = rows[batch[b]].v;
      F32x4 x0, x1, x2;
      std::memcpy(&x0, v, sizeof x0);
      std::memcpy(&x1, v + 4, sizeof x1);
      std::memcpy(&x2, v + 8, sizeof x2);
      a0 += x0;
      a1 += x1;
      a2 += x2;
    }
    acc0 = a0;
    acc1 = a1;
    acc2 = a2;
    pending = 0;
  };
  DenseFeatures dense;
  const std::size_t n = extract_features(prompt, params_, dense, [&](uint32_t index) {
    __builtin_prefetch(&rows[index]);
    batch[pending++] = index;
    if (pending == kBatch) flush();
  });
  flush();
  float acc[12];
  std::memcpy(acc, &acc0, 16);
  std::memcpy(acc + 4, &acc1, 16);
  std::memcpy(acc + 8, &acc2, 16);
  const float scale = n > 0 ? 1.0f / std::sqrt(float(n)) : 0.0f;
  for (std::size_t k = 0; k < kOutputs; ++k) out[k] = bias_[k] + acc[k] * scale;
  for (std::size_t d = 0; d < kDenseCount; ++d) {
    for (std::size_t k = 0; k < kOutputs; ++k) out[k] += dense_[d][k] * dense[d];
  }
}

Prediction Classifier::predict(std::string_view prompt) const {
  std::array<float, kOutputs> z;
  logits(prompt, z);
  std::size_t best = 0;
  for (std::size_t k = 1; k < kTaskTypeCount; ++k) {
    if (z[k] > z[best]) best = k;
  }
  float sum = 0;
  for (std::size_t k = 0; k < kTaskTypeCount; ++k) sum += std::exp(z[k] - z[best]);
  Prediction p;
  p.task = static_cast<TaskType>(best);
  p.task_confidence = 1.0f / sum;
  p.p_cheap_ok = sigmoid(z[kDifficultyOutput]);
  return p;
}

std::string default_classifier_path() {
  if (const char* env = std::getenv("SWITCHYARD_CLASSIFIER"); env && *env) return env;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed =
        exe.parent_path().parent_path() / "share/switchyard/models/router-classifier.bin";
    if (std::filesystem::exists(installed, ec)) return installed.string();
  }
  return std::string(SY_SOURCE_DIR) + "/models/router-classifier.bin";
}

}  // namespace sy::routing
