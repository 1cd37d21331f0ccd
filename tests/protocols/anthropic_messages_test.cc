#include "protocols/anthropic_messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sy::protocols {
namespace {

using model::Part;
using model::Role;
using model::StreamEvent;
using ::testing::HasSubstr;

const AnthropicMessagesCodec& codec() { return anthropic_messages_codec(); }

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SY_SOURCE_DIR) + "/tests/protocols/fixtures/anthropic/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

struct Sse {
  std::string event;
  std::string data;
};

// Splits SSE text into events (fixtures and encoder output: one data line per event).
std::vector<Sse> split_sse(std::string_view text) {
  std::vector<Sse> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string_view::npos) end = text.size();
    Sse e;
    std::string_view block = text.substr(pos, end - pos);
    while (!block.empty()) {
      const size_t nl = block.find('\n');
      std::string_view line = block.substr(0, nl);
      if (line.starts_with("event: ")) e.event = line.substr(7);
      if (line.starts_with("data: ")) e.data = line.substr(6);
      block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
    }
    if (!e.data.empty()) out.push_back(std::move(e));
    pos = end + 2;
  }
  return out;
}

std::vector<StreamEvent> decode_stream(std::string_view sse, bool expect_finish_ok = true) {
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> events;
  for (const auto& e : split_sse(sse)) {
    auto r = decoder->decode(e.event, e.data, events);
    EXPECT_TRUE(r) << r.error().message << " at " << e.data;
  }
  EXPECT_EQ(decoder->finish(events).has_value(), expect_finish_ok);
  return events;
}

std::string encode_stream(const std::vector<StreamEvent>& events) {
  auto encoder = codec().stream_encoder({});
  std::string out;
  for (const auto& e : events) encoder->encode(e, out);
  encoder->finish(out);
  return out;
}

// ---------------------------------------------------------------- requests

TEST(AnthropicIngress, DecodesTheFixtureSummary) {
  auto r = codec().decode_ingress(fixture("request_tools.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->protocol, model::Protocol::AnthropicMessages);
  EXPECT_EQ(r->model, "claude-sonnet-4-5");
  EXPECT_EQ(r->raw_body.substr(r->model_token.begin, r->model_token.end - r->model_token.begin),
            "\"claude-sonnet-4-5\"");
  EXPECT_TRUE(r->stream);
  EXPECT_EQ(r->max_tokens, 1024u);
  EXPECT_EQ(r->tools, 1u);
  EXPECT_THAT(r->tool_names, ::testing::ElementsAre("get_weather"));
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[0].role, Role::System);
  EXPECT_EQ(r->messages[0].text, "You are a travel assistant.Answer in metric units.");
  EXPECT_EQ(r->messages[1].text, "What's the weather in Oslo and in Bergen?");
  EXPECT_EQ(r->messages[2].role, Role::Assistant);
  EXPECT_EQ(r->messages[2].tool_calls, 2u);
  EXPECT_EQ(r->messages[3].role, Role::User);
  EXPECT_EQ(r->messages[3].image_parts, 2u);
  // Tool results are text the model reads: DLP sees them.
  EXPECT_THAT(r->messages[3].text, HasSubstr("4 degrees, light snow"));
  EXPECT_THAT(r->messages[3].text, HasSubstr("station offline"));
}

TEST(AnthropicIngress, ForwardReplacesOnlyTheModel) {
  const std::string body = R"({"max_tokens":5, "model" : "claude-x" ,"messages":[{"role":"user","content":"hi"}]})";
  auto r = codec().decode_ingress(body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(codec().forward_request(*r, "up\"stream"),
            R"({"max_tokens":5, "model" : "up\"stream" ,"messages":[{"role":"user","content":"hi"}]})");
}

TEST(AnthropicIngress, AcceptsWhatOnlyAnthropicHasButTranslationRefusesIt) {
  const std::string body = R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":[
      {"type":"document","source":{"type":"text","media_type":"text/plain","data":"secret plan"}},
      {"type":"text","text":"summarise"}]}],
      "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]})";
  auto r = codec().decode_ingress(body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tools, 1u);
  EXPECT_THAT(r->messages[0].text, HasSubstr("secret plan"));
  auto full = codec().decode_request(body);
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "unsupported_feature");
  EXPECT_EQ(full.error().status, 400);
  EXPECT_THAT(full.error().message, HasSubstr("messages[0].content[0] (a document block)"));
}

