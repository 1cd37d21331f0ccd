// Reply: what an admin handler answers — an HTTP status, a JSON body, and the error text
// for the audit record. Shared by the admin API's handler files. Plain value type.
#pragma once

#include <string>

#include "core/error.h"

namespace sy::admin {

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string error;  // for the audit record
  std::string audit_detail;  // a JSON object added to the audit record's detail ("" none)
};

// The error in the OpenAI error shape.
Reply error_reply(const Error& e);

}  // namespace sy::admin
