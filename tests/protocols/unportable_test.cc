// A feature only the client's protocol can express (model::Request::unportable) is
// refused by every codec's encoder with a 400 naming it — never dropped.
#include <gtest/gtest.h>

#include "protocols/codec.h"

namespace sy::protocols {
namespace {

TEST(Unportable, EveryEncoderRefusesWhatItCannotCarry) {
  model::Request req;
  req.model = "m";
  model::Turn t;
  t.parts.push_back(model::Part::make_text("hi"));
  req.turns.push_back(std::move(t));
  req.max_tokens = 16;
  req.unportable.push_back("logprobs");
  for (auto p : {model::Protocol::OpenAIChat, model::Protocol::AnthropicMessages,
                 model::Protocol::Gemini, model::Protocol::BedrockConverse}) {
    const Codec& c = codec_for(p);
    auto body = c.encode_request(req, "m");
    ASSERT_FALSE(body) << c.name() << " encoded " << *body;
    EXPECT_EQ(body.error().status, 400) << c.name();
    EXPECT_EQ(body.error().code, "unsupported_feature") << c.name();
    EXPECT_NE(body.error().message.find("logprobs"), std::string::npos) << body.error().message;
    req.unportable.clear();
    EXPECT_TRUE(c.encode_request(req, "m")) << c.name();
    req.unportable.push_back("logprobs");
  }
}

}  // namespace
}  // namespace sy::protocols
