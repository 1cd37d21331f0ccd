// Test support for the simulator's HTTP tests: runs switchyard-sim in-process on port 0 on its
// own thread and talks to it over loopback with a blocking Beast client. Not thread-safe: one
// test thread drives it.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "sim_server.h"

namespace sy::sim::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
using net::ip::tcp;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 0;
  http::fields headers;
  std::string body;
  boost::system::error_code error;
};

// A blocking HTTP/1.1 client connection to the simulator.
class Client {
 public:
  explicit Client(unsigned short port) : socket_(io_) {
    socket_.connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
  }

  void send(http::verb method, std::string_view target, std::string body = {},
            const Headers& headers = {}) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(socket_, request);
  }

  Response receive() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    Response result;
    http::read(socket_, buffer_, parser, result.error);
    result.status = parser.get().result_int();
    result.headers = parser.get().base();
    result.body = parser.get().body();
    return result;
  }

  // Reads only the response header, leaving the body (a stream) unread.
  int receive_header() {
    http::response_parser<http::string_body> parser;
    http::read_header(socket_, buffer_, parser);
    return parser.get().result_int();
  }

  void close() { socket_.close(); }

 private:
  net::io_context io_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

class SimHarness : public ::testing::Test {
 protected:
  void start(std::string_view yaml) {
    auto config = parse_sim_config(yaml, "test.yaml");
    ASSERT_TRUE(config) << config.error();
    server_ = std::make_unique<SimServer>(io_, std::move(*config));
    auto bound = server_->listen(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    ASSERT_TRUE(bound) << bound.error();
    port_ = bound->port();
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      io_.stop();
      thread_.join();
    }
    server_.reset();
  }

  Response call(http::verb method, std::string_view target, std::string body = {},
                const Headers& headers = {}) {
    Client client(port_);
    client.send(method, target, std::move(body), headers);
    return client.receive();
  }

  Response post(std::string_view target, const nlohmann::json& body, const Headers& headers = {}) {
    return call(http::verb::post, target, body.dump(), headers);
  }

  nlohmann::json stats() { return nlohmann::json::parse(call(http::verb::get, "/sim/stats").body); }

  net::io_context io_;
  std::unique_ptr<SimServer> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

// A config for the per-format tests: small replies, 2-byte tool-argument fragments, a
// scripted tool call with a nested, multi-byte argument object.
inline constexpr std::string_view kFormatConfig = R"yaml(
api_key: ${SY_SIM_TEST_API_KEY:-}
defaults: {tool_arg_chunk: 2}
models:
  sim-small: {output_tokens: 6}
  anthropic.claude-3-haiku-20240307-v1:0: {output_tokens: 4}
script:
  - match: "weather in (\\w+)"
    tool_call: {name: get_weather, arguments: {city: "Zürich", days: 3, opts: {unit: celsius, hourly: true}}}
)yaml";

// The exact arguments text the scripted tool call carries (keys sorted, UTF-8 unescaped).
inline constexpr std::string_view kToolArguments =
    R"({"city":"Zürich","days":3,"opts":{"hourly":true,"unit":"celsius"}})";

}  // namespace sy::sim::testing
