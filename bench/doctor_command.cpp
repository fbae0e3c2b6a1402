#include <iostream>
#include <memory>

#include "commands.hpp"
#include "doctor.hpp"

namespace cubench {

void register_doctor_command(CLI::App& app) {
  auto* command = app.add_subcommand(
      "doctor", "Explain this machine's CUDA setup: driver, toolkits, libraries on the loader path, PyTorch and its "
                "extensions, container; exit status 1 when any check is an error");
  struct doctor_flags {
    doctor_options options;
    bool json = false;
  };
  auto flags = std::make_shared<doctor_flags>();
  command->add_flag("--json", flags->json, "Print the report as one JSON object");
  command->add_option("--python", flags->options.python, "The Python interpreter whose torch is checked")
      ->type_name("PATH")
      ->capture_default_str();
  command->add_option("--toolkit-root", flags->options.toolkit_roots,
                      "Also check the toolkit in DIR, besides the standard places (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  command->callback([flags] {
    const doctor_report report = run_doctor(system_doctor_sources(flags->options), flags->options);
    if (flags->json)
      write_doctor_json(report, std::cout);
    else
      write_doctor_text(report, std::cout);
    if (report.exit_status() != 0) throw command_exit{report.exit_status()};
  });
}

}  // namespace cubench
