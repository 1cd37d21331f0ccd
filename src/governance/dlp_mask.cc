#include "governance/dlp_mask.h"

#include <algorithm>

#include "core/json_writer.h"

namespace sy::governance {

std::string_view placeholder_stem(std::string_view entity_type) {
  if (entity_type == "EMAIL_ADDRESS") return "EMAIL";
  if (entity_type == "PHONE_NUMBER") return "PHONE";
  if (entity_type == "CREDIT_CARD") return "CARD";
  if (entity_type == "IBAN_CODE") return "IBAN";
  if (entity_type == "US_SSN") return "SSN";
  if (entity_type == "IP_ADDRESS") return "IP";
  return entity_type;
}

Result<size_t> mask_data_classes(const Scanner& scanner, DlpScratch& scratch,
                                 std::vector<Finding>& findings, std::string& text,
                                 std::span<const std::string_view> classes,
                                 std::vector<MaskedValue>& masked) {
  findings.clear();
  if (auto r = scanner.scan(text, scratch, findings); !r) return std::unexpected(r.error());
  size_t replaced = 0;
  std::string out;
  size_t at = 0;
  for (const Finding& f : findings) {  // sorted by start, not overlapping
    if (!classes.empty() &&
        std::find(classes.begin(), classes.end(), f.entity_type) == classes.end()) {
      continue;
    }
    if (replaced == 0) out.reserve(text.size());
    out.append(text, at, f.start - at);
    const std::string_view value(text.data() + f.start, f.end - f.start);
    auto it = std::find_if(masked.begin(), masked.end(),
                           [&](const MaskedValue& m) { return m.value == value; });
    if (it == masked.end()) {
      const std::string_view stem = placeholder_stem(f.entity_type);
      const std::string prefix = "[" + std::string(stem) + "_";
      const auto n = std::count_if(masked.begin(), masked.end(), [&](const MaskedValue& m) {
        return m.placeholder.starts_with(prefix);
      });
      masked.push_back({prefix + std::to_string(n + 1) + "]", std::string(value)});
      it = masked.end() - 1;
    }
    out += it->placeholder;
    at = f.end;
    ++replaced;
  }
  if (replaced == 0) return size_t{0};
  out.append(text, at);
  text = std::move(out);
  return replaced;
}

void restore_masked(std::string& text, std::span<const MaskedValue> masked, bool json_escape) {
  for (const MaskedValue& m : masked) {
    std::string value;
    if (json_escape) {
      json::append_escaped(value, m.value);
    } else {
      value = m.value;
    }
    for (size_t pos = text.find(m.placeholder); pos != std::string::npos;
         pos = text.find(m.placeholder, pos + value.size())) {
      text.replace(pos, m.placeholder.size(), value);
    }
  }
}

}  // namespace sy::governance
