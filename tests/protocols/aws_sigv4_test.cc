#include "protocols/aws_sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::protocols::aws {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The AWS Signature Version 4 test suite
// (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, the
// aws-sig-v4-test-suite archive; the same vectors ship as
// packages/signature-v4/src/suite.fixture.ts in aws/aws-sdk-js-v3): every case signs at
// 2015-08-30T12:36:00Z in us-east-1 for service "service" with the example key below.
// The expected signatures were checked against the published .authz files.
const Credentials kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigningOptions kSuiteScope{.region = "us-east-1", .service = "service"};
constexpr std::chrono::sys_seconds kSuiteTime{1440938160s};  // 20150830T123600Z
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// The suite's session token (post-sts-token/).
constexpr const char* kSuiteToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxf"
    "pSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQ"
    "DYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
    "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

struct SuiteCase {
  const char* name;
  const char* method;
  const char* path;
  std::vector<QueryParam> query;
  std::vector<HttpHeader> headers;
  const char* payload;
  const char* signed_headers;
  const char* signature;
};

void PrintTo(const SuiteCase& c, std::ostream* os) { *os << c.name; }

class SigV4Suite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4Suite, SignsAsPublished) {
  const SuiteCase& c = GetParam();
  SigningRequest req{.method = c.method,
                     .host = "example.amazonaws.com",
                     .path = c.path,
                     .query = c.query,
                     .headers = c.headers,
                     .payload = c.payload};
  auto sig = sign(req, kSuiteKey, kSuiteScope, kSuiteTime);
  ASSERT_TRUE(sig) << sig.error().message;
  EXPECT_EQ(sig->amz_date, "20150830T123600Z");
  EXPECT_EQ(sig->signature, c.signature) << sig->canonical_request;
  EXPECT_EQ(sig->authorization,
            std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                        "aws4_request, SignedHeaders=") +
                c.signed_headers + ", Signature=" + c.signature);
}

constexpr const char* kVanilla = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
constexpr const char* kUnreserved =
    "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

