#include "test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

namespace sy::audit::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sy-audit-XXXXXX").string();
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_all(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string sample_body(uint64_t i) {
  return "\"time\":\"2026-11-25T19:00:00.123Z\",\"kind\":\"request\",\"n\":" + std::to_string(i) +
         ",\"note\":\"caf\xc3\xa9 " + std::string(i % 17, 'x') + "\"";
}

void append_sample_entries(const std::filesystem::path& dir, uint64_t count,
                           const std::vector<uint64_t>& checkpoint_sizes, const SigningKey& key,
                           uint64_t max_segment_bytes) {
  auto writer = SegmentWriter::open(dir, SegmentOptions{.max_segment_bytes = max_segment_bytes});
  ASSERT_TRUE(writer) << writer.error().message;
  auto checkpoints = CheckpointLog::open(dir);
  ASSERT_TRUE(checkpoints) << checkpoints.error().message;
  const uint64_t end = writer->size() + count;
  while (writer->size() < end) {
    // Batches of up to 7 entries, cut at checkpoint sizes.
    uint64_t stop = std::min(end, writer->size() + 7);
    for (uint64_t size : checkpoint_sizes) {
      if (size > writer->size() && size < stop) stop = size;
    }
    std::vector<std::string> bodies;
    for (uint64_t i = writer->size(); i < stop; ++i) bodies.push_back(sample_body(i));
    std::vector<std::string_view> views(bodies.begin(), bodies.end());
    auto appended = writer->append(views);
    ASSERT_TRUE(appended) << appended.error().message;
    if (std::find(checkpoint_sizes.begin(), checkpoint_sizes.end(), writer->size()) !=
        checkpoint_sizes.end()) {
      ASSERT_TRUE(writer->sync());
      auto cp = sign_checkpoint(writer->size(), writer->root(),
                                1'795'000'000'000 + static_cast<int64_t>(writer->size()), key);
      ASSERT_TRUE(cp);
      ASSERT_TRUE(checkpoints->append(*cp)) << "checkpoint " << writer->size();
    }
  }
  ASSERT_TRUE(writer->sync());
}

std::vector<LocatedLine> read_lines(const std::filesystem::path& dir) {
  std::vector<LocatedLine> lines;
  auto reader = SegmentReader::open(dir);
  EXPECT_TRUE(reader);
  if (!reader) return lines;
  while (true) {
    auto next = reader->next();
    EXPECT_TRUE(next);
    if (!next || !*next) break;
    lines.push_back({(*next)->segment, (*next)->offset, std::string((*next)->text)});
  }
  return lines;
}

void rewrite_segments(const std::filesystem::path& dir, const std::vector<LocatedLine>& lines) {
  std::map<uint32_t, std::string> files;
  const auto segments = list_segments(dir);
  EXPECT_TRUE(segments);
  for (uint32_t n : segments.value_or(std::vector<uint32_t>{})) files[n];
  for (const auto& line : lines) files[line.segment] += line.text + "\n";
  for (const auto& [n, content] : files) write_all(dir / segment_file_name(n), content);
}

void rechain(std::vector<LocatedLine>& lines, size_t from) {
  Hash prev{};
  if (from > 0) prev = leaf_hash(lines[from - 1].text);
  for (size_t i = from; i < lines.size(); ++i) {
    const std::string& text = lines[i].text;
    const size_t body_start = text.find("\",") + 2;
    const std::string body = text.substr(body_start, text.size() - body_start - 1);
    std::string rebuilt;
    append_entry(rebuilt, i, prev, body);
    lines[i].text = rebuilt;
    prev = leaf_hash(rebuilt);
  }
}

}  // namespace sy::audit::testing
