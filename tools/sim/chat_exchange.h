// Serves one chat completion request end to end: validation, fault injection, the model's
// timing, and the answer as a whole `chat.completion` or a paced stream of chunks. One object
// per request, used only by its connection's coroutine on the io_context thread.
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

namespace sy::sim {

class ChatExchange {
 public:
  // `deployment` is the Azure deployment name from the URL, which names the model.
  ChatExchange(SimState& state, Session& session, const HttpRequest& http,
               std::optional<std::string> deployment)
      : state_(state), session_(session), http_(http), deployment_(std::move(deployment)) {}

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
  // The model's delay before the first chunk plus `pieces - 1` token intervals.
  std::chrono::steady_clock::duration paced(size_t pieces) const;

  SimState& state_;
  Session& session_;
  const HttpRequest& http_;
  std::optional<std::string> deployment_;

  const ModelConfig* model_ = nullptr;
  FaultSpec fault_;
  ResponseMeta meta_;
  Reply reply_;
  bool stream_ = false;
};

}  // namespace sy::sim
