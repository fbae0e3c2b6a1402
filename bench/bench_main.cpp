// The `bench` command line: one subcommand per verb; a bare option list means `bench run`.
#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "version.hpp"

namespace {

// `bench --toolkits 11.8,12.4` is `bench run --toolkits 11.8,12.4`.
std::vector<std::string> with_default_subcommand(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0].rfind("--", 0) == 0 && args[0] != "--help" && args[0] != "--version")
    args.insert(args.begin(), "run");
  std::reverse(args.begin(), args.end());
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cubench: CUDA toolkit and library regression benchmarks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cubench " + std::string(cubench::cubench_version()));
  cubench::register_version_command(app);
  cubench::register_toolkits_command(app);
  cubench::register_build_command(app);
  cubench::register_run_command(app);
  cubench::register_plan_command(app);
  cubench::register_merge_command(app);
  cubench::register_history_command(app);
  cubench::register_doctor_command(app);
  cubench::register_compare_command(app);

  auto args = with_default_subcommand(argc, argv);
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);
    return status == 0 ? 0 : cubench::exit_usage_error;
  } catch (const cubench::command_exit& e) {
    return e.status;
  } catch (const std::exception& e) {
    std::cerr << "bench: " << e.what() << "\n";
    return cubench::exit_usage_error;
  }
  return 0;
}
