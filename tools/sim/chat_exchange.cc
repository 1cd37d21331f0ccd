#include "chat_exchange.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <utility>
#include <vector>

namespace sy::sim {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kStall = std::chrono::seconds(60);

// Counts a request in flight for exactly as long as this object lives.
class ActiveScope {
 public:
  explicit ActiveScope(Stats& stats) : stats_(stats) { stats_.begin_active(); }
  ~ActiveScope() { stats_.end_active(); }
  ActiveScope(const ActiveScope&) = delete;
  ActiveScope& operator=(const ActiveScope&) = delete;

 private:
  Stats& stats_;
};

}  // namespace

net::awaitable<bool> ChatExchange::run() {
  state_.stats.count_request();
  const ActiveScope active(state_.stats);
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

std::optional<ApiError> ChatExchange::prepare() {
  auto request = wire_.parse(http_.body(), path_model_, path_stream_);
  if (!request) return request.error();
  state_.stats.count_model(request->model);

  model_ = state_.config.find_model(request->model);
  if (!model_) return wire_.unknown_model(request->model);
  auto fault = collect_faults(*request, *model_);
  if (!fault) return ApiError{.status = 400, .message = fault.error()};
  fault_ = std::move(*fault);

  reply_ = plan_reply(*request, *model_, state_.config.script,
                      state_.random_id(wire_.tool_id_prefix(), 24));
  meta_ = ResponseMeta{.id = state_.random_id(wire_.response_id_prefix(), 29),
                       .created = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count(),
                       .model = request->model,
                       .include_usage = request->include_usage};
  stream_ = request->stream;
  spdlog::debug("chat {} wire={} model={} stream={} fault={}", meta_.id, wire_.name(), meta_.model,
                stream_, !fault_.has_no_effect());
  return std::nullopt;
}

// GCC 12 miscompiles some co_await expressions: an awaitable in a short-circuited && operand,
// and braced temporaries in a co_await's arguments, are destroyed twice. Coroutines here await
// only in plain statements and pass named values.
net::awaitable<bool> ChatExchange::answer() {
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
  if (stream_) co_return co_await send_stream();
  co_return co_await send_whole();
}

net::awaitable<bool> ChatExchange::send_error(ApiError error, std::optional<int> retry_after) {
  ErrorAnswer answer = wire_.error(error);
  HttpResponse response{static_cast<http::status>(answer.status), http_.version()};
  response.set(http::field::server, "switchyard-sim");
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  if (retry_after) response.set(http::field::retry_after, std::to_string(*retry_after));
  response.keep_alive(http_.keep_alive());
  response.body() = std::move(answer.body);
  co_return co_await session_.write(std::move(response));
}

int64_t ChatExchange::latency_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - received_).count();
}

Clock::duration ChatExchange::paced(size_t pieces) const {
  std::chrono::duration<double> total = std::chrono::milliseconds(model_->ttft_ms);
  if (model_->tokens_per_second > 0 && pieces > 1) {
    total +=
        std::chrono::duration<double>(static_cast<double>(pieces - 1) / model_->tokens_per_second);
  }
  return std::chrono::duration_cast<Clock::duration>(total);
}

net::awaitable<bool> ChatExchange::send_whole() {
  if (!co_await session_.wait_for(paced(wire_.piece_count(reply_)))) co_return false;
  HttpResponse response{http::status::ok, http_.version()};
  response.set(http::field::server, "switchyard-sim");
  response.set(http::field::content_type, "application/json");
  response.set("x-request-id", meta_.id);
  response.keep_alive(http_.keep_alive());
  meta_.latency_ms = latency_ms();
  response.body() = fault_.malformed ? wire_.malformed_whole(meta_) : wire_.whole(meta_, reply_);
  co_return co_await session_.write(std::move(response));
}

net::awaitable<bool> ChatExchange::send_stream() {
  StreamHead head{http::status::ok, http_.version()};
  head.set(http::field::server, "switchyard-sim");
  head.set(http::field::content_type, wire_.stream_content_type());
  head.set(http::field::cache_control, "no-cache");
  head.set("x-request-id", meta_.id);
  head.keep_alive(http_.keep_alive());
  if (!co_await session_.write_stream_head(std::move(head))) co_return false;

  const Clock::time_point start = Clock::now();
  if (!co_await session_.wait_until(start + paced(1))) co_return false;
  std::string head_events = wire_.stream_head(meta_, reply_);
  if (!head_events.empty()) {
    if (!co_await session_.write_chunk(std::move(head_events))) co_return false;
  }
  if (fault_.malformed) {
    if (!co_await session_.write_chunk(wire_.stream_malformed(meta_))) co_return false;
    co_return co_await session_.write_last_chunk();
  }

  const size_t pieces = wire_.piece_count(reply_);
  for (size_t i = 0; i <= pieces; ++i) {
    if (fault_.cut_after && std::cmp_equal(*fault_.cut_after, i)) {
      co_await session_.stop_watching();
      session_.close();
      co_return false;
    }
    if (fault_.error_after && std::cmp_equal(*fault_.error_after, i)) {
      const ApiError error = injected_error(503);
      if (!co_await session_.write_chunk(wire_.stream_error(meta_, error))) co_return false;
      co_return co_await session_.write_last_chunk();
    }
    if (fault_.stall_after && std::cmp_equal(*fault_.stall_after, i)) {
      if (!co_await session_.wait_for(kStall)) co_return false;
    }
    if (i == pieces) break;
    if (!co_await session_.wait_until(start + paced(i + 1))) co_return false;
    if (!co_await session_.write_chunk(wire_.stream_piece(meta_, reply_, i))) co_return false;
  }
  meta_.latency_ms = latency_ms();
  if (!co_await session_.write_chunk(wire_.stream_finish(meta_, reply_))) co_return false;
  co_return co_await session_.write_last_chunk();
}

std::expected<FaultSpec, std::string> ChatExchange::collect_faults(const ChatRequest& request,
                                                                   const ModelConfig& model) {
  std::optional<std::string_view> header;
  if (auto h = http_.find("x-sim-fault"); h != http_.end()) header = h->value();
  std::vector<std::string_view> texts;
  for (const ChatMessage& message : request.messages) texts.emplace_back(message.text);
  return collect_request_faults(header, texts, model.faults, request.model, state_.fault_tally);
}

}  // namespace sy::sim
