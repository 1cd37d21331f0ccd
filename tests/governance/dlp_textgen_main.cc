// dlp_textgen: prints random DLP test texts as `switchyard dlp scan` input lines
// ({"text": …}), for comparing scan output across builds:
//   dlp_textgen [COUNT] [SEED] [FILE]   — COUNT random texts, each followed by a mutation;
//   with FILE (JSON lines with "text"), mutations of its texts come first.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "governance/dlp_text_gen.h"

namespace {
void emit(const std::string& text) {
  std::cout << nlohmann::json{{"text", text}}.dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace)
            << '\n';
}
}  // namespace

int main(int argc, char** argv) {
  const long count = argc > 1 ? std::stol(argv[1]) : 10000;
  std::mt19937_64 rng(argc > 2 ? std::stoull(argv[2]) : 1);
  if (argc > 3) {
    std::ifstream in(argv[3]);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) continue;
      const auto text = j["text"].get<std::string>();
      for (int k = 0; k < 4; ++k) emit(sy::governance::testing::mutate_dlp_text(text, rng));
    }
  }
  for (long i = 0; i < count; ++i) {
    const std::string text = sy::governance::testing::random_dlp_text(rng);
    emit(text);
    emit(sy::governance::testing::mutate_dlp_text(text, rng));
  }
}
