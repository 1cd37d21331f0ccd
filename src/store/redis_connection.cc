#include "store/redis_connection.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <openssl/evp.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>

namespace sy::store {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

Error unavailable(std::string why) {
  return Error::make(ErrorKind::Unavailable, "Redis is unavailable: " + std::move(why), {},
                     "redis_unavailable");
}

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::Array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

RedisScript::RedisScript(std::string src) : source(std::move(src)) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(source.data(), source.size(), md, &len, EVP_sha1(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    sha1_hex.push_back(kHex[md[i] >> 4]);
    sha1_hex.push_back(kHex[md[i] & 15]);
  }
}

// Lives in a shared_ptr: pending Asio waits hold it, so it outlives a destroyed
// RedisConnection until they are cancelled.
struct RedisConnection::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& c, RedisOptions o) : ctx(c), opt(std::move(o)), watchdog(c) {}

  struct Pending {
    std::weak_ptr<Impl> owner;
    ReplyHandler done;
  };

  asio::io_context& ctx;
  RedisOptions opt;
  redisAsyncContext* ac = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> sd;
  uint64_t generation = 0;  // which hiredis context the waits belong to
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;    // an async_wait is outstanding
  std::deque<Clock::time_point> deadlines;  // of outstanding commands, oldest first
  bool watchdog_armed = false;
  asio::steady_timer watchdog;
  Clock::time_point retry_at{};  // no new connection attempt before this
  std::string drop_reason;       // why the connection is being dropped

  // --- hiredis event hooks -------------------------------------------------------------
  static Impl* of(void* p) { return static_cast<Impl*>(p); }
  static void add_read(void* p) {
    of(p)->want_read = true;
    of(p)->arm_read();
  }
  static void del_read(void* p) { of(p)->want_read = false; }
  static void add_write(void* p) {
    of(p)->want_write = true;
    of(p)->arm_write();
  }
  static void del_write(void* p) { of(p)->want_write = false; }
  static void cleanup(void* p) {
    // The hiredis context is being freed (error, disconnect or our own free): it closes
    // the socket itself, so the descriptor lets go of it without closing it.
    Impl* self = of(p);
    if (self->sd) {
      boost::system::error_code ec;
      self->sd->cancel(ec);
      self->sd->release();
      self->sd.reset();
    }
    self->ac = nullptr;
    self->want_read = self->want_write = false;
    self->deadlines.clear();
    ++self->generation;
  }
  static void on_connect(const redisAsyncContext* c, int status) {
    if (status != REDIS_OK) {
      Impl* self = of(c->ev.data);
      self->drop_reason = std::string("cannot connect: ") + c->errstr;
      self->retry_at = Clock::now() + std::chrono::milliseconds(self->opt.reconnect_backoff_ms);
    }
  }
  static void on_disconnect(const redisAsyncContext* c, int status) {
    if (status != REDIS_OK)
      of(c->ev.data)->drop_reason = std::string("connection lost: ") + c->errstr;
  }
  static void on_reply(redisAsyncContext* c, void* r, void* priv) {
    std::unique_ptr<Pending> p(static_cast<Pending*>(priv));
    auto self = p->owner.lock();
    if (self && !self->deadlines.empty()) self->deadlines.pop_front();
    if (r == nullptr) {
      std::string why = self && !self->drop_reason.empty() ? self->drop_reason
                        : c->err != 0                      ? std::string(c->errstr)
                                                           : std::string("connection closed");
      p->done(std::unexpected(unavailable(std::move(why))));
      return;
    }
    p->done(convert(static_cast<redisReply*>(r)));
  }

  void arm_read() {
    if (reading || !sd) return;
    reading = true;
    sd->async_wait(asio::posix::stream_descriptor::wait_read,
                   [self = shared_from_this(), gen = generation](boost::system::error_code ec) {
                     self->reading = false;
                     if (ec || gen != self->generation || self->ac == nullptr) return;
                     redisAsyncHandleRead(self->ac);
                     if (gen == self->generation && self->want_read) self->arm_read();
                   });
  }
  void arm_write() {
    if (writing || !sd) return;
    writing = true;
    sd->async_wait(asio::posix::stream_descriptor::wait_write,
                   [self = shared_from_this(), gen = generation](boost::system::error_code ec) {
                     self->writing = false;
                     if (ec || gen != self->generation || self->ac == nullptr) return;
                     redisAsyncHandleWrite(self->ac);
                     if (gen == self->generation && self->want_write) self->arm_write();
                   });
  }

  // A connection, made if there is none. False (with drop_reason set) when it cannot be.
  bool ensure_connected() {
    if (ac != nullptr) return true;
    if (Clock::now() < retry_at) return false;
    const RedisEndpoint& e = opt.endpoint;
    redisAsyncContext* c = e.unix_path.empty() ? redisAsyncConnect(e.host.c_str(), e.port)
                                               : redisAsyncConnectUnix(e.unix_path.c_str());
    if (c == nullptr || c->err != 0) {
      drop_reason = std::string("cannot connect: ") + (c ? c->errstr : "out of memory");
      if (c) redisAsyncFree(c);
      retry_at = Clock::now() + std::chrono::milliseconds(opt.reconnect_backoff_ms);
      return false;
    }
    ac = c;
    drop_reason.clear();
    reading = writing = false;
    sd = std::make_unique<asio::posix::stream_descriptor>(ctx, c->c.fd);
    c->ev.data = this;
    c->ev.addRead = add_read;
    c->ev.delRead = del_read;
    c->ev.addWrite = add_write;
    c->ev.delWrite = del_write;
    c->ev.cleanup = cleanup;
    redisAsyncSetConnectCallback(c, on_connect);
    redisAsyncSetDisconnectCallback(c, on_disconnect);
    // Session set-up goes first in the output buffer, before any command.
    if (!e.password.empty()) send({"AUTH", e.password}, [](Result<RedisReply>) {});
    if (e.db != 0) send({"SELECT", std::to_string(e.db)}, [](Result<RedisReply>) {});
    return true;
  }

  void fail_later(ReplyHandler done, std::string why) {
    asio::post(ctx, [done = std::move(done), why = std::move(why)]() mutable {
      done(std::unexpected(unavailable(std::move(why))));
    });
  }

  void send(const std::vector<std::string>& args, ReplyHandler done) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto p = std::make_unique<Pending>(Pending{weak_from_this(), std::move(done)});
    if (redisAsyncCommandArgv(ac, on_reply, p.get(), static_cast<int>(argv.size()), argv.data(),
                              lens.data()) != REDIS_OK) {
      fail_later(std::move(p->done), "the connection is closing");
      return;
    }
    p.release();  // on_reply owns it now
    deadlines.push_back(Clock::now() + std::chrono::milliseconds(opt.timeout_ms));
    arm_watchdog();
  }

  void command(std::vector<std::string> args, ReplyHandler done) {
    if (!ensure_connected()) {
      fail_later(std::move(done), drop_reason);
      return;
    }
    send(args, std::move(done));
  }

  void arm_watchdog() {
    if (watchdog_armed || deadlines.empty()) return;
    watchdog_armed = true;
    watchdog.expires_at(deadlines.front());
    watchdog.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->watchdog_armed = false;
      if (ec) return;
      if (!self->deadlines.empty() && self->deadlines.front() <= Clock::now() && self->ac) {
        // Too slow: drop the connection; every outstanding command fails, the next one
        // connects again.
        self->drop_reason = "no reply within " + std::to_string(self->opt.timeout_ms) + " ms";
        redisAsyncFree(self->ac);
      }
      self->arm_watchdog();
    });
  }

  void shutdown() {
    watchdog.cancel();
    drop_reason = "the connection was closed";
    if (ac != nullptr) redisAsyncFree(ac);
  }
};

