#include "audit/verifier.h"

#include <simdjson.h>

#include <algorithm>
#include <functional>

#include "audit/encoding.h"
#include "audit/segment.h"
#include "core/json_writer.h"

namespace sy::audit {
namespace {

std::string n2s(uint64_t n) { return std::to_string(n); }

std::string at(uint32_t segment, uint64_t line) {
  return segment_file_name(segment) + " line " + n2s(line);
}

struct SignedCheckpoint {
  uint64_t number = 0;  // 1-based position in checkpoints.jsonl
  uint64_t line = 0;
  Checkpoint checkpoint;
};

// One verification run; fills `report`.
class LogVerifier {
 public:
  LogVerifier(const std::filesystem::path& dir, const PublicKey& key, VerifyReport& report)
      : dir_(dir), key_(key), report_(report) {}

  void run() {
    check_checkpoints();
    check_entries();
  }

 private:
  VerifyProblem& problem(std::string message) {
    VerifyProblem p;
    p.message = std::move(message);
    report_.problems.push_back(std::move(p));
    return report_.problems.back();
  }

  void entry_problem(std::string message, uint64_t seq, uint32_t segment, uint64_t line) {
    report_.entries = std::min(report_.entries, seq);  // the good prefix ends before it
    auto& p = problem(std::move(message));
    p.first_seq = seq;
    p.file = segment_file_name(segment);
    p.line = line;
  }

  void check_checkpoints() {
    auto file = read_checkpoint_file(dir_);
    if (!file) {
      if (file.error().kind == ErrorKind::NotFound) {
        report_.warnings.push_back(std::string(kCheckpointFileName) +
                                   " does not exist: no entry is covered by a signed checkpoint");
      } else {
        problem("cannot read " + std::string(kCheckpointFileName) + ": " + file.error().message);
      }
      return;
    }
    std::optional<uint64_t> last_size;
    uint64_t number = 0;
    for (const TextLine& line : file->lines) {
      ++number;
      const std::string where = std::string(kCheckpointFileName) + " line " + n2s(line.number);
      if (!line.complete) {
        report_.warnings.push_back(where + " is incomplete (an append interrupted by a crash); " +
                                   "ignored");
        continue;
      }
      auto fail_here = [&](std::string message) {
        auto& p = problem(std::move(message));
        p.file = kCheckpointFileName;
        p.line = line.number;
        p.checkpoint = number;
      };
      auto cp = parse_checkpoint(line.text);
      if (!cp) {
        fail_here("checkpoint #" + n2s(number) + " (" + where +
                  ") is malformed: " + cp.error().message);
        continue;
      }
      const std::string head =
          "checkpoint #" + n2s(number) + " (tree_size " + n2s(cp->tree_size) + ", " + where + ")";
      if (auto v = verify_checkpoint(*cp, key_); !v) {
        fail_here(head + ": " + v.error().message +
                  " (the checkpoint was edited, forged, or signed with another key)");
        continue;
      }
      ++report_.checkpoints;
      if (last_size && cp->tree_size <= *last_size) {
        fail_here(head + ": tree_size does not exceed the previous checkpoint's " +
                  n2s(*last_size));
      }
      last_size = std::max(last_size.value_or(0), cp->tree_size);
      checkpoints_.push_back({number, line.number, std::move(*cp)});
    }
    std::stable_sort(checkpoints_.begin(), checkpoints_.end(),
                     [](const SignedCheckpoint& a, const SignedCheckpoint& b) {
                       return a.checkpoint.tree_size < b.checkpoint.tree_size;
                     });
  }

  // Compares every checkpoint of exactly `size` entries with the current root. False on a
  // mismatch (reported).
  bool check_roots(uint64_t size, const MerkleFrontier& frontier) {
    while (next_checkpoint_ < checkpoints_.size() &&
           checkpoints_[next_checkpoint_].checkpoint.tree_size == size) {
      const SignedCheckpoint& s = checkpoints_[next_checkpoint_];
      if (frontier.root() != s.checkpoint.root) {
        const uint64_t from = report_.verified_tree_size;
        auto& p = problem("checkpoint #" + n2s(s.number) + " (tree_size " + n2s(size) +
                          ") root mismatch: " +
                          (size == 0 ? std::string("the empty log")
                                     : "entries " + n2s(from) + ".." + n2s(size - 1)) +
                          " differ from what was signed (changed, reordered, inserted or "
                          "removed, with seq and prev rewritten to hide it)");
        if (size > 0) {
          p.first_seq = from;
          p.last_seq = size - 1;
        }
        report_.entries = from;
        p.file = kCheckpointFileName;
        p.line = s.line;
        p.checkpoint = s.number;
        return false;
      }
      report_.verified_tree_size = size;
      ++next_checkpoint_;
    }
    return true;
  }

