// A deliberately simple blocking HTTP/1.1 test client over POSIX sockets, independent
// of the gateway's HTTP code: it sends exactly the bytes a test asks for and reads
// back status, headers and the (de-chunked) body. Not thread-safe; one per test.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sy::testing {

struct HttpReply {
  int status = 0;  // 0: no parseable response (connection closed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class RawConnection {
 public:
  explicit RawConnection(uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send_all(std::string_view bytes);
  // Reads one response; `timeout` bounds the whole read.
  HttpReply read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Reads whatever arrives until `marker` is seen or the timeout passes.
  std::string read_until(std::string_view marker, std::chrono::milliseconds timeout);
  // True if the peer closed the connection (EOF) within the timeout.
  bool closed_by_peer(std::chrono::milliseconds timeout);
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
HttpReply http_request(uint16_t port, const std::string& method, const std::string& path,
                       const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {});

inline HttpReply post_json(uint16_t port, const std::string& path, const std::string& body) {
  return http_request(port, "POST", path, body, {{"content-type", "application/json"}});
}

}  // namespace sy::testing
