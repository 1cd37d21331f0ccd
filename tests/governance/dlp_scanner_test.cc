// The compiled scanner: each built-in detector on positive and negative text, byte and
// code-point offsets, overlap resolution, custom detectors.
#include "governance/dlp_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sy::governance {
namespace {

const Scanner& builtins() {
  static const std::shared_ptr<const Scanner> s = [] {
    auto r = Scanner::compile(DlpConfig{});
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return *r;
  }();
  return *s;
}

std::vector<Finding> scan(const Scanner& s, std::string_view text) {
  DlpScratch scratch;
  std::vector<Finding> out;
  auto ok = s.scan(text, scratch, out);
  EXPECT_TRUE(ok.has_value());
  return out;
}

// "TYPE:matched text" for each finding, for compact assertions.
std::vector<std::string> found(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& f : scan(builtins(), text)) {
    out.push_back(std::string(f.entity_type) + ":" +
                  std::string(text.substr(f.start, f.end - f.start)));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(DlpScanner, Email) {
  EXPECT_EQ(found("write to jane.doe+x@mail.example.org, thanks"),
            V{"EMAIL_ADDRESS:jane.doe+x@mail.example.org"});
  EXPECT_EQ(found("not an address: a@b or @handle"), V{});
}

TEST(DlpScanner, PaymentCards) {
  EXPECT_EQ(found("card 4111 1111 1111 1111 exp"), V{"CREDIT_CARD:4111 1111 1111 1111"});
  EXPECT_EQ(found("amex 378282246310005."), V{"CREDIT_CARD:378282246310005"});
  EXPECT_EQ(found("card 4111111111111112"), V{});       // bad Luhn
  EXPECT_EQ(found("id 41111111111111111111111"), V{});  // inside a longer number
}

TEST(DlpScanner, Iban) {
  EXPECT_EQ(found("IBAN: GB82 WEST 1234 5698 7654 32 ok"),
            V{"IBAN_CODE:GB82 WEST 1234 5698 7654 32"});
  EXPECT_EQ(found("iban de89370400440532013000"), V{"IBAN_CODE:de89370400440532013000"});
  EXPECT_EQ(found("IBAN GB83WEST12345698765432"), V{});  // bad checksum
}

TEST(DlpScanner, UsSsn) {
  EXPECT_EQ(found("my SSN: 536-32-3065"), V{"US_SSN:536-32-3065"});
  EXPECT_EQ(found("ssn is 536323065"), V{"US_SSN:536323065"});
  EXPECT_EQ(found("order 536323065 shipped"), V{});  // bare digits need an SSN word
  EXPECT_EQ(found("SSN 000-12-3456 666-12-3456 912-12-3456"), V{});
  EXPECT_EQ(found("SSN 536-00-3065 or 536-32-0000"), V{});
}

TEST(DlpScanner, IpAddresses) {
  EXPECT_EQ(found("from 10.218.6.131 and 2001:db8::8a2e:370:7334."),
            (V{"IP_ADDRESS:10.218.6.131", "IP_ADDRESS:2001:db8::8a2e:370:7334"}));
  EXPECT_EQ(found("version 1.2.3.4.5 at 12:30:45, 999.1.1.1"), V{});
}

TEST(DlpScanner, PhoneNumbers) {
  EXPECT_EQ(found("ring (978)645-9740x11144 now"), V{"PHONE_NUMBER:(978)645-9740x11144"});
  EXPECT_EQ(found("London +44 20 7946 0958"), V{"PHONE_NUMBER:+44 20 7946 0958"});
  EXPECT_EQ(found("call me on 0487 23 46 71"), V{"PHONE_NUMBER:0487 23 46 71"});
  EXPECT_EQ(found("invoice 0487 23 46 71"), V{});                // local form without a phone word
  EXPECT_EQ(found("call a taxi to 14 3684 Court Street"), V{});  // a house number
  EXPECT_EQ(found("call before 2024-05-06"), V{});               // a date
}

TEST(DlpScanner, Secrets) {
  const std::string aws = "AKIAQ3EGUT7NV4WXZR5L";
  EXPECT_EQ(found("key=" + aws + ";"), V{"SECRET:" + aws});
  EXPECT_EQ(found("key=AKIAXXXXXXXXXXXXXXXX"), V{});  // placeholder, low entropy
  const std::string gh = "ghp_" + std::string("a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8");
  EXPECT_EQ(found("token " + gh), V{"SECRET:" + gh});
  const std::string ant = "sk-ant-api03-" + std::string("Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0XcVbNm");
  EXPECT_EQ(found(ant), V{"SECRET:" + ant});
  const std::string oai = "sk-proj-" + std::string("Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5Yz7Aa9Bb1");
  EXPECT_EQ(found("OPENAI_API_KEY=" + oai), V{"SECRET:" + oai});
  const std::string goog = "AIzaSyD3x7Kq9Lm2Np4Rs6Tv8Wx0Yz1Ab3Cd5Ef";
  EXPECT_EQ(found(goog), V{"SECRET:" + goog});
  const std::string slack = "xoxb-2485932345-8734562398-Qz7Xy3Wv9Ut1Sr5Pq";
  EXPECT_EQ(found(slack), V{"SECRET:" + slack});
  const std::string jwt =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
      "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
  EXPECT_EQ(found("Bearer " + jwt), V{"SECRET:" + jwt});
  const std::string pem =
      "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeK"
      "\n-----END RSA PRIVATE KEY-----";
  EXPECT_EQ(found("key:\n" + pem + "\nbye"), V{"SECRET:" + pem});
  EXPECT_EQ(found("sk-demo and sk-short"), V{});
}

// Starts are found without Hyperscan's start-of-match tracking (walking back from the ends
// of digit groups); each case is what the leftmost start decides.
TEST(DlpScanner, StartsAreTheLeftmostMatchStarts) {
  // A match reaches back over an extension into an earlier number; its start is glued to
  // "b" or has too few digits, so no phone is found.
  EXPECT_EQ(found("b67087796ext. 601192\ncall me"), V{});
  EXPECT_EQ(found("call 853ext. 724111 now"), V{});
  EXPECT_EQ(found("call 0487 23 46 71 ext. 12"), V{"PHONE_NUMBER:0487 23 46 71 ext. 12"});
  EXPECT_EQ(found("tel (03) 5327 5996 x 12"), V{"PHONE_NUMBER:(03) 5327 5996 x 12"});
  EXPECT_EQ(found("call 12345678901234 567 89"), V{});  // the first group is at most 12
  EXPECT_EQ(found("mail a.b-c@x.example.org."), V{"EMAIL_ADDRESS:a.b-c@x.example.org"});
  // A key glued to more of the same token is no key.
  EXPECT_EQ(found("sk-proj-sk-proj-" + std::string(42, 'a')), V{});
  const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc";
  EXPECT_EQ(found("x." + jwt), V{"SECRET:" + jwt});
}

// The number detectors' context words are looked for only around their matches; the
// window is the same as for any other detector.
TEST(DlpScanner, ContextWindowForNumberDetectors) {
  const std::string pad(40, ' ');
  EXPECT_EQ(found("phone" + pad + "0487 23 46 71"), V{"PHONE_NUMBER:0487 23 46 71"});
  EXPECT_EQ(found("phone" + pad + "    0487 23 46 71"), V{});  // word 49 bytes before
  EXPECT_EQ(found("0487 23 46 71" + std::string(19, ' ') + "PHONE"),
            V{"PHONE_NUMBER:0487 23 46 71"});
  EXPECT_EQ(found("0487 23 46 71" + std::string(20, ' ') + "phone"), V{});
  EXPECT_EQ(found("SSN no. 536 32 3065"), V{"US_SSN:536 32 3065"});
}

TEST(DlpScanner, CodepointOffsetsWithMultibyteText) {
  const std::string text = "Müller ☎ écrit à jean@exemple.fr 🙂 puis 10.0.0.1";
  const auto f = scan(builtins(), text);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(text.substr(f[0].start, f[0].end - f[0].start), "jean@exemple.fr");
  const auto cps = codepoint_spans(text, f);
  // "Müller ☎ écrit à " is 17 code points; the address is 15.
  EXPECT_EQ(cps[0].start, 17u);
  EXPECT_EQ(cps[0].end, 32u);
  // "… 🙂 puis " : the emoji is one code point (4 bytes).
  EXPECT_EQ(cps[1].start, 40u);
  EXPECT_EQ(cps[1].end, 48u);
  EXPECT_EQ(codepoint_offset(text, f[1].start), 40u);
}

TEST(DlpScanner, OverlapsPreferValidatedAndLonger) {
  // A Luhn-valid card also looks like a phone number next to "call": the card wins.
  EXPECT_EQ(found("call 4111-1111-1111-1111"), V{"CREDIT_CARD:4111-1111-1111-1111"});
  // An SSN next to "phone" stays an SSN, reported once.
  EXPECT_EQ(found("phone or SSN 536-32-3065"), V{"US_SSN:536-32-3065"});
  // The extension makes the longer phone match win over the shorter one.
  EXPECT_EQ(found("tel 751-954-9268x123"), V{"PHONE_NUMBER:751-954-9268x123"});
  // Findings come out sorted and non-overlapping.
  const auto f = scan(builtins(), "a@b.io 10.0.0.1 536-32-3065");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_LE(f[0].end, f[1].start);
  EXPECT_LE(f[1].end, f[2].start);
}

TEST(DlpScanner, CustomDetectorsAndDisabledBuiltins) {
  DlpConfig c;
  c.disabled = {"pii.email"};
  c.custom.push_back({.id = "custom.codename",
                      .entity_type = "PROJECT_CODENAME",
                      .keywords = {"Blue Heron", "nightjar"}});
  c.custom.push_back({.id = "custom.ticket",
                      .entity_type = "TICKET_ID",
                      .regex = R"(\bTKT-\d{6}\b)",
                      .case_insensitive = false});
  auto s = Scanner::compile(c);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  const std::string text = "Project blue  heron (see TKT-004211) mailed a@b.io; nightjars no";
  std::vector<std::string> got;
  for (const auto& f : scan(**s, text)) {
    got.push_back(std::string(f.detector) + ":" + text.substr(f.start, f.end - f.start));
  }
  EXPECT_EQ(got, (V{"custom.codename:blue  heron", "custom.ticket:TKT-004211"}));

  DlpConfig bad;
  bad.custom.push_back({.id = "custom.bad", .entity_type = "X", .regex = "(unclosed"});
  EXPECT_FALSE(Scanner::compile(bad).has_value());
  DlpConfig both;
  both.custom.push_back({.id = "custom.both", .entity_type = "X", .regex = "a", .keywords = {"b"}});
  EXPECT_FALSE(Scanner::compile(both).has_value());
}

TEST(DlpScanner, ScratchIsReusableAcrossScanners) {
  DlpScratch scratch;
  std::vector<Finding> out;
  ASSERT_TRUE(builtins().scan("x 10.0.0.1", scratch, out).has_value());
  DlpConfig only_custom{.builtins = false};
  only_custom.custom.push_back({.id = "c.k", .entity_type = "K", .keywords = {"zebra"}});
  auto other = Scanner::compile(only_custom);
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE((*other)->scan("a zebra", scratch, out).has_value());
  ASSERT_TRUE(builtins().scan("y 10.0.0.2", scratch, out).has_value());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].detector, "c.k");
}

}  // namespace
}  // namespace sy::governance
