#include "protocols/aws_sigv4.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace sy::protocols::aws {
namespace {

using Digest = std::array<std::uint8_t, 32>;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

// OpenSSL 3 looks an algorithm up by name on every one-shot call (HMAC(), EVP_sha256() in
// EVP_Digest), which costs more than hashing a few hundred bytes. The algorithms are
// fetched once per process and the HMAC context kept per thread, re-keyed for each use.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

EVP_MAC_CTX* hmac_sha256_ctx() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local const MacCtx ctx = [] {
    MacCtx c(mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (c && EVP_MAC_CTX_set_params(c.get(), params) != 1) c.reset();
    return c;
  }();
  return ctx.get();
}

Result<Digest> hmac(std::span<const std::uint8_t> key, std::string_view data) {
  Digest out;
  std::size_t len = 0;
  EVP_MAC_CTX* ctx = hmac_sha256_ctx();
  if (ctx == nullptr || EVP_MAC_init(ctx, key.data(), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    return fail(ErrorKind::Internal, "SigV4: HMAC-SHA256 failed");
  }
  return out;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool token_char(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trims leading and trailing blanks and turns each inner run of blanks into one space.
std::string trim_all(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (is_blank(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool added_by_sign(std::string_view lower_name) {
  return lower_name == "host" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-security-token" || lower_name == "x-amz-content-sha256" ||
         lower_name == "authorization";
}

struct CanonicalHeader {
  std::string name;  // lower case
  std::string value;
};

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 15]);
    }
  }
  return out;
}

std::string canonical_uri(std::string_view path, PathStyle style) {
  if (path.empty()) return "/";
  if (style == PathStyle::S3) return std::string(path);
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t slash = std::min(path.find('/', pos), path.size());
    const std::string_view seg = path.substr(pos, slash - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    pos = slash + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += uri_encode(segments[i], false);
  }
  if (!segments.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string canonical_query(std::span<const QueryParam> query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& q : query)
    encoded.emplace_back(uri_encode(q.name, false), uri_encode(q.value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string amz_date(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(t - day);
  std::string out = "00000000T000000Z";
  auto put = [&](std::size_t end, long v, int digits) {
    for (int i = 0; i < digits; ++i, v /= 10) out[end - i] = static_cast<char>('0' + v % 10);
  };
  put(3, static_cast<int>(ymd.year()), 4);  // years 0..9999, as AWS timestamps are
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(7, static_cast<unsigned>(ymd.day()), 2);
  put(10, hms.hours().count(), 2);
  put(12, hms.minutes().count(), 2);
  put(14, hms.seconds().count(), 2);
  return out;
}

Result<std::array<std::uint8_t, 32>> signing_key(std::string_view secret_access_key,
                                                 std::string_view date, std::string_view region,
                                                 std::string_view service) {
  const std::string first = "AWS4" + std::string(secret_access_key);
  auto k = hmac({reinterpret_cast<const std::uint8_t*>(first.data()), first.size()}, date);
  for (std::string_view part : {region, service, std::string_view("aws4_request")}) {
    if (!k) return k;
    k = hmac(*k, part);
  }
  return k;
}

Result<std::string> sha256_hex(std::string_view data) {
  Digest out;
  unsigned int len = 0;
  if (sha256_md() == nullptr ||
      EVP_Digest(data.data(), data.size(), out.data(), &len, sha256_md(), nullptr) != 1 ||
      len != out.size()) {
    return fail(ErrorKind::Internal, "SigV4: SHA-256 failed");
  }
  return to_hex(out);
}

Result<Signature> sign(const SigningRequest& req, const Credentials& credentials,
                       const SigningOptions& options, std::chrono::sys_seconds now) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return fail(ErrorKind::InvalidRequest, "SigV4: the access key id and secret must be set");
  }
  if (options.region.empty() || options.service.empty() ||
      options.region.find('/') != std::string_view::npos ||
      options.service.find('/') != std::string_view::npos) {
    return fail(ErrorKind::InvalidRequest, "SigV4: region and service must be set, without '/'");
  }
  if (req.method.empty() ||
      !std::all_of(req.method.begin(), req.method.end(), [](char c) { return token_char(c); })) {
    return fail(ErrorKind::InvalidRequest, "SigV4: bad HTTP method");
  }
  auto bad_value = [](std::string_view v) {
    return v.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
  };

  Signature out;
  out.amz_date = amz_date(now);
  const std::string date = out.amz_date.substr(0, 8);
  auto payload_hash = sha256_hex(req.payload);
  if (!payload_hash) return std::unexpected(payload_hash.error());

  std::vector<CanonicalHeader> headers;
  headers.reserve(req.headers.size() + 4);
  headers.push_back({"host", trim_all(req.host)});
  headers.push_back({"x-amz-date", out.amz_date});
  if (!credentials.session_token.empty()) {
    out.security_token = credentials.session_token;
    headers.push_back({"x-amz-security-token", out.security_token});
  }
  if (options.sign_content_sha256) {
    out.content_sha256 = *payload_hash;
    headers.push_back({"x-amz-content-sha256", out.content_sha256});
  }
  if (bad_value(req.host) || bad_value(credentials.session_token) ||
      bad_value(credentials.access_key_id)) {
    return fail(ErrorKind::InvalidRequest,
                "SigV4: host, access key id or session token holds CR, LF or NUL");
  }
  for (const auto& h : req.headers) {
    if (h.name.empty() ||
        !std::all_of(h.name.begin(), h.name.end(), [](char c) { return token_char(c); })) {
      return fail(ErrorKind::InvalidRequest, "SigV4: bad header name \"" + h.name + "\"");
    }
    std::string name = lower(h.name);
    if (added_by_sign(name)) {
      return fail(ErrorKind::InvalidRequest,
                  "SigV4: header \"" + h.name + "\" is set by the signer");
    }
    if (bad_value(h.value)) {
      return fail(ErrorKind::InvalidRequest,
                  "SigV4: header \"" + h.name + "\" value holds CR, LF or NUL");
    }
    headers.push_back({std::move(name), trim_all(h.value)});
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });

  std::string canonical_headers;
  std::string signed_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].name == headers[i - 1].name) {
      canonical_headers.pop_back();  // the '\n': a repeated name joins the previous line
      canonical_headers.push_back(',');
    } else {
      if (!signed_headers.empty()) signed_headers.push_back(';');
      signed_headers += headers[i].name;
      canonical_headers += headers[i].name;
      canonical_headers.push_back(':');
    }
    canonical_headers += headers[i].value;
    canonical_headers.push_back('\n');
  }

