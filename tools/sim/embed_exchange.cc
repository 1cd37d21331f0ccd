#include "embed_exchange.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <vector>

namespace sy::sim {

const Wire& EmbedExchange::wire() const {
  switch (format_) {
    case EmbedFormat::Gemini:
      return gemini_wire();
    case EmbedFormat::Titan:
    case EmbedFormat::Cohere:
      return bedrock_wire();
    case EmbedFormat::OpenAI:
      break;
  }
  return openai_wire();
}

net::awaitable<bool> EmbedExchange::run() {
  state_.stats.count_request();
  session_.start_watching();
  const bool finished = co_await answer();
  co_await session_.stop_watching();
  if (session_.client_gone()) {
    state_.stats.count_client_disconnect();
    co_return false;
  }
  if (!finished) co_return false;
  state_.stats.count_completed();
  co_return http_.keep_alive();
}

std::optional<ApiError> EmbedExchange::prepare() {
  const std::string_view body = http_.body();
  const std::string path_model = path_model_.value_or("");
  std::expected<EmbedRequest, ApiError> request;
  switch (format_) {
    case EmbedFormat::OpenAI:
      request = parse_openai_embeddings(body);
      break;
    case EmbedFormat::Gemini:
      request = parse_gemini_batch_embed(body, path_model);
      break;
    case EmbedFormat::Titan:
      request = parse_titan_embed(body, path_model);
      break;
    case EmbedFormat::Cohere:
      request = parse_cohere_embed(body, path_model);
      break;
  }
  if (!request) return request.error();
  request_ = std::move(*request);
  state_.stats.count_model(request_.model);
  model_ = state_.config.find_model(request_.model);
  if (model_ == nullptr) return wire().unknown_model(request_.model);

  std::optional<std::string_view> header;
  if (auto h = http_.find("x-sim-fault"); h != http_.end()) header = h->value();
  std::vector<std::string_view> texts(request_.texts.begin(), request_.texts.end());
  auto fault = collect_request_faults(header, texts, model_->faults, request_.model,
                                      state_.fault_tally);
  if (!fault) return ApiError{.status = 400, .message = fault.error()};
  fault_ = std::move(*fault);
  spdlog::debug("embeddings model={} inputs={} fault={}", request_.model, request_.texts.size(),
                !fault_.has_no_effect());
  return std::nullopt;
}

// Coroutines here await only in plain statements and pass named values (GCC 12).
net::awaitable<bool> EmbedExchange::answer() {
  if (std::optional<ApiError> error = prepare()) {
    co_return co_await send_error(std::move(*error), std::nullopt);
  }
  if (fault_.delay_ms) {
    const auto delay = std::chrono::milliseconds(*fault_.delay_ms);
    if (!co_await session_.wait_for(delay)) co_return false;
  }
  if (fault_.reset) {
    co_await session_.stop_watching();
    session_.abort();
    co_return false;
  }
  if (fault_.status) {
    std::optional<int> retry_after = fault_.retry_after;
    if (!retry_after && *fault_.status == 429) retry_after = 1;
    ApiError error = injected_error(*fault_.status);
    co_return co_await send_error(std::move(error), retry_after);
  }
  const auto ttft = std::chrono::milliseconds(model_->ttft_ms);
  if (!co_await session_.wait_for(ttft)) co_return false;

  const int64_t dimensions =
      request_.dimensions.value_or(default_dimensions(request_.model, model_->dimensions));
  HttpResponse response{http::status::ok, http_.version()};
  response.set(http::field::server, "switchyard-sim");
  response.set(http::field::content_type, "application/json");
  if (format_ == EmbedFormat::Titan || format_ == EmbedFormat::Cohere) {
    // Bedrock reports the input token count of every InvokeModel call in this header.
    int64_t tokens = 0;
    for (const auto& t : request_.texts) tokens += embed_tokens(t);
    response.set("x-amzn-bedrock-input-token-count", std::to_string(tokens));
  }
  response.keep_alive(http_.keep_alive());
  response.body() = fault_.malformed ? malformed_embeddings(format_)
                                     : render_embeddings(format_, request_, dimensions);
  co_return co_await session_.write(std::move(response));
}

net::awaitable<bool> EmbedExchange::send_error(ApiError error, std::optional<int> retry_after) {
  ErrorAnswer answer = wire().error(error);
  HttpResponse response{static_cast<http::status>(answer.status), http_.version()};
  response.set(http::field::server, "switchyard-sim");
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  if (retry_after) response.set(http::field::retry_after, std::to_string(*retry_after));
  response.keep_alive(http_.keep_alive());
  response.body() = std::move(answer.body);
  co_return co_await session_.write(std::move(response));
}

}  // namespace sy::sim
