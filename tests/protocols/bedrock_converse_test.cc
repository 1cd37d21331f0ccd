#include "protocols/bedrock_converse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "protocols/anthropic_messages.h"
#include "protocols/aws_eventstream.h"

namespace sy::protocols {
namespace {

using model::FinishReason;
using model::Part;
using model::Role;
using model::StreamEvent;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const BedrockConverseCodec& codec() { return bedrock_converse_codec(); }

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SY_SOURCE_DIR) + "/tests/protocols/fixtures/bedrock/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

struct WireEvent {
  std::string event;  // the :event-type, or "exception:<type>"
  std::string data;
};

// A .events fixture: one "<event> <json payload>" per line.
std::vector<WireEvent> read_events(const std::string& text) {
  std::vector<WireEvent> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    out.push_back({line.substr(0, space), line.substr(space + 1)});
  }
  return out;
}

// Events → real event-stream bytes (exceptions as exception messages).
std::string to_frames(const std::vector<WireEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    auto frame = e.event.starts_with("exception:")
                     ? aws::encode_exception(e.event.substr(10), e.data)
                     : aws::encode_event(e.event, e.data);
    EXPECT_TRUE(frame);
    out += *frame;
  }
  return out;
}

// Event-stream bytes → the decode() calls the gateway makes (the header contract).
std::vector<WireEvent> from_frames(std::string_view bytes) {
  aws::EventStreamDecoder d;
  d.feed(bytes);
  std::vector<WireEvent> out;
  while (true) {
    auto m = d.next();
    EXPECT_TRUE(m) << m.error().message;
    if (!m || !*m) break;
    const auto type = (*m)->string_header(":message-type");
    if (type == "exception") {
      out.push_back(
          {"exception:" + std::string((*m)->string_header(":exception-type")), (*m)->payload});
    } else {
      out.push_back({std::string((*m)->string_header(":event-type")), (*m)->payload});
    }
  }
  EXPECT_EQ(d.buffered(), 0u);
  return out;
}

std::vector<StreamEvent> decode_events(const std::vector<WireEvent>& events,
                                       bool finish_ok = true) {
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  for (const auto& e : events) {
    auto r = decoder->decode(e.event, e.data, out);
    EXPECT_TRUE(r) << r.error().message << " at " << e.data;
  }
  EXPECT_EQ(decoder->finish(out).has_value(), finish_ok);
  return out;
}

std::string encode_events(const std::vector<StreamEvent>& events) {
  auto encoder = codec().stream_encoder({});
  std::string out;
  for (const auto& e : events) encoder->encode(e, out);
  encoder->finish(out);
  return out;
}

// Argument text of each tool call, by tool-call id.
std::map<std::string, std::string> tool_args(const std::vector<StreamEvent>& events) {
  std::map<uint32_t, std::string> ids;
  std::map<std::string, std::string> args;
  for (const auto& e : events) {
    if (e.kind == StreamEvent::Kind::ToolCallStart) {
      ids[e.index] = e.id;
      args[e.id];
    } else if (e.kind == StreamEvent::Kind::ToolCallDelta) {
      args[ids.at(e.index)] += e.text;
    }
  }
  return args;
}

// The canonical request of encoded_request.json.
model::Request sample_request() {
  model::Request req;
  model::Turn system;
  system.role = Role::System;
  system.parts.push_back(Part::make_text("Be brief."));
  model::Turn user;
  user.parts.push_back(Part::make_text("Describe this image"));
  Part image;
  image.kind = Part::Kind::Image;
  image.image.url = "data:image/png;base64,iVBORw0KGgo=";
  user.parts.push_back(image);
  model::Turn assistant;
  assistant.role = Role::Assistant;
  assistant.parts.push_back(Part::make_text("Calling a tool."));
  Part call;
  call.kind = Part::Kind::ToolUse;
  call.tool_use = {"call_1", "lookup", R"({"q":"cat"})"};
  assistant.parts.push_back(call);
  model::Turn tool;
  tool.role = Role::Tool;
  Part result;
  result.kind = Part::Kind::ToolResult;
  result.tool_result = {"call_1", "found 3", true};
  tool.parts.push_back(result);
  model::Turn user2;
  user2.parts.push_back(Part::make_text("Thanks"));
  req.turns = {system, user, assistant, tool, user2};
  req.tools.push_back(
      {"lookup", "Search", R"({"type":"object","properties":{"q":{"type":"string"}}})", false});
  req.tool_choice.mode = model::ToolChoice::Mode::Named;
  req.tool_choice.name = "lookup";
  req.stop = {"END"};
  req.max_tokens = 300;
  req.temperature = 0.7;
  req.top_p = 0.95;
  req.top_k = 50;
  req.reasoning = model::Reasoning{1024, {}};
  req.user = "u-1";
  return req;
}

