#include "routing/routing_data.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sy::routing {
namespace {

namespace fs = std::filesystem;

Result<std::string> read_file(const std::string& path) {
  if (path.size() > 3 && path.ends_with(".gz")) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return fail(ErrorKind::NotFound, path + ": cannot open");
    std::string out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, std::size_t(n));
    const bool bad = n < 0;
    gzclose(f);
    if (bad) return fail(ErrorKind::Internal, path + ": gzip data is corrupt");
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::NotFound, path + ": cannot open");
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::size_t column(const std::vector<std::string>& header, std::string_view name) {
  return std::size_t(std::find(header.begin(), header.end(), name) - header.begin());
}

bool is_math_subject(std::string_view s) {
  return s == "abstract_algebra" || s == "college_mathematics" || s == "elementary_mathematics" ||
         s == "high_school_mathematics";
}

}  // namespace

std::string default_routing_data_dir() {
  const char* shared = std::getenv("SWITCHYARD_SHARED_DATA");
  return (shared && *shared ? std::string(shared)
                            : std::string(SY_SOURCE_DIR) + "/../shared/data") +
         "/routing";
}

std::string default_task_labels_path() {
  return std::string(SY_SOURCE_DIR) + "/models/task_types.jsonl";
}

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      field.clear();
      row.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<MmluRow>> load_mmlu_dir(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (name.starts_with("mmlu_") && name.ends_with(".csv")) files.push_back(e.path());
  }
  if (ec) return fail(ErrorKind::NotFound, dir + ": " + ec.message());
  if (files.empty()) return fail(ErrorKind::NotFound, dir + ": no mmlu_<subject>.csv files");
  std::sort(files.begin(), files.end());
  std::vector<MmluRow> out;
  for (const auto& f : files) {
    auto text = read_file(f.string());
    if (!text) return std::unexpected(text.error());
    auto rows = parse_csv(*text);
    if (rows.empty()) return fail(ErrorKind::InvalidRequest, f.string() + ": empty");
    const auto& h = rows[0];
    const std::size_t p = column(h, "prompt");
    const std::size_t w = column(h, "mistralai/Mixtral-8x7B-Instruct-v0.1");
    const std::size_t s = column(h, "gpt-4-1106-preview");
    if (p == h.size() || w == h.size() || s == h.size()) {
      return fail(ErrorKind::InvalidRequest,
                  f.string() +
                      ": expected columns prompt, mistralai/Mixtral-8x7B-Instruct-v0.1, "
                      "gpt-4-1106-preview");
    }
    const std::string stem = f.stem().string();
    const std::string subject = stem.substr(5);
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      if (row.size() != h.size()) {
        return fail(ErrorKind::InvalidRequest, f.string() + ": row " + std::to_string(r) + " has " +
                                                   std::to_string(row.size()) +
                                                   " fields, the header " +
                                                   std::to_string(h.size()));
      }
      out.push_back({subject, row[p], row[w] == "True", row[s] == "True"});
    }
  }
  return out;
}

Result<std::vector<std::string>> load_jsonl_prompts(const std::string& path,
                                                    const std::string& field) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  std::vector<std::string> out;
  std::istringstream in(*text);
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains(field) || !j[field].is_string()) {
      return fail(
          ErrorKind::InvalidRequest,
          path + ":" + std::to_string(n) + ": expected an object with a string \"" + field + "\"");
    }
    out.push_back(j[field].get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> load_healthcare_utterances(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  auto rows = parse_csv(*text);
  if (rows.empty()) return fail(ErrorKind::InvalidRequest, path + ": empty");
  const std::size_t u = column(rows[0], "utterance");
  if (u == rows[0].size()) return fail(ErrorKind::InvalidRequest, path + ": no utterance column");
  std::vector<std::string> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (u < rows[r].size() && !rows[r][u].empty()) out.push_back(rows[r][u]);
  }
  return out;
}

Result<std::vector<LabelledPrompt>> load_task_labels(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error());
  std::vector<LabelledPrompt> out;
  std::istringstream in(*text);
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    const std::string where = path + ":" + std::to_string(n);
    if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string() ||
        !j.contains("prompt") || !j["prompt"].is_string()) {
      return fail(ErrorKind::InvalidRequest, where + ": expected {\"type\": …, \"prompt\": …}");
    }
    auto type = parse_task_type(j["type"].get<std::string>());
    if (!type) return fail(ErrorKind::InvalidRequest, where + ": unknown task type");
    out.push_back({j["prompt"].get<std::string>(), int(*type), -1, "labels"});
  }
  return out;
}

Result<TrainingSet> load_training_set(const std::string& data_dir, const std::string& labels,
                                      const std::string& mmlu_dir) {
  TrainingSet set;
  auto own = load_task_labels(labels);
  if (!own) return std::unexpected(own.error());
  set.notes.push_back(labels + ": " + std::to_string(own->size()) + " labelled prompts");
  for (auto& p : *own) set.prompts.push_back(std::move(p));

  auto gsm = load_jsonl_prompts(data_dir + "/gsm8k_train.jsonl", "question");
  if (!gsm) return std::unexpected(gsm.error());
  std::size_t taken = 0;
  for (std::size_t i = 0; i < gsm->size(); i += 15, ++taken) {
    set.prompts.push_back({(*gsm)[i], int(TaskType::Math), -1, "gsm8k"});
  }
  set.notes.push_back("gsm8k: " + std::to_string(taken) + " of " + std::to_string(gsm->size()));

  auto code = load_jsonl_prompts(data_dir + "/HumanEval.jsonl.gz", "prompt");
  if (!code) return std::unexpected(code.error());
  for (auto& p : *code) set.prompts.push_back({std::move(p), int(TaskType::Code), -1, "humaneval"});
  set.notes.push_back("HumanEval: " + std::to_string(code->size()));

  auto chat = load_healthcare_utterances(data_dir + "/healthcare_routes_train_validation.csv");
  if (!chat) return std::unexpected(chat.error());
  for (auto& p : *chat)
    set.prompts.push_back({std::move(p), int(TaskType::Chat), -1, "healthcare"});
  set.notes.push_back("healthcare utterances: " + std::to_string(chat->size()));

  auto mmlu = load_mmlu_dir(mmlu_dir.empty() ? data_dir + "/mmlu" : mmlu_dir);
  if (!mmlu) return std::unexpected(mmlu.error());
  std::size_t typed = 0;
  for (std::size_t i = 0; i < mmlu->size(); ++i) {
    auto& r = (*mmlu)[i];
    int task = -1;
    if (i % 12 == 0) {
      task = int(is_math_subject(r.subject) ? TaskType::Math : TaskType::Reasoning);
      ++typed;
    }
    set.prompts.push_back(
        {std::move(r.prompt), task, r.weak_ok ? 1 : 0, "mmlu/" + r.subject, r.strong_ok ? 1 : 0});
  }
  set.notes.push_back("MMLU: " + std::to_string(mmlu->size()) + " difficulty labels, " +
                      std::to_string(typed) + " task labels");
  return set;
}

}  // namespace sy::routing
