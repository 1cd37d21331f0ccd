// The OpenAI Chat Completions wire format (also the Azure OpenAI paths): a whole
// `chat.completion`, `data:` server-sent events of `chat.completion.chunk`s ending in
// `data: [DONE]`, and the {"error":{...}} envelope. Pure logic, no I/O; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "wire.h"

namespace sy::sim {

std::string completion_body(const ResponseMeta& meta, const Reply& reply);

// A 200 body for the `malformed` fault: the start of a completion, cut off mid-JSON.
std::string malformed_body(const ResponseMeta& meta);

// Renders the server-sent events of a stream; each function returns one `data: ...\n\n` event.
// Borrows `meta` and `reply`, which must outlive it.
class ChunkRenderer {
 public:
  ChunkRenderer(const ResponseMeta& meta, const Reply& reply) : meta_(meta), reply_(reply) {}

  std::string head() const;               // role (and the tool call's id and name)
  std::string piece(size_t index) const;  // one token or argument fragment
  std::string finish() const;             // empty delta with finish_reason
  std::string usage() const;              // "choices":[] with usage (include_usage only)
  std::string malformed() const;          // an event whose data is not valid JSON
  static constexpr std::string_view kDone = "data: [DONE]\n\n";

 private:
  const ResponseMeta& meta_;
  const Reply& reply_;
};

}  // namespace sy::sim
