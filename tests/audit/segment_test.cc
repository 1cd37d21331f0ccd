#include "audit/segment.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>

#include "test_util.h"

namespace sy::audit {
namespace {

using testing::read_all;
using testing::read_lines;
using testing::sample_body;
using testing::TempDir;
using testing::write_all;

std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

std::vector<std::string> sample_bodies(uint64_t from, uint64_t count) {
  std::vector<std::string> out;
  for (uint64_t i = from; i < from + count; ++i) out.push_back(sample_body(i));
  return out;
}

TEST(EntryFormatTest, BuildsThePrefixedLine) {
  std::string line;
  append_entry(line, 0, Hash{}, "\"kind\":\"request\"");
  EXPECT_EQ(line, "{\"seq\":0,\"prev\":\"" + std::string(64, '0') + "\",\"kind\":\"request\"}");
  auto prefix = parse_entry_prefix(line);
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->seq, 0u);
  EXPECT_EQ(prefix->prev, Hash{});
  EXPECT_TRUE(check_entry_json(line));

  line.clear();
  const Hash prev = leaf_hash("x");
  append_entry(line, 18446744073709551615ull, prev, "\"a\":1");
  prefix = parse_entry_prefix(line);
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->seq, 18446744073709551615ull);
  EXPECT_EQ(prefix->prev, prev);
}

TEST(EntryFormatTest, RejectsMalformedPrefixes) {
  const std::string zeros(64, '0');
  const char* bad[] = {
      "",
      "{\"seq\":01,\"prev\":\"0000\",\"a\":1}",
      "{\"seq\":-1,\"prev\":\"x\",\"a\":1}",
      "{\"seq\":18446744073709551616,\"prev\":\"x\",\"a\":1}",
      "{\"seq\": 1,\"prev\":\"x\",\"a\":1}",
      "{\"prev\":\"x\",\"seq\":1,\"a\":1}",
  };
  for (const char* line : bad) EXPECT_FALSE(parse_entry_prefix(line)) << line;
  EXPECT_FALSE(parse_entry_prefix("{\"seq\":1,\"prev\":\"" + std::string(64, 'A') + "\",\"a\":1}"));
  EXPECT_FALSE(parse_entry_prefix("{\"seq\":1,\"prev\":\"" + zeros + "\"}"));
  EXPECT_FALSE(parse_entry_prefix("{\"seq\":1,\"prev\":\"" + zeros + "\",}"));
  EXPECT_FALSE(parse_entry_prefix("{\"seq\":1,\"prev\":\"" + zeros + "\",\"a\":1"));
  EXPECT_TRUE(parse_entry_prefix("{\"seq\":1,\"prev\":\"" + zeros + "\",\"a\":1}"));
}

TEST(EntryFormatTest, JsonCheckRejectsInvalidObjectsAndRepeatedSeq) {
  const std::string head = "{\"seq\":1,\"prev\":\"" + std::string(64, '0') + "\",";
  EXPECT_TRUE(check_entry_json(head + "\"a\":{\"seq\":2}}"));
  EXPECT_FALSE(check_entry_json(head + "\"a\":}"));
  EXPECT_FALSE(check_entry_json(head + "\"seq\":2}"));
  EXPECT_FALSE(check_entry_json(head + "\"prev\":\"x\"}"));
  EXPECT_FALSE(check_entry_json(head + "\"a\":\"\xff\"}"));  // not UTF-8
  EXPECT_FALSE(check_entry_json(head + "\"a\":1}{}"));
}

TEST(SegmentNamesTest, Canonical) {
  EXPECT_EQ(segment_file_name(1), "segment-000001.jsonl");
  EXPECT_EQ(segment_file_name(1234567), "segment-1234567.jsonl");
}

