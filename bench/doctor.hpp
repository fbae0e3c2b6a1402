// `bench doctor` as a library: every probe reads through doctor_sources, so tests replace the machine with fakes.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "doctor_driver.hpp"
#include "doctor_report.hpp"
#include "doctor_runner.hpp"
#include "toolkit_discovery.hpp"

namespace cubench {

/// Where each probe gets its input.
struct doctor_sources {
  /// The driver and its GPUs (probe_driver on a real machine).
  std::function<driver_state()> driver;
  /// The toolkits (discover_toolkits on a real machine).
  std::function<discovery_result()> toolkits;
  /// An environment variable's value, or "" when unset.
  std::function<std::string(const char*)> environment;
  /// Runs a program and returns what it printed: ldconfig -p, the Python probe, nvcc --version.
  command_runner run;
  /// The root the container markers and /proc/1/cgroup are read under.
  std::filesystem::path root = "/";
  /// The folders the loader tries after its cache.
  std::vector<std::string> default_library_dirs = {"/lib64", "/usr/lib64", "/lib", "/usr/lib"};
};

/// What the user asked for.
struct doctor_options {
  /// The interpreter whose torch is checked.
  std::string python = "python3";
  /// Extra toolkit folders (--toolkit-root), searched before the standard places.
  std::vector<std::string> toolkit_roots;
};

/// The sources of this machine: dlopen'd driver libraries, discover_toolkits, getenv, run_process, "/".
doctor_sources system_doctor_sources(const doctor_options& options);

/// Runs every check: driver, toolkits, environment, python, extensions, container.
doctor_report run_doctor(const doctor_sources& sources, const doctor_options& options);

}  // namespace cubench
