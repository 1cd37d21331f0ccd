#include "protocols/codec.h"

namespace sy::protocols {

std::unexpected<Error> unsupported(std::string_view feature, std::string_view protocol) {
  return fail(ErrorKind::InvalidRequest,
              std::string(feature) + " cannot be expressed in " + std::string(protocol),
              std::string(), "unsupported_feature");
}

}  // namespace sy::protocols
