// The Amazon Bedrock Runtime Converse codec
// (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html and
// API_runtime_ConverseStream.html), egress only: a canonical request becomes a Converse
// body, Bedrock's answers (JSON, or AWS event-stream events) become canonical ones. The
// model is not in the body but in the path (request_path). Pure, no I/O. The mapping, the
// features Bedrock cannot express and the stop-reason table are in docs/protocols.md
// ("Bedrock Converse"). The codec is a stateless singleton, thread-safe (per-thread
// parsers); stream decoders and encoders belong to one response.
//
// Not an ingress protocol: decode_ingress() answers 400 "bedrock_converse is not an
// ingress protocol"; decode_request() (the full decode) exists for tests and the simulator.
//
// Streams (stream_framing() == AwsEventStream). The gateway de-frames the event stream
// (aws::EventStreamDecoder) and calls StreamDecoder::decode(event, payload) with
//   - for `:message-type` "event":     event = the `:event-type` header ("messageStart",
//     "contentBlockDelta", …), data = the JSON payload;
//   - for `:message-type` "exception": event = "exception:" + the `:exception-type`
//     header ("exception:throttlingException"), data = the JSON payload ({"message":…});
//   - for `:message-type` "error":     event = "exception:" + the `:error-code` header,
//     data = {"message": the `:error-message` header} (the gateway builds it).
// Exceptions become a canonical Error event (error_type = the exception name). Bedrock
// sends `metadata` (usage) after `messageStop`: the decoder holds the Stop back until the
// metadata arrives (it emits Usage, then Stop) or finish() is called, so the canonical
// order (Usage before Stop) holds; the gateway must read the body to its end.
// The stream encoder writes whole event-stream frames (aws::encode_event) — Bedrock's own
// wire, for the simulator and round-trip tests; client-facing streams are SSE.
//
// Errors: Bedrock's body is {"message": …}; the type travels in the `x-amzn-errortype`
// header, which is the gateway's job (exception_name() gives it for an ErrorKind).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/aws_sigv4.h"
#include "protocols/codec.h"

namespace sy::protocols {

class BedrockConverseCodec final : public Codec {
 public:
  model::Protocol protocol() const override { return model::Protocol::BedrockConverse; }
  std::string_view name() const override { return "bedrock_converse"; }

  // Always a 400: Bedrock is not offered to clients (see above).
  Result<model::ChatRequest> decode_ingress(std::string body) const override;
  // The raw body, unchanged: the model is in the path, not the body.
  std::string forward_request(const model::ChatRequest& req,
                              std::string_view upstream_model) const override;
  Result<model::Request> decode_request(std::string_view body) const override;
  Result<std::string> encode_request(const model::Request& req,
                                     std::string_view upstream_model) const override;
  // "/model/<model id, AWS-URI-encoded>/converse" or ".../converse-stream" (':' → %3A).
  // Sign it with aws::PathStyle::Service (it is encoded once more for the signature).
  std::string request_path(std::string_view upstream_model, bool stream) const override;
  Framing stream_framing() const override { return Framing::AwsEventStream; }

  Result<model::Response> decode_response(std::string_view body) const override;
  Result<std::string> encode_response(const model::Response& resp) const override;
  std::unique_ptr<StreamDecoder> stream_decoder() const override;
  // Writes AWS event-stream frames, not SSE (see above). `options` is unused.
  std::unique_ptr<StreamEncoder> stream_encoder(const StreamOptions& options) const override;

  // {"message": …}; see exception_name() for the x-amzn-errortype header.
  std::string encode_error(const Error& error) const override;
  // "message" (or "Message") of the body, or the body itself (shortened).
  std::string decode_error_message(std::string_view body) const override;

  // The Bedrock exception name for an error kind (the `x-amzn-errortype` header):
  //   InvalidRequest, PayloadTooLarge, HeadersTooLarge, MethodNotAllowed → ValidationException
  //   (400) Authentication, PermissionDenied → AccessDeniedException (403) NotFound →
  //   ResourceNotFoundException (404) RateLimited → ThrottlingException (429) RequestTimeout,
  //   UpstreamTimeout → ModelTimeoutException (408) Unavailable → ServiceUnavailableException (503)
  //   Internal, UpstreamError → InternalServerException (500)
  static const char* exception_name(ErrorKind kind);
  // The ErrorKind of a Bedrock exception name (header value or stream exception type, any
  // case, "…Exception" suffix optional); Internal for names it does not know.
  static ErrorKind kind_of_exception(std::string_view name);
};

const BedrockConverseCodec& bedrock_converse_codec();

namespace aws {

// Signs a Bedrock Runtime call (service "bedrock", PathStyle::Service). `path` is the
// request_path() as sent on the wire. Returns the headers to add to the request:
// content-type: application/json (signed), x-amz-date, x-amz-security-token when the
// credentials carry one, authorization. Fails as aws::sign() does.
Result<std::vector<HttpHeader>> sign_bedrock(std::string_view method, std::string_view host,
                                             std::string_view path, std::string_view body,
                                             const Credentials& credentials,
                                             std::string_view region, std::chrono::sys_seconds now);

}  // namespace aws

}  // namespace sy::protocols
