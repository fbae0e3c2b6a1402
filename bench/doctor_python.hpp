// Python and PyTorch: which torch the interpreter imports, what CUDA it was built for, whether it can use the
// GPUs here, and which other torch installs it shadows. A small script run by the interpreter reports as JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doctor_driver.hpp"
#include "doctor_report.hpp"
#include "doctor_runner.hpp"

namespace cubench {

/// A torch package folder found without importing it.
struct torch_install {
  /// The torch folder.
  std::string path;
  /// torch/version.py's __version__, e.g. "2.4.0+cu124"; empty when unreadable.
  std::string version;
  /// torch/version.py's cuda, e.g. "12.4"; empty for a CPU-only build or when unreadable.
  std::string cuda;
  /// "sys.path" or "conda env <prefix>".
  std::string where;
};

/// One GPU as torch sees it.
struct torch_device {
  /// torch.cuda.get_device_name.
  std::string name;
  /// torch.cuda.get_device_capability, major.
  int cc_major = 0;
  /// torch.cuda.get_device_capability, minor.
  int cc_minor = 0;
};

/// What `import torch` gave.
struct torch_state {
  /// The exception text when torch is installed but does not import; empty when it imported.
  std::string import_error;
  /// torch.__version__.
  std::string version;
  /// torch.__file__.
  std::string file;
  /// torch.version.cuda; empty when None (a CPU-only build).
  std::string cuda;
  /// torch.version.hip; empty when None.
  std::string hip;
  /// torch.backends.cudnn.version(), e.g. 90100; 0 when None.
  int cudnn = 0;
  /// torch.cuda.is_available().
  bool is_available = false;
  /// What torch.cuda.init() raised when CUDA is not available; empty otherwise.
  std::string init_error;
  /// Warnings raised while importing and probing, e.g. "CUDA initialization: ...".
  std::vector<std::string> warnings;
  /// The GPUs torch sees (only when available).
  std::vector<torch_device> devices;
  /// The architectures the wheel carries code for: sm_XY (SASS) and compute_XY (PTX).
  std::vector<std::string> arch_list;
};

/// Everything the Python probe reported.
struct python_probe {
  /// The interpreter asked for, e.g. "python3" or a --python path.
  std::string python;
  /// Why the probe gave no answer (interpreter missing, script failed, unreadable JSON); empty when it answered.
  std::string error;
  /// sys.executable.
  std::string executable;
  /// The interpreter's version, e.g. "3.11.7".
  std::string version;
  /// site-packages folders of the interpreter that exist.
  std::vector<std::string> site_packages;
  /// Every torch folder on sys.path and in conda environments, sys.path order first.
  std::vector<torch_install> torch_installs;
  /// nullopt when torch is not installed for this interpreter.
  std::optional<torch_state> torch;
};

/// The line prefix the probe's JSON follows, so that anything torch prints while importing is skipped.
inline constexpr std::string_view python_probe_marker = "CUBENCH_DOCTOR_JSON ";

/// The Python source passed to `python -c`.
const std::string& python_probe_script();

/// Reads the probe's output; on failure `error` says where (line:column of the output) and what was wrong.
python_probe parse_python_probe(std::string_view output, std::string& error);

/// Runs `python -c <script>` through `run` and parses what it prints; failures land in python_probe::error.
python_probe probe_python(const std::string& python, const command_runner& run);

/// True when a wheel carrying `arch_list` has SASS that runs on a GPU of compute capability major.minor.
bool has_sass_for(const std::vector<std::string>& arch_list, int cc_major, int cc_minor);

/// True when `arch_list` has PTX that the driver can compile for compute capability major.minor.
bool has_ptx_for(const std::vector<std::string>& arch_list, int cc_major, int cc_minor);

/// The python check: the interpreter, torch's build and location, other installs it shadows, CUDA availability
/// and why not, and SASS for each GPU.
std::vector<doctor_finding> python_findings(const python_probe& probe, const driver_state& driver);

}  // namespace cubench