  void check_entries() {
    auto reader = SegmentReader::open(dir_);
    if (!reader) {
      problem("cannot read the log: " + reader.error().message);
      return;
    }
    const std::vector<uint32_t> segments = reader->segments();
    report_.segments = static_cast<uint32_t>(segments.size());
    // The first gap in the numbering: segments [missing_from, missing_to] are absent.
    std::optional<std::pair<uint32_t, uint32_t>> gap;
    for (size_t i = 0; i < segments.size() && !gap; ++i) {
      if (segments[i] != i + 1) gap = {static_cast<uint32_t>(i + 1), segments[i] - 1};
    }
    auto report_gap = [&](uint64_t seq) {
      const std::string range = gap->first == gap->second
                                    ? segment_file_name(gap->first) + " is missing"
                                    : segment_file_name(gap->first) + " to " +
                                          segment_file_name(gap->second) + " are missing";
      auto& p =
          problem(range + ": the entries from seq " + n2s(seq) + " on that it held were removed");
      p.first_seq = seq;
      p.file = segment_file_name(gap->first);
    };

    MerkleFrontier frontier;
    Hash prev{};        // leaf hash of the last good entry
    Hash prev_claim{};  // the prev field of the last good entry
    uint32_t prev_segment = 0;
    uint64_t prev_line = 0;
    struct Torn {
      uint32_t segment;
      uint64_t line;
    };
    std::optional<Torn> torn;
    if (!check_roots(0, frontier)) return;

    while (true) {
      auto next = reader->next();
      if (!next) {
        problem("cannot read the log: " + next.error().message);
        return;
      }
      if (!*next) break;
      const EntryLine& line = **next;
      const uint64_t seq = frontier.size();
      const auto where = [&] { return at(line.segment, line.line_number); };
      if (gap && line.segment > gap->second) {
        report_gap(seq);
        return;
      }
      if (!line.complete) {
        if (line.segment != segments.back()) {
          entry_problem(where() + " is incomplete: " + segment_file_name(line.segment) +
                            " does not end with a newline, yet later segments follow",
                        seq, line.segment, line.line_number);
          return;
        }
        torn = Torn{line.segment, line.line_number};
        break;
      }
      auto prefix = parse_entry_prefix(line.text);
      if (!prefix) {
        entry_problem(
            "entry " + n2s(seq) + " (" + where() + ") is malformed: " + prefix.error().message, seq,
            line.segment, line.line_number);
        return;
      }
      if (prefix->seq != seq) {
        const uint64_t found = prefix->seq;
        if (found > seq) {
          const std::string removed =
              found == seq + 1 ? "entry " + n2s(seq) + " was removed"
                               : "entries " + n2s(seq) + ".." + n2s(found - 1) + " were removed";
          entry_problem(where() + ": expected entry " + n2s(seq) + ", found entry " + n2s(found) +
                            ": " + removed + ", or entries were reordered",
                        seq, line.segment, line.line_number);
        } else if (found + 1 == seq && prefix->prev == prev_claim) {
          entry_problem("two entries claim seq " + n2s(found) + " (" + at(prev_segment, prev_line) +
                            " and " + where() + "): one of them was inserted",
                        found, line.segment, line.line_number);
        } else {
          entry_problem(where() + ": expected entry " + n2s(seq) + ", found entry " + n2s(found) +
                            ": an entry was inserted, duplicated or moved here",
                        seq, line.segment, line.line_number);
        }
        return;
      }
      if (prefix->prev != prev) {
        diagnose_prev_mismatch(*reader, line, seq, prev_segment, prev_line);
        return;
      }
      if (auto json = check_entry_json(line.text); !json) {
        entry_problem("entry " + n2s(seq) + " (" + where() +
                          ") is not a valid entry: " + json.error().message,
                      seq, line.segment, line.line_number);
        return;
      }
      prev = leaf_hash(line.text);
      prev_claim = prefix->prev;
      prev_segment = line.segment;
      prev_line = line.line_number;
      frontier.append(prev);
      report_.entries = frontier.size();
      if (!check_roots(frontier.size(), frontier)) return;
    }

    const uint64_t entries = frontier.size();
    if (gap) {  // only empty segments follow the gap
      report_gap(entries);
      return;
    }
    const std::string torn_text = torn ? "the last line (" + at(torn->segment, torn->line) +
                                             ", which would be entry " + n2s(entries) +
                                             ") is incomplete"
                                       : std::string();
    if (next_checkpoint_ < checkpoints_.size()) {
      const SignedCheckpoint& s = checkpoints_.back();
      const uint64_t size = s.checkpoint.tree_size;
      auto& p = problem("the log was truncated: checkpoint #" + n2s(s.number) +
                        " signs tree_size " + n2s(size) + " but the log holds only " +
                        n2s(entries) + " complete entries, so entries " + n2s(entries) + ".." +
                        n2s(size - 1) + " are missing" + (torn ? "; " + torn_text : ""));
      p.first_seq = entries;
      p.last_seq = size - 1;
      if (torn) {
        p.file = segment_file_name(torn->segment);
        p.line = torn->line;
      } else if (!segments.empty()) {
        p.file = segment_file_name(segments.back());
      }
      return;
    }
    if (torn) {
      report_.warnings.push_back(torn_text +
                                 ": a write interrupted by a crash (not covered by any "
                                 "checkpoint); the writer drops it when it next opens the log");
    }
    if (entries > report_.verified_tree_size) {
      report_.warnings.push_back(
          "entries " + n2s(report_.verified_tree_size) + ".." + n2s(entries - 1) + " (" +
          n2s(entries - report_.verified_tree_size) +
          ") are not yet covered by a signed checkpoint: their integrity rests on the hash "
          "chain alone");
    }
  }