RedisConnection::RedisConnection(asio::io_context& ctx, RedisOptions options)
    : impl_(std::make_shared<Impl>(ctx, std::move(options))) {}

RedisConnection::~RedisConnection() { impl_->shutdown(); }

bool RedisConnection::connected() const {
  return impl_->ac != nullptr && (impl_->ac->c.flags & REDIS_CONNECTED) != 0;
}

void RedisConnection::command(std::vector<std::string> args, ReplyHandler done) {
  impl_->command(std::move(args), std::move(done));
}

void RedisConnection::eval(const RedisScript& script, const std::vector<std::string>& keys,
                           const std::vector<std::string>& args, ReplyHandler done) {
  auto build = [&](const char* verb, const std::string& body) {
    std::vector<std::string> cmd;
    cmd.reserve(3 + keys.size() + args.size());
    cmd.emplace_back(verb);
    cmd.push_back(body);
    cmd.push_back(std::to_string(keys.size()));
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
  auto as_result = [](Result<RedisReply> r) -> Result<RedisReply> {
    if (r && r->type == RedisReply::Type::Error) {
      return fail(ErrorKind::Internal, "Redis script failed: " + r->str, {}, "redis_error");
    }
    return r;
  };
  // The EVAL command is built now (the script and arguments may be gone by the reply).
  impl_->command(
      build("EVALSHA", script.sha1_hex),
      [impl = std::weak_ptr<Impl>(impl_), fallback = build("EVAL", script.source), as_result,
       done = std::move(done)](Result<RedisReply> r) mutable {
        auto self = impl.lock();
        if (self && r && r->type == RedisReply::Type::Error && r->str.starts_with("NOSCRIPT")) {
          self->command(std::move(fallback),
                        [as_result, done = std::move(done)](Result<RedisReply> r2) mutable {
                          done(as_result(std::move(r2)));
                        });
          return;
        }
        done(as_result(std::move(r)));
      });
}

}  // namespace sy::store
