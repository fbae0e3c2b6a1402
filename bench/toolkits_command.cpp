#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "toolkit_discovery.hpp"
#include "toolkit_report.hpp"

namespace cubench {

void register_toolkits_command(CLI::App& app) {
  auto* command = app.add_subcommand("toolkits", "List the CUDA toolkits found, their nvcc, host compiler and libraries");
  struct settings {
    std::vector<std::string> roots;
    bool json = false;
  };
  auto options = std::make_shared<settings>();
  command->add_option("--toolkit-root", options->roots, "Also look for a toolkit in DIR (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  command->add_flag("--json", options->json, "Print JSON instead of text");
  command->callback([options] {
    discovery_options discovery;
    discovery.toolkit_roots = options->roots;
    const auto found = discover_toolkits(discovery);
    if (options->json)
      std::cout << toolkits_json(found).dump(2) << "\n";
    else
      write_toolkits_text(found, std::cout);
    if (found.toolkits.empty()) throw command_exit{1};
  });
}

}  // namespace cubench
