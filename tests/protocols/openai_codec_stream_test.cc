// OpenAIChatCodec responses and streams: decode of provider fixtures, encode for OpenAI
// clients, and tool-call arguments split into tiny deltas surviving decode → encode → decode
// byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocols/openai_codec.h"
#include "protocols/openai_codec_test_util.h"

namespace sy::protocols {
namespace {

using model::FinishReason;
using model::Part;
using model::StreamEvent;
using ::testing::HasSubstr;
using K = model::StreamEvent::Kind;
using nlohmann::json;
using testing::fixture;
using testing::sse_data;

const Codec& codec() { return openai_chat_codec(); }

// ---- responses ----

TEST(OpenAICodecResponse, DecodesText) {
  auto r = codec().decode_response(fixture("openai_chat/response_text.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->id, "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT");
  EXPECT_EQ(r->model, "gpt-4o-2024-08-06");
  ASSERT_EQ(r->content.size(), 1u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::Text);
  EXPECT_EQ(r->content[0].text, "Paris is cloudy at 18 °C; Lyon is clear at 21 °C.");
  EXPECT_EQ(r->finish, FinishReason::EndTurn);
  EXPECT_TRUE(r->usage.reported);
  EXPECT_EQ(r->usage.input_tokens, 1117u);
  EXPECT_EQ(r->usage.output_tokens, 46u);
  EXPECT_EQ(r->usage.cached_input_tokens, 1024u);
}

TEST(OpenAICodecResponse, DecodesToolCalls) {
  auto r = codec().decode_response(fixture("openai_chat/response_tool_calls.json"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::ToolUse);
  EXPECT_EQ(r->content[0].tool_use.id, "call_PZ1a");
  EXPECT_EQ(r->content[0].tool_use.arguments, R"({"city":"Paris","unit":"celsius"})");
  EXPECT_EQ(r->content[1].tool_use.arguments, R"({"city": "Lyon"})");
  EXPECT_EQ(r->finish, FinishReason::ToolUse);
  EXPECT_EQ(r->usage.reasoning_tokens, 192u);
}

TEST(OpenAICodecResponse, MapsFinishReasons) {
  const std::pair<const char*, FinishReason> cases[] = {
      {"stop", FinishReason::EndTurn},
      {"length", FinishReason::MaxTokens},
      {"tool_calls", FinishReason::ToolUse},
      {"function_call", FinishReason::ToolUse},
      {"content_filter", FinishReason::ContentFilter},
      {"something_new", FinishReason::Other}};
  for (auto [wire, canonical] : cases) {
    const std::string body =
        std::string(
            R"({"id":"x","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":")") +
        wire + "\"}]}";
    auto r = codec().decode_response(body);
    ASSERT_TRUE(r) << wire;
    EXPECT_EQ(r->finish, canonical) << wire;
  }
}

TEST(OpenAICodecResponse, DecodesOnlyTheFirstOfSeveralChoices) {
  auto r = codec().decode_response(R"({"id":"x","model":"m","choices":[
      {"index":0,"message":{"role":"assistant","content":"first","reasoning_content":"why"},"finish_reason":"stop"},
      {"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"stop"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].kind, Part::Kind::Thinking);
  EXPECT_EQ(r->content[0].text, "why");
  EXPECT_EQ(r->content[1].text, "first");
  EXPECT_FALSE(r->usage.reported);
}

TEST(OpenAICodecResponse, RejectsBadBodiesAsUpstreamErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"nope", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"id":"x"})", "choices: expected an array"},
      {R"({"choices":[]})", "choices: must not be empty"},
      {R"({"choices":[{"message":{"content":5}}]})",
       "choices[0].message.content: expected a string"},
      {R"({"choices":[{"message":{"tool_calls":[{"id":"c","function":{"arguments":"{}"}}]}}]})",
       "choices[0].message.tool_calls[0].function.name: missing"},
      {R"({"error":{"message":"overloaded","type":"server_error"}})", "upstream error: overloaded"},
  };
  for (auto [body, message] : cases) {
    auto r = codec().decode_response(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().status, 502);
    EXPECT_THAT(r.error().message, HasSubstr(message));
  }
}

TEST(OpenAICodecResponse, EncodesAChatCompletion) {
  model::Response resp;
  resp.id = "msg_01";
  resp.model = "claude-sonnet";
  Part thinking;
  thinking.kind = Part::Kind::Thinking;
  thinking.text = "Think.";
  resp.content.push_back(thinking);
  resp.content.push_back(Part::make_text("Calling."));
  Part call;
  call.kind = Part::Kind::ToolUse;
  call.tool_use = {"toolu_1", "get_weather", R"({"city":"Paris"})"};
  resp.content.push_back(call);
  resp.finish = FinishReason::ToolUse;
  resp.usage = {100, 20, 80, 5, true};
  auto body = codec().encode_response(resp);
  ASSERT_TRUE(body);
  json j = json::parse(*body);
  ASSERT_TRUE(j["created"].is_number_integer());
  j.erase("created");
  EXPECT_EQ(j, json::parse(R"({
    "id": "msg_01", "object": "chat.completion", "model": "claude-sonnet",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Calling.",
      "reasoning_content": "Think.",
      "tool_calls": [{"id": "toolu_1", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
      "logprobs": null, "finish_reason": "tool_calls"}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
              "prompt_tokens_details": {"cached_tokens": 80},
              "completion_tokens_details": {"reasoning_tokens": 5}}})"));

  auto back = codec().decode_response(*body);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->content.size(), 3u);
  EXPECT_EQ(back->content[2].tool_use.arguments, R"({"city":"Paris"})");
  EXPECT_EQ(back->finish, FinishReason::ToolUse);
  EXPECT_EQ(back->usage.cached_input_tokens, 80u);
}

TEST(OpenAICodecResponse, FinishReasonsOnTheWire) {
  const std::pair<FinishReason, const char*> cases[] = {
      {FinishReason::EndTurn, "stop"},
      {FinishReason::StopSequence, "stop"},
      {FinishReason::MaxTokens, "length"},
      {FinishReason::ToolUse, "tool_calls"},
      {FinishReason::ContentFilter, "content_filter"},
      {FinishReason::Other, "stop"}};
  for (auto [canonical, wire] : cases) {
    model::Response resp;
    resp.finish = canonical;
    auto body = codec().encode_response(resp);
    ASSERT_TRUE(body);
    EXPECT_EQ(json::parse(*body)["choices"][0]["finish_reason"], wire);
  }
}

TEST(OpenAICodecErrors, UseTheOpenAIEnvelope) {
  EXPECT_EQ(codec().decode_error_message(fixture("openai_chat/error.json")),
            "Invalid 'messages[1].content': string too long. Expected a string with maximum "
            "length 10485760, but got a string with length 10485761 instead.");
  const json j = json::parse(codec().encode_error(Error::make(
      ErrorKind::InvalidRequest, "top_k cannot be expressed", "", "unsupported_feature")));
  EXPECT_EQ(j["error"]["type"], "invalid_request_error");
  EXPECT_EQ(j["error"]["code"], "unsupported_feature");
}

// ---- stream decoding ----

std::vector<StreamEvent> decode_all(const std::vector<std::string>& chunks, bool expect_ok = true) {
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> events;
  for (const auto& c : chunks) {
    auto r = decoder->decode("", c, events);
    EXPECT_TRUE(r) << r.error().message << " on " << c;
  }
  auto r = decoder->finish(events);
  EXPECT_EQ(r.has_value(), expect_ok);
  return events;
}

std::vector<K> kinds(const std::vector<StreamEvent>& events) {
  std::vector<K> out;
  for (const auto& e : events) out.push_back(e.kind);
  return out;
}

TEST(OpenAICodecStreamDecoder, Text) {
  auto events = decode_all(sse_data(fixture("openai_chat/stream_text.sse")));
  ASSERT_EQ(kinds(events),
            (std::vector<K>{K::MessageStart, K::TextDelta, K::TextDelta, K::Usage, K::Stop}));
  EXPECT_EQ(events[0].id, "chatcmpl-123");
  EXPECT_EQ(events[0].name, "gpt-4o-mini");
  EXPECT_EQ(events[1].text, "Hello");
  EXPECT_EQ(events[2].text, " there!");
  EXPECT_EQ(events[1].index, 0u);
  EXPECT_EQ(events[2].index, 0u);
  EXPECT_EQ(events[3].usage.input_tokens, 9u);
  EXPECT_EQ(events[4].finish, FinishReason::EndTurn);
}

TEST(OpenAICodecStreamDecoder, ParallelToolCalls) {
  auto events = decode_all(sse_data(fixture("openai_chat/stream_tool_calls.sse")));
  ASSERT_EQ(kinds(events),
            (std::vector<K>{K::MessageStart, K::ToolCallStart, K::ToolCallDelta, K::ToolCallDelta,
                            K::ToolCallEnd, K::ToolCallStart, K::ToolCallDelta, K::ToolCallDelta,
                            K::ToolCallEnd, K::Usage, K::Stop}));
  EXPECT_EQ(events[1].index, 0u);
  EXPECT_EQ(events[1].id, "call_PZ1a");
  EXPECT_EQ(events[1].name, "get_weather");
  EXPECT_EQ(events[2].text + events[3].text, R"({"city":"Paris"})");
  EXPECT_EQ(events[4].index, 0u);
  EXPECT_EQ(events[5].index, 1u);
  EXPECT_EQ(events[5].id, "call_LY2b");
  EXPECT_EQ(events[6].index, 1u);
  EXPECT_EQ(events[6].text + events[7].text, R"({"city": "Lyon"})");
  EXPECT_EQ(events[9].usage.cached_input_tokens, 64u);
  EXPECT_EQ(events[10].finish, FinishReason::ToolUse);
}

TEST(OpenAICodecStreamDecoder, ReasoningContentIsThinking) {
  auto events = decode_all(sse_data(fixture("openai_chat/stream_reasoning.sse")));
  ASSERT_EQ(kinds(events),
            (std::vector<K>{K::MessageStart, K::ThinkingDelta, K::TextDelta, K::Usage, K::Stop}));
  EXPECT_EQ(events[1].index, 0u);
  EXPECT_EQ(events[1].text, "9.11 vs 9.9: compare tenths.");
  EXPECT_EQ(events[2].index, 1u);
  EXPECT_EQ(events[3].usage.reasoning_tokens, 12u);
  EXPECT_EQ(events[4].finish, FinishReason::MaxTokens);
}

TEST(OpenAICodecStreamDecoder, ErrorChunkEndsTheStream) {
  auto events = decode_all(sse_data(fixture("openai_chat/stream_error.sse")));
  ASSERT_EQ(kinds(events), (std::vector<K>{K::MessageStart, K::TextDelta, K::Error}));
  EXPECT_THAT(events[2].text, HasSubstr("server had an error"));
  EXPECT_EQ(events[2].error_type, "server_error");
}

TEST(OpenAICodecStreamDecoder, FinishFailsWithoutAnEndMarker) {
  auto events =
      decode_all({R"({"id":"a","model":"m","choices":[{"index":0,"delta":{"content":"x"}}]})"},
                 /*expect_ok=*/false);
  EXPECT_EQ(kinds(events), (std::vector<K>{K::MessageStart, K::TextDelta}));

  // A finish_reason without [DONE] is a complete stream: Stop comes from finish().
  events = decode_all(
      {R"({"id":"a","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{}"}}]}}]})",
       R"({"id":"a","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"});
  EXPECT_EQ(kinds(events), (std::vector<K>{K::MessageStart, K::ToolCallStart, K::ToolCallDelta,
                                           K::ToolCallEnd, K::Stop}));
}

TEST(OpenAICodecStreamDecoder, RejectsBadChunks) {
  const std::pair<const char*, const char*> cases[] = {
      {"{", "not valid JSON"},
      {R"({"choices":{}})", "choices: expected an array"},
      {R"({"choices":[{"index":0,"delta":{"content":7}}]})",
       "choices[0].delta.content: expected a string"},
      {R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]})",
       "function.name: missing on a new tool call"},
  };
  for (auto [chunk, message] : cases) {
    auto decoder = codec().stream_decoder();
    std::vector<StreamEvent> events;
    auto r = decoder->decode("", chunk, events);
    ASSERT_FALSE(r) << chunk;
    EXPECT_EQ(r.error().status, 502);
    EXPECT_THAT(r.error().message, HasSubstr(message));
  }
  // Arguments for a call that already ended would be mangled: refused.
  auto decoder = codec().stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder->decode(
      "",
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":""}}]}}]})",
      events));
  ASSERT_TRUE(decoder->decode(
      "",
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":""}}]}}]})",
      events));
  auto late = decoder->decode(
      "",
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]})",
      events);
  ASSERT_FALSE(late);
  EXPECT_THAT(late.error().message, HasSubstr("after it ended"));
}

