// The orchestrator end to end on the CPU: tests/fake_runner speaks the runner protocol and crashes, aborts, hangs
// or runs out of memory on demand; fake GPUs stand in for NVML's.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "csv_table.hpp"
#include "orchestrator.hpp"
#include "orchestrator_merge.hpp"
#include "orchestrator_process.hpp"
#include "progress.hpp"
#include "run_folder.hpp"
#include "scratch_dir.hpp"
#include "sha256.hpp"
#include "subprocess.hpp"

extern char** environ;

namespace cubench {
namespace {
namespace fs = std::filesystem;
using testing::scratch_dir;

// Sets an environment variable for the scope of a test.
class scoped_env {
 public:
  scoped_env(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

// Records every event, and raises `stop` once `stop_after` cases have ended.
class recording_observer : public run_observer {
 public:
  void planned(std::size_t total, std::size_t already) override {
    total_ = total;
    already_ = already;
  }
  void case_ended(const std::string& toolkit, const gpu_info& gpu, const std::string& case_id, case_status status,
                  const std::string&) override {
    ended.push_back(toolkit + " " + gpu.uuid + " " + case_id + " " + std::string(to_string(status)));
    if (stop_after > 0 && ended.size() >= stop_after) stop.store(true);
  }
  std::size_t total_ = 0;
  std::size_t already_ = 0;
  std::vector<std::string> ended;
  std::size_t stop_after = 0;
  std::atomic<bool> stop{false};
};

// A scratch folder with fake runners laid out as `bench build` does, a suite, and a trace of every case begun.
class orchestrator_fixture : public ::testing::Test {
 protected:
  runner_binary runner(const std::string& toolkit) {
    const fs::path path = fs::path(dir.path()) / "runners" / ("cuda-" + toolkit) / "bench-runner";
    fs::create_directories(path.parent_path());
    if (!fs::exists(path)) fs::create_symlink(FAKE_RUNNER_PATH, path);
    return {toolkit, path.string()};
  }
  std::string suite(const std::vector<std::string>& ids, const std::string& name = "suite.csv") {
    std::string text = "case_id\n";
    for (const auto& id : ids) text += id + "\n";
    return dir.write(name, text);
  }
  run_request request(const std::vector<std::string>& toolkits, const std::vector<std::string>& ids,
                      unsigned gpus = 1) {
    run_request r;
    r.run_id = "test-run";
    for (const auto& toolkit : toolkits) r.runners.push_back(runner(toolkit));
    r.gpus = fake_gpu_inventory(gpus).gpus;
    r.cases = {{suite(ids), ids}};
    r.rounds = 1;
    r.case_timeout = std::chrono::seconds(20);
    r.driver_version = "fake";
    return r;
  }
  // Rows of the run's results.csv by "toolkit gpu case_id".
  std::map<std::string, std::pair<std::string, std::string>> results(const fs::path& folder) {
    const csv_table table = read_csv_table((folder / "results.csv").string());
    std::map<std::string, std::pair<std::string, std::string>> rows;
    for (const auto& row : table.rows) {
      const std::string key =
          row[table.column("toolkit")] + " " + row[table.column("gpu_uuid")] + " " + row[table.column("case_id")];
      EXPECT_EQ(rows.count(key), 0u) << "two rows for " << key;
      rows[key] = {row[table.column("status")], row[table.column("reason")]};
    }
    return rows;
  }
  std::vector<std::string> trace() {
    std::ifstream in(trace_path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  run_outcome run(const run_request& r, const run_folder& folder, recording_observer& observer) {
    run_outcome outcome = execute_run(r, folder, observer, observer.stop);
    if (!outcome.interrupted) assemble_results(r, folder);
    return outcome;
  }

  scratch_dir dir;
  std::string trace_path = dir / "trace.txt";
  scoped_env trace_env{"FAKE_RUNNER_TRACE", trace_path};
};

TEST(protocol_line, parses_begin_end_done_and_leaves_other_text) {
  auto event = parse_protocol_line("@cubench begin gemm/cublas/gemm_ex/fp32/k=8;m=8;n=8");
  EXPECT_EQ(event.type, protocol_event::kind::begin);
  EXPECT_EQ(event.case_id, "gemm/cublas/gemm_ex/fp32/k=8;m=8;n=8");
  event = parse_protocol_line("@cubench end a/b/c/d/e out_of_memory\r");
  EXPECT_EQ(event.type, protocol_event::kind::end);
  EXPECT_EQ(event.case_id, "a/b/c/d/e");
  EXPECT_EQ(event.status, "out_of_memory");
  EXPECT_EQ(parse_protocol_line("@cubench done").type, protocol_event::kind::done);
  EXPECT_EQ(parse_protocol_line("@cubench end only_one_word").type, protocol_event::kind::text);
  EXPECT_EQ(parse_protocol_line("@cubench begin").type, protocol_event::kind::text);
  EXPECT_EQ(parse_protocol_line("cuBLAS: @cubench begin x").type, protocol_event::kind::text);
  EXPECT_EQ(parse_protocol_line("@cubench done later").type, protocol_event::kind::text);
}

TEST(shard_cases, shards_cover_every_case_once_and_stay_balanced) {
  const std::vector<suite_cases> all{{"a.csv", {"a1", "a2", "a3", "a4", "a5"}}, {"b.csv", {"b1", "b2"}}};
  std::multiset<std::string> seen;
  for (int i = 1; i <= 3; ++i) {
    std::size_t count = 0;
    for (const auto& suite : shard_cases(all, {i, 3})) {
      for (const auto& id : suite.case_ids) seen.insert(suite.suite_path + ":" + id);
      count += suite.case_ids.size();
    }
    EXPECT_GE(count, 2u);
    EXPECT_LE(count, 3u);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);
  const auto first = shard_cases(all, {1, 3});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].case_ids, (std::vector<std::string>{"a1", "a4"}));
  EXPECT_EQ(first[1].case_ids, (std::vector<std::string>{"b2"}));
  const auto second = shard_cases(all, {2, 3});
  ASSERT_EQ(second.size(), 1u) << "a suite with no case in the shard is left out";
  EXPECT_EQ(second[0].case_ids, (std::vector<std::string>{"a2", "a5"}));
}

TEST(parse_shard, accepts_i_of_n_and_names_what_is_wrong) {
  std::string error;
  const auto shard = parse_shard("2/4", error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(shard.index, 2);
  EXPECT_EQ(shard.count, 4);
  for (const char* bad : {"0/4", "5/4", "2", "a/b", "2/0", ""}) {
    error.clear();
    parse_shard(bad, error);
    EXPECT_NE(error.find("expected i/N"), std::string::npos) << bad;
    EXPECT_NE(error.find(std::string("'") + bad + "'"), std::string::npos) << bad;
  }
}

TEST(interleave_rounds, every_chunk_runs_under_every_runner_in_rotating_order) {
  const std::vector<suite_cases> cases{{"g.csv", {"c1", "c2", "c3", "c4"}}, {"s.csv", {"c5", "c6"}}};
  const auto jobs = interleave_rounds(3, cases, 2);
  std::vector<std::string> order;
  for (const auto& job : jobs) {
    std::string ids;
    for (const auto& id : job.case_ids) ids += id;
    order.push_back(std::to_string(job.round) + ":" + std::to_string(job.runner) + ":" + job.suite_path + ":" + ids);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"0:0:g.csv:c1c2c3", "0:1:g.csv:c1c2c3", "0:2:g.csv:c1c2c3",
                                             "1:1:g.csv:c4", "1:1:s.csv:c5c6", "1:2:g.csv:c4", "1:2:s.csv:c5c6",
                                             "1:0:g.csv:c4", "1:0:s.csv:c5c6"}));
  EXPECT_EQ(interleave_rounds(2, cases, 100).size(), 12u) << "rounds are capped at one case each";
  EXPECT_TRUE(interleave_rounds(2, {}, 4).empty());
}

TEST(interleave_rounds, each_process_runs_the_whole_schedule_and_the_rotation_goes_on) {
  const std::vector<suite_cases> cases{{"g.csv", {"c1", "c2", "c3", "c4"}}};
  const auto jobs = interleave_rounds(2, cases, 2, 2);
  std::vector<std::string> order;
  for (const auto& job : jobs) {
    std::string ids;
    for (const auto& id : job.case_ids) ids += id;
    order.push_back(std::to_string(job.process) + ":" + std::to_string(job.round) + ":" + std::to_string(job.runner) +
                    ":" + ids);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"0:0:0:c1c2", "0:0:1:c1c2", "0:1:1:c3c4", "0:1:0:c3c4", "1:2:0:c1c2",
                                             "1:2:1:c1c2", "1:3:1:c3c4", "1:3:0:c3c4"}));
}

TEST(progress_line, shows_counts_statuses_elapsed_and_eta) {
  progress_counts counts;
  counts.total = 100;
  counts.ended = 30;
  counts.resumed = 10;
  counts.by_status[case_status::passed] = 19;
  counts.by_status[case_status::crashed] = 1;
  EXPECT_EQ(progress_line(counts, std::chrono::seconds(40), 10),
            "[###.......] 30/100 case runs  passed 19  crashed 1  elapsed 40 s  ETA 2 min 20 s");
  EXPECT_EQ(format_duration(std::chrono::seconds(3725)), "1 h 02 min");
}

TEST_F(orchestrator_fixture, crashes_aborts_and_sticky_errors_are_isolated_and_the_runner_restarts) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1",    "gemm/fake/crash/fp32/m=2", "gemm/fake/ok/fp32/m=3",
                                     "gemm/fake/abort/fp32/m=4", "gemm/fake/ok/fp32/m=5",    "gemm/fake/sticky/fp32/m=6",
                                     "gemm/fake/ok/fp32/m=7"};
  const auto r = request({"12.4"}, ids);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const run_outcome outcome = run(r, folder, observer);

  EXPECT_EQ(outcome.total_cases, 7u);
  EXPECT_EQ(outcome.ended, 7u);
  EXPECT_EQ(outcome.runner_starts, 4u);
  EXPECT_EQ(outcome.incidents.size(), 3u);
  const auto rows = results(folder.path());
  ASSERT_EQ(rows.size(), 7u);
  const std::string gpu = " GPU-fake-0 ";
  EXPECT_EQ(rows.at("12.4" + gpu + ids[0]).first, "passed");
  EXPECT_EQ(rows.at("12.4" + gpu + ids[1]).first, "crashed");
  EXPECT_NE(rows.at("12.4" + gpu + ids[1]).second.find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(rows.at("12.4" + gpu + ids[3]).first, "crashed");
  EXPECT_NE(rows.at("12.4" + gpu + ids[3]).second.find("SIGABRT"), std::string::npos);
  EXPECT_EQ(rows.at("12.4" + gpu + ids[5]).first, "crashed");
  EXPECT_NE(rows.at("12.4" + gpu + ids[5]).second.find("cudaErrorIllegalAddress"), std::string::npos);
  EXPECT_NE(rows.at("12.4" + gpu + ids[5]).second.find("status 1"), std::string::npos);
  EXPECT_EQ(rows.at("12.4" + gpu + ids[6]).first, "passed");
  const auto begun = trace();
  EXPECT_EQ(begun.size(), 7u) << "every case begins exactly once";
  EXPECT_EQ(std::set<std::string>(begun.begin(), begun.end()).size(), 7u);

  const csv_table table = read_csv_table(folder.results_path().string());
  const auto crashed = std::find_if(table.rows.begin(), table.rows.end(),
                                    [&](const auto& row) { return row[table.column("case_id")] == ids[1]; });
  EXPECT_EQ((*crashed)[table.column("family")], "gemm");
  EXPECT_EQ((*crashed)[table.column("variant")], "crash");
  EXPECT_EQ((*crashed)[table.column("params")], "m=2");
  EXPECT_EQ((*crashed)[table.column("run_id")], "test-run");
}

