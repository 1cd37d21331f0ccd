// Serves one embeddings request end to end in any of the simulator's embeddings formats
// (embeddings.h): validation, the model lookup, fault injection (`status`, `retry_after`,
// `delay_ms`, `reset`, `malformed` — from the `x-sim-fault` header, `[[sim:...]]` blocks in
// an input text, or the model's config), the model's ttft_ms, and the answer. Errors are
// rendered by the format's Wire (OpenAI, Gemini or Bedrock envelope). One object per request,
// used only by its connection's coroutine on the io_context thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "embeddings.h"
#include "session.h"
#include "sim_state.h"
#include "wire.h"

namespace sy::sim {

class EmbedExchange {
 public:
  // `path_model` is the model the URL names (Gemini, Bedrock); OpenAI's is in the body.
  EmbedExchange(SimState& state, Session& session, const HttpRequest& http, EmbedFormat format,
                std::optional<std::string> path_model)
      : state_(state),
        session_(session),
        http_(http),
        format_(format),
        path_model_(std::move(path_model)) {}

  // Answers the request; returns whether the connection can carry another request.
  net::awaitable<bool> run();

 private:
  net::awaitable<bool> answer();
  net::awaitable<bool> send_error(ApiError error, std::optional<int> retry_after);
  // Parses and validates; returns the error to answer with instead, if any.
  std::optional<ApiError> prepare();
  const Wire& wire() const;

  SimState& state_;
  Session& session_;
  const HttpRequest& http_;
  EmbedFormat format_;
  std::optional<std::string> path_model_;

  const ModelConfig* model_ = nullptr;
  EmbedRequest request_;
  FaultSpec fault_;
};

}  // namespace sy::sim
