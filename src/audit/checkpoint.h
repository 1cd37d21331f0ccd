// Signed checkpoints of the audit log, the Ed25519 keys that sign them, and the
// checkpoint file.
//
// A checkpoint states "the first tree_size entries of the log have Merkle root `root`"
// (see merkle.h), signed with Ed25519 (libsodium) over the UTF-8 message
//
//   "switchyard-audit-checkpoint/v1\n" + tree_size + "\n" + root hex + "\n" + ts_ms + "\n"
//
// (decimal integers, 64 lowercase hex digits). It is stored as one line of
// <dir>/checkpoints.jsonl, exactly
//
//   {"tree_size":N,"root":"<hex>","ts_ms":T,"time":"<RFC 3339 UTC, ms, Z>",
//    "key_id":"<16 hex>","signature":"<base64 of 64 bytes>"}
//
// (on one line, members in this order, no spaces). key_id is the hex of the first 8 bytes
// of SHA-256(public key); `time` is ts_ms rendered for people and is not signed, so the
// parser accepts only the canonical encoding (it must equal ts_ms). Tree sizes increase
// strictly from one line to the next.
//
// Key files: the secret key file is one line, the base64 of libsodium's 64-byte Ed25519
// secret key (seed || public key), mode 0600; the public key file is one line, the base64
// of the 32-byte public key.
//
// Pure functions are thread-safe. A CheckpointLog owns the open checkpoint file; it is not
// thread-safe (the audit writer thread owns it) and blocks on I/O.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/file_io.h"
#include "audit/merkle.h"
#include "core/error.h"
#include "core/time_spec.h"  // format_rfc3339_ms

namespace sy::audit {

using PublicKey = std::array<uint8_t, 32>;
using SecretKey = std::array<uint8_t, 64>;
using Signature = std::array<uint8_t, 64>;

inline constexpr std::string_view kCheckpointFileName = "checkpoints.jsonl";
inline constexpr std::string_view kCheckpointDomain = "switchyard-audit-checkpoint/v1\n";

struct SigningKey {
  SecretKey secret_key{};
  PublicKey public_key{};
  std::string key_id;  // key_id_of(public_key)
};

// First 8 bytes of SHA-256(public_key), as 16 lowercase hex digits.
std::string key_id_of(const PublicKey& public_key);
// A fresh random key pair.
SigningKey generate_signing_key();
// The key pair for a 64-byte libsodium secret key; fails if its embedded public key does
// not match its seed (a corrupt key).
Result<SigningKey> signing_key_from_secret(const SecretKey& secret_key);

struct LoadedSigningKey {
  SigningKey key;
  bool created = false;  // true when this call generated and wrote the key file
  std::string note;      // a warning for the operator ("" when none)
};
// Loads the secret key file at `path`, or creates it (mode 0600, parent directories
// included) with a new random key when it does not exist. Creation is atomic and never
// replaces an existing file, so concurrent starters end up with the same key. A key file
// that group or others can read or write is refused unless allow_loose_permissions, in
// which case it loads with a `note` saying so.
Result<LoadedSigningKey> load_or_create_signing_key(const std::filesystem::path& path,
                                                    bool allow_loose_permissions = false);
Result<PublicKey> load_public_key(const std::filesystem::path& path);
// Writes (atomically replacing) the public key file, mode 0644.
Result<void> write_public_key(const std::filesystem::path& path, const PublicKey& public_key);

struct Checkpoint {
  uint64_t tree_size = 0;
  Hash root{};
  int64_t ts_ms = 0;   // milliseconds since the Unix epoch, UTC
  std::string key_id;  // 16 lowercase hex digits
  Signature signature{};
  bool operator==(const Checkpoint&) const = default;
};

// The exact bytes that are signed.
std::string checkpoint_message(uint64_t tree_size, const Hash& root, int64_t ts_ms);
// Signs a checkpoint. Fails only for ts_ms outside years 1970..9999.
Result<Checkpoint> sign_checkpoint(uint64_t tree_size, const Hash& root, int64_t ts_ms,
                                   const SigningKey& key);
// Checks key_id and signature against `public_key`; the error says which failed.
Result<void> verify_checkpoint(const Checkpoint& checkpoint, const PublicKey& public_key);

// The canonical checkpoint line, without the trailing "\n".
std::string encode_checkpoint(const Checkpoint& checkpoint);
// Strict parse of one checkpoint line (without "\n"): every member present once with the
// right type, valid hex/base64, nothing else, and byte-for-byte the canonical encoding.
Result<Checkpoint> parse_checkpoint(std::string_view line);

// The lines of <dir>/checkpoints.jsonl (NotFound error when the file does not exist).
struct CheckpointFile {
  std::string content;
  std::vector<TextLine> lines;  // views into content
};
Result<CheckpointFile> read_checkpoint_file(const std::filesystem::path& dir);

// The append side of <dir>/checkpoints.jsonl, for the audit writer thread.
class CheckpointLog {
 public:
  // Creates the directory and file if needed, drops a torn last line (an append that a
  // crash interrupted; reported by repaired_bytes()) and parses every line. Fails, naming
  // the line, if a complete line does not parse or tree sizes do not increase.
  static Result<CheckpointLog> open(const std::filesystem::path& dir);

  // The last checkpoint in the file (parsed, not signature-checked).
  const std::optional<Checkpoint>& last() const { return last_; }
  uint64_t count() const { return count_; }
  uint64_t repaired_bytes() const { return repaired_bytes_; }
  // Appends one line with a single write() and fdatasync()s it. Fails if tree_size does
  // not exceed last()'s. Sign only tree sizes whose entries have been synced.
  Result<void> append(const Checkpoint& checkpoint);

 private:
  std::filesystem::path path_;
  UniqueFd fd_;
  std::optional<Checkpoint> last_;
  uint64_t count_ = 0;
  uint64_t repaired_bytes_ = 0;
  uint64_t size_ = 0;  // bytes in the file
};

}  // namespace sy::audit
