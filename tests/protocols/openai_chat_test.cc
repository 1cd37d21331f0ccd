#include "protocols/openai_chat.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sy::protocols::openai_chat {
namespace {

using ::testing::HasSubstr;

TEST(DecodeRequest, ReadsModelMessagesAndParameters) {
  auto r = decode_request(R"({"model":"gpt-4o","messages":[
      {"role":"system","content":"be brief"},
      {"role":"user","content":[{"type":"text","text":"what is "},{"type":"image_url","image_url":{"url":"https://x/y.png"}},{"type":"text","text":"this?"}]},
      {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"c1","content":"42"}],
    "max_tokens":100,"temperature":0.2,"stream":true,"tools":[{"type":"function","function":{"name":"f"}}],
    "response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"user":"u-1"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model, "gpt-4o");
  ASSERT_EQ(r->messages.size(), 4u);
  EXPECT_EQ(r->messages[0].role, model::Role::System);
  EXPECT_EQ(r->messages[1].text, "what is this?");
  EXPECT_EQ(r->messages[1].image_parts, 1u);
  EXPECT_EQ(r->messages[2].tool_calls, 1u);
  EXPECT_EQ(r->messages[3].role, model::Role::Tool);
  EXPECT_EQ(r->max_tokens, 100u);
  EXPECT_TRUE(r->stream);
  EXPECT_FALSE(r->include_usage);
  EXPECT_EQ(r->tools, 1u);
  EXPECT_TRUE(r->json_schema);
}

TEST(DecodeRequest, UnescapesTheModelName) {
  auto r = decode_request(R"({"model":"a\u002fb","messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->model, "a/b");
}

struct BadCase {
  const char* body;
  const char* message;
  const char* param;
};

class DecodeRequestRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(DecodeRequestRejects, WithAClearMessageAndParam) {
  auto r = decode_request(GetParam().body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_THAT(r.error().message, HasSubstr(GetParam().message));
  EXPECT_EQ(r.error().param, GetParam().param);
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, DecodeRequestRejects,
    ::testing::Values(
        BadCase{"", "not valid JSON", ""},
        BadCase{"{\"model\":\"m\",", "not valid JSON", ""},
        BadCase{"[1,2]", "must be a JSON object", ""},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}]} trailing)",
                "not valid JSON", ""},
        BadCase{R"({"messages":[{"role":"user","content":"x"}]})", "model: required", "model"},
        BadCase{R"({"model":"","messages":[{"role":"user","content":"x"}]})", "must not be empty",
                "model"},
        BadCase{R"({"model":7,"messages":[]})", "model: expected a string, got a number", "model"},
        BadCase{R"({"model":"m"})", "messages: required", "messages"},
        BadCase{R"({"model":"m","messages":"hi"})", "messages: expected an array, got a string",
                "messages"},
        BadCase{R"({"model":"m","messages":[]})", "at least one message", "messages"},
        BadCase{R"({"model":"m","messages":[{"content":"x"}]})", "messages[0].role: required",
                "messages[0].role"},
        BadCase{R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "unknown role",
                "messages[0].role"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":5}]})",
                "messages[0].content: expected a string or an array of parts",
                "messages[0].content"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})",
                "stream: expected a boolean", "stream"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
                "temperature: expected a number", "temperature"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":7})",
                "temperature: must be between", "temperature"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})",
                "max_tokens: must be a positive integer", "max_tokens"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})",
                "max_tokens: expected an integer", "max_tokens"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}})",
                "tools: expected an array", "tools"}));

