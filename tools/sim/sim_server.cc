#include "sim_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "chat_exchange.h"
#include "session.h"
#include "sim_state.h"

namespace sy::sim {
namespace {

using net::ip::tcp;

constexpr int64_t kModelsCreated = 1'700'000'000;  // fixed, so /v1/models is deterministic
constexpr std::string_view kAzurePrefix = "/openai/deployments/";
constexpr std::string_view kAzureSuffix = "/chat/completions";

void log_exception(const std::exception_ptr& error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("switchyard-sim: {}", e.what());
  }
}

// The value of `key` in a query string, undecoded; nullopt when absent.
std::optional<std::string_view> query_param(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  return std::nullopt;
}

// The deployment in /openai/deployments/{deployment}/chat/completions, if `path` has that form.
std::optional<std::string_view> azure_deployment(std::string_view path) {
  if (!path.starts_with(kAzurePrefix) || !path.ends_with(kAzureSuffix)) return std::nullopt;
  if (path.size() <= kAzurePrefix.size() + kAzureSuffix.size()) return std::nullopt;
  const std::string_view deployment =
      path.substr(kAzurePrefix.size(), path.size() - kAzurePrefix.size() - kAzureSuffix.size());
  if (deployment.find('/') != std::string_view::npos) return std::nullopt;
  return deployment;
}

std::string models_body(const SimConfig& config) {
  nlohmann::ordered_json data = nlohmann::ordered_json::array();
  for (const ModelConfig& model : config.models) {
    data.push_back({{"id", model.name},
                    {"object", "model"},
                    {"created", kModelsCreated},
                    {"owned_by", "switchyard-sim"}});
  }
  const nlohmann::ordered_json body = {{"object", "list"}, {"data", std::move(data)}};
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

HttpResponse json_response(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::server, "switchyard-sim");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  return response;
}

HttpResponse error_response(const HttpRequest& request, const ApiError& error) {
  return json_response(request, static_cast<http::status>(error.status), error_body(error));
}

// Checks `Authorization: Bearer <key>` (OpenAI paths) or `api-key: <key>` (Azure paths).
std::optional<ApiError> check_auth(const SimConfig& config, const HttpRequest& request,
                                   bool azure) {
  if (config.api_key.empty()) return std::nullopt;
  std::string_view given;
  if (azure) {
    given = request[std::string_view("api-key")];
  } else if (std::string_view header = request[http::field::authorization];
             header.starts_with("Bearer ")) {
    given = header.substr(7);
  }
  if (given == config.api_key) return std::nullopt;
  return ApiError{
      .status = 401,
      .message = given.empty()
                     ? (azure ? "Access denied due to missing api-key header."
                              : "You didn't provide an API key. You need to provide your API key "
                                "in an Authorization header using Bearer auth (i.e. "
                                "Authorization: Bearer YOUR_KEY).")
                     : "Incorrect API key provided.",
      .code = "invalid_api_key"};
}

// One connection: reads requests and answers them until either side ends it.
class Connection {
 public:
  Connection(std::shared_ptr<SimState> state, tcp::socket socket)
      : state_(std::move(state)), session_(std::move(socket)) {}

  net::awaitable<void> run() {
    for (;;) {
      auto request = co_await session_.read_request();
      if (!request) {
        if (request.error()) {
          HttpResponse response{static_cast<http::status>(request.error()->status), 11};
          response.set(http::field::content_type, "application/json");
          response.keep_alive(false);
          response.body() = error_body(*request.error());
          co_await session_.write(std::move(response));
        }
        break;
      }
      request_ = std::move(*request);
      if (!co_await handle()) break;
    }
    session_.close();
  }

 private:
  // Answers request_; returns whether the connection stays open.
  net::awaitable<bool> handle() {
    const std::string_view target = request_.target();
    const size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    const bool post = request_.method() == http::verb::post;

    if (post && path == "/v1/chat/completions") co_return co_await chat(std::nullopt, true);
    if (auto deployment = azure_deployment(path); post && deployment) {
      const bool api_version = !query_param(query, "api-version").value_or("").empty();
      std::optional<std::string> name(*deployment);
      co_return co_await chat(std::move(name), api_version);
    }
    const bool written = co_await session_.write(simple_response(path));
    co_return written&& request_.keep_alive();
  }

