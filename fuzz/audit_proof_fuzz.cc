// Fuzzes parse_proof_json and verify_proof_json (audit/verifier.h) on one inclusion-proof
// document, the kind an auditor receives from elsewhere. A proof that parses must survive
// proof_to_json() and parse_proof_json() unchanged, with or without its entry.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "audit/verifier.h"
#include "fuzz_check.h"

namespace {

using sy::audit::InclusionProof;

bool same(const InclusionProof& a, const InclusionProof& b, bool with_entry) {
  return a.leaf_index == b.leaf_index && a.tree_size == b.tree_size && a.leaf_hash == b.leaf_hash &&
         a.path == b.path && a.root == b.root && (!with_entry || a.entry == b.entry) &&
         a.checkpoint == b.checkpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto proof = sy::audit::parse_proof_json(json);
  if (proof) {
    const std::string encoded = sy::audit::proof_to_json(*proof);
    auto again = sy::audit::parse_proof_json(encoded);
    FUZZ_CHECK(again && same(*again, *proof, true));
    FUZZ_CHECK(sy::audit::proof_to_json(*again) == encoded);

    auto without_entry = sy::audit::parse_proof_json(sy::audit::proof_to_json(*proof, false));
    FUZZ_CHECK(without_entry && without_entry->entry.empty() &&
               same(*without_entry, *proof, false));
  } else {
    FUZZ_CHECK(!proof.error().message.empty());
  }

  // The full check: entry hash, seq, Merkle path (arbitrary index and size) and, when a
  // checkpoint is present, its signature under a fixed key.
  static const sy::audit::PublicKey kKey = [] {
    sy::audit::PublicKey k{};
    for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(i * 7 + 1);
    return k;
  }();
  auto verified = sy::audit::verify_proof_json(json, kKey);
  if (verified) {
    FUZZ_CHECK(proof && verified->leaf_index == proof->leaf_index &&
               verified->tree_size == proof->tree_size && verified->root == proof->root);
    FUZZ_CHECK(verified->leaf_index < verified->tree_size);
  } else if (!proof) {
    FUZZ_CHECK(verified.error().message == proof.error().message);
  }
  return 0;
}