// ---------------------------------------------------------------- requests

TEST(BedrockRequest, DecodesTheFixture) {
  auto r = codec().decode_request(fixture("request_tools.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 5u);
  EXPECT_EQ(r->turns[0].role, Role::System);
  ASSERT_EQ(r->turns[0].parts.size(), 1u);  // the cachePoint carries no content
  EXPECT_EQ(r->turns[0].parts[0].text,
            "You are a travel assistant. Answer in one short paragraph.");
  const auto& user = r->turns[1];
  EXPECT_EQ(user.role, Role::User);
  ASSERT_EQ(user.parts.size(), 2u);
  EXPECT_EQ(user.parts[1].kind, Part::Kind::Image);
  EXPECT_EQ(user.parts[1].image.source, model::Image::Source::Base64);
  EXPECT_EQ(user.parts[1].image.media_type, "image/png");
  EXPECT_THAT(user.parts[1].image.data, ::testing::StartsWith("iVBORw0KGgo"));
  const auto& assistant = r->turns[2];
  ASSERT_EQ(assistant.parts.size(), 3u);
  EXPECT_EQ(assistant.parts[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(assistant.parts[0].signature, "EqQBCkYIARgCIkB0c2lnbmF0dXJl");
  EXPECT_EQ(assistant.parts[2].kind, Part::Kind::ToolUse);
  EXPECT_EQ(assistant.parts[2].tool_use.id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
  // Verbatim, spaces included.
  EXPECT_EQ(assistant.parts[2].tool_use.arguments,
            R"({"city": "Paris", "unit": "celsius", "days": [1, 2]})");
  EXPECT_EQ(r->turns[3].role, Role::Tool);
  const auto& result = r->turns[3].parts[0].tool_result;
  EXPECT_EQ(result.tool_use_id, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q");
  EXPECT_EQ(result.text, R"({"temperature": 18, "sky": "overcast"} (source: météo))");
  EXPECT_FALSE(result.is_error);
  EXPECT_EQ(r->turns[4].role, Role::User);
  EXPECT_EQ(r->turns[4].parts[0].text, "And tomorrow?");
  EXPECT_EQ(r->max_tokens, 512u);
  EXPECT_EQ(r->temperature, 0.5);
  EXPECT_EQ(r->top_p, 0.9);
  EXPECT_EQ(r->top_k, 40u);
  EXPECT_EQ(r->stop, std::vector<std::string>{"\n\nHuman:"});
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_EQ(r->tools[0].name, "get_weather");
  EXPECT_THAT(r->tools[0].parameters, HasSubstr(R"("enum": ["celsius", "fahrenheit"])"));
  EXPECT_EQ(r->tool_choice.mode, model::ToolChoice::Mode::Auto);
  EXPECT_EQ(r->user, "user-1234");
}

TEST(BedrockRequest, EncodesTheCanonicalSample) {
  auto body = codec().encode_request(sample_request(), "anthropic.claude-3-5-sonnet-20241022-v2:0");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(Json::parse(*body), Json::parse(fixture("encoded_request.json")));
}

TEST(BedrockRequest, RoundTripsThroughTheWire) {
  model::Request req = sample_request();
  req.turns[1].parts[1].image = {model::Image::Source::Base64, "", "image/webp", "UklGRg==", ""};
  req.turns[2].parts.insert(req.turns[2].parts.begin(), Part{});
  req.turns[2].parts[0].kind = Part::Kind::Thinking;
  req.turns[2].parts[0].text = "Need the tool.";
  req.turns[2].parts[0].signature = "sig==";
  req.tool_choice.mode = model::ToolChoice::Mode::Required;
  auto body = codec().encode_request(req, "m");
  ASSERT_TRUE(body) << body.error().message;
  auto back = codec().decode_request(*body);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->turns.size(), req.turns.size());
  for (size_t t = 0; t < req.turns.size(); ++t) {
    EXPECT_EQ(back->turns[t].role, req.turns[t].role) << t;
    ASSERT_EQ(back->turns[t].parts.size(), req.turns[t].parts.size()) << t;
    for (size_t p = 0; p < req.turns[t].parts.size(); ++p) {
      const auto& a = req.turns[t].parts[p];
      const auto& b = back->turns[t].parts[p];
      EXPECT_EQ(b.kind, a.kind);
      EXPECT_EQ(b.text, a.text);
      EXPECT_EQ(b.signature, a.signature);
      EXPECT_EQ(b.tool_use.arguments, a.tool_use.arguments);
      EXPECT_EQ(b.tool_use.id, a.tool_use.id);
      EXPECT_EQ(b.tool_result.text, a.tool_result.text);
      EXPECT_EQ(b.tool_result.is_error, a.tool_result.is_error);
    }
  }
  EXPECT_EQ(back->turns[1].parts[1].image.media_type, "image/webp");
  EXPECT_EQ(back->turns[1].parts[1].image.data, "UklGRg==");
  EXPECT_EQ(back->tools[0].parameters, req.tools[0].parameters);
  EXPECT_EQ(back->tool_choice.mode, model::ToolChoice::Mode::Required);
  EXPECT_EQ(back->stop, req.stop);
  EXPECT_EQ(back->max_tokens, req.max_tokens);
  EXPECT_EQ(back->temperature, req.temperature);
  EXPECT_EQ(back->top_p, req.top_p);
  EXPECT_EQ(back->top_k, req.top_k);
  ASSERT_TRUE(back->reasoning);
  EXPECT_EQ(back->reasoning->budget_tokens, 1024u);
  EXPECT_EQ(back->user, "u-1");
}

TEST(BedrockRequest, RefusesWhatConverseCannotExpress) {
  auto expect_unsupported = [](model::Request req, const std::string& feature) {
    auto r = codec().encode_request(req, "m");
    ASSERT_FALSE(r) << feature;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest);
    EXPECT_EQ(r.error().code, "unsupported_feature") << r.error().message;
    EXPECT_THAT(r.error().message, HasSubstr(feature));
    EXPECT_THAT(r.error().message, HasSubstr("bedrock_converse"));
  };
  auto with = [](auto change) {
    model::Request req = sample_request();
    change(req);
    return req;
  };
  expect_unsupported(
      with([](auto& r) { r.turns[1].parts[1].image.url = "https://x.test/cat.png"; }), "image URL");
  expect_unsupported(
      with([](auto& r) { r.turns[1].parts[1].image.url = "data:image/bmp;base64,Qk0="; }),
      "image media type");
  expect_unsupported(with([](auto& r) { r.n = 2; }), "n > 1");
  expect_unsupported(with([](auto& r) { r.presence_penalty = 0.5; }), "presence_penalty");
  expect_unsupported(with([](auto& r) { r.frequency_penalty = 0.5; }), "frequency_penalty");
  expect_unsupported(with([](auto& r) { r.seed = 7; }), "seed");
  expect_unsupported(
      with([](auto& r) { r.response_format.kind = model::ResponseFormat::Kind::JsonSchema; }),
      "response_format json_schema");
  expect_unsupported(
      with([](auto& r) { r.response_format.kind = model::ResponseFormat::Kind::JsonObject; }),
      "response_format json_object");
  expect_unsupported(with([](auto& r) { r.tool_choice.parallel = false; }), "parallel_tool_calls");
  expect_unsupported(with([](auto& r) { r.tool_choice.mode = model::ToolChoice::Mode::None; }),
                     "tool_choice none");
  expect_unsupported(with([](auto& r) {
                       r.reasoning = model::Reasoning{std::nullopt, "high"};
                     }),
                     "reasoning_effort");
  expect_unsupported(with([](auto& r) { r.turns[1].name = "alice"; }), "participant name");
}

TEST(BedrockRequest, ToolChoiceNoneWithoutToolHistorySendsNoTools) {
  model::Request req;
  req.turns.push_back({Role::User, {Part::make_text("hi")}, ""});
  req.tools.push_back({"lookup", "", "{}", false});
  req.tool_choice.mode = model::ToolChoice::Mode::None;
  auto body = codec().encode_request(req, "m");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_FALSE(Json::parse(*body).contains("toolConfig"));
}

TEST(BedrockRequest, BadArgumentsAndBadBodiesNameTheField) {
  model::Request req = sample_request();
  req.turns[2].parts[1].tool_use.arguments = "[1,2]";
  auto r = codec().encode_request(req, "m");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("messages[2].content[1]"));

  auto d = codec().decode_request(
      R"({"messages":[{"role":"user","content":[{"text":"a"},{"image":{"format":"tiff","source":{"bytes":"AA=="}}}]}]})");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("messages[0].content[1].image.format"));
  d = codec().decode_request(R"({"messages":[{"role":"system","content":[]}]})");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("messages[0].role"));
  d = codec().decode_request(
      R"({"messages":[{"role":"user","content":[{"document":{"name":"a"}}]}]})");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, "unsupported_feature");
  d = codec().decode_request(
      R"({"messages":[{"role":"user","content":[{"text":"a","image":{}}]}]})");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("exactly one member"));
  d = codec().decode_request(R"({"messages":[]} x)");
  ASSERT_FALSE(d);
  d = codec().decode_request(
      R"({"guardrailConfig":{},"messages":[{"role":"user","content":[{"text":"a"}]}]})");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("guardrailConfig"));
}