TEST(SegmentWriterTest, FreshLogAppendsChainedEntries) {
  TempDir tmp;
  const auto dir = tmp.path() / "log";
  auto w = SegmentWriter::open(dir);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->size(), 0u);
  EXPECT_EQ(w->root(), empty_root());
  EXPECT_TRUE(std::filesystem::exists(dir / "segment-000001.jsonl"));

  const auto bodies = sample_bodies(0, 5);
  auto appended = w->append(views(bodies));
  ASSERT_TRUE(appended) << appended.error().message;
  ASSERT_EQ(appended->size(), 5u);
  auto one = w->append(sample_body(5));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->seq, 5u);
  ASSERT_TRUE(w->sync());

  const std::string content = read_all(dir / "segment-000001.jsonl");
  const auto lines = read_lines(dir);
  ASSERT_EQ(lines.size(), 6u);
  Hash prev{};
  std::vector<Hash> leaves;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string expected;
    append_entry(expected, i, prev, sample_body(i));
    EXPECT_EQ(lines[i].text, expected);
    const AppendedEntry a = i < 5 ? (*appended)[i] : *one;
    EXPECT_EQ(a.seq, i);
    EXPECT_EQ(a.segment, 1u);
    EXPECT_EQ(content.substr(a.offset, expected.size() + 1), expected + "\n");
    EXPECT_EQ(a.leaf, leaf_hash(expected));
    prev = a.leaf;
    leaves.push_back(a.leaf);
  }
  EXPECT_EQ(w->size(), 6u);
  EXPECT_EQ(w->last_leaf(), prev);
  EXPECT_EQ(w->root(), root_of(leaves));
  EXPECT_EQ(w->segment_bytes(), content.size());
}

TEST(SegmentWriterTest, RejectsBadBodiesWithoutWritingAnything) {
  TempDir tmp;
  auto w = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(sample_body(0)));
  const std::string before = read_all(tmp.path() / "segment-000001.jsonl");
  const Hash root = w->root();
  const std::string good = sample_body(1);
  const std::string bad_bodies[] = {"", "\"a\":1\n,\"b\":2", "\"a\":", "\"seq\":3",
                                    "\"a\":1}{\"b\":2"};
  for (const std::string& bad : bad_bodies) {
    const std::string_view batch[] = {good, bad};
    auto r = w->append(batch);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
    EXPECT_NE(r.error().message.find("#1"), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().param, "1");
  }
  EXPECT_EQ(w->size(), 1u);
  EXPECT_EQ(w->root(), root);
  EXPECT_EQ(read_all(tmp.path() / "segment-000001.jsonl"), before);
  EXPECT_TRUE(w->append(good));  // still usable
}

TEST(SegmentWriterTest, FailedWriteIsRolledBack) {
  TempDir tmp;
  auto w = SegmentWriter::open(tmp.path(), SegmentOptions{.max_segment_bytes = 1000});
  ASSERT_TRUE(w);
  while (w->segment_bytes() < 900) ASSERT_TRUE(w->append(sample_body(w->size())));
  ASSERT_TRUE(w->sync());
  const uint32_t segment = w->segment();
  const std::string before = read_all(tmp.path() / segment_file_name(segment));
  const uint64_t size = w->size();
  const Hash root = w->root();

  // A batch whose first entry still goes to the current segment and whose second, large
  // one goes to a new segment, where the file size limit makes write() fail half-way.
  const std::string small = sample_body(size);
  const std::string large = "\"blob\":\"" + std::string(3000, 'b') + "\"";
  const std::string_view batch[] = {small, large};
  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limit = old_limit;
  limit.rlim_cur = 2000;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  auto r = w->append(batch);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot write"), std::string::npos) << r.error().message;
  EXPECT_EQ(w->failure(), "");
  EXPECT_EQ(w->size(), size);
  EXPECT_EQ(w->root(), root);
  EXPECT_EQ(w->segment(), segment);
  EXPECT_EQ(read_all(tmp.path() / segment_file_name(segment)), before);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / segment_file_name(segment + 1)));

  // The writer goes on, and the log reopens clean.
  auto again = w->append(batch);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)[1].segment, segment + 1);
  ASSERT_TRUE(w->sync());
  const uint64_t final_size = w->size();
  w = std::unexpected(Error{});
  auto reopened = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->size(), final_size);
  EXPECT_EQ(reopened->repaired_bytes(), 0u);
}

TEST(SegmentWriterTest, RotatesSegmentsAtMaxBytes) {
  TempDir tmp;
  const uint64_t max = 1000;
  auto w = SegmentWriter::open(tmp.path(), SegmentOptions{.max_segment_bytes = max});
  ASSERT_TRUE(w);
  // One big batch that spans several segments, then single appends.
  const auto bodies = sample_bodies(0, 60);
  auto appended = w->append(views(bodies));
  ASSERT_TRUE(appended);
  for (uint64_t i = 60; i < 80; ++i) ASSERT_TRUE(w->append(sample_body(i)));
  ASSERT_TRUE(w->sync());

  auto segments = list_segments(tmp.path());
  ASSERT_TRUE(segments);
  ASSERT_GT(segments->size(), 4u);
  for (size_t i = 0; i < segments->size(); ++i) EXPECT_EQ((*segments)[i], i + 1);
  EXPECT_EQ(w->segment(), segments->back());
  // Every segment but the last reached max, and only its last entry crossed it.
  const auto lines = read_lines(tmp.path());
  ASSERT_EQ(lines.size(), 80u);
  for (uint32_t s : *segments) {
    const std::string content = read_all(tmp.path() / segment_file_name(s));
    ASSERT_FALSE(content.empty());
    EXPECT_EQ(content.back(), '\n');
    if (s == segments->back()) continue;
    EXPECT_GE(content.size(), max);
    const size_t last_line = content.rfind('\n', content.size() - 2) + 1;
    EXPECT_LT(last_line, max) << s;
  }
  for (size_t i = 0; i < 60; ++i) {
    EXPECT_EQ((*appended)[i].segment, lines[i].segment);
    EXPECT_EQ((*appended)[i].offset, lines[i].offset);
  }
}

