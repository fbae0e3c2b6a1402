#include <iostream>

#include "commands.hpp"
#include "version.hpp"

namespace cubench {

void register_version_command(CLI::App& app) {
  auto* command = app.add_subcommand("version", "Print cubench's version and git commit");
  command->callback([] { std::cout << "cubench " << cubench_version() << " (" << cubench_git_sha() << ")\n"; });
}

}  // namespace cubench
