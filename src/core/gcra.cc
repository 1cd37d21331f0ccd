#include "core/gcra.h"

#include <algorithm>

namespace sy {

int64_t gcra_increment(uint64_t units, uint32_t limit, int64_t window_us) {
  if (units == 0 || limit == 0) return 0;
  const auto w = static_cast<unsigned __int128>(window_us);
  const unsigned __int128 num = static_cast<unsigned __int128>(units) * w;
  const unsigned __int128 inc = (num + limit - 1) / limit;
  return inc > static_cast<unsigned __int128>(INT64_MAX / 4) ? INT64_MAX / 4
                                                             : static_cast<int64_t>(inc);
}

GcraDecision gcra_decide(int64_t tat_us, int64_t now_us, int64_t increment_us, int64_t window_us) {
  const int64_t new_tat = std::max(tat_us, now_us) + increment_us;
  const int64_t ahead = new_tat - now_us;
  if (ahead <= window_us) return {true, new_tat, 0};
  return {false, tat_us, ahead - window_us};
}

}  // namespace sy