// ---- stream encoding ----

std::string encode_all(const std::vector<StreamEvent>& events, bool include_usage) {
  auto encoder = codec().stream_encoder(StreamOptions{include_usage});
  std::string out;
  for (const auto& e : events) encoder->encode(e, out);
  encoder->finish(out);
  return out;
}

StreamEvent ev(K kind, uint32_t index = 0, std::string text = {}) {
  StreamEvent e;
  e.kind = kind;
  e.index = index;
  e.text = std::move(text);
  return e;
}

TEST(OpenAICodecStreamEncoder, WritesChunksAnOpenAIClientReads) {
  std::vector<StreamEvent> events;
  StreamEvent start = ev(K::MessageStart);
  start.id = "msg_01";
  start.name = "claude-sonnet";
  events.push_back(start);
  events.push_back(ev(K::ThinkingDelta, 0, "Hmm."));
  events.push_back(ev(K::TextDelta, 1, "Let me check."));
  StreamEvent call = ev(K::ToolCallStart, 2);
  call.id = "toolu_1";
  call.name = "get_weather";
  events.push_back(call);
  events.push_back(ev(K::ToolCallDelta, 2, R"({"city":)"));
  events.push_back(ev(K::ToolCallDelta, 2, R"( "Paris"})"));
  events.push_back(ev(K::ToolCallEnd, 2));
  call.index = 3;
  call.id = "toolu_2";
  events.push_back(call);
  events.push_back(ev(K::ToolCallEnd, 3));
  StreamEvent usage = ev(K::Usage);
  usage.usage = {50, 30, 0, 0, true};
  events.push_back(usage);
  StreamEvent stop = ev(K::Stop);
  stop.finish = FinishReason::ToolUse;
  events.push_back(stop);

  const std::string out = encode_all(events, /*include_usage=*/true);
  const auto chunks = sse_data(out);
  ASSERT_EQ(chunks.size(), 10u) << out;
  std::vector<json> j;
  for (size_t i = 0; i + 1 < chunks.size(); ++i) j.push_back(json::parse(chunks[i]));
  EXPECT_EQ(chunks.back(), "[DONE]");
  for (const auto& c : j) {
    EXPECT_EQ(c["id"], "msg_01");
    EXPECT_EQ(c["object"], "chat.completion.chunk");
    EXPECT_EQ(c["model"], "claude-sonnet");
  }
  EXPECT_EQ(j[0]["choices"][0]["delta"], json::parse(R"({"role":"assistant","content":""})"));
  EXPECT_EQ(j[1]["choices"][0]["delta"], json::parse(R"({"reasoning_content":"Hmm."})"));
  EXPECT_EQ(j[2]["choices"][0]["delta"], json::parse(R"({"content":"Let me check."})"));
  EXPECT_EQ(j[3]["choices"][0]["delta"], json::parse(R"({"tool_calls":[{"index":0,"id":"toolu_1",
      "type":"function","function":{"name":"get_weather","arguments":""}}]})"));
  EXPECT_EQ(j[4]["choices"][0]["delta"],
            json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]})"));
  EXPECT_EQ(j[5]["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"], R"( "Paris"})");
  EXPECT_EQ(j[6]["choices"][0]["delta"]["tool_calls"][0]["index"], 1);
  EXPECT_EQ(j[6]["choices"][0]["delta"]["tool_calls"][0]["id"], "toolu_2");
  EXPECT_EQ(j[7]["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(j[7]["choices"][0]["delta"], json::object());
  EXPECT_EQ(j[8]["choices"], json::array());
  EXPECT_EQ(j[8]["usage"]["total_tokens"], 80);
  for (size_t i = 0; i < 7; ++i) EXPECT_TRUE(j[i]["choices"][0]["finish_reason"].is_null());

  // Without include_usage the usage chunk is not sent.
  const auto without = sse_data(encode_all(events, /*include_usage=*/false));
  ASSERT_EQ(without.size(), 9u);
  EXPECT_EQ(json::parse(without[7])["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_EQ(without[8], "[DONE]");
}

TEST(OpenAICodecStreamEncoder, AnErrorEndsTheStreamWithoutDone) {
  StreamEvent err = ev(K::Error, 0, "overloaded");
  err.error_type = "overloaded_error";
  const auto chunks =
      sse_data(encode_all({ev(K::MessageStart), ev(K::TextDelta, 0, "Hi"), err}, false));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(json::parse(chunks[2]), json::parse(R"({"error":{"message":"overloaded",
      "type":"overloaded_error","param":null,"code":null}})"));
}

// ---- tool arguments in tiny deltas, decode → encode → decode ----

std::string chunk_json(const json& delta, const json& finish = nullptr) {
  json c = {{"id", "chatcmpl-tiny"},
            {"object", "chat.completion.chunk"},
            {"created", 1},
            {"model", "gpt-4o"}};
  c["choices"] = json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}});
  return c.dump();
}

