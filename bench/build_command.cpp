#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "runner_build.hpp"
#include "toolkit_discovery.hpp"

namespace cubench {
namespace {

void print_excerpt(const std::string& excerpt) {
  std::string::size_type start = 0;
  while (start < excerpt.size()) {
    auto end = excerpt.find('\n', start);
    if (end == std::string::npos) end = excerpt.size();
    std::cout << "    | " << excerpt.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

}  // namespace

void register_build_command(CLI::App& app) {
  auto* command = app.add_subcommand("build", "Build one runner per CUDA toolkit from kernels/ (skipped when up to date)");
  struct settings {
    std::string toolkits = "all";
    std::string link = "shared";
    std::vector<std::string> roots;
    build_options build;
  };
  auto options = std::make_shared<settings>();
  options->build.source_dir = BENCH_DEFAULT_SOURCE_DIR;
  options->build.cudnn_frontend_include_dir = BENCH_DEFAULT_CUDNN_FRONTEND_INCLUDE_DIR;
  command->add_option("--toolkits", options->toolkits, "Comma-separated releases (11.8,12.4) or 'all'")
      ->capture_default_str();
  command->add_option("--link", options->link, "Link the CUDA libraries 'shared' or 'static'")->capture_default_str();
  command->add_option("--cuda-architectures", options->build.cuda_architectures, "CMAKE_CUDA_ARCHITECTURES")
      ->capture_default_str();
  command->add_option("--build-dir", options->build.build_dir, "Runners go to DIR/runners/cuda-X.Y[-static]")
      ->type_name("DIR")
      ->capture_default_str();
  command->add_option("--jobs", options->build.jobs, "Parallel compile jobs (default: the build tool's)")
      ->check(CLI::PositiveNumber);
  command->add_option("--toolkit-root", options->roots, "Also look for a toolkit in DIR (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  command->add_option("--source-dir", options->build.source_dir, "The cubench checkout whose kernels/ is built")
      ->type_name("DIR")
      ->capture_default_str();

  command->callback([options] {
    auto& build = options->build;
    const auto link = parse_link_mode(options->link);
    if (!link) {
      std::cerr << "bench build: --link: expected 'shared' or 'static', found '" << options->link << "'\n";
      throw command_exit{exit_usage_error};
    }
    build.link = *link;
    if (const std::string error = check_cuda_architectures(build.cuda_architectures); !error.empty()) {
      std::cerr << "bench build: " << error << "\n";
      throw command_exit{exit_usage_error};
    }

    discovery_options discovery;
    discovery.toolkit_roots = options->roots;
    const auto found = discover_toolkits(discovery);
    for (const auto& skipped : found.skipped)
      std::cout << "skipped " << skipped.path << ": " << skipped.reason << "\n";
    std::string error;
    const auto selected = select_toolkits(found, options->toolkits, error);
    if (!error.empty()) {
      std::cerr << "bench build: " << error << "\n";
      throw command_exit{exit_usage_error};
    }

    const std::string sources = hash_runner_sources(build);
    std::cout << "bench build: " << selected.size() << " toolkit(s), " << to_string(build.link)
              << " CUDA libraries, architectures " << build.cuda_architectures << ", sources "
              << sources.substr(0, 12) << "\n";
    bool any_failed = false;
    for (const auto* toolkit : selected) {
      const auto plan = plan_runner_build(*toolkit, build, sources);
      if (!plan.up_to_date && plan.problem.empty())
        std::cout << plan.name << "  building with " << toolkit->nvcc_path << " and "
                  << toolkit->host_compiler.compiler->path << " (log: " << plan.log_path << ")\n"
                  << std::flush;
      const auto report = execute_runner_build(plan);
      std::cout << plan.name << "  " << to_string(report.status);
      switch (report.status) {
        case build_status::built:
          std::cout << " in " << static_cast<int>(report.seconds + 0.5) << " s: " << plan.runner << "\n";
          break;
        case build_status::up_to_date:
          std::cout << ": " << plan.runner << "\n";
          break;
        case build_status::failed:
          any_failed = true;
          std::cout << ": " << report.error << "\n";
          print_excerpt(report.error_excerpt);
          break;
      }
    }
    if (any_failed) throw command_exit{1};
  });
}

}  // namespace cubench
