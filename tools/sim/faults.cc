#include "faults.h"

#include <fmt/format.h>

#include <charconv>
#include <type_traits>

namespace sy::sim {
namespace {

constexpr std::string_view kSeparators = " ,\t\r\n";

std::expected<int64_t, std::string> parse_count(std::string_view key, std::string_view value,
                                                int64_t min, int64_t max) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n < min ||
      n > max) {
    return std::unexpected(fmt::format(
        "fault directive '{}' needs an integer in [{}, {}], got '{}'", key, min, max, value));
  }
  return n;
}

// Applies one `key=value` or flag token to `spec`.
std::expected<void, std::string> apply_directive(std::string_view token, FaultSpec& spec) {
  const size_t eq = token.find('=');
  const std::string_view key = token.substr(0, eq);
  const bool has_value = eq != std::string_view::npos;
  const std::string_view value = has_value ? token.substr(eq + 1) : std::string_view{};

  if (key == "reset" || key == "malformed") {
    if (has_value) {
      return std::unexpected(fmt::format("fault directive '{}' is a flag and takes no value", key));
    }
    (key == "reset" ? spec.reset : spec.malformed) = true;
    return {};
  }
  if (!has_value) return std::unexpected(fmt::format("unknown fault directive '{}'", token));

  if (key == "model") {
    if (value.empty()) return std::unexpected("fault directive 'model' needs a model name");
    spec.model = std::string(value);
    return {};
  }
  auto set = [&](auto& field, int64_t min, int64_t max) -> std::expected<void, std::string> {
    auto n = parse_count(key, value, min, max);
    if (!n) return std::unexpected(n.error());
    field = static_cast<typename std::remove_reference_t<decltype(field)>::value_type>(*n);
    return {};
  };
  constexpr int64_t kMax = 1'000'000'000;
  if (key == "status") return set(spec.status, 400, 599);
  if (key == "retry_after") return set(spec.retry_after, 0, 86'400);
  if (key == "delay_ms") return set(spec.delay_ms, 0, kMax);
  if (key == "cut_after") return set(spec.cut_after, 0, kMax);
  if (key == "stall_after") return set(spec.stall_after, 0, kMax);
  if (key == "error_after") return set(spec.error_after, 0, kMax);
  if (key == "times") return set(spec.times, 1, kMax);
  return std::unexpected(fmt::format("unknown fault directive '{}'", key));
}

}  // namespace

bool FaultSpec::has_no_effect() const {
  return !status && !delay_ms && !reset && !malformed && !cut_after && !stall_after && !error_after;
}

std::expected<FaultSpec, std::string> parse_fault_directives(std::string_view text) {
  FaultSpec spec;
  size_t pos = 0;
  while ((pos = text.find_first_not_of(kSeparators, pos)) != std::string_view::npos) {
    const size_t end = std::min(text.find_first_of(kSeparators, pos), text.size());
    const std::string_view token = text.substr(pos, end - pos);
    if (auto applied = apply_directive(token, spec); !applied) {
      return std::unexpected(applied.error());
    }
    if (!spec.text.empty()) spec.text += ' ';
    spec.text += token;
    pos = end;
  }
  return spec;
}

std::vector<std::string_view> find_inline_directives(std::string_view text) {
  constexpr std::string_view kOpen = "[[sim:";
  constexpr std::string_view kClose = "]]";
  std::vector<std::string_view> blocks;
  size_t pos = 0;
  while ((pos = text.find(kOpen, pos)) != std::string_view::npos) {
    const size_t start = pos + kOpen.size();
    const size_t end = text.find(kClose, start);
    if (end == std::string_view::npos) break;
    blocks.push_back(text.substr(start, end - start));
    pos = end + kClose.size();
  }
  return blocks;
}

int64_t FaultTally::record(std::string_view model, std::string_view directive_text) {
  std::string key;
  key.reserve(model.size() + 1 + directive_text.size());
  key.append(model).push_back('\n');
  key.append(directive_text);
  return ++counts_[std::move(key)];
}

bool fault_applies(const FaultSpec& spec, std::string_view model, FaultTally& tally) {
  if (spec.model && *spec.model != model) return false;
  if (!spec.times) return true;
  return tally.record(model, spec.text) <= *spec.times;
}

FaultSpec merge_faults(std::span<const FaultSpec> specs) {
  FaultSpec merged;
  auto first = [](auto& into, const auto& from) {
    if (!into && from) into = from;
  };
  for (const FaultSpec& spec : specs) {
    first(merged.status, spec.status);
    first(merged.retry_after, spec.retry_after);
    first(merged.delay_ms, spec.delay_ms);
    first(merged.cut_after, spec.cut_after);
    first(merged.stall_after, spec.stall_after);
    first(merged.error_after, spec.error_after);
    merged.reset = merged.reset || spec.reset;
    merged.malformed = merged.malformed || spec.malformed;
  }
  return merged;
}

std::expected<FaultSpec, std::string> collect_request_faults(std::optional<std::string_view> header,
                                                             std::span<const std::string_view> texts,
                                                             const FaultSpec& model_faults,
                                                             std::string_view model,
                                                             FaultTally& tally) {
  std::vector<FaultSpec> specs;
  if (header) {
    auto spec = parse_fault_directives(*header);
    if (!spec) return std::unexpected("Invalid x-sim-fault header: " + spec.error());
    specs.push_back(std::move(*spec));
  }
  for (std::string_view text : texts) {
    for (std::string_view block : find_inline_directives(text)) {
      auto spec = parse_fault_directives(block);
      if (!spec) return std::unexpected("Invalid [[sim:...]] directive: " + spec.error());
      specs.push_back(std::move(*spec));
    }
  }
  specs.push_back(model_faults);
  std::vector<FaultSpec> applicable;
  for (const FaultSpec& spec : specs) {
    if (!spec.has_no_effect() && fault_applies(spec, model, tally)) applicable.push_back(spec);
  }
  return merge_faults(applicable);
}

}  // namespace sy::sim