struct BadCase {
  const char* body;
  const char* message;
};

TEST(AnthropicIngress, ValidationErrorsNameTheField) {
  const BadCase cases[] = {
      {R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "max_tokens: required"},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]})",
       "max_tokens: must be at least 1"},
      {R"({"model":"m","max_tokens":"9","messages":[{"role":"user","content":"x"}]})",
       "max_tokens: expected an integer, got a string"},
      {R"({"max_tokens":9,"messages":[{"role":"user","content":"x"}]})", "model: required"},
      {R"({"model":"m","max_tokens":9})", "messages: required"},
      {R"({"model":"m","max_tokens":9,"messages":[]})", "messages: must contain at least one"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"system","content":"x"}]})",
       "messages[0].role: must be \"user\" or \"assistant\""},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"text":"x"}]}]})",
       "messages[0].content[0].type: required"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"text","text":1}]}]})",
       "messages[0].content[0].text: expected a string, got a number"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"AA=="}}]}]})",
       "messages[0].content[0].source.media_type: required"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":"{}"}]}]})",
       "messages[0].content[0].input: expected an object, got a string"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}]})",
       "messages[0].content[0].type: tool_use and thinking blocks belong to assistant messages"},
      {R"({"model":"m","max_tokens":9,"temperature":1.5,"messages":[{"role":"user","content":"x"}]})",
       "temperature: must be between 0 and 1"},
      {R"({"model":"m","max_tokens":9,"tool_choice":{"type":"required"},"messages":[{"role":"user","content":"x"}]})",
       "tool_choice.type: must be"},
      {R"({"model":"m","max_tokens":9,"tool_choice":{"type":"tool"},"messages":[{"role":"user","content":"x"}]})",
       "tool_choice.name: required"},
      {R"({"model":"m","max_tokens":9,"tools":[{"name":"f"}],"messages":[{"role":"user","content":"x"}]})",
       "tools[0].input_schema: required"},
      {R"({"model":"m","max_tokens":9,"thinking":{"type":"enabled"},"messages":[{"role":"user","content":"x"}]})",
       "thinking.budget_tokens: required"},
      {R"({"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}]} x)", "not valid JSON"},
      {R"([1])", "must be a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = codec().decode_ingress(c.body);
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(r.error().status, 400) << c.body;
    EXPECT_THAT(r.error().message, HasSubstr(c.message)) << c.body;
  }
}

