// switchyard-sim's HTTP server: accepts connections on one io_context, one coroutine per
// connection, and routes /v1/chat/completions and the Azure deployments form (OpenAI),
// /v1/messages (Anthropic), /v1beta/models/{model}:generateContent and :streamGenerateContent
// (Gemini), /model/{id}/converse and /converse-stream (Bedrock), the embeddings APIs
// (/v1/embeddings, Gemini :batchEmbedContents, Bedrock /model/{id}/invoke for Titan and
// Cohere), /v1/models, /healthz and the /sim control endpoints. Not thread-safe: call listen() and stop() on the io_context's
// thread or before it runs. State shared with connections is kept alive by them, so the server
// may be destroyed before the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <expected>
#include <memory>
#include <string>

#include "sim_config.h"

namespace sy::sim {

struct SimState;

class SimServer {
 public:
  SimServer(boost::asio::io_context& io, SimConfig config);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds, listens and starts accepting; returns the bound endpoint (the real port for port 0).
  std::expected<boost::asio::ip::tcp::endpoint, std::string> listen(
      const boost::asio::ip::tcp::endpoint& endpoint);

  // Stops accepting. Open connections are left to finish (or to the io_context's shutdown).
  void stop();

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<SimState> state_;
  std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
};

}  // namespace sy::sim
