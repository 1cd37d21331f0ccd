#include "audit/audit_writer.h"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/stack.hpp>
#include <chrono>
#include <fstream>

#include "audit/capture_mask.h"
#include "audit/checkpoint.h"
#include "audit/encoding.h"
#include "audit/file_io.h"
#include "audit/segment.h"
#include "core/ids.h"
#include "core/time_spec.h"

namespace sy::audit {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxBatch = 4096;

// The record of last resort for one whose body the log refused.
std::string fallback_body(const AuditRecord& rec, const std::string& why) {
  AuditRecord stub;
  stub.kind = rec.kind;
  stub.ts_ms = rec.ts_ms;
  stub.request_id = rec.request_id;
  stub.principal = rec.principal;
  stub.action = rec.action;
  stub.model = rec.model;
  stub.deployment = rec.deployment;
  stub.status = rec.status;
  stub.error = "audit record could not be serialised: " + why;
  std::string body;
  append_body(stub, body);
  return body;
}

// The log's name in the store, kept in <dir>/log-id so that it stays with the files:
// audit.log_id when set (and the file agrees), else the file's, else a new one made of
// the host name and a random suffix.
Result<std::string> resolve_log_id(const AuditConfig& config) {
  const std::filesystem::path path = std::filesystem::path(config.dir) / "log-id";
  std::string stored;
  if (std::ifstream in(path); in) std::getline(in, stored);
  if (!stored.empty()) {
    if (!config.log_id.empty() && config.log_id != stored) {
      return fail(ErrorKind::Internal, "audit: " + config.dir + " is the log of \"" + stored +
                                           "\", not of audit.log_id \"" + config.log_id +
                                           "\"; point each replica at its own directory");
    }
    return stored;
  }
  std::string id = config.log_id;
  if (id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    id = fmt::format("{}-{:08x}", host[0] != '\0' ? host : "gateway",
                     static_cast<uint32_t>(random_u64()));
  }
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << id << '\n';
    if (!out.flush()) return fail(ErrorKind::Internal, "audit: cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail(ErrorKind::Internal, "audit: cannot write " + path.string() + ": " + ec.message());
  if (auto r = fsync_dir(config.dir); !r) return std::unexpected(r.error());
  return id;
}

struct Completion {
  AuditWriter::Done done;
  boost::asio::any_io_executor where;  // where `done` runs
};

struct Slot {
  AuditRecord record;
  // Absent: fire and forget. (An optional, because Boost 1.81's any_completion_handler
  // cannot be move-assigned from an empty one.)
  std::optional<Completion> completion;
};

}  // namespace

struct AuditWriter::Impl {
  AuditConfig config;
  std::unique_ptr<store::Store> store;
  std::optional<SegmentWriter> log;
  std::unique_ptr<CaptureMasker> masker;  // audit.capture: masked
  std::optional<CheckpointLog> checkpoint_log;
  SigningKey key;
  std::string public_key_b64;

  // Slot i is held by at most one party at a time: the free list, a request, the queue
  // or the writer. Hand-offs go through the lock-free free list and queue, whose
  // push/pop order the memory accesses, so a slot's contents need no lock.
  std::vector<std::unique_ptr<Slot>> slots;
  boost::lockfree::stack<uint32_t> free_slots;  // LIFO: recently used slots are warm
  boost::lockfree::queue<uint32_t> queue;       // slots waiting for the writer
  std::atomic<bool> failed{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> writer_idle{false};
  int wake_fd = -1;
  std::thread thread;

  // Writer-thread state.
  std::string log_id;         // this log's name in the store (see the log-id file)
  store::WriteBatch pending;  // index rows not yet in the store
  bool index_behind = false;  // the store missed rows: re-index from the log
  Clock::time_point next_index_retry;
  uint64_t checkpointed_size = 0;
  Clock::time_point next_checkpoint;
  std::atomic<uint64_t> records{0}, batches{0}, checkpoints{0}, signed_size{0};

  explicit Impl(const AuditConfig& c)
      : config(c), slots(c.queue_capacity), free_slots(c.queue_capacity), queue(c.queue_capacity) {
    for (uint32_t i = c.queue_capacity; i-- > 0;) free_slots.bounded_push(i);
  }

  Slot& slot(uint32_t i) { return *slots[i]; }

  // Back to the free list, cleared for its next use (strings keep their capacity).
  void recycle(uint32_t i) {
    Slot& s = slot(i);
    s.record.clear();
    s.completion.reset();
    free_slots.bounded_push(i);
  }

  ~Impl() {
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void wake() {
    const uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }

  // Waits for work, a stop request or the next checkpoint, whichever comes first.
  void wait_for_work() {
    if (stopping.load()) return;  // drain what is left without waiting
    const auto until_checkpoint = std::chrono::duration_cast<std::chrono::milliseconds>(
        next_checkpoint - Clock::now());
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, until_checkpoint.count()));
    if (config.durability == Durability::Batch) {
      timeout_ms = std::min<int>(timeout_ms, static_cast<int>(config.batch_interval_ms));
    } else {
      writer_idle.store(true, std::memory_order_seq_cst);
      if (!queue.empty() || stopping.load()) {
        writer_idle.store(false, std::memory_order_relaxed);
        return;
      }
    }
    pollfd p{wake_fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) > 0) {
      uint64_t n;
      [[maybe_unused]] auto r = ::read(wake_fd, &n, sizeof n);
    }
    writer_idle.store(false, std::memory_order_relaxed);
  }