TEST(SegmentWriterTest, ReopenContinuesSeqChainAndRoot) {
  TempDir tmp;
  TempDir reference_dir;
  auto reference = SegmentWriter::open(reference_dir.path());
  ASSERT_TRUE(reference);
  uint64_t next = 0;
  for (int session = 0; session < 4; ++session) {
    auto w = SegmentWriter::open(tmp.path(), SegmentOptions{.max_segment_bytes = 700});
    ASSERT_TRUE(w) << w.error().message;
    EXPECT_EQ(w->size(), next);
    EXPECT_EQ(w->root(), reference->root());
    EXPECT_EQ(w->last_leaf(), reference->last_leaf());
    EXPECT_EQ(w->repaired_bytes(), 0u);
    const auto bodies = sample_bodies(next, 13);
    auto a = w->append(views(bodies));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->front().seq, next);
    ASSERT_TRUE(reference->append(views(bodies)));
    ASSERT_TRUE(w->sync());
    next += 13;
    EXPECT_EQ(w->root(), reference->root());
  }
  // Entry for entry, the reopened log equals one written in a single session.
  ASSERT_TRUE(reference->sync());
  const auto a = read_lines(tmp.path());
  const auto b = read_lines(reference_dir.path());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].text, b[i].text);
}

TEST(SegmentWriterTest, RepairsATornTail) {
  TempDir tmp;
  {
    auto w = SegmentWriter::open(tmp.path());
    ASSERT_TRUE(w);
    const auto bodies = sample_bodies(0, 10);
    ASSERT_TRUE(w->append(views(bodies)));
  }
  const auto path = tmp.path() / "segment-000001.jsonl";
  const std::string clean = read_all(path);
  std::string torn_line;
  append_entry(torn_line, 10, leaf_hash("whatever"), sample_body(10));
  write_all(path, clean + torn_line.substr(0, 37));

  auto w = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->repaired_bytes(), 37u);
  EXPECT_EQ(w->size(), 10u);
  EXPECT_EQ(read_all(path), clean);
  ASSERT_TRUE(w->append(sample_body(10)));
  ASSERT_TRUE(w->sync());
  const auto lines = read_lines(tmp.path());
  ASSERT_EQ(lines.size(), 11u);
  EXPECT_TRUE(parse_entry_prefix(lines[10].text));
  EXPECT_EQ(parse_entry_prefix(lines[10].text)->prev, leaf_hash(lines[9].text));
}

TEST(SegmentWriterTest, RepairsASegmentHoldingOnlyATornLine) {
  TempDir tmp;
  {
    auto w = SegmentWriter::open(tmp.path(), SegmentOptions{.max_segment_bytes = 300});
    ASSERT_TRUE(w);
    const auto bodies = sample_bodies(0, 6);
    ASSERT_TRUE(w->append(views(bodies)));
  }
  const uint32_t last = list_segments(tmp.path())->back();
  const auto next_path = tmp.path() / segment_file_name(last + 1);
  write_all(next_path, "{\"seq\":6,\"pr");
  auto w = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->repaired_bytes(), 12u);
  EXPECT_EQ(w->size(), 6u);
  EXPECT_EQ(w->segment(), last + 1);
  EXPECT_EQ(read_all(next_path), "");
}