  out.canonical_request.reserve(256 + canonical_headers.size());
  out.canonical_request.append(req.method).push_back('\n');
  out.canonical_request.append(canonical_uri(req.path, options.path_style)).push_back('\n');
  out.canonical_request.append(canonical_query(req.query)).push_back('\n');
  out.canonical_request.append(canonical_headers).push_back('\n');
  out.canonical_request.append(signed_headers).push_back('\n');
  out.canonical_request.append(*payload_hash);

  auto request_hash = sha256_hex(out.canonical_request);
  if (!request_hash) return std::unexpected(request_hash.error());
  std::string scope = date;
  scope.append("/").append(options.region).append("/").append(options.service);
  scope.append("/aws4_request");
  out.string_to_sign.append(kAlgorithm).push_back('\n');
  out.string_to_sign.append(out.amz_date).push_back('\n');
  out.string_to_sign.append(scope).push_back('\n');
  out.string_to_sign.append(*request_hash);

  auto key = signing_key(credentials.secret_access_key, date, options.region, options.service);
  if (!key) return std::unexpected(key.error());
  auto sig = hmac(*key, out.string_to_sign);
  if (!sig) return std::unexpected(sig.error());
  out.signature = to_hex(*sig);

  out.authorization.append(kAlgorithm).append(" Credential=").append(credentials.access_key_id);
  out.authorization.append("/").append(scope).append(", SignedHeaders=").append(signed_headers);
  out.authorization.append(", Signature=").append(out.signature);
  return out;
}

}  // namespace sy::protocols::aws
