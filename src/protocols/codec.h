// Codec: one wire protocol (OpenAI Chat Completions, Anthropic Messages, Gemini, Bedrock
// Converse), used both ways — ingress (decode a client's request, encode our answer) and
// egress (encode a request for a provider, decode its answer). N protocols cost N codecs,
// not N² translators: every translation goes through the canonical model
// (model/canonical.h). Streams are translated event by event by a stateful decoder
// (upstream wire → canonical events) and a stateful encoder (canonical events → client
// wire); neither buffers a whole response.
//
// A feature the target protocol cannot express is a 400 naming the feature and the
// protocol (`unsupported()`), never a silent drop. Codecs are stateless singletons,
// thread-safe; stream decoders and encoders belong to one response.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/canonical.h"
#include "model/chat.h"

namespace sy::protocols {

// 400 invalid_request_error, code "unsupported_feature":
// "<feature> cannot be expressed in <protocol>".
std::unexpected<Error> unsupported(std::string_view feature, std::string_view protocol);

// Upstream stream → canonical events. `decode` takes one framed upstream event: for SSE
// protocols the event's name ("" when it has none) and data; for AWS event streams the
// :event-type header and the payload. Appends what it yields to `out` (does not clear it).
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  virtual Result<void> decode(std::string_view event, std::string_view data,
                              std::vector<model::StreamEvent>& out) = 0;
  // The upstream closed the stream. Fails (UpstreamError) when it ended before its
  // protocol's end marker; may append final events (a Stop the wire left implicit).
  virtual Result<void> finish(std::vector<model::StreamEvent>& out) = 0;
};

// Canonical events → client wire bytes: whole SSE events ("event: …\ndata: …\n\n"),
// appended to `out`.
class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  virtual void encode(const model::StreamEvent& event, std::string& out) = 0;
  // After the last event: the protocol's terminator, if any (OpenAI: "data: [DONE]").
  virtual void finish(std::string& out) = 0;
};

// What an ingress stream encoder needs to know about the client's request.
struct StreamOptions {
  bool include_usage = false;  // OpenAI: the client asked for a usage chunk
};

enum class Framing { Sse, AwsEventStream };

class Codec {
 public:
  virtual ~Codec() = default;

  virtual model::Protocol protocol() const = 0;
  virtual std::string_view name() const = 0;  // "openai_chat", "anthropic_messages", …

  // ---- Requests ----
  // Ingress: a client's request as the pipeline sees it (model, text per message, counts
  // of tools and images, max_tokens, stream), keeping the raw body for same-protocol
  // forwarding. Errors are 400s naming the field.
  virtual Result<model::ChatRequest> decode_ingress(std::string body) const = 0;
  // Same-protocol forwarding of a decoded ingress request with the model replaced.
  virtual std::string forward_request(const model::ChatRequest& req,
                                      std::string_view upstream_model) const = 0;
  // Full decode into the canonical form, for translation.
  virtual Result<model::Request> decode_request(std::string_view body) const = 0;
  // Egress: the body for `upstream_model`. Fails with unsupported() for what this protocol
  // cannot express.
  virtual Result<std::string> encode_request(const model::Request& req,
                                             std::string_view upstream_model) const = 0;
  // The upstream path for a chat call on `upstream_model` (OpenAI "/v1/chat/completions",
  // Gemini "/v1beta/models/<m>:streamGenerateContent?alt=sse", …), relative to the
  // provider's base URL path.
  virtual std::string request_path(std::string_view upstream_model, bool stream) const = 0;
  virtual Framing stream_framing() const { return Framing::Sse; }

  // ---- Responses ----
  virtual Result<model::Response> decode_response(std::string_view body) const = 0;
  virtual Result<std::string> encode_response(const model::Response& resp) const = 0;
  virtual std::unique_ptr<StreamDecoder> stream_decoder() const = 0;
  virtual std::unique_ptr<StreamEncoder> stream_encoder(const StreamOptions& options) const = 0;

  // ---- Errors ----
  // The protocol's error envelope for `error` (status comes from error.kind).
  virtual std::string encode_error(const Error& error) const = 0;
  // The message of an error body in this protocol's shape, or the body itself (shortened).
  virtual std::string decode_error_message(std::string_view body) const = 0;

  // ---- Stream framing (SSE protocols) ----
  // `error` as one whole in-band SSE event, for a stream whose status was already sent.
  // Default: "data: <encode_error>\n\n".
  virtual std::string stream_error_event(const Error& error) const;
  // Whether this SSE event ends the protocol's stream (held back by a gateway until the
  // request is recorded). Default: none does.
  virtual bool ends_stream(std::string_view event, std::string_view data) const;
};

const Codec& codec_for(model::Protocol protocol);

}  // namespace sy::protocols
