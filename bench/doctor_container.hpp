// The container check: whether doctor runs inside a container, and whether the CUDA runtimes inside it are newer
// than the host's driver runs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "doctor_driver.hpp"
#include "doctor_report.hpp"
#include "version_parsing.hpp"

namespace cubench {

/// What marks this process as running in a container.
struct container_state {
  /// "docker", "podman", "kubernetes", "containerd", "lxc" or "container"; empty when none was detected.
  std::string runtime;
  /// Each hint that was found, e.g. "/.dockerenv exists" or "/proc/1/cgroup mentions kubepods".
  std::vector<std::string> evidence;
};

/// Looks for /.dockerenv, /run/.containerenv, $container and cgroup names in /proc/1/cgroup, all under `root`
/// (the real "/" outside tests); `environment` returns a variable's value or "".
container_state probe_container(const std::filesystem::path& root,
                                const std::function<std::string(const char*)>& environment);

/// One CUDA runtime found inside: a toolkit, $CUDA_VERSION of NVIDIA's images, torch's build.
struct cuda_runtime_seen {
  /// Where it was seen, e.g. "toolkit /usr/local/cuda-12.4" or "$CUDA_VERSION".
  std::string source;
  /// Its release.
  version_number version;
};

/// The container check: one finding for the container itself and one per CUDA release seen inside it.
std::vector<doctor_finding> container_findings(const container_state& container, const driver_state& driver,
                                               const std::vector<cuda_runtime_seen>& runtimes);

}  // namespace cubench