TEST_F(orchestrator_fixture, samples_a_runner_wrote_before_dying_in_a_case_are_dropped) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/torn/fp32/m=2", "gemm/fake/ok/fp32/m=3"};
  const auto r = request({"12.4"}, ids);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  run(r, folder, observer);
  const auto rows = results(folder.path());
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[1]).first, "crashed");
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[2]).first, "passed");
  const std::vector<fs::path> samples_files{folder.samples_path(),
                                            folder.runner_path("12.4", "GPU-fake-0", 0) / "samples.csv"};
  for (const auto& samples_path : samples_files) {
    const csv_table samples = read_csv_table(samples_path.string());
    std::map<std::string, int> per_case;
    for (const auto& row : samples.rows) ++per_case[row[samples.column("case_id")]];
    EXPECT_EQ(per_case, (std::map<std::string, int>{{ids[0], 24}, {ids[2], 24}})) << samples_path;  // 8 placements of 3
  }
}

TEST_F(orchestrator_fixture, a_hang_is_timed_out_by_the_watchdog_and_the_run_goes_on) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/hang/fp32/m=2", "gemm/fake/ok/fp32/m=3"};
  auto r = request({"12.4"}, ids);
  r.case_timeout = std::chrono::milliseconds(500);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const auto start = std::chrono::steady_clock::now();
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_EQ(outcome.runner_starts, 2u);
  const auto rows = results(folder.path());
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[1]).first, "timed_out");
  EXPECT_NE(rows.at("12.4 GPU-fake-0 " + ids[1]).second.find("no end within 0.5 s"), std::string::npos);
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[2]).first, "passed");
}