TEST(BedrockRequest, PathEscapesTheModelId) {
  EXPECT_EQ(codec().request_path("anthropic.claude-3-haiku-20240307-v1:0", false),
            "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  EXPECT_EQ(codec().request_path("us.amazon.nova-pro-v1:0", true),
            "/model/us.amazon.nova-pro-v1%3A0/converse-stream");
  EXPECT_EQ(codec().request_path("arn:aws:bedrock:us-east-1:1:inference-profile/x", false),
            "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fx/converse");
  EXPECT_EQ(codec().stream_framing(), Framing::AwsEventStream);
}

TEST(BedrockRequest, IsNotAnIngressProtocol) {
  auto r = codec().decode_ingress(fixture("request_tools.json"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("bedrock_converse is not an ingress protocol"));
  model::ChatRequest chat;
  chat.raw_body = R"({"messages":[]})";
  EXPECT_EQ(codec().forward_request(chat, "x"), chat.raw_body);
  EXPECT_EQ(&codec_for(model::Protocol::BedrockConverse), &codec());
}

// ---------------------------------------------------------------- responses

TEST(BedrockResponse, DecodesToolUseVerbatim) {
  auto r = codec().decode_response(fixture("response_tool_use.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].text, "I'll check the forecast for tomorrow.");
  EXPECT_EQ(r->content[1].kind, Part::Kind::ToolUse);
  EXPECT_EQ(r->content[1].tool_use.id, "tooluse_2bW8pQ3sT0mZ");
  EXPECT_EQ(r->content[1].tool_use.name, "get_weather");
  EXPECT_EQ(r->content[1].tool_use.arguments, R"({"city": "Paris",  "days": [2]})");
  EXPECT_EQ(r->finish, FinishReason::ToolUse);
  EXPECT_EQ(r->usage.input_tokens, 1612u);
  EXPECT_EQ(r->usage.cached_input_tokens, 1200u);
  EXPECT_EQ(r->usage.output_tokens, 57u);
  EXPECT_TRUE(r->usage.reported);
}

TEST(BedrockResponse, DecodesReasoning) {
  auto r = codec().decode_response(fixture("response_reasoning.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->content.size(), 3u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(r->content[0].text, "The user wants a haiku about rain.");
  EXPECT_EQ(r->content[0].signature, "ErUBCkYICBgCIkDsig");
  EXPECT_EQ(r->content[1].kind, Part::Kind::RedactedThinking);
  EXPECT_EQ(r->content[1].text, "RXhhbXBsZSByZWRhY3RlZA==");
  EXPECT_EQ(r->finish, FinishReason::MaxTokens);
}

TEST(BedrockResponse, StopReasons) {
  const std::pair<const char*, FinishReason> table[] = {
      {"end_turn", FinishReason::EndTurn},
      {"tool_use", FinishReason::ToolUse},
      {"max_tokens", FinishReason::MaxTokens},
      {"stop_sequence", FinishReason::StopSequence},
      {"guardrail_intervened", FinishReason::ContentFilter},
      {"content_filtered", FinishReason::ContentFilter},
      {"model_context_window_exceeded", FinishReason::Other}};
  for (const auto& [wire, finish] : table) {
    auto r = codec().decode_response(
        std::string(R"({"output":{"message":{"role":"assistant","content":[]}},"stopReason":")") +
        wire + "\"}");
    ASSERT_TRUE(r) << wire;
    EXPECT_EQ(r->finish, finish) << wire;
  }
}

TEST(BedrockResponse, EncodeDecodeRoundTrip) {
  auto r = codec().decode_response(fixture("response_tool_use.json"));
  ASSERT_TRUE(r);
  auto body = codec().encode_response(*r);
  ASSERT_TRUE(body) << body.error().message;
  const Json j = Json::parse(*body);
  EXPECT_EQ(j["stopReason"], "tool_use");
  EXPECT_EQ(j["usage"]["inputTokens"], 412);
  EXPECT_EQ(j["usage"]["cacheReadInputTokens"], 1200);
  EXPECT_EQ(j["output"]["message"]["content"][1]["toolUse"]["input"],
            Json::parse(R"({"city":"Paris","days":[2]})"));
  auto again = codec().decode_response(*body);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->content[1].tool_use.arguments, r->content[1].tool_use.arguments);
  EXPECT_EQ(again->usage.input_tokens, r->usage.input_tokens);
  EXPECT_EQ(again->finish, r->finish);
}

TEST(BedrockResponse, MalformedBodiesAreUpstreamErrors) {
  for (const char* body :
       {"", "[]", R"({"output":{}})", R"({"output":{"message":{"content":[{"video":{}}]}}})",
        R"({"output":{"message":{"content":[{"toolUse":{"toolUseId":"a","input":"x"}}]}}})",
        R"({"output":{"message":{"content":[]}},"usage":{"inputTokens":-1}})"}) {
    auto r = codec().decode_response(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError) << body;
  }
}

// ---------------------------------------------------------------- streams

TEST(BedrockStream, DecodesToolUseThroughRealFrames) {
  auto events =
      decode_events(from_frames(to_frames(read_events(fixture("stream_tool_use.events")))));
  using K = StreamEvent::Kind;
  std::vector<K> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::MessageStart, K::TextDelta, K::TextDelta, K::ToolCallStart,
                                   K::ToolCallDelta, K::ToolCallDelta, K::ToolCallDelta,
                                   K::ToolCallDelta, K::ToolCallEnd, K::Usage, K::Stop}));
  EXPECT_EQ(events[1].index, 0u);
  EXPECT_EQ(events[3].index, 1u);
  EXPECT_EQ(events[3].id, "tooluse_Yz3eVJ9sQx");
  EXPECT_EQ(events[3].name, "get_weather");
  EXPECT_EQ(tool_args(events).at("tooluse_Yz3eVJ9sQx"), R"({"city": "Paris", "unit": "celsius"})");
  EXPECT_EQ(events[9].usage.input_tokens, 388u);
  EXPECT_EQ(events[9].usage.output_tokens, 71u);
  EXPECT_EQ(events[10].finish, FinishReason::ToolUse);
}

TEST(BedrockStream, DecodesReasoning) {
  auto events = decode_events(read_events(fixture("stream_reasoning.events")));
  ASSERT_GE(events.size(), 5u);
  EXPECT_EQ(events[1].kind, StreamEvent::Kind::ThinkingDelta);
  EXPECT_EQ(events[1].text, "Rain, roof, ");
  EXPECT_EQ(events[3].signature, "EqoBCkgIARABGAIiQL");
  EXPECT_EQ(events[4].kind, StreamEvent::Kind::TextDelta);
  EXPECT_EQ(events[4].index, 1u);
  EXPECT_EQ(events.back().kind, StreamEvent::Kind::Stop);
  EXPECT_EQ(events.back().finish, FinishReason::ContentFilter);
}

TEST(BedrockStream, ExceptionBecomesAnError) {
  auto events =
      decode_events(from_frames(to_frames(read_events(fixture("stream_exception.events")))));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].kind, StreamEvent::Kind::Error);
  EXPECT_EQ(events[2].error_type, "throttlingException");
  EXPECT_EQ(events[2].text, "Too many requests, please wait before trying again.");
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception(events[2].error_type), ErrorKind::RateLimited);
}

