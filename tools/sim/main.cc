// switchyard-sim: a provider simulator (OpenAI, Anthropic Messages, Gemini, Bedrock Converse wire
// formats) for tests, demos and benchmarks.
// Usage: switchyard-sim --listen HOST:PORT [--config FILE] [--log-level LEVEL]
// After binding it prints `switchyard-sim listening on HOST:PORT` (the real port) to stdout.

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <expected>
#include <string>

#include "sim_config.h"
#include "sim_server.h"

namespace {

namespace net = boost::asio;
using net::ip::tcp;

// HOST:PORT, where HOST is an IPv4 address, [IPv6 address] or a name to resolve.
std::expected<tcp::endpoint, std::string> parse_listen(net::io_context& io,
                                                       const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::unexpected("expected HOST:PORT, got " + text);
  std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return std::unexpected("invalid port in " + text);
  }
  boost::system::error_code error;
  const net::ip::address address = net::ip::make_address(host, error);
  if (!error) return tcp::endpoint(address, static_cast<unsigned short>(port));
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port_text, error);
  if (error || results.empty()) return std::unexpected("cannot resolve " + host);
  return results.begin()->endpoint();
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  return endpoint.address().is_v6() ? fmt::format("[{}]:{}", address, endpoint.port())
                                    : fmt::format("{}:{}", address, endpoint.port());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"switchyard-sim: an OpenAI / Anthropic / Gemini / Bedrock provider simulator"};
  std::string listen;
  std::string config_path;
  std::string log_level = "info";
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0 picks a free port)")
      ->required();
  app.add_option("--config", config_path, "YAML config (models, scripts, faults)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  CLI11_PARSE(app, argc, argv);

  // Logs go to stderr: stdout carries only the `listening on` line that scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("switchyard-sim"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  auto config = config_path.empty()
                    ? std::expected<sy::sim::SimConfig, std::string>(sy::sim::default_sim_config())
                    : sy::sim::load_sim_config(config_path);
  if (!config) {
    spdlog::error("invalid config: {}", config.error());
    return 2;
  }

  net::io_context io{1};
  auto endpoint = parse_listen(io, listen);
  if (!endpoint) {
    spdlog::error("--listen: {}", endpoint.error());
    return 2;
  }
  const size_t model_count = config->models.size();
  sy::sim::SimServer server(io, std::move(*config));
  auto bound = server.listen(*endpoint);
  if (!bound) {
    spdlog::error("{}", bound.error());
    return 1;
  }
  std::fputs(fmt::format("switchyard-sim listening on {}\n", format_endpoint(*bound)).c_str(),
             stdout);
  std::fflush(stdout);
  spdlog::info("serving {} model(s) on {}", model_count, format_endpoint(*bound));

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    server.stop();
    io.stop();
  });
  io.run();
  return 0;
}