TEST_F(orchestrator_fixture, out_of_memory_is_recorded_by_the_runner_and_the_run_goes_on) {
  const std::vector<std::string> ids{"gemm/fake/oom/fp32/m=1", "gemm/fake/ok/fp32/m=2"};
  const auto r = request({"12.4"}, ids);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_EQ(outcome.runner_starts, 1u);
  EXPECT_TRUE(outcome.incidents.empty());
  const auto rows = results(folder.path());
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[0]).first, "out_of_memory");
  EXPECT_NE(rows.at("12.4 GPU-fake-0 " + ids[0]).second.find("out of memory"), std::string::npos);
  EXPECT_EQ(rows.at("12.4 GPU-fake-0 " + ids[1]).first, "passed");
  EXPECT_EQ(observer.ended.front(), "12.4 GPU-fake-0 " + ids[0] + " out_of_memory");
}

TEST_F(orchestrator_fixture, a_runner_that_cannot_start_fails_its_cases_once_with_its_words) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2"};
  const auto r = request({"11.8"}, ids);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const scoped_env failure("FAKE_RUNNER_START_FAILURE", "1");
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_EQ(outcome.runner_starts, 1u);
  const auto rows = results(folder.path());
  for (const auto& id : ids) {
    EXPECT_EQ(rows.at("11.8 GPU-fake-0 " + id).first, "failed");
    EXPECT_NE(rows.at("11.8 GPU-fake-0 " + id).second.find("libcublas.so.12"), std::string::npos);
  }
}