INSTANTIATE_TEST_SUITE_P(
    AwsTestSuite, SigV4Suite,
    ::testing::Values(
        SuiteCase{"get-vanilla", "GET", "/", {}, {}, "", "host;x-amz-date", kVanilla},
        SuiteCase{"get-vanilla-query-order-key-case",
                  "GET",
                  "/",
                  {{"Param2", "value2"}, {"Param1", "value1"}},
                  {},
                  "",
                  "host;x-amz-date",
                  "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
        SuiteCase{"get-vanilla-empty-query-key",
                  "GET",
                  "/",
                  {{"Param1", "value1"}},
                  {},
                  "",
                  "host;x-amz-date",
                  "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
        SuiteCase{"get-vanilla-query-unreserved",
                  "GET",
                  "/",
                  {{kUnreserved, kUnreserved}},
                  {},
                  "",
                  "host;x-amz-date",
                  "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
        SuiteCase{"get-vanilla-utf8-query",
                  "GET",
                  "/",
                  {{"\xe1\x88\xb4", "bar"}},
                  {},
                  "",
                  "host;x-amz-date",
                  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        SuiteCase{"get-unreserved",
                  "GET",
                  "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
        SuiteCase{"get-utf8",
                  "GET",
                  "/\xe1\x88\xb4",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
        // normalize-path/: the path is normalised before it is encoded.
        SuiteCase{"get-space",
                  "GET",
                  "/example space/",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
        SuiteCase{"get-slashes",
                  "GET",
                  "//example//",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
        SuiteCase{"get-relative", "GET", "/example/..", {}, {}, "", "host;x-amz-date", kVanilla},
        SuiteCase{"get-relative-relative",
                  "GET",
                  "/example1/example2/../..",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  kVanilla},
        SuiteCase{"get-slash", "GET", "//", {}, {}, "", "host;x-amz-date", kVanilla},
        SuiteCase{"get-slash-dot-slash", "GET", "/./", {}, {}, "", "host;x-amz-date", kVanilla},
        SuiteCase{"get-header-key-duplicate",
                  "GET",
                  "/",
                  {},
                  {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
                  "",
                  "host;my-header1;x-amz-date",
                  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        SuiteCase{"get-header-value-order",
                  "GET",
                  "/",
                  {},
                  {{"My-Header1", "value4"},
                   {"My-Header1", "value1"},
                   {"My-Header1", "value3"},
                   {"My-Header1", "value2"}},
                  "",
                  "host;my-header1;x-amz-date",
                  "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
        SuiteCase{"get-header-value-trim",
                  "GET",
                  "/",
                  {},
                  {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
                  "",
                  "host;my-header1;my-header2;x-amz-date",
                  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        SuiteCase{"post-vanilla",
                  "POST",
                  "/",
                  {},
                  {},
                  "",
                  "host;x-amz-date",
                  "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
        SuiteCase{"post-vanilla-query",
                  "POST",
                  "/",
                  {{"Param1", "value1"}},
                  {},
                  "",
                  "host;x-amz-date",
                  "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
        SuiteCase{"post-vanilla-query-nonunreserved",
                  "POST",
                  "/",
                  {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}},
                  {},
                  "",
                  "host;x-amz-date",
                  "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
        SuiteCase{"post-header-key-sort",
                  "POST",
                  "/",
                  {},
                  {{"My-Header1", "value1"}},
                  "",
                  "host;my-header1;x-amz-date",
                  "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
        SuiteCase{"post-header-value-case",
                  "POST",
                  "/",
                  {},
                  {{"My-Header1", "VALUE1"}},
                  "",
                  "host;my-header1;x-amz-date",
                  "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
        SuiteCase{"post-x-www-form-urlencoded",
                  "POST",
                  "/",
                  {},
                  {{"Content-Type", "application/x-www-form-urlencoded"}},
                  "Param1=value1",
                  "content-type;host;x-amz-date",
                  "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
        SuiteCase{"post-x-www-form-urlencoded-parameters",
                  "POST",
                  "/",
                  {},
                  {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}},
                  "Param1=value1",
                  "content-type;host;x-amz-date",
                  "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (ch == '-') ch = '_';
      }
      return n;
    });

TEST(SigV4, GetVanillaIntermediateStrings) {
  auto sig = sign({.method = "GET", .host = "example.amazonaws.com", .path = "/"}, kSuiteKey,
                  kSuiteScope, kSuiteTime);
  ASSERT_TRUE(sig);
  // get-vanilla.creq and get-vanilla.sts.
  EXPECT_EQ(sig->canonical_request,
            std::string("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "host;x-amz-date\n") +
                kEmptySha256);
  EXPECT_EQ(sig->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_TRUE(sig->security_token.empty());
  EXPECT_TRUE(sig->content_sha256.empty());
}

// post-sts-token/post-sts-header-before: the session token is a signed header.
TEST(SigV4, SessionTokenIsSigned) {
  Credentials temporary = kSuiteKey;
  temporary.session_token = kSuiteToken;
  auto sig = sign({.method = "POST", .host = "example.amazonaws.com", .path = "/"}, temporary,
                  kSuiteScope, kSuiteTime);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->security_token, kSuiteToken);
  EXPECT_THAT(sig->canonical_request,
              HasSubstr(std::string("\nx-amz-security-token:") + kSuiteToken + "\n"));
  EXPECT_EQ(sig->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6");
  EXPECT_EQ(sig->authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

// The worked example of the SigV4 documentation ("Create a signed AWS API request",
// IAM ListUsers; https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
// hashed canonical request, signing key and signature as published there.
TEST(SigV4, IamListUsersExample) {
  SigningRequest req{
      .method = "GET",
      .host = "iam.amazonaws.com",
      .path = "/",
      .query = {{"Version", "2010-05-08"}, {"Action", "ListUsers"}},
      .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
  };
  auto sig = sign(req, kSuiteKey, {.region = "us-east-1", .service = "iam"}, kSuiteTime);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->canonical_request,
            std::string("GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                        "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                        "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "content-type;host;x-amz-date\n") +
                kEmptySha256);
  EXPECT_EQ(*sha256_hex(sig->canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  auto key = signing_key(kSuiteKey.secret_access_key, "20150830", "us-east-1", "iam");
  ASSERT_TRUE(key);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key_hex;
  for (auto b : *key) key_hex += {kHex[b >> 4], kHex[b & 15]};
  EXPECT_EQ(key_hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(sig->authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

// Amazon S3 API Reference, "Signature Calculations for the Authorization Header
// (AWS Signature Version 4)", example "GET Object": S3 path style and a signed
// x-amz-content-sha256.
TEST(SigV4, S3GetObjectExample) {
  SigningRequest req{.method = "GET",
                     .host = "examplebucket.s3.amazonaws.com",
                     .path = "/test.txt",
                     .headers = {{"Range", "bytes=0-9"}}};
  auto sig = sign(req, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
                  {.region = "us-east-1",
                   .service = "s3",
                   .path_style = PathStyle::S3,
                   .sign_content_sha256 = true},
                  std::chrono::sys_seconds{1369353600s});  // 20130524T000000Z
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->content_sha256, kEmptySha256);
  EXPECT_EQ(sig->authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// Bedrock model ids hold ':', sent as %3A; services other than S3 sign the path encoded
// once more, so the signer sees %253A.
TEST(SigV4, BedrockPathIsEncodedTwice) {
  const std::string wire = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream";
  EXPECT_EQ(canonical_uri(wire, PathStyle::Service),
            "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse-stream");
  EXPECT_EQ(canonical_uri(wire, PathStyle::S3), wire);
  auto sig = sign({.method = "POST",
                   .host = "bedrock-runtime.us-east-1.amazonaws.com",
                   .path = wire,
                   .headers = {{"Content-Type", "application/json"}},
                   .payload = R"({"messages":[]})"},
                  kSuiteKey, {.region = "us-east-1", .service = "bedrock"}, kSuiteTime);
  ASSERT_TRUE(sig);
  EXPECT_THAT(sig->canonical_request,
              HasSubstr("\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/"
                        "converse-stream\n"));
  EXPECT_THAT(sig->authorization, HasSubstr("/20150830/us-east-1/bedrock/aws4_request, "
                                            "SignedHeaders=content-type;host;x-amz-date, "));
}

TEST(SigV4, UriEncode) {
  EXPECT_EQ(uri_encode("a/b c+d=e*~", true), "a/b%20c%2Bd%3De%2A~");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_encode("\xe1\x88\xb4", false), "%E1%88%B4");
  EXPECT_EQ(uri_encode("%3A", false), "%253A");
  EXPECT_EQ(canonical_uri("", PathStyle::Service), "/");
  EXPECT_EQ(canonical_uri("/./example", PathStyle::Service), "/example");
  EXPECT_EQ(canonical_uri("/a/b/../c/", PathStyle::Service), "/a/c/");
  EXPECT_EQ(canonical_uri("/../..", PathStyle::Service), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
  const QueryParam q[] = {{"b", "2"}, {"a", "z"}, {"a", "y"}, {"B", ""}, {"a b", "c d"}};
  EXPECT_EQ(canonical_query(q), "B=&a=y&a=z&a%20b=c%20d&b=2");
  EXPECT_EQ(canonical_query({}), "");
}

TEST(SigV4, AmzDate) {
  EXPECT_EQ(amz_date(std::chrono::sys_seconds{0s}), "19700101T000000Z");
  EXPECT_EQ(amz_date(std::chrono::sys_seconds{1709164800s + 23h + 59min + 59s}),
            "20240229T235959Z");
}

TEST(SigV4, TimeRegionAndBodyChangeTheSignature) {
  const SigningRequest req{.method = "POST", .host = "h", .path = "/", .payload = "x"};
  auto base = sign(req, kSuiteKey, kSuiteScope, kSuiteTime);
  auto later = sign(req, kSuiteKey, kSuiteScope, kSuiteTime + 1s);
  auto other_region =
      sign(req, kSuiteKey, {.region = "eu-west-1", .service = "service"}, kSuiteTime);
  SigningRequest other_body = req;
  other_body.payload = "y";
  auto body = sign(other_body, kSuiteKey, kSuiteScope, kSuiteTime);
  ASSERT_TRUE(base && later && other_region && body);
  EXPECT_NE(base->signature, later->signature);
  EXPECT_EQ(later->amz_date, "20150830T123601Z");
  EXPECT_NE(base->signature, other_region->signature);
  EXPECT_NE(base->signature, body->signature);
}

TEST(SigV4, RejectsWhatCannotBeSigned) {
  const SigningRequest ok{.method = "GET", .host = "h", .path = "/"};
  auto expect_rejected = [](const Result<Signature>& r, const char* what) {
    ASSERT_FALSE(r) << what;
    EXPECT_EQ(r.error().kind, ErrorKind::InvalidRequest) << what;
  };
  expect_rejected(sign(ok, {"", "secret", ""}, kSuiteScope, kSuiteTime), "no key id");
  expect_rejected(sign(ok, {"id", "", ""}, kSuiteScope, kSuiteTime), "no secret");
  expect_rejected(sign(ok, {"id\r\n", "s", ""}, kSuiteScope, kSuiteTime), "CRLF in key id");
  expect_rejected(sign(ok, {"id", "s", "tok\n"}, kSuiteScope, kSuiteTime), "LF in token");
  expect_rejected(sign(ok, kSuiteKey, {.region = "", .service = "s"}, kSuiteTime), "no region");
  expect_rejected(sign(ok, kSuiteKey, {.region = "a/b", .service = "s"}, kSuiteTime), "slash");
  SigningRequest r = ok;
  r.method = "GE T";
  expect_rejected(sign(r, kSuiteKey, kSuiteScope, kSuiteTime), "bad method");
  r = ok;
  r.headers = {{"X-Amz-Date", "20000101T000000Z"}};
  auto dup = sign(r, kSuiteKey, kSuiteScope, kSuiteTime);
  expect_rejected(dup, "x-amz-date given");
  EXPECT_THAT(dup.error().message, HasSubstr("set by the signer"));
  r.headers = {{"Host", "other"}};
  expect_rejected(sign(r, kSuiteKey, kSuiteScope, kSuiteTime), "host given");
  r.headers = {{"bad name", "v"}};
  expect_rejected(sign(r, kSuiteKey, kSuiteScope, kSuiteTime), "space in name");
  r.headers = {{"x-evil", "a\r\nx-amz-date: 1"}};
  expect_rejected(sign(r, kSuiteKey, kSuiteScope, kSuiteTime), "header injection");
  r.headers = {{"x-nul", std::string("a\0b", 3)}};
  expect_rejected(sign(r, kSuiteKey, kSuiteScope, kSuiteTime), "NUL in value");
}

}  // namespace
}  // namespace sy::protocols::aws