TEST(BedrockStream, StopWaitsForMetadataOrFinish) {
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  ASSERT_TRUE(decoder->decode("messageStart", R"({"role":"assistant"})", out));
  ASSERT_TRUE(decoder->decode("contentBlockDelta",
                              R"({"contentBlockIndex":0,"delta":{"text":"hi"}})", out));
  ASSERT_TRUE(decoder->decode("messageStop", R"({"stopReason":"stop_sequence"})", out));
  EXPECT_EQ(out.back().kind, StreamEvent::Kind::TextDelta);  // held back
  ASSERT_TRUE(decoder->finish(out));
  EXPECT_EQ(out.back().kind, StreamEvent::Kind::Stop);
  EXPECT_EQ(out.back().finish, FinishReason::StopSequence);
}

TEST(BedrockStream, FinishFailsWithoutMessageStop) {
  auto events = read_events(fixture("stream_tool_use.events"));
  events.resize(events.size() - 2);
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  for (const auto& e : events) ASSERT_TRUE(decoder->decode(e.event, e.data, out));
  auto r = decoder->finish(out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError);
  EXPECT_THAT(r.error().message, HasSubstr("messageStop"));
}

TEST(BedrockStream, RejectsBrokenSequences) {
  const std::vector<std::vector<WireEvent>> cases = {
      {{"contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a"}})"}},
      {{"messageStart", "{}"}, {"messageStart", "{}"}},
      {{"messageStart", "{}"},
       {"contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"toolUse":{"input":"{"}}})"}},
      {{"messageStart", "{}"},
       {"contentBlockDelta", R"({"contentBlockIndex":-1,"delta":{"text":"a"}})"}},
      {{"messageStart", "{}"},
       {"contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a"}})"},
       {"contentBlockDelta",
        R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"b"}}})"}},
      {{"messageStart", "{}"},
       {"messageStop", R"({"stopReason":"end_turn"})"},
       {"contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"a"}})"}},
      {{"messageStart", "not json"}},
      {{"messageStart", ""}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto decoder = codec().stream_decoder();
    std::vector<StreamEvent> out;
    bool failed = false;
    for (const auto& e : cases[i]) {
      auto r = decoder->decode(e.event, e.data, out);
      if (!r) {
        EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError);
        failed = true;
        break;
      }
    }
    EXPECT_TRUE(failed) << "case " << i;
  }
}

