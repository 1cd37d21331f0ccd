// RedisConnection: one asynchronous Redis connection (hiredis's async API) driven by a
// Boost.Asio io_context: the hiredis socket is watched with a posix::stream_descriptor
// on that io_context, so no thread ever blocks on Redis. One connection per io_context
// (per gateway worker); not thread-safe — call it only on its io_context's thread, and
// handlers run there too.
//
// The connection is made on first use and made again after it drops; while Redis is
// unreachable, attempts are spaced by `reconnect_backoff_ms` and commands fail at once.
// Every command has a deadline (`timeout_ms`, connecting included): when the oldest
// outstanding command passes it, the connection is dropped and every outstanding command
// fails. Failures are ErrorKind::Unavailable (503) with code "redis_unavailable".
// Destroying the connection fails the commands still outstanding.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace boost::asio {
class io_context;
}

namespace sy::store {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string unix_path;  // used instead of host:port when set
  std::string password;
  uint32_t db = 0;
};

// redis://[:password@]host[:port][/db] or unix:PATH[?db=N]
Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisReply {
  enum class Type { Nil, Integer, String, Status, Error, Array };
  Type type = Type::Nil;
  int64_t integer = 0;
  std::string str;  // String, Status and Error
  std::vector<RedisReply> elements;
};

// A Lua script and its SHA-1 (what EVALSHA names it by).
struct RedisScript {
  explicit RedisScript(std::string source);
  std::string source;
  std::string sha1_hex;
};

struct RedisOptions {
  RedisEndpoint endpoint;
  uint32_t timeout_ms = 250;
  uint32_t reconnect_backoff_ms = 100;
};

class RedisConnection {
 public:
  using ReplyHandler = std::move_only_function<void(Result<RedisReply>)>;

  RedisConnection(boost::asio::io_context& ctx, RedisOptions options);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command. An error reply from Redis arrives as a RedisReply of type Error.
  void command(std::vector<std::string> args, ReplyHandler done);
  // Runs `script` with EVALSHA, falling back to EVAL when Redis answers NOSCRIPT (EVAL
  // also caches it for the next EVALSHA). An error reply becomes ErrorKind::Internal.
  void eval(const RedisScript& script, const std::vector<std::string>& keys,
            const std::vector<std::string>& args, ReplyHandler done);

  bool connected() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sy::store
