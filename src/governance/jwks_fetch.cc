// fetch_jwks(): a JWKS document from a file or over HTTP(S). A URL is fetched with the
// gateway's upstream client on a private io_context, run to completion on the calling
// (background) thread.
#include <fstream>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/url.h"
#include "governance/jwks_source.h"
#include "http/client.h"

namespace sy::governance {
namespace {

namespace asio = boost::asio;

constexpr size_t kMaxJwksBytes = 1 << 20;

// Pointers, not references: coroutine parameters are copied into the frame.
http::Task<void> get(http::UpstreamPool* pool, http::UpstreamTarget target, std::string path,
                     Result<std::string>* out) {
  http::Deadlines deadlines;
  deadlines.connect = std::chrono::seconds(5);
  deadlines.first_byte = std::chrono::seconds(10);
  deadlines.idle = std::chrono::seconds(10);
  deadlines.total = std::chrono::seconds(10);
  http::UpstreamCall call(*pool, std::move(target), deadlines);
  http::OutgoingRequest request;
  request.get = true;
  request.target = std::move(path);
  request.headers.push_back({"accept", "application/json"});
  auto head = co_await call.send(std::move(request));
  if (!head) {
    *out = fail(ErrorKind::UpstreamError, head.error().message);
    co_return;
  }
  auto body = co_await call.read_body(kMaxJwksBytes);
  if (!body) {
    *out = fail(ErrorKind::UpstreamError, body.error().message);
  } else if (head->status != 200) {
    *out = fail(ErrorKind::UpstreamError, "HTTP status " + std::to_string(head->status));
  } else {
    *out = std::move(*body);
  }
}

Result<std::string> fetch_url(const JwtIssuerConfig& issuer) {
  auto endpoint = parse_endpoint(issuer.jwks_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  std::string path = endpoint->path_prefix.empty() ? "/" : endpoint->path_prefix;
  if (const size_t q = issuer.jwks_url.find('?'); q != std::string::npos) {
    path += issuer.jwks_url.substr(q);
  }
  asio::io_context ctx;
  Result<std::string> out = fail(ErrorKind::UpstreamError, "no answer");
  {
    http::UpstreamPool pool(ctx);
    http::UpstreamTarget target;
    target.endpoint = &*endpoint;
    target.verify_tls = issuer.verify_tls;
    target.ca_file = issuer.ca_file;
    target.max_idle = 0;
    asio::co_spawn(ctx, get(&pool, std::move(target), std::move(path), &out),
                   [&ctx](const std::exception_ptr&) { ctx.stop(); });
    ctx.run();
  }
  if (!out) {
    return fail(ErrorKind::UpstreamError,
                "cannot fetch " + issuer.jwks_url + ": " + out.error().message);
  }
  return out;
}

}  // namespace

Result<std::string> fetch_jwks(const JwtIssuerConfig& issuer) {
  if (issuer.jwks_url.empty()) {
    std::ifstream in(issuer.jwks_file, std::ios::binary);
    if (!in) return fail(ErrorKind::Internal, "cannot read " + issuer.jwks_file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  return fetch_url(issuer);
}

}  // namespace sy::governance