  // A chat completion; `deployment` is set for the Azure form, which needs an api-version.
  net::awaitable<bool> chat(std::optional<std::string> deployment, bool api_version) {
    std::optional<ApiError> refused;
    if (!api_version) {
      refused = ApiError{.status = 400,
                         .message = "Missing required query parameter 'api-version'.",
                         .param = "api-version",
                         .code = "missing_required_parameter"};
    } else {
      refused = check_auth(state_->config, request_, deployment.has_value());
    }
    if (refused) {
      const bool written = co_await session_.write(error_response(request_, *refused));
      co_return written&& request_.keep_alive();
    }
    ChatExchange exchange(*state_, session_, request_, std::move(deployment));
    co_return co_await exchange.run();
  }

  // The endpoints answered without waiting: health, stats, reset, models, and 404.
  HttpResponse simple_response(std::string_view path) {
    const http::verb method = request_.method();
    if (method == http::verb::get && path == "/healthz") {
      return json_response(request_, http::status::ok, R"({"status":"ok"})");
    }
    if (method == http::verb::get && path == "/sim/stats") {
      return json_response(request_, http::status::ok, state_->stats.to_json());
    }
    if (method == http::verb::post && path == "/sim/reset") {
      state_->stats.reset();
      state_->fault_tally.reset();
      return json_response(request_, http::status::ok, R"({"status":"ok"})");
    }
    if (method == http::verb::get && path == "/v1/models") {
      if (auto refused = check_auth(state_->config, request_, false)) {
        return error_response(request_, *refused);
      }
      return json_response(request_, http::status::ok, models_body(state_->config));
    }
    return error_response(
        request_,
        ApiError{.status = 404,
                 .message = fmt::format("Invalid URL ({} {})",
                                        std::string_view(request_.method_string()), path)});
  }

  std::shared_ptr<SimState> state_;
  Session session_;
  HttpRequest request_;
};

net::awaitable<void> serve_connection(std::shared_ptr<SimState> state, tcp::socket socket) {
  Connection connection(std::move(state), std::move(socket));
  co_await connection.run();
}

net::awaitable<void> accept_loop(std::shared_ptr<SimState> state,
                                 std::shared_ptr<tcp::acceptor> acceptor) {
  net::steady_timer backoff(acceptor->get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(net::as_tuple(net::use_awaitable));
    if (ec == net::error::operation_aborted || !acceptor->is_open()) co_return;
    if (ec) {
      // Out of descriptors or similar: back off instead of spinning.
      spdlog::warn("switchyard-sim: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(net::as_tuple(net::use_awaitable));
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    net::co_spawn(acceptor->get_executor(), serve_connection(state, std::move(socket)),
                  log_exception);
  }
}

}  // namespace

SimServer::SimServer(net::io_context& io, SimConfig config)
    : io_(io), state_(std::make_shared<SimState>(std::move(config))) {}

SimServer::~SimServer() { stop(); }

std::expected<tcp::endpoint, std::string> SimServer::listen(const tcp::endpoint& endpoint) {
  auto acceptor = std::make_shared<tcp::acceptor>(io_);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  const tcp::endpoint bound = ec ? tcp::endpoint{} : acceptor->local_endpoint(ec);
  if (ec) {
    return std::unexpected(fmt::format("cannot listen on {}:{}: {}", endpoint.address().to_string(),
                                       endpoint.port(), ec.message()));
  }
  stop();
  acceptor_ = acceptor;
  net::co_spawn(io_, accept_loop(state_, std::move(acceptor)), log_exception);
  return bound;
}

void SimServer::stop() {
  if (!acceptor_) return;
  boost::system::error_code ec;
  acceptor_->close(ec);
}

}  // namespace sy::sim