  // Entry `seq`'s prev does not match the previous entry's leaf hash. Either the previous
  // entry changed (then the next entry's prev still matches this one), or this entry's own
  // prev field was edited (then the next entry's prev no longer matches this one either).
  void diagnose_prev_mismatch(SegmentReader& reader, const EntryLine& line, uint64_t seq,
                              uint32_t prev_segment, uint64_t prev_line) {
    const std::string where = at(line.segment, line.line_number);
    const uint32_t segment = line.segment;
    const uint64_t line_number = line.line_number;
    if (seq == 0) {
      entry_problem("entry 0 (" + where + ") was modified: its prev is not 64 zeros", 0, segment,
                    line_number);
      return;
    }
    const Hash this_leaf = leaf_hash(line.text);  // before next() invalidates `line`
    auto next = reader.next();
    std::optional<EntryPrefix> next_prefix;
    if (next && *next && (*next)->complete) {
      if (auto p = parse_entry_prefix((*next)->text); p) next_prefix = *p;
    }
    const std::string prev_where = at(prev_segment, prev_line);
    if (next_prefix && next_prefix->prev != this_leaf) {
      entry_problem("entry " + n2s(seq) + " (" + where +
                        ") was modified: its prev does not match entry " + n2s(seq - 1) +
                        ", and entry " + n2s(seq + 1) + "'s prev does not match it",
                    seq, segment, line_number);
      return;
    }
    entry_problem(
        "entry " + n2s(seq - 1) + " (" + prev_where + ") was modified or removed: entry " +
            n2s(seq) + "'s prev (" + where + ") does not match" +
            (next_prefix ? std::string() : " (or entry " + n2s(seq) + "'s prev was edited)"),
        seq - 1, prev_segment, prev_line);
  }

