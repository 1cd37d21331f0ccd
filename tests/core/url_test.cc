#include "core/url.h"

#include <gtest/gtest.h>

namespace sy {
namespace {

TEST(ParseEndpoint, SplitsSchemeHostPortAndPrefix) {
  auto e = parse_endpoint("https://api.openai.com/v1/");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "api.openai.com");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->path_prefix, "/v1");
  EXPECT_EQ(e->host_header(), "api.openai.com");
}

TEST(ParseEndpoint, ExplicitPortAndIpv6) {
  auto e = parse_endpoint("http://[::1]:9901");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 9901);
  EXPECT_EQ(e->path_prefix, "");
  EXPECT_EQ(e->host_header(), "[::1]:9901");
}

TEST(ParseEndpoint, RejectsWhatCannotBeAnUpstream) {
  EXPECT_FALSE(parse_endpoint("ftp://x"));
  EXPECT_FALSE(parse_endpoint("not a url"));
  EXPECT_FALSE(parse_endpoint("http://h/v1?x=1"));
  EXPECT_FALSE(parse_endpoint("http://user:pw@h/"));
}

TEST(ParseListenAddress, HostAndPort) {
  auto a = parse_listen_address("0.0.0.0:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_listen_address("[::1]:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_FALSE(parse_listen_address("8080"));
  EXPECT_FALSE(parse_listen_address("h:99999"));
  EXPECT_FALSE(parse_listen_address("h:abc"));
}

}  // namespace
}  // namespace sy

namespace sy {
namespace {

TEST(UrlFuzzFindings, JunkAfterThePortAndEmptyHostsAreRejected) {
  EXPECT_FALSE(parse_endpoint("http://a:80x/v1"));
  EXPECT_TRUE(parse_endpoint("http://a:80/v1"));
  EXPECT_FALSE(parse_listen_address("[]:80"));
  EXPECT_FALSE(parse_listen_address(":80"));
  EXPECT_FALSE(parse_listen_address("[[]]:0"));
  EXPECT_TRUE(parse_listen_address("[::1]:80"));
}

}  // namespace
}  // namespace sy