TEST_F(orchestrator_fixture, resume_completes_an_interrupted_run_without_redoing_ended_cases) {
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back("gemm/fake/ok/fp32/m=" + std::to_string(i));
  ids[5] = "gemm/fake/crash/fp32/m=5";
  const auto r = request({"12.4", "13.0"}, ids);
  const scoped_env slow("FAKE_RUNNER_CASE_MS", "30");
  {
    const run_folder folder = run_folder::create(dir / "run");
    write_manifest(folder.manifest_path(), run_manifest{});
    recording_observer observer;
    observer.stop_after = 3;
    const run_outcome outcome = run(r, folder, observer);
    EXPECT_TRUE(outcome.interrupted);
    EXPECT_LT(outcome.ended, 16u);
  }
  const auto first_part = trace();
  const fs::path runner_results = fs::path(dir.path()) / "run/runs/12.4/GPU-fake-0/process-1/results.csv";
  const auto ended_before = ended_case_ids(runner_results.string());
  const auto ended_before_13 =
      ended_case_ids((fs::path(dir.path()) / "run/runs/13.0/GPU-fake-0/process-1/results.csv").string());
  ASSERT_GE(ended_before.size() + ended_before_13.size(), 3u);

  const run_folder folder = run_folder::open(dir / "run");
  recording_observer observer;
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_EQ(observer.already_, ended_before.size() + ended_before_13.size());
  EXPECT_EQ(outcome.already_ended + outcome.ended, 16u);
  EXPECT_EQ(results(folder.path()).size(), 16u);
  std::map<std::string, int> begun;
  for (const auto& line : trace()) ++begun[line];
  for (const auto& id : ended_before) EXPECT_EQ(begun["12.4 GPU-fake-0 " + id], 1) << id << " ran again";
  EXPECT_GT(trace().size(), first_part.size());
}

TEST_F(orchestrator_fixture, a_row_half_written_by_a_killed_runner_is_dropped_and_its_case_runs_again) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2"};
  const auto r = request({"12.4"}, ids);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer first;
  run(r, folder, first);
  const fs::path runner_results = folder.runner_path("12.4", "GPU-fake-0", 0) / "results.csv";
  std::string text;
  {
    std::ifstream in(runner_results);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto last_row = text.rfind('\n', text.size() - 2);
  std::ofstream(runner_results, std::ios::trunc) << text.substr(0, last_row + 1) << "1,test-run,gemm/fake/ok/fp32/m=2,ge";

  recording_observer second;
  run(r, folder, second);
  EXPECT_EQ(second.already_, 1u);
  ASSERT_EQ(second.ended.size(), 1u);
  EXPECT_EQ(second.ended[0], "12.4 GPU-fake-0 gemm/fake/ok/fp32/m=2 passed");
  EXPECT_EQ(results(folder.path()).size(), 2u);
}

TEST_F(orchestrator_fixture, toolkits_take_turns_in_rotating_rounds_on_one_gpu) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2", "gemm/fake/ok/fp32/m=3",
                                     "gemm/fake/ok/fp32/m=4"};
  auto r = request({"11.8", "12.4"}, ids);
  r.rounds = 2;
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  run(r, folder, observer);
  std::vector<std::string> order;
  for (const auto& line : trace()) order.push_back(line.substr(0, line.find(' ')) + line.substr(line.rfind('=')));
  EXPECT_EQ(order, (std::vector<std::string>{"11.8=1", "11.8=2", "12.4=1", "12.4=2", "12.4=3", "12.4=4", "11.8=3",
                                             "11.8=4"}));
}