TEST(AnthropicRequest, DecodesTheFixtureIntoCanonicalTurns) {
  auto r = codec().decode_request(fixture("request_tools.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->turns.size(), 5u);
  EXPECT_EQ(r->turns[0].role, Role::System);
  ASSERT_EQ(r->turns[0].parts.size(), 2u);
  EXPECT_EQ(r->turns[0].parts[1].text, "Answer in metric units.");
  EXPECT_EQ(r->turns[1].role, Role::User);
  const auto& asst = r->turns[2];
  EXPECT_EQ(asst.role, Role::Assistant);
  ASSERT_EQ(asst.parts.size(), 4u);
  EXPECT_EQ(asst.parts[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(asst.parts[0].signature, "EqQBCkYIARgCIkB0c2ln");
  EXPECT_EQ(asst.parts[2].kind, Part::Kind::ToolUse);
  EXPECT_EQ(asst.parts[2].tool_use.id, "toolu_01A09q90qw90lq917835lq9");
  EXPECT_EQ(asst.parts[2].tool_use.arguments, R"({"city": "Oslo", "unit": "celsius"})");
  const auto& results = r->turns[3];
  EXPECT_EQ(results.role, Role::Tool);
  ASSERT_EQ(results.parts.size(), 2u);
  EXPECT_EQ(results.parts[0].tool_result.text, "4 degrees, light snow");
  EXPECT_FALSE(results.parts[0].tool_result.is_error);
  EXPECT_EQ(results.parts[1].tool_result.text, "station offline");
  EXPECT_TRUE(results.parts[1].tool_result.is_error);
  const auto& user = r->turns[4];
  EXPECT_EQ(user.role, Role::User);
  ASSERT_EQ(user.parts.size(), 3u);
  EXPECT_EQ(user.parts[0].text, "Also, what does this sign say?");
  EXPECT_EQ(user.parts[1].image.source, model::Image::Source::Base64);
  EXPECT_EQ(user.parts[1].image.media_type, "image/png");
  EXPECT_EQ(user.parts[2].image.url, "https://upload.example.org/sign.jpg");
  ASSERT_EQ(r->tools.size(), 1u);
  EXPECT_THAT(r->tools[0].parameters, HasSubstr(R"("enum": ["celsius", "fahrenheit"])"));
  EXPECT_EQ(r->tool_choice.mode, model::ToolChoice::Mode::Auto);
  EXPECT_EQ(r->tool_choice.parallel, true);
  EXPECT_THAT(r->stop, ::testing::ElementsAre("\n\nHuman:", "END"));
  EXPECT_EQ(r->temperature, 0.4);
  EXPECT_EQ(r->top_p, 0.9);
  EXPECT_EQ(r->top_k, 40u);
  EXPECT_EQ(r->user, "user-7f3a");
  ASSERT_TRUE(r->reasoning);
  EXPECT_EQ(r->reasoning->budget_tokens, 2048u);
  EXPECT_TRUE(r->stream);
}

model::Request canonical_request() {
  model::Request req;
  req.model = "gpt-4o";
  auto turn = [&](Role role) -> model::Turn& {
    req.turns.emplace_back();
    req.turns.back().role = role;
    return req.turns.back();
  };
  turn(Role::System).parts.push_back(Part::make_text("You are terse."));
  auto& u = turn(Role::User);
  u.parts.push_back(Part::make_text("Compare these two pictures"));
  Part url;
  url.kind = Part::Kind::Image;
  url.image.url = "https://img.example.com/a.png";
  u.parts.push_back(url);
  Part data = url;
  data.image.url = "data:image/jpeg;base64,/9j/4AAQSkZJRg==";
  u.parts.push_back(data);
  turn(Role::Developer).parts.push_back(Part::make_text("Use tools when useful."));
  auto& a = turn(Role::Assistant);
  for (auto [id, args] : {std::pair{"call_1", R"({"q":"a"})"}, std::pair{"call_2", ""}}) {
    Part p;
    p.kind = Part::Kind::ToolUse;
    p.tool_use = {id, "lookup", args};
    a.parts.push_back(p);
  }
  for (auto [id, text, err] : {std::tuple{"call_1", "found a", false}, {"call_2", "not found", true}}) {
    Part p;
    p.kind = Part::Kind::ToolResult;
    p.tool_result = {id, text, err};
    turn(Role::Tool).parts.push_back(p);
  }
  turn(Role::User).parts.push_back(Part::make_text("Now summarise."));
  req.tools.push_back({"lookup", "Search the index", R"({"type":"object","properties":{"q":{"type":"string"}}})", true});
  req.tools.push_back({"noop", "", "{}", false});
  req.tool_choice.mode = model::ToolChoice::Mode::Required;
  req.tool_choice.parallel = false;
  req.stop = {"###"};
  req.temperature = 0.5;
  req.user = "end-user-1";
  req.stream = true;
  return req;
}

TEST(AnthropicRequest, EncodesCanonicalAsTheFixture) {
  auto out = codec().encode_request(canonical_request(), "claude-opus-4-1");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(nlohmann::json::parse(*out), nlohmann::json::parse(fixture("encoded_request.json")))
      << *out;
}

TEST(AnthropicRequest, RoundTripsThroughTheWire) {
  model::Request req = canonical_request();
  req.max_tokens = 300;
  req.top_p = 0.8;
  req.top_k = 7;
  req.reasoning = model::Reasoning{1024, {}};
  Part thinking;
  thinking.kind = Part::Kind::Thinking;
  thinking.text = "hmm";
  thinking.signature = "sig==";
  req.turns[3].parts.insert(req.turns[3].parts.begin(), thinking);
  req.turns[1].parts.pop_back();  // the data: URL becomes base64, checked in the fixture test
  auto wire = codec().encode_request(req, "claude");
  ASSERT_TRUE(wire) << wire.error().message;
  auto back = codec().decode_request(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->model, "claude");
  EXPECT_EQ(back->max_tokens, 300u);
  EXPECT_EQ(back->top_p, 0.8);
  EXPECT_EQ(back->top_k, 7u);
  EXPECT_EQ(back->reasoning->budget_tokens, 1024u);
  EXPECT_EQ(back->stop, req.stop);
  EXPECT_EQ(back->user, req.user);
  EXPECT_EQ(back->tool_choice.mode, model::ToolChoice::Mode::Required);
  EXPECT_EQ(back->tool_choice.parallel, false);
  ASSERT_EQ(back->tools.size(), 2u);
  EXPECT_EQ(back->tools[0].parameters, req.tools[0].parameters);
  // System + developer hoisted into one system turn; tool results and the user's next
  // words come back as a Tool turn then a User turn.
  ASSERT_EQ(back->turns.size(), 5u);
  EXPECT_EQ(back->turns[0].role, Role::System);
  EXPECT_EQ(back->turns[0].parts.size(), 2u);
  EXPECT_EQ(back->turns[1].parts[1].image.url, "https://img.example.com/a.png");
  const auto& asst = back->turns[2].parts;
  ASSERT_EQ(asst.size(), 3u);
  EXPECT_EQ(asst[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(asst[0].signature, "sig==");
  EXPECT_EQ(asst[1].tool_use.arguments, R"({"q":"a"})");
  EXPECT_EQ(asst[2].tool_use.arguments, "{}");
  ASSERT_EQ(back->turns[3].parts.size(), 2u);
  EXPECT_EQ(back->turns[3].role, Role::Tool);
  EXPECT_TRUE(back->turns[3].parts[1].tool_result.is_error);
  EXPECT_EQ(back->turns[4].parts[0].text, "Now summarise.");
  EXPECT_TRUE(back->stream);
}

TEST(AnthropicRequest, RefusesWhatAnthropicCannotExpress) {
  auto expect_unsupported = [](model::Request req, const char* feature) {
    auto r = codec().encode_request(req, "claude");
    ASSERT_FALSE(r) << feature;
    EXPECT_EQ(r.error().code, "unsupported_feature") << feature;
    EXPECT_THAT(r.error().message, HasSubstr(feature));
    EXPECT_THAT(r.error().message, HasSubstr("anthropic_messages"));
  };
  model::Request base = canonical_request();
  auto r = base;
  r.n = 2;
  expect_unsupported(r, "n > 1");
  r = base;
  r.frequency_penalty = 0.1;
  expect_unsupported(r, "frequency_penalty");
  r = base;
  r.presence_penalty = 0.1;
  expect_unsupported(r, "presence_penalty");
  r = base;
  r.seed = 3;
  expect_unsupported(r, "seed");
  r = base;
  r.response_format.kind = model::ResponseFormat::Kind::JsonSchema;
  expect_unsupported(r, "response_format json_schema");
  r = base;
  r.temperature = 1.7;
  expect_unsupported(r, "temperature");
  r = base;
  r.turns[1].name = "alice";
  expect_unsupported(r, "messages[1].name");
  r = base;
  r.n = 1;
  EXPECT_TRUE(codec().encode_request(r, "claude"));
}

TEST(AnthropicRequest, InvalidToolArgumentsNameTheMessageAndCall) {
  model::Request req = canonical_request();
  req.turns[3].parts[1].tool_use.arguments = R"({"q": )";
  auto r = codec().encode_request(req, "claude");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_THAT(r.error().message, HasSubstr("messages[3].tool_calls[1].function.arguments"));
  EXPECT_THAT(r.error().message, HasSubstr("call_2"));
  req.turns[3].parts[1].tool_use.arguments = "[1,2]";
  r = codec().encode_request(req, "claude");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("not a JSON object"));
}

TEST(AnthropicRequest, DefaultsMaxTokensAndPath) {
  model::Request req;
  req.turns.emplace_back();
  req.turns[0].parts.push_back(Part::make_text("hi"));
  auto out = codec().encode_request(req, "claude");
  ASSERT_TRUE(out);
  EXPECT_EQ(nlohmann::json::parse(*out)["max_tokens"], AnthropicMessagesCodec::kDefaultMaxTokens);
  EXPECT_EQ(codec().request_path("claude", true), "/v1/messages");
}

// ---------------------------------------------------------------- responses

TEST(AnthropicResponse, DecodesTheFixture) {
  auto r = codec().decode_response(fixture("response_tool_use.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "msg_01XFDUDYJgAACzvnptvVoYEL");
  EXPECT_EQ(r->model, "claude-sonnet-4-5-20250929");
  ASSERT_EQ(r->content.size(), 4u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(r->content[0].signature, "WaUjzkypQ2mUEVM36O2TxuC06KN8xyfbJwyem2dw3URve");
  EXPECT_EQ(r->content[1].kind, Part::Kind::RedactedThinking);
  EXPECT_EQ(r->content[2].text, "I'll look that up.");
  EXPECT_EQ(r->content[3].tool_use.name, "get_weather");
  // The input object's text, verbatim (escapes included).
  EXPECT_EQ(r->content[3].tool_use.arguments,
            R"({"location": "Paris, France", "days": [1, 2], "note": "caf\u00e9 \"quoted\""})");
  EXPECT_EQ(r->finish, model::FinishReason::ToolUse);
  EXPECT_EQ(r->usage.input_tokens, 472u + 100u + 2048u);
  EXPECT_EQ(r->usage.cached_input_tokens, 2048u);
  EXPECT_EQ(r->usage.output_tokens, 91u);
  EXPECT_TRUE(r->usage.reported);
}

TEST(AnthropicResponse, StopReasonsMap) {
  auto r = codec().decode_response(fixture("response_stop_sequence.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->finish, model::FinishReason::StopSequence);
  EXPECT_EQ(r->stop_sequence, "END");
  const std::pair<const char*, model::FinishReason> table[] = {
      {"end_turn", model::FinishReason::EndTurn},       {"max_tokens", model::FinishReason::MaxTokens},
      {"tool_use", model::FinishReason::ToolUse},       {"refusal", model::FinishReason::ContentFilter},
      {"pause_turn", model::FinishReason::Other}};
  for (auto [wire, finish] : table) {
    auto d = codec().decode_response(std::string(R"({"id":"m","type":"message","content":[],"stop_reason":")") +
                                     wire + "\"}");
    ASSERT_TRUE(d) << wire;
    EXPECT_EQ(d->finish, finish) << wire;
  }
}

TEST(AnthropicResponse, EncodeDecodeRoundTrip) {
  auto r = codec().decode_response(fixture("response_tool_use.json"));
  ASSERT_TRUE(r);
  auto wire = codec().encode_response(*r);
  ASSERT_TRUE(wire) << wire.error().message;
  auto json = nlohmann::json::parse(*wire);
  EXPECT_EQ(json["usage"]["input_tokens"], 572);  // cache creation folds into input
  EXPECT_EQ(json["usage"]["cache_read_input_tokens"], 2048);
  EXPECT_EQ(json["content"][3]["input"]["days"], nlohmann::json::array({1, 2}));
  auto back = codec().decode_response(*wire);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->content.size(), 4u);
  EXPECT_EQ(back->content[3].tool_use.arguments, r->content[3].tool_use.arguments);
  EXPECT_EQ(back->usage.input_tokens, r->usage.input_tokens);
  EXPECT_EQ(back->usage.cached_input_tokens, 2048u);
  EXPECT_EQ(back->finish, model::FinishReason::ToolUse);

  model::Response bad;
  Part p;
  p.kind = Part::Kind::ToolUse;
  p.tool_use = {"c", "f", "{not json"};
  bad.content.push_back(p);
  EXPECT_FALSE(codec().encode_response(bad));
}

TEST(AnthropicResponse, RejectsGarbage) {
  for (const char* body : {"", "[]", "{\"content\":{}}", "{\"type\":\"message\"}",
                           R"({"content":[{"type":"server_tool_use","id":"x"}]})",
                           R"({"content":[{"type":"tool_use","id":"x","name":"f","input":{"a":tru}}]})"}) {
    auto r = codec().decode_response(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::UpstreamError) << body;
  }
}

// ---------------------------------------------------------------- errors

TEST(AnthropicErrors, EnvelopePerKind) {
  const std::pair<ErrorKind, const char*> table[] = {
      {ErrorKind::InvalidRequest, "invalid_request_error"},
      {ErrorKind::Authentication, "authentication_error"},
      {ErrorKind::PermissionDenied, "permission_error"},
      {ErrorKind::NotFound, "not_found_error"},
      {ErrorKind::PayloadTooLarge, "request_too_large"},
      {ErrorKind::RateLimited, "rate_limit_error"},
      {ErrorKind::Internal, "api_error"},
      {ErrorKind::UpstreamError, "api_error"},
      {ErrorKind::Unavailable, "overloaded_error"}};
  for (auto [kind, type] : table) {
    auto json = nlohmann::json::parse(codec().encode_error(Error::make(kind, "bad \"thing\"")));
    EXPECT_EQ(json["type"], "error");
    EXPECT_EQ(json["error"]["type"], type);
    EXPECT_EQ(json["error"]["message"], "bad \"thing\"");
  }
  EXPECT_EQ(codec().decode_error_message(fixture("error_overloaded.json")), "Overloaded");
  EXPECT_EQ(codec().decode_error_message(fixture("error_invalid.json")), "max_tokens: Field required");
  EXPECT_EQ(codec().decode_error_message("upstream\nfell over"), "upstream fell over");
  // An empty message is no message: the next place is read, then the body itself.
  EXPECT_EQ(codec().decode_error_message(R"({"error":{"message":""},"message":"late"})"), "late");
  EXPECT_EQ(codec().decode_error_message(R"({"type":"error","message":""})"),
            R"({"type":"error","message":""})");
  EXPECT_EQ(codec().decode_error_message(""), "(empty body)");
}

// ---------------------------------------------------------------- streams

TEST(AnthropicStream, DecodesTheFixture) {
  auto ev = decode_stream(fixture("stream_tool_use.sse"));
  using K = StreamEvent::Kind;
  std::vector<K> kinds;
  for (const auto& e : ev) kinds.push_back(e.kind);
  EXPECT_THAT(kinds, ::testing::ElementsAre(K::MessageStart, K::Usage, K::ThinkingDelta,
                                            K::ThinkingDelta, K::TextDelta, K::TextDelta,
                                            K::ToolCallStart, K::ToolCallDelta, K::ToolCallDelta,
                                            K::ToolCallDelta, K::ToolCallEnd, K::Usage, K::Stop));
  EXPECT_EQ(ev[0].id, "msg_014p7gG3wDgGV9EUtLvnow3U");
  EXPECT_EQ(ev[0].name, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(ev[1].usage.input_tokens, 572u);
  EXPECT_EQ(ev[3].signature, "EqQBCgIYAhIM1gbcDa9GJwZA2b3h");
  EXPECT_EQ(ev[4].index, 1u);
  EXPECT_EQ(ev[6].index, 2u);
  EXPECT_EQ(ev[6].id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(ev[6].name, "get_weather");
  EXPECT_EQ(ev[7].text + ev[8].text + ev[9].text, R"({"location": "San Francisco, CA"})");
  EXPECT_EQ(ev[11].usage.output_tokens, 89u);
  EXPECT_EQ(ev[11].usage.input_tokens, 572u);  // kept from message_start
  EXPECT_EQ(ev[12].finish, model::FinishReason::ToolUse);
}

TEST(AnthropicStream, ErrorEventsAndTruncation) {
  auto ev = decode_stream(fixture("stream_error.sse"));
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back().kind, StreamEvent::Kind::Error);
  EXPECT_EQ(ev.back().error_type, "overloaded_error");
  EXPECT_EQ(ev.back().text, "Overloaded");

  std::string truncated = fixture("stream_tool_use.sse");
  truncated.resize(truncated.find("event: message_delta"));
  decode_stream(truncated, /*expect_finish_ok=*/false);

  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  EXPECT_FALSE(decoder->decode("content_block_delta",
                               R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})",
                               out));
}

TEST(AnthropicStream, BlocksStartOneAtATimeInIncreasingIndexOrder) {
  // Found by anthropic_stream_fuzz: a block started after a later-numbered one came back
  // from re-encoding as a different set of tool calls.
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> out;
  const auto start = [](int index) {
    return R"({"type":"content_block_start","index":)" + std::to_string(index) +
           R"(,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}})";
  };
  ASSERT_TRUE(decoder->decode(
      "message_start", R"({"type":"message_start","message":{"id":"msg_1","model":"m"}})", out));
  ASSERT_TRUE(decoder->decode("content_block_start", start(2), out));
  auto overlapping = decoder->decode("content_block_start", start(3), out);
  ASSERT_FALSE(overlapping);
  EXPECT_NE(overlapping.error().message.find("while block 2 is open"), std::string::npos);
  ASSERT_TRUE(decoder->decode("content_block_stop", R"({"type":"content_block_stop","index":2})", out));
  auto back = decoder->decode("content_block_start", start(0), out);
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().kind, ErrorKind::UpstreamError);
  EXPECT_NE(back.error().message.find("block 0 after block 2"), std::string::npos);
}

TEST(AnthropicStream, FixtureSurvivesDecodeEncodeDecode) {
  const auto first = decode_stream(fixture("stream_tool_use.sse"));
  const std::string wire = encode_stream(first);
  const auto again = decode_stream(wire);
  ASSERT_EQ(again.size(), first.size()) << wire;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(again[i].kind, first[i].kind) << i;
    EXPECT_EQ(again[i].index, first[i].index) << i;
    EXPECT_EQ(again[i].text, first[i].text) << i;
    EXPECT_EQ(again[i].signature, first[i].signature) << i;
    EXPECT_EQ(again[i].id, first[i].id) << i;
  }
  EXPECT_EQ(again.back().finish, model::FinishReason::ToolUse);
  EXPECT_EQ(again[again.size() - 2].usage.output_tokens, 89u);
}

StreamEvent ev(StreamEvent::Kind kind, uint32_t index = 0, std::string text = {}) {
  StreamEvent e;
  e.kind = kind;
  e.index = index;
  e.text = std::move(text);
  return e;
}

// Many 1–3 byte fragments, through Anthropic SSE, back to canonical: byte-identical.
TEST(AnthropicStream, TinyToolFragmentsArriveByteExact) {
  const std::string args =
      R"({"path":"/tmp/a b\\c","lines":[1,2,3],"text":"caf\u00e9 \"q\" ☃","nested":{"x":null,"y":-1.5e3}})";
  std::vector<StreamEvent> events;
  StreamEvent start = ev(StreamEvent::Kind::MessageStart);
  start.id = "chatcmpl-1";
  start.name = "gpt-4o";
  events.push_back(start);
  events.push_back(ev(StreamEvent::Kind::TextDelta, 0, "Calling."));
  StreamEvent call = ev(StreamEvent::Kind::ToolCallStart, 1);
  call.id = "call_9";
  call.name = "write_file";
  events.push_back(call);
  for (size_t pos = 0, step = 1; pos < args.size(); pos += step, step = step % 3 + 1) {
    events.push_back(ev(StreamEvent::Kind::ToolCallDelta, 1, args.substr(pos, step)));
  }
  events.push_back(ev(StreamEvent::Kind::ToolCallEnd, 1));
  StreamEvent stop = ev(StreamEvent::Kind::Stop);
  stop.finish = model::FinishReason::ToolUse;
  events.push_back(stop);
  StreamEvent usage = ev(StreamEvent::Kind::Usage);  // after Stop, as OpenAI sends it
  usage.usage = {10, 20, 0, 0, true};
  events.push_back(usage);

  const std::string wire = encode_stream(events);
  const auto back = decode_stream(wire);
  std::string joined;
  size_t fragments = 0;
  for (const auto& e : back) {
    if (e.kind == StreamEvent::Kind::ToolCallDelta) {
      joined += e.text;
      ++fragments;
    }
  }
  EXPECT_EQ(joined, args);
  EXPECT_GT(fragments, args.size() / 3);
  EXPECT_EQ(back.back().finish, model::FinishReason::ToolUse);
  EXPECT_EQ(back[back.size() - 2].usage.output_tokens, 20u);
  EXPECT_EQ(back[0].id, "chatcmpl-1");
  // A client parsing the whole input gets an object.
  EXPECT_EQ(nlohmann::json::parse(joined)["nested"]["y"], -1500.0);
}

// Two tool calls whose deltas interleave come out as two whole, consecutive blocks.
TEST(AnthropicStream, InterleavedToolCallsNeverInterleaveOnTheWire) {
  using K = StreamEvent::Kind;
  std::vector<StreamEvent> events;
  events.push_back(ev(K::MessageStart));
  StreamEvent a = ev(K::ToolCallStart, 0), b = ev(K::ToolCallStart, 1);
  a.id = "call_a", a.name = "f";
  b.id = "call_b", b.name = "g";
  events.push_back(a);
  events.push_back(b);
  events.push_back(ev(K::ToolCallDelta, 0, R"({"x")"));
  events.push_back(ev(K::ToolCallDelta, 1, R"({"y")"));
  events.push_back(ev(K::ToolCallDelta, 1, R"(:2})"));
  events.push_back(ev(K::ToolCallEnd, 1));
  events.push_back(ev(K::TextDelta, 2, "after"));
  events.push_back(ev(K::ToolCallDelta, 0, R"(:1})"));
  events.push_back(ev(K::ToolCallEnd, 0));
  events.push_back(ev(K::Stop));

  const std::string wire = encode_stream(events);
  // Structure: every delta belongs to the one open block; blocks are numbered in order.
  int open = -1, next = 0;
  std::map<int, std::string> inputs;
  std::vector<std::string> ids;
  for (const auto& e : split_sse(wire)) {
    auto j = nlohmann::json::parse(e.data);
    ASSERT_EQ(j["type"], e.event);
    if (e.event == "content_block_start") {
      ASSERT_EQ(open, -1) << wire;
      ASSERT_EQ(j["index"], next) << wire;
      open = next++;
      if (j["content_block"]["type"] == "tool_use") ids.push_back(j["content_block"]["id"]);
    } else if (e.event == "content_block_delta") {
      ASSERT_EQ(j["index"], open) << wire;
      if (j["delta"]["type"] == "input_json_delta") inputs[open] += j["delta"]["partial_json"];
    } else if (e.event == "content_block_stop") {
      ASSERT_EQ(j["index"], open) << wire;
      open = -1;
    }
  }
  EXPECT_EQ(open, -1);
  EXPECT_EQ(next, 3);
  EXPECT_THAT(ids, ::testing::ElementsAre("call_a", "call_b"));
  EXPECT_EQ(inputs[0], R"({"x":1})");
  EXPECT_EQ(inputs[1], R"({"y":2})");
  EXPECT_THAT(wire, HasSubstr("event: message_stop"));
}

TEST(AnthropicStream, EncoderWritesErrorsInAnthropicShape) {
  std::vector<StreamEvent> events;
  events.push_back(ev(StreamEvent::Kind::TextDelta, 0, "par"));
  StreamEvent e = ev(StreamEvent::Kind::Error, 0, "upstream went away");
  e.error_type = "server_error";  // not an Anthropic type
  events.push_back(e);
  events.push_back(ev(StreamEvent::Kind::TextDelta, 0, "ignored"));
  const auto sse = split_sse(encode_stream(events));
  ASSERT_EQ(sse.size(), 4u);  // message_start (implied), block start, delta, error
  EXPECT_EQ(sse[0].event, "message_start");
  EXPECT_EQ(sse.back().event, "error");
  auto j = nlohmann::json::parse(sse.back().data);
  EXPECT_EQ(j["error"]["type"], "api_error");
  EXPECT_EQ(j["error"]["message"], "upstream went away");
}

}  // namespace
}  // namespace sy::protocols
