// Pure post-match checks for DLP detectors: checksums (Luhn, IBAN mod-97), structural
// rules (SSN areas, IPv4 octets, IPv6 groups, JWT header) and the Shannon entropy used
// by secret rules. No state, no I/O, no allocation beyond locals; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace sy::governance {

// Luhn (mod 10) over the digits of `s`; other characters (spaces, dashes) are skipped.
bool luhn_valid(std::string_view s);
// A payment card number: 13–19 digits, plausible issuer prefix, passes Luhn,
// separators (if any) consistent.
bool card_number_valid(std::string_view s);
// An IBAN, with or without single spaces between groups, any letter case: known country
// code with its national length, and the ISO 13616 mod-97 check equal to 1.
bool iban_valid(std::string_view s);
// A US SSN "AAA-GG-SSSS", "AAA GG SSSS" or "AAAGGSSSS": area not 000, 666 or 900–999,
// group not 00, serial not 0000, consistent separators, not a well-known sample number.
bool ssn_valid(std::string_view s);
// Dotted-quad IPv4 with every octet in 0..255 and no leading zeros ("01").
bool ipv4_valid(std::string_view s);
// IPv6 text form (RFC 4291 section 2.2, without the embedded-IPv4 tail): eight groups,
// or fewer with exactly one "::"; at least two non-empty groups.
bool ipv6_valid(std::string_view s);
// A JWT: three base64url segments whose first decodes to a JSON object naming "alg".
bool jwt_valid(std::string_view s);
// Phone-number shape: 6–15 digits (E.164 maximum) before any extension marker, not shaped
// like a date. phone_shape_digits returns that digit count, or 0 for another shape.
std::size_t phone_shape_digits(std::string_view s);
inline bool phone_shape_valid(std::string_view s) { return phone_shape_digits(s) != 0; }
// For a short (6-digit) number found only by context: what follows it must end the line
// or the text, or be a phone word ("office", "fax", ...), not a street name as in
// "14 3684 Court Street". `after` is the text right after the match.
bool short_phone_tail_ok(std::string_view after);
// An e-mail address: local part and domain without empty labels, a letter TLD.
bool email_valid(std::string_view s);
// Shannon entropy in bits per byte.
double shannon_entropy(std::string_view s);

}  // namespace sy::governance
