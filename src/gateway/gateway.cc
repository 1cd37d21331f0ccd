#include "gateway/gateway.h"

#include <boost/asio/post.hpp>

#include "core/ids.h"
#include "core/log.h"
#include "gateway/handler.h"
#include "http/server.h"
#include "protocols/openai_chat.h"

namespace sy::gateway {

Result<std::unique_ptr<Gateway>> Gateway::start(ConfigPtr config, std::string listen) {
  auto snapshot = build_snapshot(config);
  if (!snapshot) return std::unexpected(snapshot.error());
  auto address = parse_listen_address(listen.empty() ? config->server.listen : listen);
  if (!address) return std::unexpected(address.error());
  auto options = http::ServerOptions::from(config->server, *address);
  options.render_error = [](const Error& e) { return protocols::openai_chat::encode_error(e); };
  options.make_request_id = new_request_id;
  auto server = http::Server::create(std::move(options));
  if (!server) return std::unexpected(server.error());

  std::unique_ptr<Gateway> g(new Gateway());
  g->server_ = std::move(*server);
  g->current_ = *snapshot;
  for (size_t i = 0; i < g->server_->workers(); ++i) {
    auto w = std::make_unique<WorkerState>(g->server_->context(i));
    w->snapshot = g->current_;
    g->workers_.push_back(std::move(w));
  }
  Gateway* self = g.get();
  g->server_->start([self](size_t i) -> std::unique_ptr<http::Handler> {
    return std::make_unique<GatewayHandler>(*self->workers_[i], self->draining_);
  });
  return g;
}

Gateway::~Gateway() {
  // Connections end first (their coroutines use the workers' pools), then the pools'
  // sockets, while the io_contexts they belong to still exist, then the server.
  if (!draining_.load()) drain();
  workers_.clear();
  server_.reset();
}

uint16_t Gateway::port() const { return server_->port(); }

Result<void> Gateway::apply(ConfigPtr config) {
  auto snapshot = build_snapshot(std::move(config));
  if (!snapshot) return std::unexpected(snapshot.error());
  current_ = *snapshot;
  for (auto& w : workers_) {
    boost::asio::post(w->context, [w = w.get(), s = current_] { w->snapshot = s; });
  }
  return {};
}

size_t Gateway::drain() {
  draining_.store(true, std::memory_order_relaxed);
  const auto timeout = std::chrono::milliseconds(current_->config->server.drain_timeout_ms);
  return server_->drain(timeout);
}

}  // namespace sy::gateway
