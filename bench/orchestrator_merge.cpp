#include "orchestrator_merge.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "csv_table.hpp"
#include "csv_writer.hpp"
#include "orchestrator.hpp"
#include "version.hpp"

namespace cubench {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void append_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw run_folder_error(path.string() + ": cannot write");
}

// Copies a runner folder's files into the merged one; a CSV already there gets the rows only, a log the whole text.
void combine_runner_files(const fs::path& from, const fs::path& to) {
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = to / fs::relative(entry.path(), from);
    fs::create_directories(target.parent_path());
    std::string text = read_file(entry.path());
    if (fs::exists(target) && entry.path().extension() == ".csv") {
      const auto header_end = text.find('\n');
      text.erase(0, header_end == std::string::npos ? text.size() : header_end + 1);
    }
    append_file(target, text);
  }
}

}  // namespace

run_manifest merge_runs(const run_folder& out, const std::string& run_id, const std::vector<fs::path>& inputs,
                        const std::vector<std::string>& command_line) {
  if (inputs.empty()) throw run_folder_error("bench merge: expected at least one run folder, found none");
  std::vector<run_manifest> parts;
  for (const auto& input : inputs) {
    run_manifest part = read_manifest(input / "manifest.json");
    if (part.state != "finished")
      throw run_folder_error(input.string() + ": expected a finished run, found one " + part.state +
                             "; complete it with `bench run --resume " + input.string() + "` first");
    if (!parts.empty() && part.suite_sha256 != parts.front().suite_sha256)
      throw run_folder_error(input.string() + ": ran suite " + part.suite + " (sha256 " + part.suite_sha256.substr(0, 12) +
                             "), but " + inputs.front().string() + " ran " + parts.front().suite + " (sha256 " +
                             parts.front().suite_sha256.substr(0, 12) + "); only runs of one suite merge");
    parts.push_back(std::move(part));
  }

  std::vector<std::vector<std::string>> results;
  std::vector<std::vector<std::string>> samples;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> owner;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const csv_table table = read_csv_table((inputs[i] / "results.csv").string());
    if (table.header != results_header())
      throw run_folder_error(table.path + ":1:1: expected the header of results schema " +
                             std::to_string(results_schema_version) + ", found " + csv_line(table.header));
    const std::size_t run_column = table.require_column("run_id");
    const std::size_t case_column = table.require_column("case_id");
    const std::size_t toolkit_column = table.require_column("toolkit");
    const std::size_t gpu_column = table.require_column("gpu_uuid");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      auto row = table.rows[r];
      const auto key = std::make_tuple(row[case_column], row[toolkit_column], row[gpu_column]);
      const auto [it, inserted] = owner.emplace(key, inputs[i].string());
      if (!inserted)
        throw run_folder_error(table.path + ":" + std::to_string(table.row_lines[r]) + ": case " + row[case_column] +
                               " (" + row[toolkit_column] + " on " + row[gpu_column] + ") is also in " + it->second +
                               "; merged runs must not overlap");
      row[run_column] = run_id;
      results.push_back(std::move(row));
    }
    const csv_table sample_table = read_csv_table((inputs[i] / "samples.csv").string());
    if (sample_table.header != samples_header())
      throw run_folder_error(sample_table.path + ":1:1: expected the header of samples schema " +
                             std::to_string(results_schema_version) + ", found " + csv_line(sample_table.header));
    const std::size_t sample_run_column = sample_table.require_column("run_id");
    for (auto row : sample_table.rows) {
      row[sample_run_column] = run_id;
      samples.push_back(std::move(row));
    }
    if (fs::exists(inputs[i] / "runs")) combine_runner_files(inputs[i] / "runs", out.path() / "runs");
  }

  std::string results_text = csv_line(results_header()) + "\n";
  for (const auto& row : results) results_text += csv_line(row) + "\n";
  std::string samples_text = csv_line(samples_header()) + "\n";
  for (const auto& row : samples) samples_text += csv_line(row) + "\n";
  write_file_atomically(out.results_path(), results_text);
  write_file_atomically(out.samples_path(), samples_text);

  run_manifest merged = parts.front();
  merged.run_id = run_id;
  merged.cubench_version = std::string(cubench_version());
  merged.git_sha = std::string(cubench_git_sha());
  merged.command_line = command_line;
  merged.shard = {};
  merged.merged_from.clear();
  merged.gpus.clear();
  std::set<std::string> gpu_uuids;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& part = parts[i];
    merged.merged_from.push_back(part.run_id + " (" + inputs[i].string() + ", shard " + to_string(part.shard) +
                                 ", host " + part.host + ")");
    for (const auto& gpu : part.gpus)
      if (gpu_uuids.insert(gpu.uuid).second) merged.gpus.push_back(gpu);
    merged.started_at = std::min(merged.started_at, part.started_at);
    merged.ended_at = std::max(merged.ended_at, part.ended_at);
    if (part.host != merged.host && merged.host.find(part.host) == std::string::npos) merged.host += ", " + part.host;
  }
  const results_summary summary = summarize_results(out.results_path().string());
  merged.status_counts = summary.status_counts;
  for (auto& toolkit : merged.toolkits)
    if (const auto it = summary.libraries.find(toolkit.version); it != summary.libraries.end())
      toolkit.libraries = it->second;
  merged.state = "finished";
  write_manifest(out.manifest_path(), merged);
  return merged;
}

}  // namespace cubench