TEST_F(orchestrator_fixture, a_case_measured_in_several_processes_is_one_row_timed_alike_in_each) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2", "gemm/fake/crash/fp32/m=3"};
  auto r = request({"12.4"}, ids);
  r.processes = 3;
  r.placements_per_process = 2;
  const scoped_env random_launches("FAKE_RUNNER_RANDOM_LAUNCHES", "1");
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_EQ(outcome.total_cases, 9u);
  EXPECT_EQ(observer.ended.size(), 9u);

  // Each process ran every case, one pass after the other.
  std::vector<std::string> begun;
  for (const auto& line : trace()) begun.push_back(line.substr(line.rfind('=') + 1));
  EXPECT_EQ(begun, (std::vector<std::string>{"1", "2", "3", "1", "2", "3", "1", "2", "3"}));

  // The later processes time each case with the first one's launches per sample.
  const fs::path first = folder.runner_path("12.4", "GPU-fake-0", 0);
  const csv_table first_rows = read_csv_table((first / "results.csv").string());
  for (int process = 1; process < 3; ++process) {
    const fs::path later = folder.runner_path("12.4", "GPU-fake-0", process);
    const csv_table rows = read_csv_table((later / "results.csv").string());
    ASSERT_EQ(rows.rows.size(), 3u);
    for (std::size_t i = 0; i < 2; ++i)
      EXPECT_EQ(rows.rows[i][rows.column("launches_per_sample")],
                first_rows.rows[i][first_rows.column("launches_per_sample")])
          << "process " << process + 1 << ", " << ids[i];
    std::ifstream cases(later / "cases.txt");
    std::string line;
    std::getline(cases, line);
    EXPECT_EQ(line.rfind(ids[0] + " launches_per_sample=", 0), 0u) << line;
  }

  // One row a case, its samples from every process, each process's placements after the previous one's.
  const csv_table table = read_csv_table((folder.path() / "results.csv").string());
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0][table.column("samples")], "18");
  EXPECT_EQ(table.rows[2][table.column("status")], "crashed");
  EXPECT_EQ(table.rows[2][table.column("reason")].rfind("process 1 of 3: runner killed by SIGSEGV", 0), 0u)
      << table.rows[2][table.column("reason")];
  const csv_table samples = read_csv_table((folder.path() / "samples.csv").string());
  std::map<std::string, std::set<std::string>> placements;
  for (const auto& row : samples.rows) placements[row[samples.column("case_id")]].insert(row[samples.column("placement")]);
  EXPECT_EQ(placements[ids[0]], (std::set<std::string>{"0", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(placements.count(ids[2]), 0u);
}

TEST_F(orchestrator_fixture, rows_it_writes_itself_give_each_gpu_its_nvml_index) {
  const std::vector<std::string> ids{"gemm/fake/crash/fp32/m=1"};
  const auto r = request({"13.0"}, ids, 2);
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  run(r, folder, observer);
  const csv_table table = read_csv_table((folder.path() / "results.csv").string());
  std::map<std::string, std::string> index_of;
  for (const auto& row : table.rows) {
    EXPECT_EQ(row[table.column("status")], "crashed");
    index_of[row[table.column("gpu_uuid")]] = row[table.column("gpu_index")];
  }
  EXPECT_EQ(index_of, (std::map<std::string, std::string>{{"GPU-fake-0", "0"}, {"GPU-fake-1", "1"}}));
}

TEST_F(orchestrator_fixture, each_gpu_runs_every_case_in_its_own_process_at_the_same_time) {
  const std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2", "gemm/fake/ok/fp32/m=3"};
  const auto r = request({"13.0"}, ids, 2);
  const scoped_env slow("FAKE_RUNNER_CASE_MS", "150");
  const run_folder folder = run_folder::create(dir / "run");
  recording_observer observer;
  const run_outcome outcome = run(r, folder, observer);
  EXPECT_EQ(outcome.runner_starts, 2u);
  const auto rows = results(folder.path());
  EXPECT_EQ(rows.size(), 6u);
  for (const auto& id : ids) {
    EXPECT_EQ(rows.count("13.0 GPU-fake-0 " + id), 1u);
    EXPECT_EQ(rows.count("13.0 GPU-fake-1 " + id), 1u);
  }
  const auto lines = trace();
  std::size_t first_gpu1 = lines.size();
  std::size_t last_gpu0 = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("GPU-fake-1") != std::string::npos) first_gpu1 = std::min(first_gpu1, i);
    if (lines[i].find("GPU-fake-0") != std::string::npos) last_gpu0 = i;
  }
  EXPECT_LT(first_gpu1, last_gpu0) << "the second GPU started before the first one finished";

  // The compare step: one toolkit leaves nothing to compare across toolkits, but the two GPUs are compared.
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(compare_run(r, folder, "", "slower,incorrect,failed", out, err, false), 0) << out.str() << err.str();
  EXPECT_FALSE(fs::exists(folder.path() / "compare"));
  for (const char* file : {"summary.md", "compare.csv", "junit.xml", "report.html"})
    EXPECT_TRUE(fs::exists(folder.path() / "compare-gpus" / file)) << file;
  EXPECT_NE(out.str().find("gpus:     " + (folder.path() / "compare-gpus").string() +
                           " (every GPU of every toolkit against the first GPU of 13.0): nothing crosses the gate"),
            std::string::npos)
      << out.str();
  const csv_table compared = read_csv_table(folder.path() / "compare-gpus" / "compare.csv");
  ASSERT_EQ(compared.rows.size(), ids.size());
  for (const auto& row : compared.rows) {
    EXPECT_EQ(row[compared.column("baseline")], "13.0 gpu0");
    EXPECT_EQ(row[compared.column("candidate")], "13.0 gpu1");
    EXPECT_EQ(row[compared.column("time_verdict")], "same") << row[compared.column("case_id")];
  }
}

