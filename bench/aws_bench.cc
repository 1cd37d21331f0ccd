// Cost of the AWS building blocks of the Bedrock codec: decoding one event-stream message
// (a ConverseStream contentBlockDelta with a ~200-byte payload) and signing one Bedrock
// Converse request with SigV4. Baselines in the same run: one CRC32 of the same frame
// (the decoder computes two CRCs over it), and one HMAC-SHA256 and one SHA-256 of the
// request body (signing is five HMACs and two SHA-256s, one of them of the body).
// Run: build/release/aws_bench
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <zlib.h>

#include <array>
#include <string>

#include "protocols/aws_eventstream.h"
#include "protocols/aws_sigv4.h"

namespace {

namespace aws = sy::protocols::aws;
using namespace std::chrono_literals;

std::string delta_frame() {
  std::string payload = R"({"contentBlockIndex":0,"delta":{"text":")";
  while (payload.size() < 190) payload += "revenue grew ";
  payload += R"("},"p":"abcdefgh"})";
  return *aws::encode_event("contentBlockDelta", payload);
}

std::string converse_body() {
  std::string body = R"({"messages":[{"role":"user","content":[{"text":")";
  while (body.size() < 950) body += "Please summarise the quarterly report for the board. ";
  body += R"("}]}],"inferenceConfig":{"maxTokens":256,"temperature":0.2}})";
  return body;
}

void BM_EventStreamDecode(benchmark::State& state) {
  const std::string frame = delta_frame();
  aws::EventStreamDecoder decoder;
  for (auto _ : state) {
    decoder.feed(frame);
    auto m = decoder.next();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(std::to_string(frame.size()) + " B frame");
}
BENCHMARK(BM_EventStreamDecode);

void BM_Crc32Baseline(benchmark::State& state) {
  const std::string frame = delta_frame();
  for (auto _ : state) {
    auto c = crc32_z(0, reinterpret_cast<const Bytef*>(frame.data()), frame.size());
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Crc32Baseline);

void BM_SigV4SignConverse(benchmark::State& state) {
  const std::string body = converse_body();
  const aws::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     state.range(0) != 0 ? "session-token-example" : ""};
  const aws::SigningOptions options{.region = "us-east-1", .service = "bedrock"};
  const std::chrono::sys_seconds now{1440938160s};
  for (auto _ : state) {
    aws::SigningRequest req{
        .method = "POST",
        .host = "bedrock-runtime.us-east-1.amazonaws.com",
        .path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
        .headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}},
        .payload = body};
    auto sig = aws::sign(req, credentials, options, now);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetLabel(std::to_string(body.size()) + " B body");
}
BENCHMARK(BM_SigV4SignConverse)->Arg(0)->Arg(1);

// One HMAC-SHA256 of a string to sign (~140 bytes) the cheapest way OpenSSL 3 offers: the
// algorithm fetched once, one context re-keyed per HMAC (what the signer does).
void BM_HmacBaseline(benchmark::State& state) {
  const std::string data(140, 's');
  const std::array<unsigned char, 32> key{};
  std::array<unsigned char, 32> out{};
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  EVP_MAC_CTX_set_params(ctx, params);
  for (auto _ : state) {
    std::size_t len = 0;
    EVP_MAC_init(ctx, key.data(), key.size(), nullptr);
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    EVP_MAC_final(ctx, out.data(), &len, out.size());
    benchmark::DoNotOptimize(out);
  }
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HmacBaseline);

// For reference: OpenSSL's one-shot HMAC(), which looks the algorithm up on every call.
void BM_HmacOneShot(benchmark::State& state) {
  const std::string data(140, 's');
  const std::array<unsigned char, 32> key{};
  std::array<unsigned char, 32> out{};
  for (auto _ : state) {
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_HmacOneShot);

// One SHA-256 of the 1 KB request body (the signer hashes the body and the canonical
// request).
void BM_Sha256BodyBaseline(benchmark::State& state) {
  const std::string body = converse_body();
  std::array<unsigned char, 32> out{};
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  for (auto _ : state) {
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), out.data(), &len, md, nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_free(md);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sha256BodyBaseline);

}  // namespace
