// AWS Signature Version 4
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html), the
// `Authorization` header scheme of Bedrock and every other AWS API, computed with OpenSSL's SHA-256
// and HMAC-SHA256:
//   canonical request = method \n canonical URI \n canonical query \n canonical headers \n
//                       signed headers \n hex(sha256(payload))
//   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(sha256(canonical request))
//   signing key       = HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request"
// Pure functions of their arguments (the time included); no I/O, no global state;
// thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace sy::protocols::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary (STS) credentials only; empty otherwise
};

struct HttpHeader {
  std::string name;   // any case; canonicalised to lower case
  std::string value;  // trimmed and inner runs of blanks collapsed for signing
};

struct QueryParam {  // decoded (not percent-encoded) name and value
  std::string name;
  std::string value;
};

// How the path becomes the canonical URI. Every service but S3 (Bedrock included) takes
// the path as it is written in the request line, normalised (empty, "." and ".."
// segments removed) and URI-encoded once more: a path sent as
// "/model/a.b-v1%3A0/converse" is signed as "/model/a.b-v1%253A0/converse". S3 signs
// the path exactly as sent.
enum class PathStyle { Service, S3 };

struct SigningRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view host;    // the Host header: "bedrock-runtime.us-east-1.amazonaws.com"
  std::string_view path;    // as in the request line, without the query; "" means "/"
  std::vector<QueryParam> query;
  // Further headers to sign (content-type, ...), in any order; names are compared
  // case-insensitively and repeated names are joined with "," in the order given. Must
  // not contain host, x-amz-date, x-amz-security-token, x-amz-content-sha256 or
  // authorization: sign() adds those.
  std::vector<HttpHeader> headers;
  std::string_view payload;  // the request body
};

struct SigningOptions {
  std::string_view region;   // "us-east-1"
  std::string_view service;  // "bedrock" for Bedrock's runtime API
  PathStyle path_style = PathStyle::Service;
  bool sign_content_sha256 = false;  // add and sign x-amz-content-sha256 (S3 requires it)
};

// What sign() produces: the headers to add to the request, and the intermediate strings
// (for tests and for debugging a SignatureDoesNotMatch).
struct Signature {
  std::string authorization;  // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
  std::string amz_date;       // x-amz-date: "20150830T123600Z"
  std::string security_token;  // x-amz-security-token (signed), when the credentials have one
  std::string content_sha256;  // x-amz-content-sha256, when sign_content_sha256
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // 64 hex digits
};

// Signs `req` at time `now`. Fails with InvalidRequest when the credentials, region or
// service are empty, a header name is not an HTTP token or is one sign() adds itself,
// or a header value holds a CR, LF or NUL; Internal if OpenSSL fails.
Result<Signature> sign(const SigningRequest& req, const Credentials& credentials,
                       const SigningOptions& options, std::chrono::sys_seconds now);

// The building blocks, exposed for tests and for callers that build paths.

// AWS URI encoding: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex);
// "/" too unless `keep_slash`.
std::string uri_encode(std::string_view s, bool keep_slash);
// The canonical URI of `path` (see PathStyle).
std::string canonical_uri(std::string_view path, PathStyle style);
// Sorted by encoded name, then encoded value; "name=value" joined with "&".
std::string canonical_query(std::span<const QueryParam> query);
// "YYYYMMDDTHHMMSSZ" in UTC, for a time in the years 0000-9999.
std::string amz_date(std::chrono::sys_seconds t);
// The signing key for one day (yyyymmdd), region and service.
Result<std::array<std::uint8_t, 32>> signing_key(std::string_view secret_access_key,
                                                 std::string_view date, std::string_view region,
                                                 std::string_view service);
// Lower-case hex of SHA-256(data).
Result<std::string> sha256_hex(std::string_view data);

}  // namespace sy::protocols::aws