  void complete(std::vector<uint32_t>& items, bool ok) {
    for (uint32_t i : items) {
      Slot& s = slot(i);
      if (s.completion) {
        boost::asio::post(s.completion->where, [done = std::move(s.completion->done), ok]() mutable {
          std::move(done)(ok);
        });
      }
      recycle(i);
    }
    items.clear();
  }

  // Appends one batch to the log and makes it durable; queues its index rows.
  void write_batch(std::vector<uint32_t>& items, std::vector<std::string>& bodies,
                   std::vector<std::string_view>& views) {
    if (bodies.size() < items.size()) bodies.resize(items.size());
    views.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      AuditRecord& rec = slot(items[i]).record;
      if (masker) mask_capture(rec);
      bodies[i].clear();
      append_body(rec, bodies[i]);
      views.push_back(bodies[i]);
    }
    bool ok = !failed.load();
    std::vector<AppendedEntry> appended;
    if (ok) {
      auto r = log->append(views);
      // A body the log refuses (a bug in how a record was serialised) must not stop
      // auditing, nor vanish: it is replaced by a minimal record saying so.
      for (size_t tries = 0; !r && r.error().code == "invalid_audit_body" && tries < items.size();
           ++tries) {
        const size_t i = std::strtoull(r.error().param.c_str(), nullptr, 10);
        if (i >= items.size()) break;
        const AuditRecord& rec = slot(items[i]).record;
        spdlog::error("audit: record {} could not be serialised ({}); writing a stub",
                      rec.request_id, r.error().message);
        bodies[i] = fallback_body(rec, r.error().message);
        views[i] = bodies[i];
        r = log->append(views);
      }
      if (r) {
        appended = std::move(*r);
        if (auto s = log->sync(); !s) {
          ok = false;
          spdlog::critical("audit: cannot sync the log: {}", s.error().message);
        }
      } else {
        ok = false;
        spdlog::critical("audit: cannot append to the log: {}", r.error().message);
      }
      if (!ok) failed.store(true);
    }
    if (ok) {
      for (size_t i = 0; i < items.size(); ++i) {
        if (index_behind) continue;  // catch_up_index() will read them from the log
        const AuditRecord& rec = slot(items[i]).record;
        store::AuditIndexRow x = index_row(rec);
        x.log_id = log_id;
        x.seq = appended[i].seq;
        x.segment = appended[i].segment;
        x.offset = appended[i].offset;
        pending.audit.push_back(std::move(x));
        if (auto s = spend_row(rec)) pending.spend.push_back(std::move(*s));
      }
      records.fetch_add(items.size(), std::memory_order_relaxed);
      batches.fetch_add(1, std::memory_order_relaxed);
    }
    complete(items, ok);
  }

  void mask_capture(AuditRecord& r) {
    if (r.captured_request.empty() && r.captured_response.empty()) return;
    std::vector<governance::MaskedValue> seen;
    if (!r.captured_request.empty()) masker->mask(r.captured_request, seen, r.masked);
    if (!r.captured_response.empty()) masker->mask(r.captured_response, seen, r.masked);
    r.capture_masked = true;
  }

  Result<void> sign_checkpoint() {
    const uint64_t size = log->size();
    if (size == checkpointed_size) return {};
    auto cp = audit::sign_checkpoint(size, log->root(), unix_now_ms(), key);
    if (!cp) return std::unexpected(cp.error());
    if (auto r = checkpoint_log->append(*cp); !r) return r;
    checkpointed_size = size;
    signed_size.store(size, std::memory_order_relaxed);
    checkpoints.fetch_add(1, std::memory_order_relaxed);
    if (!index_behind) pending.checkpoints.push_back(checkpoint_row(*cp));
    return {};
  }

  store::CheckpointRow checkpoint_row(const Checkpoint& cp) const {
    return {log_id, cp.tree_size, to_hex(cp.root), cp.ts_ms, cp.key_id,
            base64_encode(cp.signature)};
  }

  // Writes the pending index rows. On failure they are dropped — the log is the record —
  // and the index is rebuilt from the log once the store answers again, so a store
  // outage neither grows memory nor leaves holes in the index.
  void flush_index() {
    if (index_behind) {
      if (Clock::now() < next_index_retry) return;
      if (auto r = catch_up_index(); !r) {
        next_index_retry = Clock::now() + std::chrono::seconds(1);
        return;
      }
      index_behind = false;
    }
    if (pending.empty()) return;
    if (auto r = store->write(pending); !r) {
      spdlog::error("audit: the {} store refused {} index rows; re-indexing from the log once "
                    "it answers: {}",
                    store->backend(), pending.audit.size(), r.error().message);
      index_behind = true;
      next_index_retry = Clock::now() + std::chrono::seconds(1);
    }
    pending = {};
  }

  void run() {
    std::vector<uint32_t> items;
    std::vector<std::string> bodies;
    std::vector<std::string_view> views;
    items.reserve(kMaxBatch);
    views.reserve(kMaxBatch);
    bool more = false;
    for (;;) {
      if (!more) wait_for_work();  // a backlog is written at once
      const bool stop = stopping.load();
      uint32_t item = 0;
      while (items.size() < kMaxBatch && queue.pop(item)) items.push_back(item);
      // Only a full batch means a backlog worth writing at once; otherwise wait for the
      // next interval (batch) or wake-up (sync), so batches stay large and syncs few.
      const bool full = items.size() == kMaxBatch;
      if (!items.empty()) write_batch(items, bodies, views);
      more = full && !queue.empty();
      const bool done = stop && queue.empty();
      if ((Clock::now() >= next_checkpoint || done) && !failed.load()) {
        if (auto r = sign_checkpoint(); !r) {
          spdlog::error("audit: cannot write a checkpoint: {}", r.error().message);
        }
        next_checkpoint = Clock::now() + std::chrono::milliseconds(config.checkpoint_interval_ms);
      }
      flush_index();
      if (done) break;
    }
  }

  // Copies the checkpoints of the file that the store may lack (those from the index's
  // high water on) into the store.
  Result<void> catch_up_checkpoints(uint64_t from_tree_size) {
    auto file = read_checkpoint_file(config.dir);
    if (!file && file.error().kind == ErrorKind::NotFound) return {};
    if (!file) return std::unexpected(file.error());
    store::WriteBatch batch;
    for (const auto& line : file->lines) {
      if (!line.complete) continue;
      auto cp = parse_checkpoint(line.text);
      if (!cp) return std::unexpected(cp.error());
      if (cp->tree_size >= from_tree_size) batch.checkpoints.push_back(checkpoint_row(*cp));
    }
    return store->write(batch);
  }

  // Indexes log entries the store has not seen (after a crash between the log write
  // and the index write).
  Result<void> catch_up_index() {
    auto high = store->audit_high_water(log_id);
    if (!high) return std::unexpected(high.error());
    if (auto r = catch_up_checkpoints(*high); !r) return r;
    if (*high >= log->size()) return {};
    auto reader = SegmentReader::open(config.dir);
    if (!reader) return std::unexpected(reader.error());
    store::WriteBatch batch;
    uint64_t replayed = 0;
    for (uint64_t seq = 0;; ++seq) {
      auto line = reader->next();
      if (!line) return std::unexpected(line.error());
      if (!*line || !(*line)->complete) break;
      if (seq < *high) continue;
      auto indexed = index_entry((*line)->text, (*line)->segment, (*line)->offset);
      if (!indexed) return std::unexpected(indexed.error());
      indexed->index.log_id = log_id;
      batch.audit.push_back(std::move(indexed->index));
      if (indexed->spend) batch.spend.push_back(std::move(*indexed->spend));
      ++replayed;
      if (batch.audit.size() >= 10'000) {
        if (auto r = store->write(batch); !r) return r;
        batch = {};
      }
    }
    if (!batch.empty()) {
      if (auto r = store->write(batch); !r) return r;
    }
    spdlog::warn("audit: indexed {} log entries the {} store had not received", replayed,
                 store->backend());
    return {};
  }
};

