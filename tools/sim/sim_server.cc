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
#include <charconv>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "auth.h"
#include "chat_exchange.h"
#include "embed_exchange.h"
#include "session.h"
#include "sim_state.h"
#include "wire.h"

namespace sy::sim {
namespace {

using net::ip::tcp;

constexpr int64_t kModelsCreated = 1'700'000'000;  // fixed, so /v1/models is deterministic
constexpr std::string_view kAzurePrefix = "/openai/deployments/";
constexpr std::string_view kAzureSuffix = "/chat/completions";
constexpr std::string_view kBedrockPrefix = "/model/";

// A Gemini route: /v1beta/models/{model}:generateContent, :streamGenerateContent or
// :batchEmbedContents.
struct GeminiRoute {
  std::string_view model;
  bool stream = false;
  bool embed = false;
};

std::optional<GeminiRoute> gemini_route(std::string_view path) {
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/"}) {
    if (!path.starts_with(prefix)) continue;
    const std::string_view rest = path.substr(prefix.size());
    const size_t colon = rest.rfind(':');
    if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
    const std::string_view model = rest.substr(0, colon);
    if (model.find('/') != std::string_view::npos) return std::nullopt;
    const std::string_view method = rest.substr(colon + 1);
    if (method == "generateContent") return GeminiRoute{model, false};
    if (method == "streamGenerateContent") return GeminiRoute{model, true};
    if (method == "batchEmbedContents") return GeminiRoute{model, false, true};
  }
  return std::nullopt;
}

// A Bedrock route: /model/{modelId}/converse, /converse-stream or /invoke (embeddings), with
// the model id percent-decoded (SDKs send `:` as %3A).
struct BedrockRoute {
  std::string model;
  bool stream = false;
  bool invoke = false;
};

std::optional<BedrockRoute> bedrock_route(std::string_view path) {
  if (!path.starts_with(kBedrockPrefix)) return std::nullopt;
  const std::string_view rest = path.substr(kBedrockPrefix.size());
  const size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  const std::string_view action = rest.substr(slash + 1);
  if (action != "converse" && action != "converse-stream" && action != "invoke") {
    return std::nullopt;
  }
  BedrockRoute route{.stream = action == "converse-stream", .invoke = action == "invoke"};
  const std::string_view encoded = rest.substr(0, slash);
  for (size_t i = 0; i < encoded.size(); ++i) {
    unsigned value = 0;
    if (encoded[i] == '%' && i + 2 < encoded.size() &&
        std::from_chars(encoded.data() + i + 1, encoded.data() + i + 3, value, 16).ptr ==
            encoded.data() + i + 3) {
      route.model += static_cast<char>(value);
      i += 2;
    } else {
      route.model += encoded[i];
    }
  }
  return route;
}

void log_exception(const std::exception_ptr& error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("switchyard-sim: {}", e.what());
  }
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

HttpResponse error_response(const HttpRequest& request, const ApiError& error,
                            const Wire& wire = openai_wire()) {
  ErrorAnswer answer = wire.error(error);
  HttpResponse response{static_cast<http::status>(answer.status), request.version()};
  response.set(http::field::server, "switchyard-sim");
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(answer.body);
  return response;
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

    if (post && path == "/v1/embeddings") {
      std::optional<ApiError> refused = check_openai_auth(state_->config, request_, false);
      co_return co_await embed(EmbedFormat::OpenAI, std::move(refused), std::nullopt);
    }
    if (post && path == "/v1/chat/completions") {
      std::optional<ApiError> refused = check_openai_auth(state_->config, request_, false);
      co_return co_await chat(openai_wire(), std::move(refused), std::nullopt, false);
    }
    if (auto deployment = azure_deployment(path); post && deployment) {
      std::optional<ApiError> refused;
      if (query_param(query, "api-version").value_or("").empty()) {
        refused = ApiError{.status = 400,
                           .message = "Missing required query parameter 'api-version'.",
                           .param = "api-version",
                           .code = "missing_required_parameter"};
      } else {
        refused = check_openai_auth(state_->config, request_, true);
      }
      std::optional<std::string> name(*deployment);
      co_return co_await chat(openai_wire(), std::move(refused), std::move(name), false);
    }
    if (post && path == "/v1/messages") {
      std::optional<ApiError> refused = check_anthropic_auth(state_->config, request_);
      co_return co_await chat(anthropic_wire(), std::move(refused), std::nullopt, false);
    }
    if (auto route = gemini_route(path); post && route) {
      std::optional<ApiError> refused = check_gemini_auth(state_->config, request_, query);
      if (route->embed) {
        std::optional<std::string> model(route->model);
        co_return co_await embed(EmbedFormat::Gemini, std::move(refused), std::move(model));
      }
      if (!refused && route->stream && query_param(query, "alt") != "sse") {
        refused = ApiError{.status = 400,
                           .message =
                               "switchyard-sim streams Gemini responses only as "
                               "server-sent events: add ?alt=sse to the URL."};
      }
      std::optional<std::string> model(route->model);
      co_return co_await chat(gemini_wire(), std::move(refused), std::move(model), route->stream);
    }
    if (auto route = bedrock_route(path); post && route) {
      std::optional<ApiError> refused = check_bedrock_auth(state_->config, request_);
      if (route->invoke) {
        // InvokeModel's body shape is the model's: Titan or Cohere embeddings here.
        const std::optional<EmbedFormat> format = bedrock_embed_format(route->model);
        if (!refused && !format) {
          refused = ApiError{.status = 400,
                             .message = "switchyard-sim serves InvokeModel only for embeddings "
                                        "models (amazon.titan-embed-*, cohere.embed-*)"};
        }
        std::optional<std::string> model(std::move(route->model));
        co_return co_await embed(format.value_or(EmbedFormat::Titan), std::move(refused),
                                 std::move(model));
      }
      std::optional<std::string> model(std::move(route->model));
      co_return co_await chat(bedrock_wire(), std::move(refused), std::move(model), route->stream);
    }
    const bool written = co_await session_.write(simple_response(path));
    co_return written&& request_.keep_alive();
  }

  // A chat request in `wire`'s format, unless `refused` (authentication, a missing parameter)
  // says otherwise. `path_model` and `path_stream` come from the URL.
  net::awaitable<bool> chat(const Wire& wire, std::optional<ApiError> refused,
                            std::optional<std::string> path_model, bool path_stream) {
    if (refused) {
      const bool written = co_await session_.write(error_response(request_, *refused, wire));
      co_return written&& request_.keep_alive();
    }
    ChatExchange exchange(*state_, session_, request_, wire, std::move(path_model), path_stream);
    co_return co_await exchange.run();
  }

  // An embeddings request in `format`, unless `refused` says otherwise.
  net::awaitable<bool> embed(EmbedFormat format, std::optional<ApiError> refused,
                             std::optional<std::string> path_model) {
    if (refused) {
      const Wire& wire = format == EmbedFormat::OpenAI   ? openai_wire()
                         : format == EmbedFormat::Gemini ? gemini_wire()
                                                         : bedrock_wire();
      const bool written = co_await session_.write(error_response(request_, *refused, wire));
      co_return written&& request_.keep_alive();
    }
    EmbedExchange exchange(*state_, session_, request_, format, std::move(path_model));
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
      if (auto refused = check_openai_auth(state_->config, request_, false)) {
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
