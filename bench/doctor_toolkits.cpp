#include "doctor_toolkits.hpp"

#include <algorithm>

namespace cubench {
namespace {

version_number release(int major, int minor) { return version_number{{major, minor}}; }

std::string sm_name(int cc_major, int cc_minor) { return "sm_" + std::to_string(cc_major) + std::to_string(cc_minor); }

void raise(doctor_finding& finding, doctor_verdict verdict) {
  if (static_cast<int>(verdict) > static_cast<int>(finding.verdict)) finding.verdict = verdict;
}

// The fix of the most serious problem wins; a later one of the same rank does not replace it.
void set_fix(doctor_finding& finding, doctor_verdict verdict, const std::string& fix, doctor_verdict& fix_rank) {
  if (finding.fix.empty() || static_cast<int>(verdict) > static_cast<int>(fix_rank)) {
    finding.fix = fix;
    fix_rank = verdict;
  }
}

std::string libraries_text(const toolkit_info& toolkit) {
  std::string text;
  for (const auto& library : toolkit.libraries) {
    if (library.key == "thrust" || library.key == "cudart") continue;
    text += (text.empty() ? "" : ", ") + library.name + " " + (library.present ? (library.version.empty() ? "?" : library.version) : "absent");
  }
  return text;
}

void add_driver_fit(doctor_finding& result, const toolkit_info& toolkit, const driver_state& driver, doctor_verdict& fix_rank) {
  const driver_fit_answer answer = driver_fit_for(driver, toolkit.version());
  const std::string name = "CUDA " + toolkit.version().major_minor();
  const std::string minimum = answer.minimum_driver.empty() ? std::string("a newer driver") : answer.minimum_driver;
  switch (answer.fit) {
    case driver_fit::no_driver:
      raise(result, doctor_verdict::warn);
      result.details.push_back("run: no NVIDIA driver here; " + name + " needs " + minimum);
      set_fix(result, doctor_verdict::warn, "Install the NVIDIA driver " + minimum + " or newer to run what " + name + " builds.", fix_rank);
      break;
    case driver_fit::native:
      result.details.push_back("run: yes (" + answer.explanation + ")");
      break;
    case driver_fit::minor_version_compatibility:
      raise(result, doctor_verdict::warn);
      result.details.push_back("run: through minor-version compatibility only (" + answer.explanation +
                               "); PTX it builds cannot be JIT-compiled by this driver");
      set_fix(result, doctor_verdict::warn, "Upgrade the driver to " + minimum + " or newer, or build SASS for every GPU "
              "(no PTX-only targets) with " + name + ".", fix_rank);
      break;
    case driver_fit::too_old:
      raise(result, doctor_verdict::error);
      result.details.push_back("run: no (" + answer.explanation + ")");
      set_fix(result, doctor_verdict::error, "Upgrade the NVIDIA driver to " + minimum + " or newer, or use a toolkit no "
              "newer than CUDA " + (driver.cuda_driver_version ? cuda_version_text(driver.cuda_driver_version) : std::string("the driver runs")) + ".", fix_rank);
      break;
  }
}

void add_gpu_builds(doctor_finding& result, const toolkit_info& toolkit, const driver_state& driver, doctor_verdict& fix_rank) {
  for (const auto& gpu : driver.gpus) {
    const std::string sm = sm_name(gpu.cc_major, gpu.cc_minor);
    const std::string prefix = "build for GPU " + std::to_string(gpu.index) + " (" + sm + "): ";
    const auto can = can_build_for(toolkit.version(), gpu.cc_major, gpu.cc_minor);
    if (!can) {
      result.details.push_back(prefix + "unknown, compute capability " + std::to_string(gpu.cc_major) + "." +
                               std::to_string(gpu.cc_minor) + " is not in the architecture table");
      continue;
    }
    if (*can) {
      result.details.push_back(prefix + "yes");
      continue;
    }
    const arch_support* row = arch_support_for(gpu.cc_major, gpu.cc_minor);
    raise(result, doctor_verdict::warn);
    if (major_minor_less(toolkit.version(), row->first)) {
      result.details.push_back(prefix + "no, " + sm + " needs CUDA " + row->first.major_minor() + " or newer");
      set_fix(result, doctor_verdict::warn, "Use CUDA " + row->first.major_minor() + " or newer for " + sm + ".", fix_rank);
    } else {
      result.details.push_back(prefix + "no, CUDA " + row->last->major_minor() + " was the last release with " + sm);
      set_fix(result, doctor_verdict::warn, "Use CUDA " + row->last->major_minor() + " or older for " + sm + ".", fix_rank);
    }
  }
}

doctor_finding toolkit_finding(const toolkit_info& toolkit, const driver_state& driver) {
  doctor_finding result = make_finding("toolkits", "CUDA " + toolkit.version().major_minor(), doctor_verdict::ok,
                                       toolkit.root + ", nvcc " + toolkit.nvcc.full.text() + "; " + libraries_text(toolkit));
  doctor_verdict fix_rank = doctor_verdict::ok;
  for (const auto& alias : toolkit.found_as)
    if (alias != toolkit.root) result.details.push_back("found as " + alias);
  for (const auto& library : toolkit.libraries) {
    if (!library.present) {
      result.details.push_back(library.name + ": " + library.reason);
      continue;
    }
    const std::string file = !library.shared_library.empty() ? library.shared_library : library.static_library;
    result.details.push_back(library.name + " " + (library.version.empty() ? std::string("(version unknown)") : library.version) +
                             (file.empty() ? "" : ": " + file));
  }
  add_driver_fit(result, toolkit, driver, fix_rank);
  add_gpu_builds(result, toolkit, driver, fix_rank);

  const host_compiler_choice& host = toolkit.host_compiler;
  if (host.compiler) {
    result.details.push_back("host compiler: " + host.compiler->path + " (g++ " + host.compiler->version.text() +
                             "; accepts " + host.accepted + ")");
  } else {
    raise(result, doctor_verdict::warn);
    result.details.push_back("host compiler: none installed that it accepts (" + host.accepted + ")");
    set_fix(result, doctor_verdict::warn, host.problem.empty() ? "Install a g++ in " + host.accepted + "." : host.problem, fix_rank);
  }
  if (!host.note.empty()) result.details.push_back(host.note);
  for (const auto& problem : toolkit.problems) {
    raise(result, doctor_verdict::warn);
    result.details.push_back("problem: " + problem);
    set_fix(result, doctor_verdict::warn, "Repair or reinstall the toolkit so that its headers and libraries match its nvcc.", fix_rank);
  }
  return result;
}

}  // namespace

const std::vector<arch_support>& cuda_arch_support() {
  // Kepler went in 12.0; Maxwell, Pascal and Volta in 13.0, which also renamed sm_101 to sm_110.
  static const std::vector<arch_support> table = {
      {3, 5, release(5, 0), release(11, 8)},  {3, 7, release(6, 5), release(11, 8)},
      {5, 0, release(6, 0), release(12, 9)},  {5, 2, release(6, 5), release(12, 9)},
      {5, 3, release(7, 0), release(12, 9)},  {6, 0, release(8, 0), release(12, 9)},
      {6, 1, release(8, 0), release(12, 9)},  {6, 2, release(8, 0), release(12, 9)},
      {7, 0, release(9, 0), release(12, 9)},  {7, 2, release(10, 0), release(12, 9)},
      {7, 5, release(10, 0), std::nullopt},   {8, 0, release(11, 0), std::nullopt},
      {8, 6, release(11, 1), std::nullopt},   {8, 7, release(11, 4), std::nullopt},
      {8, 9, release(11, 8), std::nullopt},   {9, 0, release(11, 8), std::nullopt},
      {10, 0, release(12, 8), std::nullopt},  {10, 1, release(12, 8), release(12, 9)},
      {10, 3, release(12, 9), std::nullopt},  {11, 0, release(13, 0), std::nullopt},
      {12, 0, release(12, 8), std::nullopt},  {12, 1, release(12, 9), std::nullopt},
  };
  return table;
}

const arch_support* arch_support_for(int cc_major, int cc_minor) {
  const auto& table = cuda_arch_support();
  const auto row = std::find_if(table.begin(), table.end(),
                                [&](const arch_support& r) { return r.cc_major == cc_major && r.cc_minor == cc_minor; });
  return row == table.end() ? nullptr : &*row;
}

std::optional<bool> can_build_for(const version_number& cuda, int cc_major, int cc_minor) {
  const arch_support* row = arch_support_for(cc_major, cc_minor);
  if (row == nullptr) return std::nullopt;
  if (major_minor_less(cuda, row->first)) return false;
  return !(row->last && major_minor_less(*row->last, cuda));
}

std::vector<doctor_finding> toolkit_findings(const discovery_result& found, const driver_state& driver) {
  std::vector<doctor_finding> findings;
  if (found.toolkits.empty()) {
    findings.push_back(make_finding("toolkits", "CUDA toolkits", doctor_verdict::warn, "no CUDA toolkit found",
                                    "Install one (scripts/install-toolkit --versions X.Y) or pass --toolkit-root with "
                                    "the folder that holds bin/nvcc."));
  }
  for (const auto& toolkit : found.toolkits) findings.push_back(toolkit_finding(toolkit, driver));
  if (!found.skipped.empty()) {
    doctor_finding skipped =
        make_finding("toolkits", "skipped folders", doctor_verdict::warn,
                     std::to_string(found.skipped.size()) + " folder(s) that looked like toolkits were not used",
                     "Remove or repair them, or ignore this if they are leftovers you keep on purpose.");
    for (const auto& folder : found.skipped) skipped.details.push_back(folder.path + ": " + folder.reason);
    findings.push_back(std::move(skipped));
  }
  return findings;
}

}  // namespace cubench