Result<std::unique_ptr<AuditWriter>> AuditWriter::open(const AuditConfig& config,
                                                       std::unique_ptr<store::Store> store) {
  auto impl = std::make_unique<Impl>(config);
  impl->store = std::move(store);
  auto key = load_or_create_signing_key(config.signing_key_file);
  if (!key) return std::unexpected(key.error());
  if (!key->note.empty()) spdlog::warn("audit: {}", key->note);
  if (key->created) {
    spdlog::info("audit: created the checkpoint signing key {}", config.signing_key_file);
  }
  impl->key = std::move(key->key);
  impl->public_key_b64 = base64_encode(impl->key.public_key);
  std::error_code ec;
  std::filesystem::create_directories(config.dir, ec);
  if (auto r = write_public_key(std::filesystem::path(config.dir) / "signing.pub",
                                impl->key.public_key);
      !r) {
    return std::unexpected(r.error());
  }
  // The writer serialises every body itself (append_body), so the segment need not
  // parse each line again to know it is valid JSON.
  auto log = SegmentWriter::open(config.dir, SegmentOptions{.max_segment_bytes = config.segment_max_bytes,
                                                            .validate_json = false});
  if (!log) return std::unexpected(log.error());
  impl->log.emplace(std::move(*log));
  if (impl->log->repaired_bytes() > 0) {
    spdlog::warn("audit: dropped a torn last entry ({} bytes) left by a crash",
                 impl->log->repaired_bytes());
  }
  if (config.capture == CaptureMode::Masked) {
    auto masker = CaptureMasker::create();
    if (!masker) return std::unexpected(masker.error());
    impl->masker = std::move(*masker);
  }
  auto log_id = resolve_log_id(config);
  if (!log_id) return std::unexpected(log_id.error());
  impl->log_id = std::move(*log_id);
  auto cps = CheckpointLog::open(config.dir);
  if (!cps) return std::unexpected(cps.error());
  impl->checkpoint_log.emplace(std::move(*cps));
  if (const auto& last = impl->checkpoint_log->last()) impl->checkpointed_size = last->tree_size;
  if (auto r = impl->catch_up_index(); !r) return std::unexpected(r.error());
  impl->records = impl->log->size();
  // Cover whatever the last run wrote after its last checkpoint.
  if (auto r = impl->sign_checkpoint(); !r) return std::unexpected(r.error());
  impl->flush_index();
  impl->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (impl->wake_fd < 0) return fail(ErrorKind::Internal, "audit: eventfd failed");
  impl->next_checkpoint = Clock::now() + std::chrono::milliseconds(config.checkpoint_interval_ms);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<AuditWriter>(new AuditWriter(std::move(impl), config.durability));
}