  const std::filesystem::path& dir_;
  const PublicKey& key_;
  VerifyReport& report_;
  std::vector<SignedCheckpoint> checkpoints_;  // signature-valid, by tree_size
  size_t next_checkpoint_ = 0;
};

// Reads entries 0..count-1, checking seq and chain, calling on_leaf(seq, leaf, line).
Result<void> for_each_leaf(
    const std::filesystem::path& dir, uint64_t count,
    const std::function<void(uint64_t, const Hash&, std::string_view)>& on_leaf) {
  auto reader = SegmentReader::open(dir);
  if (!reader) return std::unexpected(reader.error());
  Hash prev{};
  uint64_t seq = 0;
  while (seq < count) {
    auto next = reader->next();
    if (!next) return std::unexpected(next.error());
    if (!*next || !(*next)->complete) {
      return fail(ErrorKind::NotFound, "the log in " + dir.string() + " holds only " + n2s(seq) +
                                           " entries, fewer than " + n2s(count));
    }
    const EntryLine& line = **next;
    auto prefix = parse_entry_prefix(line.text);
    if (!prefix || prefix->seq != seq || prefix->prev != prev) {
      return fail(ErrorKind::Internal, at(line.segment, line.line_number) + " is not entry " +
                                           n2s(seq) + " of an intact chain; run the verifier");
    }
    prev = leaf_hash(line.text);
    on_leaf(seq, prev, line.text);
    ++seq;
  }
  return {};
}

// The checkpoints of `dir` that parse, in file order (signatures are not checked here).
std::vector<Checkpoint> parsed_checkpoints(const std::filesystem::path& dir) {
  std::vector<Checkpoint> out;
  auto file = read_checkpoint_file(dir);
  if (!file) return out;
  for (const TextLine& line : file->lines) {
    if (!line.complete) continue;
    if (auto cp = parse_checkpoint(line.text)) out.push_back(std::move(*cp));
  }
  return out;
}

// Streams the first `size` leaves and returns the MTH of each range and of all of them.
Result<std::pair<std::vector<Hash>, Hash>> range_roots(
    const std::filesystem::path& dir, uint64_t size, const std::vector<LeafRange>& ranges,
    const std::function<void(uint64_t, const Hash&, std::string_view)>& also) {
  std::vector<MerkleFrontier> parts(ranges.size());
  MerkleFrontier total;
  auto r = for_each_leaf(dir, size, [&](uint64_t i, const Hash& leaf, std::string_view text) {
    total.append(leaf);
    for (size_t k = 0; k < ranges.size(); ++k) {
      if (i >= ranges[k].begin && i < ranges[k].end) parts[k].append(leaf);
    }
    if (also) also(i, leaf, text);
  });
  if (!r) return std::unexpected(r.error());
  std::vector<Hash> roots;
  roots.reserve(parts.size());
  for (const auto& p : parts) roots.push_back(p.root());
  return std::pair{std::move(roots), total.root()};
}

std::unexpected<Error> bad_proof(std::string message) {
  return fail(ErrorKind::InvalidRequest, "invalid proof: " + std::move(message));
}

}  // namespace

std::optional<uint64_t> VerifyReport::first_bad_seq() const {
  std::optional<uint64_t> first;
  for (const auto& p : problems) {
    if (p.first_seq && (!first || *p.first_seq < *first)) first = p.first_seq;
  }
  return first;
}

std::string VerifyReport::to_text() const {
  std::string out = ok() ? "audit log OK" : "audit log FAILED verification";
  out += ": " + n2s(segments) + " segment(s), " + n2s(entries) + " entries verified, " +
         n2s(checkpoints) + " signed checkpoint(s), signed tree size " + n2s(verified_tree_size) +
         "\n";
  if (auto seq = first_bad_seq()) out += "first bad entry: " + n2s(*seq) + "\n";
  for (const auto& p : problems) out += "problem: " + p.message + "\n";
  for (const auto& w : warnings) out += "warning: " + w + "\n";
  return out;
}

VerifyReport verify_log(const std::filesystem::path& dir, const PublicKey& public_key) {
  VerifyReport report;
  LogVerifier(dir, public_key, report).run();
  return report;
}

Result<InclusionProof> inclusion_proof_for(const std::filesystem::path& dir, uint64_t seq,
                                           std::optional<uint64_t> tree_size) {
  const std::vector<Checkpoint> checkpoints = parsed_checkpoints(dir);
  if (!tree_size) {
    if (checkpoints.empty()) {
      return fail(ErrorKind::NotFound,
                  "the log in " + dir.string() + " has no checkpoint; give a tree size");
    }
    tree_size = checkpoints.back().tree_size;
  }
  if (seq >= *tree_size) {
    return fail(ErrorKind::InvalidRequest,
                "entry " + n2s(seq) + " is not in a tree of size " + n2s(*tree_size));
  }
  InclusionProof proof;
  proof.leaf_index = seq;
  proof.tree_size = *tree_size;
  auto roots = range_roots(dir, *tree_size, inclusion_ranges(seq, *tree_size),
                           [&](uint64_t i, const Hash& leaf, std::string_view text) {
                             if (i == seq) {
                               proof.leaf_hash = leaf;
                               proof.entry = std::string(text);
                             }
                           });
  if (!roots) return std::unexpected(roots.error());
  proof.path = std::move(roots->first);
  proof.root = roots->second;
  for (const Checkpoint& cp : checkpoints) {
    if (cp.tree_size != *tree_size) continue;
    if (cp.root != proof.root) {
      return fail(ErrorKind::Internal, "the first " + n2s(*tree_size) +
                                           " entries of the log do not match the checkpoint of "
                                           "that size; run the verifier");
    }
    proof.checkpoint = cp;
  }
  return proof;
}

Result<std::vector<Hash>> consistency_proof_for(const std::filesystem::path& dir, uint64_t old_size,
                                                uint64_t new_size) {
  if (old_size > new_size) {
    return fail(ErrorKind::InvalidRequest,
                "old tree size " + n2s(old_size) + " exceeds new tree size " + n2s(new_size));
  }
  auto roots = range_roots(dir, new_size, consistency_ranges(old_size, new_size), nullptr);
  if (!roots) return std::unexpected(roots.error());
  return std::move(roots->first);
}

std::string proof_to_json(const InclusionProof& proof, bool include_entry) {
  std::string out;
  json::Writer w(out);
  w.begin_object();
  w.field("leaf_index", proof.leaf_index);
  w.field("tree_size", proof.tree_size);
  w.field("leaf_hash", to_hex(proof.leaf_hash));
  w.key("path").begin_array();
  for (const Hash& h : proof.path) w.value(to_hex(h));
  w.end_array();
  w.field("root", to_hex(proof.root));
  if (include_entry && !proof.entry.empty()) w.field("entry", proof.entry);
  if (proof.checkpoint) w.key("checkpoint").raw(encode_checkpoint(*proof.checkpoint));
  w.end_object();
  return out;
}

Result<InclusionProof> parse_proof_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc)) {
    return bad_proof(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return bad_proof("not a JSON object");
  InclusionProof proof;
  std::vector<std::string> seen;
  auto hash_member = [](simdjson::dom::element value, Hash& out) {
    std::string_view text;
    return !value.get_string().get(text) && hex_decode(text, out);
  };
  for (simdjson::dom::key_value_pair field : obj) {
    const std::string key(field.key);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return bad_proof("duplicate member \"" + key + "\"");
    }
    seen.push_back(key);
    if (key == "leaf_index" || key == "tree_size") {
      uint64_t& target = key == "leaf_index" ? proof.leaf_index : proof.tree_size;
      if (field.value.get_uint64().get(target)) {
        return bad_proof("\"" + key + "\" must be a non-negative integer");
      }
    } else if (key == "leaf_hash" || key == "root") {
      if (!hash_member(field.value, key == "root" ? proof.root : proof.leaf_hash)) {
        return bad_proof("\"" + key + "\" must be 64 lowercase hex digits");
      }
    } else if (key == "path") {
      simdjson::dom::array items;
      if (field.value.get_array().get(items)) return bad_proof("\"path\" must be an array");
      for (simdjson::dom::element item : items) {
        Hash h;
        if (!hash_member(item, h)) return bad_proof("\"path\" must hold 64-hex-digit hashes");
        proof.path.push_back(h);
      }
    } else if (key == "entry") {
      std::string_view text;
      if (field.value.get_string().get(text)) return bad_proof("\"entry\" must be a string");
      proof.entry = std::string(text);
    } else if (key == "checkpoint") {
      if (!field.value.is_object()) return bad_proof("\"checkpoint\" must be an object");
      auto cp = parse_checkpoint(simdjson::minify(field.value));
      if (!cp) return bad_proof("\"checkpoint\": " + cp.error().message);
      proof.checkpoint = std::move(*cp);
    } else {
      return bad_proof("unknown member \"" + key + "\"");
    }
  }
  for (const char* required : {"leaf_index", "tree_size", "leaf_hash", "path", "root"}) {
    if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
      return bad_proof(std::string("missing member \"") + required + "\"");
    }
  }
  return proof;
}

