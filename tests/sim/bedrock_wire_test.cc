// switchyard-sim speaking Amazon Bedrock Converse, over HTTP: converse, converse-stream in AWS
// event-stream framing (decoded here, independently of the simulator's encoder, with both CRCs
// checked), tool use with 2-byte input fragments, the SigV4 header check and the error shapes.
#include "bedrock_wire.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "event_stream.h"
#include "responder.h"
#include "sim_harness.h"

namespace sy::sim {
namespace {

using nlohmann::json;
using testing::Headers;
using testing::kFormatConfig;
using testing::kToolArguments;
using testing::Response;

const Headers kSigned = {
    {"authorization",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/bedrock/aws4_request, "
     "SignedHeaders=content-type;host;x-amz-date, "
     "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
    {"x-amz-date", "20240101T000000Z"}};

constexpr std::string_view kConverse = "/model/sim-small/converse";
constexpr std::string_view kConverseStream = "/model/sim-small/converse-stream";

json converse_body(std::string_view text, json extra = json::object()) {
  json body = {{"messages", {{{"role", "user"}, {"content", {{{"text", text}}}}}}}};
  body.update(extra);
  return body;
}

const json kTools = {
    {"toolConfig",
     {{"tools",
       {{{"toolSpec",
          {{"name", "get_weather"}, {"inputSchema", {{"json", {{"type", "object"}}}}}}}}}}}}};

struct Message {
  std::map<std::string, std::string> headers;
  std::string payload;
};

uint32_t read_u32(std::string_view bytes, size_t at) {
  return (uint32_t{static_cast<uint8_t>(bytes[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(bytes[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(bytes[at + 3])};
}

uint32_t checksum(std::string_view bytes) {
  return static_cast<uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// Decodes a whole application/vnd.amazon.eventstream body, checking lengths and both CRCs.
std::vector<Message> decode(std::string_view body) {
  std::vector<Message> messages;
  while (!body.empty()) {
    EXPECT_GE(body.size(), 16u);
    if (body.size() < 16) break;
    const uint32_t total = read_u32(body, 0);
    const uint32_t headers_length = read_u32(body, 4);
    EXPECT_EQ(read_u32(body, 8), checksum(body.substr(0, 8))) << "prelude CRC";
    EXPECT_LE(total, body.size());
    EXPECT_LE(headers_length + 16, total);
    if (total > body.size() || headers_length + 16 > total) break;
    EXPECT_EQ(read_u32(body, total - 4), checksum(body.substr(0, total - 4))) << "message CRC";
    Message message;
    std::string_view headers = body.substr(12, headers_length);
    while (!headers.empty()) {
      const size_t name_length = static_cast<uint8_t>(headers[0]);
      const std::string name(headers.substr(1, name_length));
      EXPECT_EQ(headers[1 + name_length], 7) << "string header";
      const size_t value_length = (size_t{static_cast<uint8_t>(headers[2 + name_length])} << 8) |
                                  static_cast<uint8_t>(headers[3 + name_length]);
      message.headers[name] = std::string(headers.substr(4 + name_length, value_length));
      headers.remove_prefix(4 + name_length + value_length);
    }
    message.payload = std::string(body.substr(12 + headers_length, total - 16 - headers_length));
    messages.push_back(std::move(message));
    body.remove_prefix(total);
  }
  return messages;
}

class BedrockWireTest : public testing::SimHarness {};

TEST(EventStreamTest, EncodesAKnownMessage) {
  // A message with no headers and no payload is 16 bytes: the prelude and its CRC, then the
  // message CRC. The CRCs are zlib's crc32 of the bytes before them.
  const std::string empty = encode_event_stream_message({}, "");
  ASSERT_EQ(empty.size(), 16u);
  EXPECT_EQ(read_u32(empty, 0), 16u);
  EXPECT_EQ(read_u32(empty, 4), 0u);
  EXPECT_EQ(read_u32(empty, 8), 0x05c248ebu);  // crc32 of 00 00 00 10 00 00 00 00
  EXPECT_EQ(read_u32(empty, 12), 0x7d98c8ffu);

  const std::string event = event_stream_event("messageStop", R"({"stopReason":"end_turn"})");
  const std::vector<Message> decoded = decode(event);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].headers.at(":event-type"), "messageStop");
  EXPECT_EQ(decoded[0].headers.at(":content-type"), "application/json");
  EXPECT_EQ(decoded[0].headers.at(":message-type"), "event");
  EXPECT_EQ(decoded[0].payload, R"({"stopReason":"end_turn"})");
}

TEST_F(BedrockWireTest, Converse) {
  start(kFormatConfig);
  const Response response =
      post(kConverse, converse_body("Say hello", {{"system", {{{"text", "Be brief."}}}}}), kSigned);
  ASSERT_EQ(response.status, 200) << response.body;
  const json body = json::parse(response.body);
  EXPECT_EQ(body["output"]["message"]["role"], "assistant");
  EXPECT_EQ(body["output"]["message"]["content"][0]["text"],
            generate_words("sim-small", "Say hello", 6));
  EXPECT_EQ(body["stopReason"], "end_turn");
  EXPECT_EQ(body["usage"], (json{{"inputTokens", 11}, {"outputTokens", 6}, {"totalTokens", 17}}));
  EXPECT_TRUE(body["metrics"]["latencyMs"].is_number_integer());

  // A model id with `:` arrives percent-encoded, as the AWS SDKs send it.
  const Response encoded =
      post("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
           converse_body("hi", {{"inferenceConfig", {{"maxTokens", 2}}}}), kSigned);
  ASSERT_EQ(encoded.status, 200) << encoded.body;
  EXPECT_EQ(json::parse(encoded.body)["stopReason"], "max_tokens");
}

TEST_F(BedrockWireTest, ConverseStreamFraming) {
  start(kFormatConfig);
  const Response response = post(kConverseStream, converse_body("Stream please"), kSigned);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers["content-type"], "application/vnd.amazon.eventstream");
  const std::vector<Message> messages = decode(response.body);
  ASSERT_EQ(messages.size(), 1u + 6u + 3u);
  std::vector<std::string> types;
  std::string text;
  for (const Message& message : messages) {
    EXPECT_EQ(message.headers.at(":message-type"), "event");
    EXPECT_EQ(message.headers.at(":content-type"), "application/json");
    types.push_back(message.headers.at(":event-type"));
    const json payload = json::parse(message.payload);
    if (types.back() == "contentBlockDelta") text += payload["delta"]["text"].get<std::string>();
  }
  EXPECT_EQ(types.front(), "messageStart");
  EXPECT_EQ(json::parse(messages[0].payload), (json{{"role", "assistant"}}));
  EXPECT_EQ(text, generate_words("sim-small", "Stream please", 6));
  EXPECT_EQ(types[7], "contentBlockStop");
  EXPECT_EQ(types[8], "messageStop");
  EXPECT_EQ(json::parse(messages[8].payload)["stopReason"], "end_turn");
  EXPECT_EQ(types[9], "metadata");
  const json metadata = json::parse(messages[9].payload);
  EXPECT_EQ(metadata["usage"]["outputTokens"], 6);
  EXPECT_TRUE(metadata["metrics"]["latencyMs"].is_number_integer());
}

TEST_F(BedrockWireTest, ToolUseStreamsInputInTwoByteFragments) {
  start(kFormatConfig);
  const std::vector<Message> messages =
      decode(post(kConverseStream, converse_body("weather in Zurich?", kTools), kSigned).body);
  ASSERT_GT(messages.size(), 5u);
  EXPECT_EQ(messages[1].headers.at(":event-type"), "contentBlockStart");
  const json start = json::parse(messages[1].payload);
  EXPECT_EQ(start["contentBlockIndex"], 0);
  EXPECT_TRUE(start["start"]["toolUse"]["toolUseId"].get<std::string>().starts_with("tooluse_"));
  EXPECT_EQ(start["start"]["toolUse"]["name"], "get_weather");
  std::string input;
  size_t fragments = 0;
  for (const Message& message : messages) {
    if (message.headers.at(":event-type") != "contentBlockDelta") continue;
    const std::string part = json::parse(message.payload)["delta"]["toolUse"]["input"];
    EXPECT_LE(part.size(), 3u);
    input += part;
    ++fragments;
  }
  EXPECT_EQ(input, kToolArguments);
  EXPECT_GE(fragments, kToolArguments.size() / 3);
  EXPECT_EQ(json::parse(messages[messages.size() - 2].payload)["stopReason"], "tool_use");

  const json whole =
      json::parse(post(kConverse, converse_body("weather in Zurich?", kTools), kSigned).body);
  EXPECT_EQ(whole["stopReason"], "tool_use");
  const json& use = whole["output"]["message"]["content"][0]["toolUse"];
  EXPECT_EQ(use["name"], "get_weather");
  EXPECT_EQ(use["input"], json::parse(kToolArguments));
}

TEST_F(BedrockWireTest, AuthorizationAndErrors) {
  ::setenv("SY_SIM_TEST_API_KEY", "AKIDEXAMPLE", 1);
  start(kFormatConfig);
  ::unsetenv("SY_SIM_TEST_API_KEY");

  const Response unsigned_request = post(kConverse, converse_body("hi"));
  EXPECT_EQ(unsigned_request.status, 403);
  EXPECT_TRUE(unsigned_request.headers["x-amzn-errortype"].starts_with(
      "MissingAuthenticationTokenException:"));
  EXPECT_EQ(json::parse(unsigned_request.body),
            (json{{"message", "Missing Authentication Token"}}));
  const Response malformed_auth =
      post(kConverse, converse_body("hi"),
           {{"authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"}, {"x-amz-date", "x"}});
  EXPECT_EQ(malformed_auth.status, 403);
  EXPECT_TRUE(
      malformed_auth.headers["x-amzn-errortype"].starts_with("IncompleteSignatureException"));
  Headers other_key = kSigned;
  other_key[0].second.replace(other_key[0].second.find("AKIDEXAMPLE"), 11, "AKIDOTHER");
  EXPECT_EQ(post(kConverse, converse_body("hi"), other_key).status, 403);

  const Response throttled = post(kConverse, converse_body("hi [[sim:status=429]]"), kSigned);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_TRUE(throttled.headers["x-amzn-errortype"].starts_with("ThrottlingException:"));
  EXPECT_TRUE(json::parse(throttled.body)["message"].is_string());

  json assistant_first = converse_body("hi");
  assistant_first["messages"][0]["role"] = "assistant";
  const Response invalid = post(kConverse, assistant_first, kSigned);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_TRUE(invalid.headers["x-amzn-errortype"].starts_with("ValidationException:"));
  EXPECT_EQ(post("/model/titan-9/converse", converse_body("hi"), kSigned).status, 400);

  // A failure inside the stream is an exception message, after which the stream ends.
  const std::vector<Message> messages =
      decode(post(kConverseStream, converse_body("hi [[sim:error_after=2]]"), kSigned).body);
  ASSERT_EQ(messages.size(), 1u + 2u + 1u);
  EXPECT_EQ(messages.back().headers.at(":message-type"), "exception");
  EXPECT_EQ(messages.back().headers.at(":exception-type"), "serviceUnavailableException");
  EXPECT_TRUE(json::parse(messages.back().payload)["message"].is_string());

  testing::Client client(port_);
  Headers cut = kSigned;
  cut.emplace_back("x-sim-fault", "cut_after=1");
  client.send(testing::http::verb::post, kConverseStream, converse_body("hi").dump(), cut);
  EXPECT_EQ(client.receive().error, testing::http::error::partial_message);
}

}  // namespace
}  // namespace sy::sim
