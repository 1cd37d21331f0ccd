// RecordStage: writes what happened to the request — one access-log line through the
// asynchronous logger. (The audit chain and metrics attach here.)
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class RecordStage {
 public:
  void run(const RequestContext& ctx) const;
};

}  // namespace sy::gateway
