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
// No allocation per record in steady state: a slot owns its AuditRecord, which the
// request fills in place (AuditSlot::record()); the writer clears it after use and the
// slot goes back to a free list, so the record's strings keep their capacity from one
// request to the next. Slots are made on first use, so memory follows the most records
// ever in flight, not queue_capacity.
//
// Durability: in `sync` mode a caller awaits commit() and acknowledges its client only
// once the record is on disk; in `batch` mode it submits and goes on, and the writer
// syncs every batch_interval_ms, which bounds what a crash can lose.
//
// After a crash, open() repairs a torn last line, re-indexes log entries the database
// had not yet received, and signs a checkpoint covering them.
//
// Thread-safety: try_reserve/submit/commit are lock-free and callable from any thread
// (a slot is used by one thread at a time); open/stop from one controlling thread.
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

class AuditWriter;

// A reserved place in the writer's queue and the record that goes into it. Move-only;
// a slot that is destroyed without being submitted goes back unused. Fill record() on
// the thread that holds the slot, then hand it to submit() or commit().
class AuditSlot {
 public:
  AuditSlot() = default;
  AuditSlot(AuditSlot&& other) noexcept : writer_(other.writer_), index_(other.index_) {
    other.writer_ = nullptr;
  }
  AuditSlot& operator=(AuditSlot&& other) noexcept;
  AuditSlot(const AuditSlot&) = delete;
  AuditSlot& operator=(const AuditSlot&) = delete;
  ~AuditSlot() { reset(); }

  explicit operator bool() const { return writer_ != nullptr; }
  // The slot's record: cleared (every field at its default) when the slot is reserved.
  AuditRecord& record();
  // Gives the slot back unused.
  void reset();

 private:
  friend class AuditWriter;
  AuditSlot(AuditWriter* w, uint32_t index) : writer_(w), index_(index) {}
  AuditWriter* writer_ = nullptr;
  uint32_t index_ = 0;
};

class AuditWriter {
 public:
  using Done = boost::asio::any_completion_handler<void(bool durable)>;

  // Opens (creating when absent) the log in config.dir and the signing key, recovers
  // after a crash and starts the writer thread. `store` receives the index and spend.
  static Result<std::unique_ptr<AuditWriter>> open(const AuditConfig& config,
                                                   std::unique_ptr<store::Store> store);
  ~AuditWriter();

  // Takes one queue slot; an empty slot when the queue is full or the log is failing.
  AuditSlot try_reserve();
  // Hands over a slot's record. Fire and forget.
  void submit(AuditSlot slot) { enqueue(std::move(slot), Done{}, {}); }
  // The same with a record made elsewhere (admin actions).
  void submit(AuditSlot slot, AuditRecord record) {
    slot.record() = std::move(record);
    submit(std::move(slot));
  }
  // Hands over a slot's record and completes with true once it is on disk (false when
  // the log could not be written). Completion runs on the token's associated executor.
  template <class Token>
  auto commit(AuditSlot slot, Token&& token) {
    return boost::asio::async_initiate<Token, void(bool)>(
        [this](auto handler, AuditSlot s) {
          boost::asio::any_io_executor ex = boost::asio::get_associated_executor(handler);
          enqueue(std::move(s), Done(std::move(handler)), std::move(ex));
        },
        token, std::move(slot));
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
  friend class AuditSlot;
  struct Impl;
  explicit AuditWriter(std::unique_ptr<Impl> impl, Durability d);
  void enqueue(AuditSlot slot, Done done, boost::asio::any_io_executor ex);
  AuditRecord& slot_record(uint32_t index);
  void release(uint32_t index);

  std::unique_ptr<Impl> impl_;
  Durability durability_;
};

}  // namespace sy::audit
