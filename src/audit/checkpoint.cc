#include "audit/checkpoint.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "audit/encoding.h"
#include "audit/json_scratch.h"

namespace sy::audit {
namespace {

// Years 1970..9999: what RFC 3339's four-digit year can show.
constexpr int64_t kMaxTsMs = 253402300799999;

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::unexpected<Error> invalid(std::string message) {
  return fail(ErrorKind::InvalidRequest, std::move(message));
}

// One line of a key file: the text before an optional trailing "\n" (or "\r\n").
Result<std::string> read_key_text(const std::filesystem::path& path) {
  auto content = read_file(path);
  if (!content) return std::unexpected(content.error());
  std::string text = std::move(*content);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

std::string octal_mode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// A unique sibling name for write-then-rename/link.
std::filesystem::path temp_sibling(const std::filesystem::path& path) {
  std::array<uint8_t, 8> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + hex_encode(nonce);
  return tmp;
}

// Writes `text` to a new file at `tmp` with `mode`, durably.
Result<void> write_new_file(const std::filesystem::path& tmp, std::string_view text, mode_t mode) {
  auto fd = open_file(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (!fd) return std::unexpected(fd.error());
  if (::fchmod(fd->get(), mode) != 0) return std::unexpected(io_error("cannot chmod", tmp, errno));
  if (auto r = write_all(fd->get(), text, tmp); !r) return r;
  if (::fsync(fd->get()) != 0) return std::unexpected(io_error("cannot fsync", tmp, errno));
  return {};
}

std::filesystem::path parent_or_dot(const std::filesystem::path& path) {
  auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

Result<LoadedSigningKey> load_signing_key(const std::filesystem::path& path,
                                          bool allow_loose_permissions) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::unexpected(io_error("cannot stat", path, errno));
  if (!S_ISREG(st.st_mode)) {
    return invalid("signing key " + path.string() + " is not a regular file");
  }
  LoadedSigningKey loaded;
  if ((st.st_mode & 077) != 0) {
    std::string problem = "signing key " + path.string() + " has mode " + octal_mode(st.st_mode) +
                          ": group or others can access it (run chmod 600 on it)";
    if (!allow_loose_permissions) return fail(ErrorKind::PermissionDenied, problem);
    loaded.note = std::move(problem);
  }
  auto text = read_key_text(path);
  if (!text) return std::unexpected(text.error());
  SecretKey secret{};
  if (!base64_decode_exact(*text, secret)) {
    return invalid("signing key " + path.string() +
                   " is not one line of base64 of a 64-byte Ed25519 secret key");
  }
  auto key = signing_key_from_secret(secret);
  sodium_memzero(secret.data(), secret.size());
  if (!key) return invalid("signing key " + path.string() + ": " + key.error().message);
  loaded.key = std::move(*key);
  return loaded;
}

}  // namespace

std::string key_id_of(const PublicKey& public_key) {
  const Hash h = sha256(public_key);
  return hex_encode(std::span<const uint8_t>(h.data(), 8));
}

SigningKey generate_signing_key() {
  if (!sodium_ready()) std::abort();  // no usable randomness: nothing sensible to do
  SigningKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret_key.data());
  key.key_id = key_id_of(key.public_key);
  return key;
}

Result<SigningKey> signing_key_from_secret(const SecretKey& secret_key) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium failed to initialise");
  SigningKey key;
  SecretKey rebuilt{};
  // libsodium's secret key is seed || public key; re-deriving it from the seed checks both.
  crypto_sign_seed_keypair(key.public_key.data(), rebuilt.data(), secret_key.data());
  const bool consistent = sodium_memcmp(rebuilt.data(), secret_key.data(), rebuilt.size()) == 0;
  sodium_memzero(rebuilt.data(), rebuilt.size());
  if (!consistent) return invalid("the secret key's public half does not match its seed");
  key.secret_key = secret_key;
  key.key_id = key_id_of(key.public_key);
  return key;
}

Result<LoadedSigningKey> load_or_create_signing_key(const std::filesystem::path& path,
                                                    bool allow_loose_permissions) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium failed to initialise");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return load_signing_key(path, allow_loose_permissions);
  if (errno != ENOENT) return std::unexpected(io_error("cannot stat", path, errno));

  const auto parent = parent_or_dot(path);
  if (auto r = make_dirs(parent); !r) return std::unexpected(r.error());
  SigningKey key = generate_signing_key();
  const std::string text = base64_encode(key.secret_key) + "\n";
  const auto tmp = temp_sibling(path);
  if (auto r = write_new_file(tmp, text, 0600); !r) {
    ::unlink(tmp.c_str());
    return std::unexpected(r.error());
  }
  // link() fails rather than replacing a key another process created meanwhile.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) return load_signing_key(path, allow_loose_permissions);
    return std::unexpected(io_error("cannot create", path, err));
  }
  ::unlink(tmp.c_str());
  if (auto r = fsync_dir(parent); !r) return std::unexpected(r.error());
  LoadedSigningKey loaded;
  loaded.key = std::move(key);
  loaded.created = true;
  return loaded;
}