// Splits `args` into 1–3 byte fragments (a JSON string holds whole UTF-8 characters, so a
// multi-byte character stays in one fragment).
std::vector<std::string> fragments(const std::string& args) {
  std::vector<std::string> out;
  size_t pos = 0, step = 0;
  while (pos < args.size()) {
    size_t end = std::min(args.size(), pos + 1 + (step++ % 3));
    while (end < args.size() && (static_cast<unsigned char>(args[end]) & 0xC0) == 0x80) ++end;
    out.push_back(args.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::vector<WireEvent> fragmented_bedrock_stream(const std::string& args_a,
                                                 const std::string& args_b) {
  std::vector<WireEvent> ev = {{"messageStart", R"({"role":"assistant"})"}};
  auto delta = [](int index, const std::string& frag) {
    return WireEvent{
        "contentBlockDelta",
        Json{{"contentBlockIndex", index}, {"delta", {{"toolUse", {{"input", frag}}}}}}.dump()};
  };
  ev.push_back({"contentBlockStart",
                R"({"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"t_a","name":"a"}}})"});
  ev.push_back({"contentBlockStart",
                R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"t_b","name":"b"}}})"});
  auto fa = fragments(args_a), fb = fragments(args_b);
  for (size_t i = 0; i < std::max(fa.size(), fb.size()); ++i) {  // interleaved
    if (i < fa.size()) ev.push_back(delta(0, fa[i]));
    if (i < fb.size()) ev.push_back(delta(1, fb[i]));
  }
  ev.push_back({"contentBlockStop", R"({"contentBlockIndex":0})"});
  ev.push_back({"contentBlockStop", R"({"contentBlockIndex":1})"});
  ev.push_back({"messageStop", R"({"stopReason":"tool_use"})"});
  ev.push_back({"metadata", R"({"usage":{"inputTokens":5,"outputTokens":9,"totalTokens":14}})"});
  return ev;
}

