// Offline verification of an audit log directory, and Merkle inclusion proofs read from
// it. Needs only the segment files, checkpoints.jsonl and the Ed25519 public key.
//
// verify_log checks, in one streaming pass (memory O(log n)):
//   - segments are numbered 1..N without gaps, each ends with "\n" (only the very last
//     line of the log may be torn, as a crash leaves it);
//   - every entry is a well-formed line ({"seq":N,"prev":"<hex>",…} and valid JSON), seq is
//     consecutive from 0 and prev equals the previous entry's leaf hash;
//   - every checkpoint parses in canonical form, carries the public key's key_id and a
//     valid signature, tree sizes strictly increase, and the Merkle root of the first
//     tree_size entries equals the signed root;
//   - the log holds at least the largest signed tree_size (else it was truncated).
// Entries after the last checkpoint are reported as a warning: nothing signed covers them.
// Problems name the first bad record (seq, file, line) and the reason.
//
// What a verifier cannot see without outside information: entries after the last signed
// checkpoint can be changed or removed by whoever can write the files, and removing whole
// trailing checkpoint lines only shrinks what is covered. Keeping a copy of the latest
// checkpoint elsewhere (the Store keeps one) closes that gap.
//
// All functions read files only and are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/merkle.h"
#include "core/error.h"

namespace sy::audit {

struct VerifyProblem {
  std::string message;                 // full sentence, includes the location
  std::optional<uint64_t> first_seq;   // the first bad entry, when an entry is to blame
  std::optional<uint64_t> last_seq;    // end of the suspect range (root mismatch), inclusive
  std::string file;                    // file name inside the log directory, "" when none
  uint64_t line = 0;                   // 1-based line in `file`, 0 when none
  std::optional<uint64_t> checkpoint;  // 1-based checkpoint number, when one is to blame
};

struct VerifyReport {
  uint32_t segments = 0;                // segment files found
  uint64_t entries = 0;                 // entries verified in order, before the first bad one
  uint64_t checkpoints = 0;             // checkpoint lines with a valid signature
  uint64_t verified_tree_size = 0;      // largest checkpoint tree_size whose root matched
  std::vector<VerifyProblem> problems;  // failures, in the order found
  std::vector<std::string> warnings;    // not failures (uncovered entries, torn tail, …)

  bool ok() const { return problems.empty(); }
  // The lowest first_seq among the problems, if any names an entry.
  std::optional<uint64_t> first_bad_seq() const;
  // A human-readable multi-line summary.
  std::string to_text() const;
};

VerifyReport verify_log(const std::filesystem::path& dir, const PublicKey& public_key);

// An RFC 9162 inclusion proof of one entry, with the signed checkpoint of that tree size
// when the log has one.
struct InclusionProof {
  uint64_t leaf_index = 0;  // the entry's seq
  uint64_t tree_size = 0;
  Hash leaf_hash{};
  std::vector<Hash> path;
  Hash root{};
  std::string entry;  // the entry line (without "\n"); "" when left out
  std::optional<Checkpoint> checkpoint;
};

// Reads the log in `dir` and proves entry `seq` in the tree of the first `tree_size`
// entries (default: the last checkpoint's tree size). Checks the sequence and hash chain
// of the entries it reads, and that the root equals the checkpoint's when one exists.
Result<InclusionProof> inclusion_proof_for(const std::filesystem::path& dir, uint64_t seq,
                                           std::optional<uint64_t> tree_size = std::nullopt);
// Consistency proof between the trees of the first old_size and new_size entries.
Result<std::vector<Hash>> consistency_proof_for(const std::filesystem::path& dir, uint64_t old_size,
                                                uint64_t new_size);

// {"leaf_index":N,"tree_size":N,"leaf_hash":"<hex>","path":["<hex>",…],"root":"<hex>",
//  "entry":"<line>","checkpoint":{…checkpoint line…}}; "entry" and "checkpoint" are
// omitted when absent (and "entry" when include_entry is false).
std::string proof_to_json(const InclusionProof& proof, bool include_entry = true);
Result<InclusionProof> parse_proof_json(std::string_view json);

struct VerifiedProof {
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  Hash root{};
  bool signed_root = false;  // a checkpoint signed by the key vouches for `root`
};
// Checks a proof document: the entry (if present) hashes to leaf_hash, the path leads
// from leaf_hash to root, and the checkpoint (if present) is validly signed by
// `public_key` for the same tree_size and root. Without a checkpoint the proof is only
// as good as the caller's trust in `root` (signed_root is false).
Result<VerifiedProof> verify_proof_json(std::string_view json, const PublicKey& public_key);

}  // namespace sy::audit