AuditWriter::AuditWriter(std::unique_ptr<Impl> impl, Durability d)
    : impl_(std::move(impl)), durability_(d) {}

AuditWriter::~AuditWriter() { stop(); }

AuditSlot AuditWriter::try_reserve() {
  if (impl_->failed.load(std::memory_order_relaxed)) return {};
  uint32_t i = 0;
  if (!impl_->free_slots.pop(i)) return {};
  if (!impl_->slots[i]) impl_->slots[i] = std::make_unique<Slot>();
  return AuditSlot(this, i);
}

AuditRecord& AuditWriter::slot_record(uint32_t index) { return impl_->slot(index).record; }

void AuditWriter::release(uint32_t index) { impl_->recycle(index); }

AuditSlot& AuditSlot::operator=(AuditSlot&& other) noexcept {
  if (this != &other) {
    reset();
    writer_ = other.writer_;
    index_ = other.index_;
    other.writer_ = nullptr;
  }
  return *this;
}

AuditRecord& AuditSlot::record() { return writer_->slot_record(index_); }

void AuditSlot::reset() {
  if (writer_ != nullptr) writer_->release(index_);
  writer_ = nullptr;
}

bool AuditWriter::healthy() const { return !impl_->failed.load(std::memory_order_relaxed); }

void AuditWriter::enqueue(AuditSlot slot, Done done, boost::asio::any_io_executor ex) {
  const uint32_t i = slot.index_;
  slot.writer_ = nullptr;  // handed over: no longer released when `slot` goes
  if (done) impl_->slot(i).completion.emplace(Completion{std::move(done), std::move(ex)});
  // The queue holds every slot, so there is always room.
  while (!impl_->queue.bounded_push(i)) std::this_thread::yield();
  if (impl_->writer_idle.load(std::memory_order_seq_cst) &&
      impl_->writer_idle.exchange(false, std::memory_order_acq_rel)) {
    impl_->wake();
  }
}

AuditWriter::Stats AuditWriter::stats() const {
  return {impl_->records.load(), impl_->batches.load(), impl_->checkpoints.load(),
          impl_->signed_size.load()};
}

const std::string& AuditWriter::public_key_b64() const { return impl_->public_key_b64; }

const std::string& AuditWriter::log_id() const { return impl_->log_id; }

void AuditWriter::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->stopping.store(true);
  impl_->wake();
  impl_->thread.join();
}

}  // namespace sy::audit
