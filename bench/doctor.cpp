#include "doctor.hpp"

#include <cstdlib>
#include <optional>

#include "doctor_container.hpp"
#include "doctor_environment.hpp"
#include "doctor_extensions.hpp"
#include "doctor_python.hpp"
#include "doctor_toolkits.hpp"

namespace cubench {
namespace {

loader_cache read_loader_cache(const doctor_sources& sources) {
  // ldconfig lives in /sbin, which a normal user's PATH often lacks.
  const std::string search = sources.environment("PATH") + ":/usr/sbin:/sbin";
  const std::string ldconfig = find_executable("ldconfig", search);
  const process_result result = sources.run({ldconfig.empty() ? std::string("ldconfig") : ldconfig, "-p"});
  if (!result.succeeded()) {
    loader_cache cache;
    cache.problems.push_back("ldconfig -p: " + result.describe_failure(doctor_command_timeout) +
                             (result.output.empty() ? "" : ": " + last_lines(result.output, 3)));
    return cache;
  }
  return parse_loader_cache(result.output, "ldconfig -p output");
}

std::vector<cuda_runtime_seen> runtimes_inside(const discovery_result& toolkits, const python_probe& python,
                                               const doctor_sources& sources) {
  std::vector<cuda_runtime_seen> runtimes;
  for (const auto& toolkit : toolkits.toolkits) runtimes.push_back({"toolkit " + toolkit.root, toolkit.version()});
  const std::string image_cuda = sources.environment("CUDA_VERSION");
  if (const auto version = parse_version(image_cuda))
    runtimes.push_back({"$CUDA_VERSION=" + image_cuda + " (set by NVIDIA's CUDA images)", *version});
  if (python.torch && python.torch->import_error.empty())
    if (const auto version = parse_version(python.torch->cuda))
      runtimes.push_back({"torch " + python.torch->version, *version});
  return runtimes;
}

}  // namespace

doctor_sources system_doctor_sources(const doctor_options& options) {
  doctor_sources sources;
  sources.driver = [] { return probe_driver(); };
  sources.toolkits = [roots = options.toolkit_roots] {
    discovery_options discovery;
    discovery.toolkit_roots = roots;
    return discover_toolkits(discovery);
  };
  sources.environment = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
  sources.run = [](const std::vector<std::string>& argv) {
    process_options process;
    process.timeout = doctor_command_timeout;
    return run_process(argv, process);
  };
  return sources;
}

doctor_report run_doctor(const doctor_sources& sources, const doctor_options& options) {
  const driver_state driver = sources.driver();
  const discovery_result toolkits = sources.toolkits();
  const python_probe python = probe_python(options.python, sources.run);

  environment_inputs environment;
  environment.path = sources.environment("PATH");
  environment.ld_library_path = sources.environment("LD_LIBRARY_PATH");
  environment.cuda_home = sources.environment("CUDA_HOME");
  if (environment.cuda_home.empty()) environment.cuda_home = sources.environment("CUDA_PATH");
  environment.cache = read_loader_cache(sources);
  environment.default_dirs = sources.default_library_dirs;
  environment.other_folders = toolkit_library_folders(toolkits);
  for (const auto& site_packages : python.site_packages)
    for (auto& folder : wheel_library_folders(site_packages)) environment.other_folders.push_back(std::move(folder));

  std::optional<version_number> newest_toolkit;
  for (const auto& toolkit : toolkits.toolkits)
    if (!newest_toolkit || major_minor_less(*newest_toolkit, toolkit.version())) newest_toolkit = toolkit.version();

  doctor_report report;
  report.add(driver_findings(driver, newest_toolkit));
  report.add(toolkit_findings(toolkits, driver));
  report.add(environment_findings(environment, toolkits, sources.run));
  report.add(python_findings(python, driver));
  report.add(extension_findings(scan_extensions(python.site_packages), python));
  report.add(container_findings(probe_container(sources.root, sources.environment), driver,
                                runtimes_inside(toolkits, python, sources)));
  return report;
}

}  // namespace cubench