TEST(BedrockStream, FragmentedToolArgumentsSurviveEveryDirection) {
  const std::string a =
      R"({"query": "caf\u00e9 \"quoted\" \\ back", "n": [1, 2.5e3, null], "deep": {"x": {}}})";
  const std::string b = R"({"path":"/tmp/ü/ñ","flag":true})";
  auto events = decode_events(fragmented_bedrock_stream(a, b));
  ASSERT_EQ(tool_args(events).at("t_a"), a);
  ASSERT_EQ(tool_args(events).at("t_b"), b);

  // Bedrock → canonical → Bedrock frames → canonical.
  auto again = decode_events(from_frames(encode_events(events)));
  EXPECT_EQ(tool_args(again), tool_args(events));
  EXPECT_EQ(again.back().kind, StreamEvent::Kind::Stop);
  EXPECT_EQ(again.back().finish, FinishReason::ToolUse);

  // Bedrock → canonical → Anthropic SSE → canonical.
  const auto& anthropic = anthropic_messages_codec();
  auto enc = anthropic.stream_encoder({});
  std::string sse;
  for (const auto& e : events) enc->encode(e, sse);
  enc->finish(sse);
  auto dec = anthropic.stream_decoder();
  std::vector<StreamEvent> via_anthropic;
  size_t pos = 0;
  while (pos < sse.size()) {
    const size_t end = sse.find("\n\n", pos);
    ASSERT_NE(end, std::string::npos);
    const std::string block = sse.substr(pos, end - pos);
    pos = end + 2;
    const size_t nl = block.find('\n');
    ASSERT_TRUE(dec->decode(block.substr(7, nl - 7), block.substr(nl + 7), via_anthropic));
  }
  ASSERT_TRUE(dec->finish(via_anthropic));
  EXPECT_EQ(tool_args(via_anthropic), tool_args(events));

  // Anthropic → canonical → Bedrock frames → canonical.
  auto via_bedrock = decode_events(from_frames(encode_events(via_anthropic)));
  EXPECT_EQ(tool_args(via_bedrock), tool_args(events));
  EXPECT_EQ(via_bedrock.back().kind, StreamEvent::Kind::Stop);
}