TEST(run_folder, a_second_run_on_a_locked_folder_is_refused_naming_the_holder) {
  scratch_dir dir;
  const run_folder first = run_folder::create(dir / "run");
  try {
    run_folder::create(dir / "run");
    FAIL() << "a second lock was granted";
  } catch (const run_folder_error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another bench run (pid " + std::to_string(::getpid())),
              std::string::npos)
        << e.what();
  }
}

TEST(run_folder, a_folder_holding_a_run_is_not_reused_for_a_new_one) {
  scratch_dir dir;
  {
    const run_folder folder = run_folder::create(dir / "run");
    run_manifest manifest;
    manifest.state = "interrupted";
    write_manifest(folder.manifest_path(), manifest);
  }
  try {
    run_folder::create(dir / "run");
    FAIL() << "an existing run was overwritten";
  } catch (const run_folder_error& e) {
    EXPECT_NE(std::string(e.what()).find("already holds a run (interrupted)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos);
  }
}

TEST(run_folder, the_manifest_round_trips_and_a_missing_key_is_named) {
  run_manifest m;
  m.run_id = "r1";
  m.gpus = {{1, "GPU-x", "NVIDIA H100 80GB HBM3", "9.0"}};
  m.toolkits = {{"12.4", "/r/bench-runner", "12.4.131", {{"cublas", "12.4.5.8", "12.4.5.8", "static"}}}};
  m.suite_files = {{"/s/gemm_quick.csv", "abc", 10}};
  m.shard = {2, 4};
  m.status_counts = {{"passed", 9}, {"crashed", 1}};
  m.processes = 4;
  m.placements_per_process = 2;
  const run_manifest back = manifest_from_json(manifest_to_json(m), "manifest.json");
  EXPECT_EQ(manifest_to_json(back), manifest_to_json(m));
  EXPECT_EQ(back.processes, 4);
  EXPECT_EQ(back.placements_per_process, 2);
  auto json = manifest_to_json(m);
  // A manifest from before --processes: one process of the runner's 8 placements.
  json.erase("processes");
  json.erase("placements_per_process");
  const run_manifest older = manifest_from_json(json, "manifest.json");
  EXPECT_EQ(older.processes, 1);
  EXPECT_EQ(older.placements_per_process, 8);
  json.erase("suite");
  try {
    manifest_from_json(json, "x/manifest.json");
    FAIL();
  } catch (const run_folder_error& e) {
    EXPECT_EQ(std::string(e.what()), "x/manifest.json: expected a key 'suite', found none");
  }
}

TEST(csv_table, reads_quoted_commas_quotes_and_line_breaks_and_names_a_short_row) {
  scratch_dir dir;
  const auto table = read_csv_table(dir.write("a.csv", "x,y\n1,\"a,b\"\n2,\"say \"\"hi\"\"\nthere\"\n3,\n"));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0][1], "a,b");
  EXPECT_EQ(table.rows[1][1], "say \"hi\"\nthere");
  EXPECT_EQ(table.row_lines[2], 5u);
  EXPECT_EQ(table.rows[2][1], "");
  try {
    read_csv_table(dir.write("b.csv", "x,y\n1,2\n3\n"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), dir / "b.csv" + ":3:2: expected 2 cells as in the header, found 1 (a truncated line?)");
  }
  EXPECT_THROW(read_csv_table(dir.write("c.csv", "x,y\n1,\"open\n")), std::runtime_error);
}

// The `bench` CLI itself, with fake GPUs and the fake runner staged as prebuilt runners.
class bench_cli : public orchestrator_fixture {
 protected:
  process_result bench(std::vector<std::string> args) {
    args.insert(args.begin(), BENCH_PATH);
    process_options options;
    options.timeout = std::chrono::seconds(120);
    options.working_directory = dir.path();
    return run_process(args, options);
  }
  std::vector<std::string> run_args(const std::string& out, const std::string& suite_path) {
    return {"run",      "--toolkits", "12.4,13.0", "--runner", "12.4=" + runner("12.4").path, "--runner",
            "13.0=" + runner("13.0").path, "--suite", suite_path, "--out", out, "--rounds", "2"};
  }
  std::vector<std::string> ids{"gemm/fake/ok/fp32/m=1",    "gemm/fake/ok/fp32/m=2", "gemm/fake/oom/fp32/m=3",
                               "gemm/fake/crash/fp32/m=4", "gemm/fake/ok/fp32/m=5", "gemm/fake/ok/fp32/m=6",
                               "gemm/fake/ok/bf16/m=7"};
};

