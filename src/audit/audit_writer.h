// AuditWriter: the one thread that makes audit records durable. Request threads hand
// it records through a bounded lock-free queue; it appends them to the hash-chained
// segment log in batches (group commit: one write and one fdatasync per batch), then
// indexes them — and their spend rows — in the store, and periodically signs a
// checkpoint of the log's Merkle root.
//
// Load shedding without loss: a request reserves its queue slot when it starts
// (try_reserve); when none is free it is refused with a 503 before anything happens,
// so a record that was reserved always has room — nothing is ever dropped.
//
// Durability: in `sync` mode a caller awaits commit() and acknowledges its client only
// once the record is on disk; in `batch` mode it submits and goes on, and the writer
// syncs every batch_interval_ms, which bounds what a crash can lose.
//
// After a crash, open() repairs a torn last line, re-indexes log entries the database
// had not yet received, and signs a checkpoint covering them.
//
// Thread-safety: try_reserve/release/submit/commit are lock-free and callable from any
// thread; open/stop from one controlling thread.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>

#include <atomic>
#include <memory>
#include <thread>

#include "audit/record.h"
#include "core/config.h"
#include "store/store.h"

namespace sy::audit {

class AuditWriter {
 public:
  using Done = boost::asio::any_completion_handler<void(bool durable)>;

  // Opens (creating when absent) the log in config.dir and the signing key, recovers
  // after a crash and starts the writer thread. `store` receives the index and spend.
  static Result<std::unique_ptr<AuditWriter>> open(const AuditConfig& config,
                                                   std::unique_ptr<store::Store> store);
  ~AuditWriter();

  // Takes one queue slot; false when the queue is full or the log is failing.
  bool try_reserve();
  // Gives back a slot that will not be used.
  void release();
  // Hands over a record, using a reserved slot. Fire and forget.
  void submit(AuditRecord record) { enqueue(std::move(record), Done{}, {}); }
  // Hands over a record and completes with true once it is on disk (false when the log
  // could not be written). Completion runs on the token's associated executor.
  template <class Token>
  auto commit(AuditRecord record, Token&& token) {
    return boost::asio::async_initiate<Token, void(bool)>(
        [this](auto handler, AuditRecord r) {
          boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler);
          enqueue(std::move(r), Done(std::move(handler)), std::move(ex));
        },
        token, std::move(record));
  }

  Durability durability() const { return durability_; }
  // False once a write to the log failed: new requests are refused until a restart.
  bool healthy() const;

  struct Stats {
    uint64_t records = 0;      // entries in the log
    uint64_t batches = 0;      // group commits since start
    uint64_t checkpoints = 0;  // checkpoints signed since start
    uint64_t tree_size = 0;    // size of the last signed checkpoint
  };
  Stats stats() const;
  // The base64 public key that verifies this log's checkpoints.
  const std::string& public_key_b64() const;
  // This log's name in the store (one log per replica).
  const std::string& log_id() const;

  // Writes everything queued, signs a final checkpoint and joins the thread. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit AuditWriter(std::unique_ptr<Impl> impl, Durability d);
  void enqueue(AuditRecord record, Done done, boost::asio::any_io_executor ex);

  std::unique_ptr<Impl> impl_;
  Durability durability_;
};

}  // namespace sy::audit
