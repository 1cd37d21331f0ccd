// Serves one chat request end to end, in any wire format: validation, fault injection, the
// model's timing, and the answer as a whole response or a paced stream, rendered by the
// request's Wire. One object per request, used only by its connection's coroutine on the
// io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "chat_request.h"
#include "faults.h"
#include "responder.h"
#include "session.h"
#include "sim_state.h"
#include "wire.h"

namespace sy::sim {

class ChatExchange {
 public:
  // `path_model` is the model named by the URL (Azure deployment, Gemini model, Bedrock model
  // id); `path_stream` is whether the URL asks for a stream (Gemini, Bedrock).
  ChatExchange(SimState& state, Session& session, const HttpRequest& http, const Wire& wire,
               std::optional<std::string> path_model, bool path_stream)
      : state_(state),
        session_(session),
        http_(http),
        wire_(wire),
        path_model_(std::move(path_model)),
        path_stream_(path_stream) {}

  // Answers the request; returns whether the connection can carry another request.
  net::awaitable<bool> run();

 private:
  // Each returns false when the response did not finish normally (client gone, or the
  // connection closed on purpose by a fault). Coroutines take no reference parameters: what
  // they need lives in the members below.
  net::awaitable<bool> answer();
  net::awaitable<bool> send_error(ApiError error, std::optional<int> retry_after);
  net::awaitable<bool> send_whole();
  net::awaitable<bool> send_stream();

  // Validates the request, finds the model and the faults, and plans the reply; returns the
  // error to answer with instead, if any.
  std::optional<ApiError> prepare();
  // The faults that apply to this request: header, `[[sim:...]]` blocks, the model's config.
  std::expected<FaultSpec, std::string> collect_faults(const ChatRequest& request,
                                                       const ModelConfig& model);
  // Milliseconds since the request arrived (Bedrock's `metrics.latencyMs`).
  int64_t latency_ms() const;
  // The model's delay before the first chunk plus `pieces - 1` token intervals.
  std::chrono::steady_clock::duration paced(size_t pieces) const;

  SimState& state_;
  Session& session_;
  const HttpRequest& http_;
  const Wire& wire_;
  std::optional<std::string> path_model_;
  bool path_stream_ = false;
  std::chrono::steady_clock::time_point received_ = std::chrono::steady_clock::now();

  const ModelConfig* model_ = nullptr;
  FaultSpec fault_;
  ResponseMeta meta_;
  Reply reply_;
  bool stream_ = false;
};

}  // namespace sy::sim