// Rows of a results.csv without the columns that differ from run to run, sorted.
std::vector<std::string> comparable_rows(const fs::path& results_csv) {
  const csv_table table = read_csv_table(results_csv.string());
  std::vector<std::string> rows;
  for (const auto& row : table.rows) {
    std::string text;
    for (std::size_t c = 0; c < row.size(); ++c)
      if (table.header[c] != "run_id" && table.header[c] != "timestamp") text += row[c] + "|";
    rows.push_back(text);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> comparable_samples(const fs::path& samples_csv) {
  const csv_table table = read_csv_table(samples_csv.string());
  std::vector<std::string> rows;
  for (const auto& row : table.rows) {
    std::string text;
    for (std::size_t c = 1; c < row.size(); ++c)
      if (table.header[c] != "run_id") text += row[c] + "|";
    rows.push_back(text);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST_F(bench_cli, without_a_gpu_run_says_so_and_writes_nothing) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "0");
  const auto result = bench(run_args("out", suite(ids)));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("no GPU to run on"), std::string::npos) << result.output;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST_F(bench_cli, a_run_writes_results_samples_runner_folders_and_a_manifest) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "1");
  const std::string suite_path = suite(ids);
  auto args = run_args("out", suite_path);
  args.push_back("--no-compare");
  const auto result = bench(args);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("crashed: gemm/fake/crash/fp32/m=4 (12.4 on GPU-fake-0)"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("results:  out/results.csv"), std::string::npos) << result.output;
  EXPECT_EQ(results(dir / "out").size(), 14u);
  for (const char* file : {"results.csv", "samples.csv", "runner.log", "cases.txt"})
    EXPECT_TRUE(fs::exists(dir / ("out/runs/13.0/GPU-fake-0/process-1/" + std::string(file)))) << file;

  const run_manifest manifest = read_manifest(dir / "out/manifest.json");
  EXPECT_EQ(manifest.state, "finished");
  EXPECT_EQ(manifest.run_id, "out");
  EXPECT_FALSE(manifest.ended_at.empty());
  ASSERT_EQ(manifest.toolkits.size(), 2u);
  EXPECT_EQ(manifest.toolkits[1].runner_version, "fake bench-runner 13.0 (cubench tests)");
  std::ifstream in(suite_path, std::ios::binary);
  EXPECT_EQ(manifest.suite_sha256, sha256_hex(std::string(std::istreambuf_iterator<char>(in), {})));
  EXPECT_EQ(manifest.suite_files.at(0).cases, ids.size());
  EXPECT_EQ(manifest.command_line.at(1), "run");
  const std::map<std::string, std::size_t> counts{{"passed", 10}, {"out_of_memory", 2}, {"crashed", 2}};
  const std::map<std::string, std::size_t> recorded(manifest.status_counts.begin(), manifest.status_counts.end());
  EXPECT_EQ(recorded, counts);

  const auto again = bench(run_args("out", suite_path));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("already holds a run (finished)"), std::string::npos) << again.output;
}

TEST_F(bench_cli, a_suite_name_runs_every_family_file_of_that_name) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "1");
  fs::create_directories(dir / "suites");
  suite({"gemm/fake/ok/fp32/m=1", "gemm/fake/ok/fp32/m=2"}, "suites/gemm_quick.csv");
  suite({"spmm/fake/ok/fp32/m=3"}, "suites/spmm_quick.csv");
  suite({"conv/fake/ok/fp32/m=4"}, "suites/conv_nightly.csv");
  const scoped_env suites("CUBENCH_SUITE_DIR", dir / "suites");
  auto args = run_args("out", "quick");
  args.push_back("--no-compare");
  const auto result = bench(args);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(results(dir / "out").size(), 6u) << result.output;
}

TEST_F(bench_cli, shards_merged_equal_one_run) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "1");
  const std::string suite_path = suite(ids);
  auto whole = run_args("whole", suite_path);
  whole.push_back("--no-compare");
  ASSERT_EQ(bench(whole).exit_code, 0);
  std::vector<std::string> merge{"merge", "merged"};
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "shard-" + std::to_string(i);
    auto args = run_args(name, suite_path);
    args.insert(args.end(), {"--shard", std::to_string(i) + "/3", "--no-compare"});
    const auto result = bench(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    merge.push_back(name);
  }
  const auto merged = bench(merge);
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_EQ(comparable_rows(dir / "merged/results.csv"), comparable_rows(dir / "whole/results.csv"));
  EXPECT_EQ(comparable_samples(dir / "merged/samples.csv"), comparable_samples(dir / "whole/samples.csv"));
  const csv_table table = read_csv_table(dir / "merged/results.csv");
  for (const auto& row : table.rows) EXPECT_EQ(row[table.column("run_id")], "merged");
  const run_manifest manifest = read_manifest(dir / "merged/manifest.json");
  EXPECT_EQ(manifest.merged_from.size(), 3u);
  EXPECT_EQ(manifest.state, "finished");

  const auto overlap = bench({"merge", "overlap", "shard-1", "whole"});
  EXPECT_EQ(overlap.exit_code, 2);
  EXPECT_NE(overlap.output.find("merged runs must not overlap"), std::string::npos) << overlap.output;
}