Result<PublicKey> load_public_key(const std::filesystem::path& path) {
  auto text = read_key_text(path);
  if (!text) return std::unexpected(text.error());
  PublicKey key{};
  if (!base64_decode_exact(*text, key)) {
    return invalid("public key " + path.string() +
                   " is not one line of base64 of a 32-byte Ed25519 public key");
  }
  return key;
}

Result<void> write_public_key(const std::filesystem::path& path, const PublicKey& public_key) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium failed to initialise");
  const auto parent = parent_or_dot(path);
  if (auto r = make_dirs(parent); !r) return r;
  const auto tmp = temp_sibling(path);
  if (auto r = write_new_file(tmp, base64_encode(public_key) + "\n", 0644); !r) {
    ::unlink(tmp.c_str());
    return r;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(io_error("cannot create", path, err));
  }
  return fsync_dir(parent);
}

std::string checkpoint_message(uint64_t tree_size, const Hash& root, int64_t ts_ms) {
  std::string m(kCheckpointDomain);
  m += std::to_string(tree_size);
  m += '\n';
  m += to_hex(root);
  m += '\n';
  m += std::to_string(ts_ms);
  m += '\n';
  return m;
}

Result<Checkpoint> sign_checkpoint(uint64_t tree_size, const Hash& root, int64_t ts_ms,
                                   const SigningKey& key) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium failed to initialise");
  if (ts_ms < 0 || ts_ms > kMaxTsMs) {
    return invalid("checkpoint time " + std::to_string(ts_ms) + " ms is outside 1970..9999");
  }
  Checkpoint cp;
  cp.tree_size = tree_size;
  cp.root = root;
  cp.ts_ms = ts_ms;
  cp.key_id = key.key_id;
  const std::string message = checkpoint_message(tree_size, root, ts_ms);
  const auto bytes = as_bytes(message);
  crypto_sign_detached(cp.signature.data(), nullptr, bytes.data(), bytes.size(),
                       key.secret_key.data());
  return cp;
}

Result<void> verify_checkpoint(const Checkpoint& checkpoint, const PublicKey& public_key) {
  if (!sodium_ready()) return fail(ErrorKind::Internal, "libsodium failed to initialise");
  const std::string expected_id = key_id_of(public_key);
  if (checkpoint.key_id != expected_id) {
    return invalid("key_id " + checkpoint.key_id + " is not the given public key's (" +
                   expected_id + ")");
  }
  const std::string message =
      checkpoint_message(checkpoint.tree_size, checkpoint.root, checkpoint.ts_ms);
  const auto bytes = as_bytes(message);
  if (crypto_sign_verify_detached(checkpoint.signature.data(), bytes.data(), bytes.size(),
                                  public_key.data()) != 0) {
    return invalid("bad signature");
  }
  return {};
}

std::string encode_checkpoint(const Checkpoint& cp) {
  std::string out;
  out.reserve(256);
  out += "{\"tree_size\":";
  out += std::to_string(cp.tree_size);
  out += ",\"root\":\"";
  out += to_hex(cp.root);
  out += "\",\"ts_ms\":";
  out += std::to_string(cp.ts_ms);
  out += ",\"time\":\"";
  out += format_rfc3339_ms(cp.ts_ms);
  out += "\",\"key_id\":\"";
  out += cp.key_id;
  out += "\",\"signature\":\"";
  out += base64_encode(cp.signature);
  out += "\"}";
  return out;
}

