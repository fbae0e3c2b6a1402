#include "doctor_container.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace cubench {
namespace {

namespace fs = std::filesystem;

doctor_finding finding(std::string subject, doctor_verdict verdict, std::string summary, std::string fix = "") {
  return make_finding("container", std::move(subject), verdict, std::move(summary), std::move(fix));
}

void note(container_state& state, const std::string& runtime, const std::string& evidence) {
  if (state.runtime.empty()) state.runtime = runtime;
  state.evidence.push_back(evidence);
}

}  // namespace

container_state probe_container(const fs::path& root, const std::function<std::string(const char*)>& environment) {
  container_state state;
  std::error_code error;
  if (fs::exists(root / ".dockerenv", error)) note(state, "docker", "/.dockerenv exists");
  if (fs::exists(root / "run/.containerenv", error)) note(state, "podman", "/run/.containerenv exists");
  if (const std::string variable = environment("container"); !variable.empty())
    note(state, variable, "$container is '" + variable + "'");
  std::ifstream cgroup(root / "proc/1/cgroup");
  std::stringstream text;
  text << cgroup.rdbuf();
  // Cgroup v1 paths name the runtime; under cgroup v2 the file is "0::/" and says nothing.
  static const std::pair<const char*, const char*> hints[] = {
      {"kubepods", "kubernetes"}, {"docker", "docker"}, {"libpod", "podman"}, {"containerd", "containerd"}, {"lxc", "lxc"}};
  for (const auto& [hint, runtime] : hints)
    if (text.str().find(hint) != std::string::npos) note(state, runtime, std::string("/proc/1/cgroup mentions ") + hint);
  return state;
}

std::vector<doctor_finding> container_findings(const container_state& container, const driver_state& driver,
                                               const std::vector<cuda_runtime_seen>& runtimes) {
  std::vector<doctor_finding> findings;
  if (container.runtime.empty()) {
    findings.push_back(finding("container", doctor_verdict::ok, "not in a container (no /.dockerenv, /run/.containerenv "
                                                                "or container cgroup)"));
    return findings;
  }
  const bool has_driver = driver.libcuda_error.empty();
  doctor_finding inside = finding("container", doctor_verdict::ok, "inside a " + container.runtime + " container" +
                                  (has_driver ? ", with the host's driver" + (driver.driver_version.empty() ? "" : " " + driver.driver_version) + " visible" : ""));
  inside.details = container.evidence;
  if (!has_driver) {
    inside.verdict = doctor_verdict::warn;
    inside.summary += ", and no NVIDIA driver is visible in it";
    for (const auto& runtime : runtimes)
      inside.details.push_back("CUDA " + runtime.version.major_minor() + " inside: " + runtime.source);
    inside.fix = "Start the container with the GPUs passed in (docker run --gpus all, or --device nvidia.com/gpu=all "
                 "with CDI), which needs the NVIDIA Container Toolkit on the host.";
    findings.push_back(std::move(inside));
    return findings;
  }
  findings.push_back(std::move(inside));

  std::map<std::string, std::vector<const cuda_runtime_seen*>> by_release;
  for (const auto& runtime : runtimes) by_release[runtime.version.major_minor()].push_back(&runtime);
  for (const auto& [release_text, seen] : by_release) {
    const version_number& release = seen.front()->version;
    doctor_finding result = finding("CUDA " + release_text + " inside", doctor_verdict::ok, "");
    for (const auto* runtime : seen) result.details.push_back("seen as " + runtime->source);
    const driver_fit_answer answer = driver_fit_for(driver, release);
    const std::string minimum = answer.minimum_driver.empty() ? std::string("a newer driver") : answer.minimum_driver;
    switch (answer.fit) {
      case driver_fit::no_driver:
        result.verdict = doctor_verdict::warn;
        result.summary = "cannot be checked: the driver the container sees reports no version";
        break;
      case driver_fit::native:
        result.summary = "the host driver runs it (" + answer.explanation + ")";
        break;
      case driver_fit::minor_version_compatibility:
        result.verdict = doctor_verdict::warn;
        result.summary = "newer than the host driver; it runs through minor-version compatibility (" + answer.explanation + ")";
        result.fix = "Upgrade the host driver to " + minimum + " or newer for full support, including PTX JIT.";
        break;
      case driver_fit::too_old:
        result.verdict = doctor_verdict::error;
        result.summary = "newer than the host driver can run (" + answer.explanation + ")";
        result.fix = "Upgrade the host driver to " + minimum + " or newer, or use an image with CUDA " +
                     (driver.cuda_driver_version ? cuda_version_text(driver.cuda_driver_version) : std::string("the host runs")) +
                     " or older (datacenter GPUs can instead use the image's cuda-compat package).";
        break;
    }
    findings.push_back(std::move(result));
  }
  return findings;
}

}  // namespace cubench