TEST(BedrockStream, EncoderWritesBedrockEvents) {
  auto events = decode_events(read_events(fixture("stream_tool_use.events")));
  auto wire = from_frames(encode_events(events));
  std::vector<std::string> names;
  for (const auto& w : wire) names.push_back(w.event);
  EXPECT_EQ(names,
            (std::vector<std::string>{"messageStart", "contentBlockDelta", "contentBlockDelta",
                                      "contentBlockStop", "contentBlockStart", "contentBlockDelta",
                                      "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                                      "contentBlockStop", "messageStop", "metadata"}));
  EXPECT_EQ(Json::parse(wire.back().data)["usage"]["inputTokens"], 388);
  EXPECT_EQ(Json::parse(wire[10].data), Json::parse(R"({"stopReason":"tool_use"})"));

  StreamEvent err;
  err.kind = StreamEvent::Kind::Error;
  err.text = "slow down";
  err.error_type = "throttlingException";
  auto ex = from_frames(encode_events({err}));
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].event, "exception:throttlingException");
  EXPECT_EQ(Json::parse(ex[0].data)["message"], "slow down");
}

// Every fixture stream survives decode → Bedrock frames → decode unchanged.
TEST(BedrockStream, FixturesRoundTripThroughTheEncoder) {
  for (const char* name :
       {"stream_tool_use.events", "stream_reasoning.events", "stream_exception.events"}) {
    const bool ends = std::string(name) != "stream_exception.events";
    auto events = decode_events(read_events(fixture(name)), true);
    auto again = decode_events(from_frames(encode_events(events)), true);
    ASSERT_EQ(again.size(), events.size()) << name;
    for (size_t i = 0; i < events.size(); ++i) {
      EXPECT_EQ(again[i].kind, events[i].kind) << name << " #" << i;
      EXPECT_EQ(again[i].index, events[i].index) << name << " #" << i;
      EXPECT_EQ(again[i].text, events[i].text) << name << " #" << i;
      EXPECT_EQ(again[i].signature, events[i].signature) << name << " #" << i;
      EXPECT_EQ(again[i].id, events[i].id) << name << " #" << i;
      EXPECT_EQ(again[i].finish, events[i].finish) << name << " #" << i;
      EXPECT_EQ(again[i].error_type, events[i].error_type) << name << " #" << i;
      EXPECT_EQ(again[i].usage.input_tokens, events[i].usage.input_tokens) << name << " #" << i;
    }
    EXPECT_EQ(events.back().kind == StreamEvent::Kind::Stop, ends) << name;
  }
}

// Text that resumes after another block (interleaved canonical blocks) is not lost: it
// continues in a new Bedrock block.
TEST(BedrockStream, EncoderKeepsInterleavedText) {
  auto text = [](uint32_t index, const char* t) {
    StreamEvent e;
    e.kind = StreamEvent::Kind::TextDelta;
    e.index = index;
    e.text = t;
    return e;
  };
  StreamEvent start, stop;
  start.kind = StreamEvent::Kind::MessageStart;
  stop.kind = StreamEvent::Kind::Stop;
  stop.finish = FinishReason::EndTurn;
  auto again = decode_events(
      from_frames(encode_events({start, text(0, "a"), text(1, "b"), text(0, "c"), stop})));
  std::string all;
  for (const auto& e : again) {
    if (e.kind == StreamEvent::Kind::TextDelta) all += e.text;
  }
  EXPECT_EQ(all, "abc");
  EXPECT_EQ(again.back().kind, StreamEvent::Kind::Stop);
}

// ---------------------------------------------------------------- errors and signing

TEST(BedrockErrors, EnvelopeAndNames) {
  EXPECT_EQ(Json::parse(codec().encode_error(Error::make(ErrorKind::RateLimited, "slow \"down\""))),
            Json::parse(R"({"message":"slow \"down\""})"));
  EXPECT_EQ(codec().decode_error_message(fixture("error_validation.json")),
            "The model returned the following errors: messages.1.content: Field required");
  EXPECT_EQ(codec().decode_error_message(R"({"Message":"User is not authorized"})"),
            "User is not authorized");
  EXPECT_EQ(codec().decode_error_message("<html>\nbad gateway"), "<html> bad gateway");
  EXPECT_EQ(codec().decode_error_message(std::string_view()), "(empty body)");
  EXPECT_EQ(codec().decode_error_message(R"({"message":"","Message":"denied"})"), "denied");
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  ASSERT_TRUE(decoder->decode("exception:modelStreamErrorException", std::string_view(), out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "upstream stream exception modelStreamErrorException");
  EXPECT_FALSE(decoder->decode("messageStart", std::string_view(), out));
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::InvalidRequest),
               "ValidationException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::PermissionDenied),
               "AccessDeniedException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::NotFound),
               "ResourceNotFoundException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::RateLimited), "ThrottlingException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::UpstreamTimeout),
               "ModelTimeoutException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::Unavailable),
               "ServiceUnavailableException");
  EXPECT_STREQ(BedrockConverseCodec::exception_name(ErrorKind::Internal),
               "InternalServerException");
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception("ValidationException"),
            ErrorKind::InvalidRequest);
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception(
                "ThrottlingException:http://internal.amazon.com/coral/"),
            ErrorKind::RateLimited);
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception("modelStreamErrorException"),
            ErrorKind::UpstreamError);
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception("serviceUnavailableException"),
            ErrorKind::Unavailable);
  EXPECT_EQ(BedrockConverseCodec::kind_of_exception("SomethingNew"), ErrorKind::Internal);
}