Result<Checkpoint> parse_checkpoint(std::string_view line) {
  simdjson::dom::element doc;
  if (auto err = parse_json(line).get(doc)) {
    return invalid(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return invalid("not a JSON object");

  Checkpoint cp;
  enum : unsigned { kTreeSize = 1, kRoot = 2, kTs = 4, kTime = 8, kKeyId = 16, kSig = 32 };
  unsigned seen = 0;
  auto once = [&seen](unsigned bit) {
    const bool first = (seen & bit) == 0;
    seen |= bit;
    return first;
  };
  for (simdjson::dom::key_value_pair field : obj) {
    const std::string_view key = field.key;
    const std::string name(key);
    std::string_view text;
    if (key == "tree_size") {
      if (!once(kTreeSize)) return invalid("duplicate member \"tree_size\"");
      if (field.value.get_uint64().get(cp.tree_size)) {
        return invalid("\"tree_size\" must be a non-negative integer");
      }
    } else if (key == "ts_ms") {
      if (!once(kTs)) return invalid("duplicate member \"ts_ms\"");
      if (field.value.get_int64().get(cp.ts_ms) || cp.ts_ms < 0 || cp.ts_ms > kMaxTsMs) {
        return invalid("\"ts_ms\" must be an integer of milliseconds in 1970..9999");
      }
    } else if (key == "root" || key == "time" || key == "key_id" || key == "signature") {
      const unsigned bit = key == "root"     ? kRoot
                           : key == "time"   ? kTime
                           : key == "key_id" ? kKeyId
                                             : kSig;
      if (!once(bit)) return invalid("duplicate member \"" + name + "\"");
      if (field.value.get_string().get(text)) return invalid("\"" + name + "\" must be a string");
      if (bit == kRoot) {
        if (!hex_decode(text, cp.root)) return invalid("\"root\" must be 64 lowercase hex digits");
      } else if (bit == kKeyId) {
        std::array<uint8_t, 8> id{};
        if (!hex_decode(text, id)) return invalid("\"key_id\" must be 16 lowercase hex digits");
        cp.key_id = std::string(text);
      } else if (bit == kSig) {
        if (!base64_decode_exact(text, cp.signature)) {
          return invalid("\"signature\" must be base64 of 64 bytes");
        }
      }
      // "time" is checked below, through the canonical form.
    } else {
      return invalid("unknown member \"" + name + "\"");
    }
  }
  static constexpr std::pair<unsigned, const char*> kRequired[] = {
      {kTreeSize, "tree_size"}, {kRoot, "root"},    {kTs, "ts_ms"},
      {kTime, "time"},          {kKeyId, "key_id"}, {kSig, "signature"}};
  for (const auto& [bit, name] : kRequired) {
    if ((seen & bit) == 0) return invalid(std::string("missing member \"") + name + "\"");
  }
  if (encode_checkpoint(cp) != line) {
    return invalid(
        "not in canonical form (member order, spacing, or a \"time\" that is not ts_ms " +
        format_rfc3339_ms(cp.ts_ms) + ")");
  }
  return cp;
}

Result<CheckpointFile> read_checkpoint_file(const std::filesystem::path& dir) {
  const auto path = dir / kCheckpointFileName;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec) {
    return fail(ErrorKind::NotFound, path.string() + " does not exist");
  }
  CheckpointFile file;
  auto content = read_file(path);
  if (!content) return std::unexpected(content.error());
  file.content = std::move(*content);
  file.lines = split_lines(file.content);
  return file;
}

Result<CheckpointLog> CheckpointLog::open(const std::filesystem::path& dir) {
  if (auto r = make_dirs(dir); !r) return std::unexpected(r.error());
  CheckpointLog log;
  log.path_ = dir / kCheckpointFileName;
  auto fd = open_file(log.path_, O_RDWR | O_CREAT | O_APPEND, 0644);
  if (!fd) return std::unexpected(fd.error());
  log.fd_ = std::move(*fd);
  auto content = read_file(log.path_);
  if (!content) return std::unexpected(content.error());
  log.size_ = content->size();
  for (const TextLine& line : split_lines(*content)) {
    if (!line.complete) {
      if (::ftruncate(log.fd_.get(), static_cast<off_t>(line.offset)) != 0 ||
          ::fdatasync(log.fd_.get()) != 0) {
        return std::unexpected(io_error("cannot drop the torn last line of", log.path_, errno));
      }
      log.repaired_bytes_ = log.size_ - line.offset;
      log.size_ = line.offset;
      break;
    }
    auto cp = parse_checkpoint(line.text);
    const std::string where = log.path_.string() + " line " + std::to_string(line.number);
    if (!cp) return fail(ErrorKind::Internal, where + ": " + cp.error().message);
    if (log.last_ && cp->tree_size <= log.last_->tree_size) {
      return fail(ErrorKind::Internal, where + ": tree_size " + std::to_string(cp->tree_size) +
                                           " does not exceed the previous line's " +
                                           std::to_string(log.last_->tree_size));
    }
    log.last_ = std::move(*cp);
    ++log.count_;
  }
  return log;
}

Result<void> CheckpointLog::append(const Checkpoint& checkpoint) {
  if (!fd_.valid()) return fail(ErrorKind::Internal, "checkpoint log is not open");
  if (last_ && checkpoint.tree_size <= last_->tree_size) {
    return invalid("checkpoint tree_size " + std::to_string(checkpoint.tree_size) +
                   " does not exceed the last checkpoint's " + std::to_string(last_->tree_size));
  }
  const std::string line = encode_checkpoint(checkpoint) + "\n";
  auto written = write_all(fd_.get(), line, path_);
  if (written && ::fdatasync(fd_.get()) != 0) {
    written = std::unexpected(io_error("cannot fdatasync", path_, errno));
  }
  if (!written) {
    // Best effort: leave no partial line behind (open() would drop it anyway).
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) {
      // Nothing more to do; the error below is what the caller needs.
    }
    return written;
  }
  size_ += line.size();
  last_ = checkpoint;
  ++count_;
  return {};
}

}  // namespace sy::audit