TEST_F(bench_cli, an_interrupted_run_resumes_where_it_stopped_and_a_held_folder_is_refused) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "1");
  const scoped_env slow("FAKE_RUNNER_CASE_MS", "200");
  auto args = run_args(dir / "out", suite(ids));
  args.push_back("--no-compare");
  args.insert(args.begin(), BENCH_PATH);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, BENCH_PATH, nullptr, nullptr, argv.data(), environ), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (trace().size() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(read_manifest(dir / "out/manifest.json").state, "interrupted");
  const auto ended_before = ended_case_ids(dir / "out/runs/12.4/GPU-fake-0/process-1/results.csv");
  ASSERT_FALSE(ended_before.empty());

  {
    const run_folder held = run_folder::open(dir / "out");
    const auto refused = bench({"run", "--resume", dir / "out"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.output.find("in use by another bench run (pid " + std::to_string(::getpid())), std::string::npos)
        << refused.output;
  }
  const auto resumed = bench({"run", "--resume", dir / "out", "--no-compare"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("had ended before; resuming"), std::string::npos) << resumed.output;
  EXPECT_EQ(results(dir / "out").size(), 14u);
  std::map<std::string, int> begun;
  for (const auto& line : trace()) ++begun[line];
  // Once in each of the run's four processes (bench run's default), not again in the first.
  for (const auto& id : ended_before) EXPECT_EQ(begun["12.4 GPU-fake-0 " + id], 4) << id << " ran again";
  EXPECT_EQ(read_manifest(dir / "out/manifest.json").state, "finished");
}

TEST_F(bench_cli, the_compare_step_writes_its_reports_and_gives_the_exit_status) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "1");
  const std::string suite_path = suite(ids);
  const auto gated = bench(run_args("gated", suite_path));
  EXPECT_EQ(gated.exit_code, 1) << "the crashed candidate crosses the default gate\n" << gated.output;
  for (const char* file : {"summary.md", "compare.csv", "junit.xml", "report.html"})
    EXPECT_TRUE(fs::exists(dir / ("gated/compare/" + std::string(file)))) << file;
  EXPECT_FALSE(fs::exists(dir / "gated/compare-gpus")) << "one GPU: nothing to compare across GPUs";
  EXPECT_EQ(gated.output.find("gpus:"), std::string::npos) << gated.output;
  auto args = run_args("lenient", suite_path);
  args.insert(args.end(), {"--fail-on", "incorrect"});
  const auto lenient = bench(args);
  EXPECT_EQ(lenient.exit_code, 0) << lenient.output;
}

TEST_F(bench_cli, a_run_on_two_gpus_also_compares_the_gpus) {
  const scoped_env gpus("CUBENCH_FAKE_GPUS", "2");
  const auto result = bench(run_args("two", suite(ids)));
  EXPECT_EQ(result.exit_code, 1) << "the crashed candidate crosses the toolkits' gate\n" << result.output;
  for (const char* folder : {"two/compare/", "two/compare-gpus/"})
    for (const char* file : {"summary.md", "compare.csv", "junit.xml", "report.html"})
      EXPECT_TRUE(fs::exists(dir / (folder + std::string(file)))) << folder << file;
  EXPECT_NE(result.output.find("gpus:     two/compare-gpus (every GPU of every toolkit against the first GPU of 12.4)"),
            std::string::npos)
      << result.output;
  const csv_table compared = read_csv_table(dir / "two/compare-gpus/compare.csv");
  std::set<std::string> candidates;
  for (const auto& row : compared.rows) {
    EXPECT_EQ(row[compared.column("baseline")], "12.4 gpu0");
    candidates.insert(row[compared.column("candidate")]);
  }
  EXPECT_EQ(candidates, (std::set<std::string>{"12.4 gpu1", "13.0 gpu0", "13.0 gpu1"}));
  const csv_table by_toolkit = read_csv_table(dir / "two/compare/compare.csv");
  EXPECT_EQ(by_toolkit.rows.size(), 2 * ids.size()) << "each case once per GPU slot";
}

TEST_F(bench_cli, plan_prints_one_matrix_entry_per_shard) {
  const auto result = bench({"plan", "--toolkits", "11.8,12.4", "--shards", "3", "--suite", "quick"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto matrix = nlohmann::json::parse(result.output);
  ASSERT_EQ(matrix.at("include").size(), 3u);
  EXPECT_EQ(matrix["include"][2]["shard"], "3/3");
  EXPECT_EQ(matrix["include"][2]["toolkits"], "11.8,12.4");
  EXPECT_EQ(matrix["include"][0]["suite"], "quick");
}

}  // namespace
}  // namespace cubench
