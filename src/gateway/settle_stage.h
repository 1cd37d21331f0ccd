// SettleStage: turns the usage the provider reported (or, for an embeddings provider
// that reports none, the gateway's estimate) into cost at the serving deployment's price. (Budgets and the spend ledger attach here.)
#pragma once

#include "gateway/context.h"

namespace sy::gateway {

class SettleStage {
 public:
  void run(RequestContext& ctx) const;
};

}  // namespace sy::gateway