TEST(EncodeRequest, ReplacesOnlyTheModel) {
  auto r = decode_request(R"({ "model" : "auto" , "messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(encode_request(*r, "gpt-4o-mini"),
            R"({ "model" : "gpt-4o-mini" , "messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(encode_request(*r, "we\"ird"),
            R"({ "model" : "we\"ird" , "messages":[{"role":"user","content":"x"}]})");
}

TEST(EncodeRequest, StreamingAlwaysAsksForUsage) {
  auto r = decode_request(R"({"messages":[{"role":"user","content":"x"}],"stream":true,"model":"a"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(encode_request(*r, "b"),
            R"({"messages":[{"role":"user","content":"x"}],"stream":true,"model":"b","stream_options":{"include_usage":true}})");

  auto off = decode_request(
      R"({"model":"a","stream_options":{"include_usage":false},"stream":true,"messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->include_usage);
  EXPECT_EQ(encode_request(*off, "b"),
            R"({"model":"b","stream_options":{"include_usage":true},"stream":true,"messages":[{"role":"user","content":"x"}]})");

  auto on = decode_request(
      R"({"stream_options":{"include_usage":true},"model":"a","stream":true,"messages":[{"role":"user","content":"x"}]})");
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->include_usage);
  EXPECT_EQ(encode_request(*on, "b"),
            R"({"stream_options":{"include_usage":true},"model":"b","stream":true,"messages":[{"role":"user","content":"x"}]})");
}

TEST(ResponseUsage, ReadsTokenCountsAndDetails) {
  auto u = decode_response_usage(
      R"({"id":"x","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,
          "prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}})");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->reported);
  EXPECT_EQ(u->input_tokens, 12u);
  EXPECT_EQ(u->output_tokens, 5u);
  EXPECT_EQ(u->cached_input_tokens, 4u);
  EXPECT_EQ(u->reasoning_tokens, 2u);
  auto none = decode_response_usage(R"({"id":"x"})");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->reported);
  EXPECT_FALSE(decode_response_usage("<html>oops"));
  EXPECT_FALSE(decode_response_usage("[]"));
}

TEST(StreamChunk, ClassifiesChunks) {
  auto done = inspect_stream_chunk("[DONE]", 6);
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->done);

  std::string usage = R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}})";
  auto u = inspect_stream_chunk(usage, usage.size());
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->usage_only);
  EXPECT_EQ(u->usage.output_tokens, 4u);

  std::string delta = R"({"choices":[{"index":0,"delta":{"content":"hi"}}],"usage":null})";
  auto d = inspect_stream_chunk(delta, delta.size());
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->usage_only);
  EXPECT_FALSE(d->usage.reported);

  std::string err = R"({"error":{"message":"boom"}})";
  auto e = inspect_stream_chunk(err, err.size());
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->is_error);

  EXPECT_FALSE(inspect_stream_chunk("{\"choices\":[", 12));
}

TEST(StreamChunk, RecognisesThePreambleThatCarriesNoOutput) {
  auto check = [](std::string s) {
    auto c = inspect_stream_chunk(s, s.size());
    EXPECT_TRUE(c) << s;
    return c->preamble;
  };
  EXPECT_TRUE(check(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})"));
  EXPECT_TRUE(check(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":null}}]})"));
  EXPECT_FALSE(check(R"({"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]})"));
  EXPECT_FALSE(check(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0}]}}]})"));
  EXPECT_FALSE(check(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"));
}

TEST(Errors, EnvelopeAndMessageExtraction) {
  auto e = Error::make(ErrorKind::NotFound, "no \"such\" model", "model", "model_not_found");
  EXPECT_EQ(encode_error(e),
            R"({"error":{"message":"no \"such\" model","type":"invalid_request_error","param":"model","code":"model_not_found"}})");
  EXPECT_EQ(decode_error_message(R"({"error":{"message":"Rate limit reached"}})"), "Rate limit reached");
  EXPECT_EQ(decode_error_message("Bad Gateway\n"), "Bad Gateway ");
  EXPECT_EQ(decode_error_message(""), "(empty body)");
  EXPECT_EQ(decode_error_message(R"({"error":{"message":""}})"), R"({"error":{"message":""}})");
  EXPECT_EQ(decode_error_message(R"({"error":{"message":7},"message":"seven"})"), "seven");
}

}  // namespace
}  // namespace sy::protocols::openai_chat
