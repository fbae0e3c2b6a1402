// Each `bench` subcommand registers itself on the CLI11 app; its file holds its options and its action.
#pragma once

#include <CLI/CLI.hpp>

namespace cubench {

/// Exit status for usage and input errors, for every subcommand.
inline constexpr int exit_usage_error = 2;

/// Thrown by a subcommand's action to leave `bench` with a status after printing its message.
struct command_exit {
  int status;
};

void register_version_command(CLI::App& app);
void register_toolkits_command(CLI::App& app);
void register_build_command(CLI::App& app);
void register_run_command(CLI::App& app);
void register_plan_command(CLI::App& app);
void register_merge_command(CLI::App& app);
void register_history_command(CLI::App& app);
void register_doctor_command(CLI::App& app);
void register_compare_command(CLI::App& app);

}  // namespace cubench