Result<VerifiedProof> verify_proof_json(std::string_view json, const PublicKey& public_key) {
  auto proof = parse_proof_json(json);
  if (!proof) return std::unexpected(proof.error());
  if (!proof->entry.empty()) {
    if (leaf_hash(proof->entry) != proof->leaf_hash) {
      return bad_proof("the entry does not hash to leaf_hash");
    }
    auto prefix = parse_entry_prefix(proof->entry);
    if (!prefix || prefix->seq != proof->leaf_index) {
      return bad_proof("the entry's seq is not leaf_index");
    }
  }
  if (!verify_inclusion(proof->leaf_hash, proof->leaf_index, proof->tree_size, proof->path,
                        proof->root)) {
    return bad_proof("the path does not lead from leaf_hash at leaf_index to root");
  }
  VerifiedProof verified{proof->leaf_index, proof->tree_size, proof->root, false};
  if (proof->checkpoint) {
    const Checkpoint& cp = *proof->checkpoint;
    if (cp.tree_size != proof->tree_size || cp.root != proof->root) {
      return bad_proof("the checkpoint is for another tree (size or root differ)");
    }
    if (auto v = verify_checkpoint(cp, public_key); !v) {
      return bad_proof("checkpoint: " + v.error().message);
    }
    verified.signed_root = true;
  }
  return verified;
}

}  // namespace sy::audit