// The example key and time of the AWS SigV4 test suite (aws_sigv4_test.cc); the expected
// signature was computed independently (Python hmac/hashlib) from the canonical request
// with the path encoded twice.
TEST(BedrockSigning, SignsAConverseCall) {
  const aws::Credentials key{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const std::chrono::sys_seconds when{std::chrono::seconds{1440938160}};  // 20150830T123600Z
  const std::string path = codec().request_path("anthropic.claude-3-haiku-20240307-v1:0", false);
  auto headers = aws::sign_bedrock("POST", "bedrock-runtime.us-east-1.amazonaws.com", path,
                                   R"({"messages":[]})", key, "us-east-1", when);
  ASSERT_TRUE(headers) << headers.error().message;
  std::map<std::string, std::string> h;
  for (const auto& x : *headers) h[x.name] = x.value;
  EXPECT_EQ(h.size(), 3u);
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["x-amz-date"], "20150830T123600Z");
  EXPECT_EQ(h["authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=dba7f2f77cc33808be655f27b8ebf1d1b1d77751fc96dad0bd71e020cb07c442");

  aws::Credentials temporary = key;
  temporary.session_token = "token123";
  auto with_token = aws::sign_bedrock("POST", "bedrock-runtime.us-east-1.amazonaws.com", path, "{}",
                                      temporary, "us-east-1", when);
  ASSERT_TRUE(with_token);
  bool has_token = false;
  for (const auto& x : *with_token)
    has_token |= x.name == "x-amz-security-token" && x.value == "token123";
  EXPECT_TRUE(has_token);
  EXPECT_FALSE(aws::sign_bedrock("POST", "h", path, "{}", {"", "", ""}, "us-east-1", when));
}

}  // namespace
}  // namespace sy::protocols
