// `bench history add RUN_DIR` and `bench history check`: nightly runs in SQLite, and the cases that drift.
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "history.hpp"

namespace cubench {

void register_history_command(CLI::App& app) {
  auto* command = app.add_subcommand("history", "Keep runs in an SQLite history and flag cases that step or drift");
  command->require_subcommand(1);
  auto db_path = std::make_shared<std::string>("results/history.sqlite");
  auto run_dir = std::make_shared<std::string>();
  auto run_id = std::make_shared<std::string>();
  auto options = std::make_shared<drift_options>();

  auto* add = command->add_subcommand("add", "Append a finished run folder to the history");
  add->add_option("RUN_DIR", *run_dir, "The run folder (results/RUN_ID)")->required();
  add->add_option("--db", *db_path, "The history database")->capture_default_str();
  add->callback([db_path, run_dir] {
    try {
      history_db db(*db_path);
      const std::size_t rows = db.add_run(*run_dir);
      std::cout << "added " << rows << " row(s) of " << *run_dir << " to " << *db_path << " ("
                << db.run_ids().size() << " run(s) in all)\n";
    } catch (const std::exception& e) {
      std::cerr << "bench history add: " << e.what() << "\n";
      throw command_exit{exit_usage_error};
    }
  });

  auto* check = command->add_subcommand("check", "Flag cases whose latest time departs from their recent nights");
  check->add_option("--db", *db_path, "The history database")->capture_default_str();
  check->add_option("--run", *run_id, "The run to check (default: the newest)");
  check->add_option("--window", options->window, "Nights of history")->check(CLI::Range(2, 1000))->capture_default_str();
  check->add_option("--z", options->z_threshold, "Robust z-score of a step")->capture_default_str();
  check->add_option("--min-effect", options->min_effect, "Smallest change flagged, as a fraction")
      ->capture_default_str();
  check->add_option("--cusum-h", options->cusum_h, "CUSUM threshold, in noise units")->capture_default_str();
  check->callback([db_path, run_id, options] {
    std::vector<history_finding> findings;
    try {
      const history_db db(*db_path);
      findings = db.check(*options, *run_id);
    } catch (const std::exception& e) {
      std::cerr << "bench history check: " << e.what() << "\n";
      throw command_exit{exit_usage_error};
    }
    bool regression = false;
    for (const auto& f : findings) {
      char numbers[160] = "";
      if (f.kind != "status")
        std::snprintf(numbers, sizeof numbers, "  %+.1f%% (latest %.4g ms, reference %.4g ms, z %.1f, cusum %.1f, %zu nights)",
                      100 * f.stats.change, f.stats.latest, f.stats.reference, f.stats.robust_z, f.stats.cusum,
                      f.stats.history);
      std::cout << f.kind << "  " << f.direction << "  " << f.case_id << "  " << f.toolkit << "  " << f.gpu_name
                << numbers << "\n";
      regression = regression || f.direction != "faster";
    }
    std::cout << findings.size() << " case(s) flagged\n";
    if (regression) throw command_exit{1};
  });
}

}  // namespace cubench
