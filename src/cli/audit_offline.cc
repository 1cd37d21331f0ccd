// `switchyard audit verify | export | proof | verify-proof | pubkey`: the auditor's
// offline tools. They read only the log directory, the checkpoint file and a public
// key — never the database, never the gateway.
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>

#include "audit/checkpoint.h"
#include "audit/encoding.h"
#include "audit/segment.h"
#include "audit/verifier.h"
#include "cli/audit_cmd.h"
#include "cli/config_source.h"
#include "core/json_writer.h"
#include "core/time_spec.h"

namespace sy::cli {
namespace {

namespace fs = std::filesystem;

int fail_with(std::string_view command, const std::string& message) {
  fmt::print(stderr, "switchyard audit {}: {}\n", command, message);
  return 1;
}

// ts_ms of an entry line, read without parsing the whole entry.
std::optional<int64_t> entry_ts_ms(std::string_view line) {
  constexpr std::string_view kKey = "\"ts_ms\":";
  const size_t at = line.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  int64_t v = 0;
  const char* begin = line.data() + at + kKey.size();
  auto [end, ec] = std::from_chars(begin, line.data() + line.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

struct ExportOptions {
  std::string dir;
  std::string since = "1970-01-01";
  std::string until = "now";
  std::string format = "jsonl";
};

int run_export(const ExportOptions& o) {
  const int64_t now = unix_now_ms();
  auto since = parse_time_spec(o.since, now);
  if (!since) return fail_with("export", since.error().message);
  auto until = parse_time_spec(o.until, now);
  if (!until) return fail_with("export", until.error().message);
  auto reader = audit::SegmentReader::open(o.dir);
  if (!reader) return fail_with("export", reader.error().message);
  std::string out;
  for (;;) {
    auto line = reader->next();
    if (!line) return fail_with("export", line.error().message);
    if (!*line) break;
    if (!(*line)->complete) {
      fmt::print(stderr, "switchyard audit export: skipped a torn last line in segment {}\n",
                 (*line)->segment);
      break;
    }
    const auto ts = entry_ts_ms((*line)->text);
    if (!ts || *ts < *since || *ts >= *until) continue;
    out.append((*line)->text);
    out += '\n';
    if (out.size() > (1u << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

struct PubkeyOptions {
  std::string config;
};

int run_pubkey(const PubkeyOptions& o) {
  auto config = load_cli_config(o.config);
  if (!config) return fail_with("pubkey", config.error().message);
  const std::string& path = (*config)->audit.signing_key_file;
  if (!fs::exists(path)) {
    return fail_with("pubkey", "no signing key at " + path + " (the gateway creates it at start)");
  }
  auto key = audit::load_or_create_signing_key(path);
  if (!key) return fail_with("pubkey", key.error().message);
  fmt::print("{}\n", audit::base64_encode(key->key.public_key));
  return 0;
}

// The public key: --public-key FILE, else the copy inside the log directory.
Result<audit::PublicKey> public_key(const std::string& given, const std::string& dir,
                                    bool quiet) {
  if (!given.empty()) return audit::load_public_key(given);
  const fs::path inside = fs::path(dir) / "signing.pub";
  if (!quiet) {
    fmt::print(stderr,
               "note: using {} from the log directory; pass --public-key with your own copy "
               "(switchyard audit pubkey) to rule out a replaced key\n",
               inside.string());
  }
  return audit::load_public_key(inside);
}

struct VerifyOptions {
  std::string dir;
  std::string public_key;
  bool json = false;
};

int run_verify(const VerifyOptions& o) {
  auto key = public_key(o.public_key, o.dir, o.json);
  if (!key) return fail_with("verify", key.error().message);
  const audit::VerifyReport report = audit::verify_log(o.dir, *key);
  if (o.json) {
    std::string out;
    json::Writer w(out);
    w.begin_object();
    w.field("ok", report.ok());
    w.field("segments", static_cast<uint64_t>(report.segments));
    w.field("entries", report.entries);
    w.field("checkpoints", report.checkpoints);
    w.field("verified_tree_size", report.verified_tree_size);
    w.key("first_bad_seq");
    if (auto s = report.first_bad_seq()) w.value(*s); else w.null();
    w.key("problems").begin_array();
    for (const auto& p : report.problems) w.value(p.message);
    w.end_array();
    w.key("warnings").begin_array();
    for (const auto& x : report.warnings) w.value(x);
    w.end_array();
    w.end_object();
    fmt::print("{}\n", out);
  } else {
    std::string text = report.to_text();
    if (!text.empty() && text.back() != '\n') text += '\n';
    fmt::print("{}", text);
  }
  return report.ok() ? 0 : 3;
}

struct ProofOptions {
  std::string dir;
  uint64_t seq = 0;
  uint64_t tree_size = 0;
  bool no_entry = false;
};

int run_proof(const ProofOptions& o) {
  auto proof = audit::inclusion_proof_for(
      o.dir, o.seq, o.tree_size == 0 ? std::nullopt : std::optional<uint64_t>(o.tree_size));
  if (!proof) return fail_with("proof", proof.error().message);
  fmt::print("{}\n", audit::proof_to_json(*proof, !o.no_entry));
  return 0;
}

struct VerifyProofOptions {
  std::string file;
  std::string public_key;
};

int run_verify_proof(const VerifyProofOptions& o) {
  auto key = audit::load_public_key(o.public_key);
  if (!key) return fail_with("verify-proof", key.error().message);
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return fail_with("verify-proof", "cannot read " + o.file);
  std::stringstream text;
  text << in.rdbuf();
  auto verified = audit::verify_proof_json(text.str(), *key);
  if (!verified) return fail_with("verify-proof", verified.error().message);
  fmt::print("OK: entry {} is in the log of {} entries with root {}{}\n", verified->leaf_index,
             verified->tree_size, audit::to_hex(verified->root),
             verified->signed_root ? ", as signed by the checkpoint key"
                                   : " (no signed checkpoint of that size vouches for the root)");
  return verified->signed_root ? 0 : 4;
}

}  // namespace

void add_audit_offline_commands(CLI::App& audit) {
  {
    auto o = std::make_shared<VerifyOptions>();
    auto* cmd = audit.add_subcommand(
        "verify", "Check the log against its hash chain and signed checkpoints (offline)");
    cmd->add_option("dir", o->dir, "the audit log directory")->required();
    cmd->add_option("--public-key", o->public_key,
                    "public key file (default: signing.pub in the directory)");
    cmd->add_flag("--json", o->json, "print the report as JSON");
    cmd->callback([o] {
      if (int rc = run_verify(*o); rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto o = std::make_shared<ProofOptions>();
    auto* cmd = audit.add_subcommand("proof", "Print an inclusion proof of one entry (JSON)");
    cmd->add_option("dir", o->dir, "the audit log directory")->required();
    cmd->add_option("--seq", o->seq, "the entry's seq")->required();
    cmd->add_option("--tree-size", o->tree_size,
                    "prove against this tree size (default: the latest checkpoint)");
    cmd->add_flag("--no-entry", o->no_entry, "leave the entry's text out of the proof");
    cmd->callback([o] {
      if (int rc = run_proof(*o); rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto o = std::make_shared<VerifyProofOptions>();
    auto* cmd = audit.add_subcommand("verify-proof", "Check an inclusion proof (offline)");
    cmd->add_option("file", o->file, "the proof JSON from `audit proof`")->required();
    cmd->add_option("--public-key", o->public_key, "public key file")->required();
    cmd->callback([o] {
      if (int rc = run_verify_proof(*o); rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto o = std::make_shared<ExportOptions>();
    auto* cmd = audit.add_subcommand("export", "Print log entries in a time range, verbatim");
    cmd->add_option("dir", o->dir, "the audit log directory")->required();
    cmd->add_option("--since", o->since, "start: 7d, 24h, 2026-11-01, …")->capture_default_str();
    cmd->add_option("--until", o->until, "end (exclusive)")->capture_default_str();
    cmd->add_option("--format", o->format, "output format")
        ->check(CLI::IsMember({"jsonl"}))
        ->capture_default_str();
    cmd->callback([o] {
      if (int rc = run_export(*o); rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  {
    auto o = std::make_shared<PubkeyOptions>();
    auto* cmd = audit.add_subcommand(
        "pubkey", "Print the public key that verifies the checkpoints (from the signing key)");
    cmd->add_option("-c,--config", o->config, "config file (default: embedded demo)");
    cmd->callback([o] {
      if (int rc = run_pubkey(*o); rc != 0) throw CLI::RuntimeError(rc);
    });
  }
}

void add_audit_commands(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "Verify, export and search the audit trail");
  audit->require_subcommand(1);
  add_audit_offline_commands(*audit);
  add_audit_search_command(*audit);
}

}  // namespace sy::cli