TEST(SegmentWriterTest, RefusesInconsistentLogs) {
  const auto expect_open_fails = [](const std::filesystem::path& dir, std::string_view what) {
    auto w = SegmentWriter::open(dir);
    ASSERT_FALSE(w) << what;
    EXPECT_NE(w.error().message.find(what), std::string::npos) << w.error().message;
  };
  const auto make_log = [](const std::filesystem::path& dir) {
    auto w = SegmentWriter::open(dir, SegmentOptions{.max_segment_bytes = 400});
    ASSERT_TRUE(w);
    const auto bodies = sample_bodies(0, 20);
    ASSERT_TRUE(w->append(views(bodies)));
  };
  {  // a missing segment
    TempDir tmp;
    make_log(tmp.path());
    std::filesystem::remove(tmp.path() / "segment-000002.jsonl");
    expect_open_fails(tmp.path(), "segment-000002.jsonl is missing");
  }
  {  // a deleted line: the next seq is unexpected
    TempDir tmp;
    make_log(tmp.path());
    auto lines = read_lines(tmp.path());
    lines.erase(lines.begin() + 3);
    testing::rewrite_segments(tmp.path(), lines);
    expect_open_fails(tmp.path(), "expected seq 3, found 4");
  }
  {  // an edited entry breaks the chain
    TempDir tmp;
    make_log(tmp.path());
    auto lines = read_lines(tmp.path());
    lines[2].text[lines[2].text.size() - 3] ^= 1;
    testing::rewrite_segments(tmp.path(), lines);
    expect_open_fails(tmp.path(), "line");
    expect_open_fails(tmp.path(), "prev does not match");
  }
  {  // a torn line in a segment that is not the last one
    TempDir tmp;
    make_log(tmp.path());
    const auto path = tmp.path() / "segment-000001.jsonl";
    std::string content = read_all(path);
    content.pop_back();
    write_all(path, content);
    expect_open_fails(tmp.path(), "not the last");
  }
  {  // a stray file named like a segment
    TempDir tmp;
    make_log(tmp.path());
    write_all(tmp.path() / "segment-7.jsonl", "");
    expect_open_fails(tmp.path(), "segment-7.jsonl");
  }
}

TEST(SegmentWriterTest, OnlyOneWriterAtATime) {
  TempDir tmp;
  auto first = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(first);
  auto second = SegmentWriter::open(tmp.path());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ErrorKind::Unavailable);
  first = std::unexpected(Error{});  // closes the first writer
  EXPECT_TRUE(SegmentWriter::open(tmp.path()));
}

TEST(SegmentWriterTest, MovedWriterKeepsWorking) {
  TempDir tmp;
  auto opened = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(opened);
  std::optional<SegmentWriter> holder;
  holder.emplace(std::move(*opened));
  ASSERT_TRUE(holder->append(sample_body(0)));
  ASSERT_TRUE(holder->sync());
  EXPECT_EQ(holder->size(), 1u);
}

TEST(SegmentReaderTest, ReadsLinesAcrossSegmentsWithPositions) {
  TempDir tmp;
  auto w = SegmentWriter::open(tmp.path(), SegmentOptions{.max_segment_bytes = 500});
  ASSERT_TRUE(w);
  const auto bodies = sample_bodies(0, 30);
  auto appended = w->append(views(bodies));
  ASSERT_TRUE(appended);
  auto reader = SegmentReader::open(tmp.path());
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->segments().size(), static_cast<size_t>(w->segment()));
  uint64_t seq = 0;
  uint32_t segment = 0;
  uint64_t line_number = 0;
  while (true) {
    auto next = reader->next();
    ASSERT_TRUE(next);
    if (!*next) break;
    const EntryLine& line = **next;
    if (line.segment != segment) {
      segment = line.segment;
      line_number = 0;
    }
    EXPECT_TRUE(line.complete);
    EXPECT_EQ(line.line_number, ++line_number);
    EXPECT_EQ(line.segment, (*appended)[seq].segment);
    EXPECT_EQ(line.offset, (*appended)[seq].offset);
    EXPECT_EQ(leaf_hash(line.text), (*appended)[seq].leaf);
    ++seq;
  }
  EXPECT_EQ(seq, 30u);
}

TEST(SegmentReaderTest, HandlesLinesLongerThanItsBuffer) {
  TempDir tmp;
  auto w = SegmentWriter::open(tmp.path());
  ASSERT_TRUE(w);
  const std::string big = "\"blob\":\"" + std::string(3 << 20, 'z') + "\"";
  ASSERT_TRUE(w->append(sample_body(0)));
  ASSERT_TRUE(w->append(big));
  ASSERT_TRUE(w->append(sample_body(2)));
  const auto lines = read_lines(tmp.path());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].text.size(), 7 + 1 + 9 + 64 + 2 + big.size() + 1);
  EXPECT_EQ(leaf_hash(lines[2].text), w->last_leaf());
}

}  // namespace
}  // namespace sy::audit
