// Pure validators: checksums and structural rules, accepted and rejected cases.
#include "governance/dlp_validators.h"

#include <gtest/gtest.h>

namespace sy::governance {
namespace {

TEST(DlpValidators, LuhnAndCards) {
  EXPECT_TRUE(luhn_valid("4111111111111111"));
  EXPECT_FALSE(luhn_valid("4111111111111112"));
  EXPECT_TRUE(card_number_valid("4111 1111 1111 1111"));
  EXPECT_TRUE(card_number_valid("3782-822463-10005"));  // Amex test number
  EXPECT_FALSE(card_number_valid("4111 1111-1111 1111"));  // mixed separators
  EXPECT_FALSE(card_number_valid("4111111111111112"));     // bad Luhn
  EXPECT_FALSE(card_number_valid("1234567812345670"));     // Luhn ok, no issuer starts with 1
  EXPECT_FALSE(card_number_valid("0000000000000000"));
}

TEST(DlpValidators, Iban) {
  EXPECT_TRUE(iban_valid("GB82WEST12345698765432"));
  EXPECT_TRUE(iban_valid("GB82 WEST 1234 5698 7654 32"));
  EXPECT_TRUE(iban_valid("de89370400440532013000"));
  EXPECT_FALSE(iban_valid("GB83WEST12345698765432"));  // checksum
  EXPECT_FALSE(iban_valid("GB82WEST1234569876543"));   // length for GB
  EXPECT_FALSE(iban_valid("ZZ82WEST12345698765432"));  // unknown country
  EXPECT_FALSE(iban_valid("GB82  WEST12345698765432"));
}

TEST(DlpValidators, Ssn) {
  EXPECT_TRUE(ssn_valid("536-32-3065"));
  EXPECT_TRUE(ssn_valid("772 12 3456"));
  EXPECT_TRUE(ssn_valid("536323065"));
  EXPECT_FALSE(ssn_valid("000-12-3456"));
  EXPECT_FALSE(ssn_valid("666-12-3456"));
  EXPECT_FALSE(ssn_valid("900-12-3456"));
  EXPECT_FALSE(ssn_valid("999-12-3456"));
  EXPECT_FALSE(ssn_valid("536-00-3065"));
  EXPECT_FALSE(ssn_valid("536-32-0000"));
  EXPECT_FALSE(ssn_valid("078-05-1120"));  // the Woolworth wallet number
  EXPECT_FALSE(ssn_valid("536-32 3065"));
}

TEST(DlpValidators, IpAddresses) {
  EXPECT_TRUE(ipv4_valid("192.168.0.1"));
  EXPECT_TRUE(ipv4_valid("0.0.0.0"));
  EXPECT_FALSE(ipv4_valid("256.1.1.1"));
  EXPECT_FALSE(ipv4_valid("1.2.3"));
  EXPECT_FALSE(ipv4_valid("01.2.3.4"));
  EXPECT_TRUE(ipv6_valid("2001:db8:85a3:0:0:8a2e:370:7334"));
  EXPECT_TRUE(ipv6_valid("fe80::1"));
  EXPECT_TRUE(ipv6_valid("d80:e4b5:79da:6cf6:71f3:51f7:9161:c319"));
  EXPECT_FALSE(ipv6_valid("12:30:45"));           // a time
  EXPECT_FALSE(ipv6_valid("00:1a:2b:3c:4d:5e"));  // a MAC address
  EXPECT_FALSE(ipv6_valid("1::2::3"));
  EXPECT_FALSE(ipv6_valid("::"));
}

TEST(DlpValidators, PhoneEmailJwtEntropy) {
  EXPECT_TRUE(phone_shape_valid("+44 20 7946 0958"));
  EXPECT_TRUE(phone_shape_valid("(978)645-9740x11144"));
  EXPECT_FALSE(phone_shape_valid("2024-05-06"));  // a date
  EXPECT_FALSE(phone_shape_valid("12345"));
  EXPECT_FALSE(phone_shape_valid("1234567890123456"));
  EXPECT_TRUE(short_phone_tail_ok(" office"));
  EXPECT_TRUE(short_phone_tail_ok("\nnext line"));
  EXPECT_FALSE(short_phone_tail_ok(" Court Street"));
  EXPECT_TRUE(email_valid("a.b+c@example.co.uk"));
  EXPECT_FALSE(email_valid("a..b@example.com"));
  EXPECT_FALSE(email_valid("a@example.c0m"));
  EXPECT_TRUE(jwt_valid("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc"));
  EXPECT_FALSE(jwt_valid("eyJub3QiOiJqd3QifQ.eyJzdWIiOiIxIn0.abc"));  // no alg/typ
  EXPECT_DOUBLE_EQ(shannon_entropy("aaaa"), 0.0);
  EXPECT_DOUBLE_EQ(shannon_entropy("abcd"), 2.0);
}

}  // namespace
}  // namespace sy::governance