TEST(OpenAICodecStream, TinyArgumentDeltasSurviveByteForByte) {
  const std::string args[] = {
      R"({"path": "/tmp/a \"quoted\" file.txt", "lines": [1, 2, 3], "note": "caf\u00e9 \\ naïve 日本"})",
      R"({"q":"{not json inside a string}","n":-1.5e3,"nested":{"a":[{"b":null}]}})"};
  std::vector<std::string> upstream;
  upstream.push_back(chunk_json({{"role", "assistant"}, {"content", nullptr}}));
  size_t step = 0;
  for (int call = 0; call < 2; ++call) {
    upstream.push_back(chunk_json(
        {{"tool_calls",
          json::array(
              {{{"index", call},
                {"id", "call_" + std::to_string(call)},
                {"type", "function"},
                {"function", {{"name", "tool" + std::to_string(call)}, {"arguments", ""}}}}})}}));
    const std::string& a = args[call];
    for (size_t pos = 0; pos < a.size();) {
      // 1–3 bytes, never splitting a UTF-8 sequence (JSON strings hold whole characters).
      size_t n = std::min<size_t>(1 + step++ % 3, a.size() - pos);
      while (pos + n < a.size() && (static_cast<unsigned char>(a[pos + n]) & 0xC0) == 0x80) ++n;
      upstream.push_back(chunk_json(
          {{"tool_calls",
            json::array({{{"index", call}, {"function", {{"arguments", a.substr(pos, n)}}}}})}}));
      pos += n;
    }
  }
  upstream.push_back(chunk_json(json::object(), "tool_calls"));
  upstream.push_back("[DONE]");

  ASSERT_GT(upstream.size(), 80u);

  auto first = decode_all(upstream);
  std::string seen[2];
  size_t fragments = 0;
  for (const auto& e : first) {
    if (e.kind == K::ToolCallDelta) {
      seen[e.index] += e.text;
      ++fragments;
    }
  }
  EXPECT_EQ(seen[0], args[0]);
  EXPECT_EQ(seen[1], args[1]);

  // Encode for an OpenAI client and decode that again: same fragments, same bytes.
  const auto client = sse_data(encode_all(first, false));
  auto second = decode_all(client);
  std::string again[2];
  size_t fragments_again = 0;
  for (const auto& e : second) {
    if (e.kind == K::ToolCallDelta) {
      again[e.index] += e.text;
      ++fragments_again;
    }
  }
  EXPECT_EQ(fragments_again, fragments);
  EXPECT_EQ(again[0], args[0]);
  EXPECT_EQ(again[1], args[1]);
  EXPECT_EQ(kinds(second), kinds(first));
}

}  // namespace
}  // namespace sy::protocols
