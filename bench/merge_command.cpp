// `bench merge OUT RUN_DIR...`: one run folder from several (the shards of a run, or runs of several machines).
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "orchestrator_merge.hpp"

namespace cubench {

void register_merge_command(CLI::App& app) {
  auto* command = app.add_subcommand("merge", "Join finished run folders into one (for bench compare)");
  struct settings {
    std::string out;
    std::vector<std::string> inputs;
    std::string run_id;
  };
  auto s = std::make_shared<settings>();
  command->add_option("OUT", s->out, "The merged run folder (must not exist yet)")->required();
  command->add_option("RUN_DIR", s->inputs, "Run folders to join")->required();
  command->add_option("--run-id", s->run_id, "The merged run's id (default: OUT's name)");
  command->callback([s] {
    std::vector<std::string> command_line{"bench", "merge", s->out};
    std::vector<std::filesystem::path> inputs;
    for (const auto& input : s->inputs) {
      command_line.push_back(input);
      inputs.emplace_back(input);
    }
    const std::string run_id = s->run_id.empty() ? std::filesystem::path(s->out).filename().string() : s->run_id;
    try {
      // A fresh folder only: merging into an old one would append its runner files twice.
      if (std::filesystem::exists(s->out))
        throw run_folder_error(s->out + " exists; bench merge writes a new folder, give another OUT");
      const run_folder out = run_folder::create(s->out);
      const run_manifest merged = merge_runs(out, run_id, inputs, command_line);
      std::cout << "merged " << inputs.size() << " run(s) into " << out.path().string() << " (run " << run_id << "):";
      for (const auto& [status, count] : merged.status_counts) std::cout << "  " << status << " " << count;
      std::cout << "\n";
    } catch (const std::exception& e) {
      std::cerr << "bench merge: " << e.what() << "\n";
      throw command_exit{exit_usage_error};
    }
  });
}

}  // namespace cubench
