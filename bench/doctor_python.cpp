#include "doctor_python.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>


namespace cubench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// "line:column" of byte `offset` in `text`, both 1-based.
std::string position_of(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return std::to_string(line) + ":" + std::to_string(offset - line_start + 1);
}

std::string json_type_name(const json& value) { return value.is_null() ? "null" : value.type_name(); }

// Reads one field; a field of the wrong type names its path, what was expected and what was found.
class field_reader {
 public:
  explicit field_reader(std::string& error) : error_(error) {}

  std::string text(const json& object, const char* key, const std::string& path) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return "";
    if (!value->is_string()) {
      mismatch(path + "." + key, "a string", *value);
      return "";
    }
    return value->get<std::string>();
  }
  int integer(const json& object, const char* key, const std::string& path) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return 0;
    if (!value->is_number_integer()) {
      mismatch(path + "." + key, "an integer", *value);
      return 0;
    }
    return value->get<int>();
  }
  bool boolean(const json& object, const char* key, const std::string& path) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return false;
    if (!value->is_boolean()) {
      mismatch(path + "." + key, "true or false", *value);
      return false;
    }
    return value->get<bool>();
  }
  std::vector<std::string> texts(const json& object, const char* key, const std::string& path) {
    std::vector<std::string> result;
    for (const json& item : array(object, key, path)) {
      if (!item.is_string()) {
        mismatch(path + "." + key + "[]", "a string", item);
        continue;
      }
      result.push_back(item.get<std::string>());
    }
    return result;
  }
  std::vector<json> array(const json& object, const char* key, const std::string& path) {
    const json* value = find(object, key);
    if (value == nullptr || value->is_null()) return {};
    if (!value->is_array()) {
      mismatch(path + "." + key, "an array", *value);
      return {};
    }
    return value->get<std::vector<json>>();
  }
  void mismatch(const std::string& path, const char* expected, const json& found) {
    if (error_.empty())
      error_ = path + ": expected " + expected + ", found " + json_type_name(found) + " " + found.dump();
  }

 private:
  static const json* find(const json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }
  std::string& error_;
};

struct arch_entry {
  bool ptx = false;
  int major = 0;
  int minor = 0;
  char suffix = 0;
};

// "sm_86" -> SASS 8.6, "compute_90a" -> PTX 9.0 arch-specific, "sm_120" -> SASS 12.0.
std::optional<arch_entry> parse_arch(std::string_view name) {
  arch_entry entry;
  if (name.rfind("sm_", 0) == 0) {
    name.remove_prefix(3);
  } else if (name.rfind("compute_", 0) == 0) {
    entry.ptx = true;
    name.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  if (!name.empty() && std::isalpha(static_cast<unsigned char>(name.back()))) {
    entry.suffix = name.back();
    name.remove_suffix(1);
  }
  if (name.size() < 2 || !std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return std::nullopt;
  entry.minor = name.back() - '0';
  entry.major = std::stoi(std::string(name.substr(0, name.size() - 1)));
  return entry;
}

// Arch-specific code ('a') runs only on its exact capability; plain and family ('f') code on later minors too.
bool runs_on(const arch_entry& entry, int cc_major, int cc_minor) {
  if (entry.suffix == 'a') return entry.major == cc_major && entry.minor == cc_minor;
  if (entry.ptx) return entry.major < cc_major || (entry.major == cc_major && entry.minor <= cc_minor);
  return entry.major == cc_major && entry.minor <= cc_minor;
}

bool has_code_for(const std::vector<std::string>& arch_list, bool ptx, int cc_major, int cc_minor) {
  return std::any_of(arch_list.begin(), arch_list.end(), [&](const std::string& name) {
    const auto entry = parse_arch(name);
    return entry && entry->ptx == ptx && runs_on(*entry, cc_major, cc_minor);
  });
}

std::string sm_name(int cc_major, int cc_minor) { return "sm_" + std::to_string(cc_major) + std::to_string(cc_minor); }

std::string cudnn_text(int version) {
  // cuDNN 9 reports 90100 for 9.1.0, cuDNN 8 reported 8902 for 8.9.2.
  if (version >= 10000)
    return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." + std::to_string(version % 100);
  return std::to_string(version / 1000) + "." + std::to_string(version / 100 % 10) + "." + std::to_string(version % 100);
}

std::string real_path_of(const std::string& path) {
  std::error_code error;
  const fs::path real = fs::canonical(path, error);
  return error ? path : real.string();
}

doctor_finding finding(std::string subject, doctor_verdict verdict, std::string summary, std::string fix = "") {
  return make_finding("python", std::move(subject), verdict, std::move(summary), std::move(fix));
}

std::string describe_install(const torch_install& install) {
  return install.path + " (" + (install.version.empty() ? std::string("version unknown") : "torch " + install.version) +
         (install.cuda.empty() ? "" : ", CUDA " + install.cuda) + "; " + install.where + ")";
}

std::string wheel_advice(const driver_state& driver) {
  if (driver.cuda_driver_version == 0)
    return "install the CUDA wheel from PyTorch's package index for the CUDA major of the machine that runs it";
  return "install the CUDA wheel from PyTorch's package index for your CUDA major (this driver runs CUDA up to " +
         cuda_version_text(driver.cuda_driver_version) + ", so a wheel for CUDA " +
         std::to_string(driver.cuda_driver_version / 1000) + ".x no newer than that)";
}

doctor_finding shadow_finding(const python_probe& probe) {
  const torch_state& torch = *probe.torch;
  const std::string imported = torch.file.empty() ? "" : real_path_of(fs::path(torch.file).parent_path().string());
  std::vector<const torch_install*> shadowed;
  std::vector<const torch_install*> elsewhere;
  for (const auto& install : probe.torch_installs) {
    if (!imported.empty() && real_path_of(install.path) == imported) continue;
    (install.where == "sys.path" ? shadowed : elsewhere).push_back(&install);
  }
  doctor_finding result = finding("other torch installs", doctor_verdict::ok, "none besides the one imported");
  for (const auto* install : shadowed) result.details.push_back("shadowed on sys.path: " + describe_install(*install));
  for (const auto* install : elsewhere) result.details.push_back("in another environment: " + describe_install(*install));
  if (!shadowed.empty()) {
    result.verdict = doctor_verdict::warn;
    result.summary = std::to_string(shadowed.size()) + " more torch install(s) later on sys.path, hidden by the one "
                     "imported; uninstalling or upgrading one can silently bring back the other";
    result.fix = "Remove the ones you do not use: run '" + probe.executable +
                 " -m pip uninstall torch' until it reports none, then install the one you want once.";
  } else if (!elsewhere.empty()) {
    result.summary = std::to_string(elsewhere.size()) + " more torch install(s) in other environments, not on this "
                     "interpreter's path";
  }
  return result;
}

doctor_finding availability_finding(const torch_state& torch, const driver_state& driver) {
  if (torch.is_available) {
    doctor_finding result = finding("torch.cuda", doctor_verdict::ok,
                                    "is_available() is True; torch sees " + std::to_string(torch.devices.size()) + " GPU(s)");
    for (std::size_t i = 0; i < torch.devices.size(); ++i)
      result.details.push_back("cuda:" + std::to_string(i) + " " + torch.devices[i].name + ", compute capability " +
                               std::to_string(torch.devices[i].cc_major) + "." + std::to_string(torch.devices[i].cc_minor));
    return result;
  }
  doctor_finding result = finding("torch.cuda", doctor_verdict::error, "is_available() is False");
  if (!torch.init_error.empty()) result.details.push_back("torch.cuda.init(): " + torch.init_error);
  for (const auto& warning : torch.warnings) result.details.push_back("warning: " + warning);
  const auto wheel_cuda = parse_version(torch.cuda);
  const auto answer = wheel_cuda ? driver_fit_for(driver, *wheel_cuda) : driver_fit_answer{};
  if (!driver.libcuda_error.empty()) {
    result.verdict = doctor_verdict::warn;
    result.summary += ": there is no NVIDIA driver here (see the driver check)";
    result.fix = "Run it on a machine with an NVIDIA driver" +
                 (answer.minimum_driver.empty() ? std::string() : " of " + answer.minimum_driver + " or newer") +
                 " (for this wheel's CUDA " + torch.cuda + ").";
  } else if (wheel_cuda && answer.fit == driver_fit::too_old) {
    result.summary += ": the driver is too old for this wheel's CUDA " + torch.cuda + " (" + answer.explanation + ")";
    result.fix = "Upgrade the NVIDIA driver" +
                 (answer.minimum_driver.empty() ? std::string() : " to " + answer.minimum_driver + " or newer") +
                 ", or " + wheel_advice(driver) + ".";
  } else if (driver.gpus.empty() || driver.cu_init_code == cuda_error_no_device) {
    result.summary += ": the driver sees no GPU";
    result.fix = "Check that nvidia-smi lists the GPU, that CUDA_VISIBLE_DEVICES does not hide it, and in a container "
                 "that it was started with the GPUs passed in.";
  } else {
    result.summary += ": torch could not initialize CUDA (its error is below)";
    result.fix = "Fix what torch.cuda.init() reports; if it names a library, reinstall torch so that its nvidia-* "
                 "wheels match it.";
  }
  return result;
}

std::vector<doctor_finding> sass_findings(const torch_state& torch, const driver_state& driver) {
  std::vector<std::pair<int, int>> capabilities;
  for (const auto& device : torch.devices) capabilities.emplace_back(device.cc_major, device.cc_minor);
  if (capabilities.empty())
    for (const auto& gpu : driver.gpus) capabilities.emplace_back(gpu.cc_major, gpu.cc_minor);
  std::sort(capabilities.begin(), capabilities.end());
  capabilities.erase(std::unique(capabilities.begin(), capabilities.end()), capabilities.end());

  std::vector<doctor_finding> findings;
  std::string arch_text;
  for (const auto& arch : torch.arch_list) arch_text += (arch_text.empty() ? "" : " ") + arch;
  for (const auto& [major, minor] : capabilities) {
    const std::string sm = sm_name(major, minor);
    doctor_finding result = finding("kernels for " + sm, doctor_verdict::ok, "");
    result.details.push_back("torch.cuda.get_arch_list(): " + (arch_text.empty() ? std::string("(empty)") : arch_text));
    const std::string fix = "Install a torch build whose arch list includes " + sm +
                            " (a newer torch release, or the wheel for a newer CUDA from PyTorch's package index).";
    if (torch.arch_list.empty()) {
      result.verdict = doctor_verdict::warn;
      result.summary = "the wheel's architecture list could not be read, so SASS for " + sm + " is unknown";
    } else if (has_sass_for(torch.arch_list, major, minor)) {
      result.summary = "the wheel carries SASS that runs on " + sm;
    } else if (has_ptx_for(torch.arch_list, major, minor)) {
      result.verdict = doctor_verdict::warn;
      result.summary = "no SASS for " + sm + ": the driver JIT-compiles the wheel's PTX at first use (slow start, "
                       "kernels tuned for an older GPU)";
      result.fix = fix;
    } else {
      result.verdict = doctor_verdict::error;
      result.summary = "the wheel has neither SASS nor PTX for " + sm + ": its CUDA kernels cannot run on this GPU";
      result.fix = fix;
    }
    findings.push_back(std::move(result));
  }
  return findings;
}

}  // namespace

const std::string& python_probe_script() {
  static const std::string script = R"PY(
import glob, json, os, re, sys


def read_torch_folder(folder, where):
    info = {"path": folder, "version": "", "cuda": "", "where": where}
    try:
        with open(os.path.join(folder, "version.py")) as f:
            text = f.read()
    except OSError:
        return info
    version = re.search(r"^__version__\s*(?::[^=]*)?=\s*['\"]([^'\"]*)", text, re.M)
    cuda = re.search(r"^cuda\s*(?::[^=]*)?=\s*['\"]([^'\"]*)", text, re.M)
    info["version"] = version.group(1) if version else ""
    info["cuda"] = cuda.group(1) if cuda else ""
    return info


def site_packages():
    found = []
    try:
        import site
        found += site.getsitepackages()
        if site.ENABLE_USER_SITE:
            found.append(site.getusersitepackages())
    except Exception:
        pass
    try:
        import sysconfig
        found += [sysconfig.get_paths()[key] for key in ("purelib", "platlib")]
    except Exception:
        pass
    found += [p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")]
    unique = []
    for path in found:
        if os.path.isdir(path) and path not in unique:
            unique.append(path)
    return unique


def conda_prefixes():
    prefixes = []
    if os.environ.get("CONDA_PREFIX"):
        prefixes.append(os.environ["CONDA_PREFIX"])
    if os.environ.get("CONDA_EXE"):
        root = os.path.dirname(os.path.dirname(os.environ["CONDA_EXE"]))
        prefixes.append(root)
        prefixes += sorted(glob.glob(os.path.join(root, "envs", "*")))
    try:
        with open(os.path.expanduser("~/.conda/environments.txt")) as f:
            prefixes += [line.strip() for line in f if line.strip()]
    except OSError:
        pass
    return prefixes


def torch_installs():
    installs, seen = [], set()
    for entry in sys.path:
        folder = os.path.join(entry or os.getcwd(), "torch")
        if os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.realpath(folder) not in seen:
            seen.add(os.path.realpath(folder))
            installs.append(read_torch_folder(folder, "sys.path"))
    for prefix in conda_prefixes():
        for folder in sorted(glob.glob(os.path.join(prefix, "lib", "python3*", "site-packages", "torch"))):
            if os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.realpath(folder) not in seen:
                seen.add(os.path.realpath(folder))
                installs.append(read_torch_folder(folder, "conda env " + prefix))
    return installs


def text_or_empty(value):
    return "" if value is None else str(value)


def probe_torch():
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import torch
        except ImportError as e:
            if getattr(e, "name", None) == "torch":
                return None
            return {"import_error": "%s: %s" % (type(e).__name__, e)}
        except Exception as e:
            return {"import_error": "%s: %s" % (type(e).__name__, e)}
        state = {"import_error": "", "version": text_or_empty(torch.__version__), "file": text_or_empty(torch.__file__),
                 "cuda": text_or_empty(getattr(torch.version, "cuda", None)),
                 "hip": text_or_empty(getattr(torch.version, "hip", None)), "cudnn": 0, "init_error": "",
                 "devices": [], "arch_list": []}
        try:
            state["cudnn"] = torch.backends.cudnn.version() or 0
        except Exception:
            pass
        state["is_available"] = bool(torch.cuda.is_available())
        if not state["is_available"] and state["cuda"]:
            try:
                torch.cuda.init()
            except Exception as e:
                state["init_error"] = str(e)
        if state["is_available"]:
            for i in range(torch.cuda.device_count()):
                major, minor = torch.cuda.get_device_capability(i)
                state["devices"].append({"name": torch.cuda.get_device_name(i), "capability": [major, minor]})
            state["arch_list"] = list(torch.cuda.get_arch_list())
        else:
            # get_arch_list() answers [] without a GPU; the build's flags are known all the same.
            flags = getattr(torch._C, "_cuda_getArchFlags", None)
            state["arch_list"] = (flags() or "").split() if flags else []
        state["warnings"] = [str(w.message) for w in caught]
        return state


report = {"executable": sys.executable, "version": sys.version.split()[0], "site_packages": site_packages(),
          "torch_installs": torch_installs(), "torch": probe_torch()}
sys.stdout.write("\nCUBENCH_DOCTOR_JSON " + json.dumps(report) + "\n")
)PY";
  return script;
}

python_probe parse_python_probe(std::string_view output, std::string& error) {
  python_probe probe;
  std::size_t start = std::string_view::npos;
  for (std::size_t at = output.find(python_probe_marker); at != std::string_view::npos;
       at = output.find(python_probe_marker, at + 1))
    if (at == 0 || output[at - 1] == '\n') start = at;
  if (start == std::string_view::npos) {
    error = "python probe output: expected a line starting '" + std::string(python_probe_marker) + "', found " +
            (output.empty() ? std::string("no output") : "'" + last_lines(output, 3) + "'");
    return probe;
  }
  const std::size_t json_start = start + python_probe_marker.size();
  std::size_t json_end = output.find('\n', json_start);
  if (json_end == std::string_view::npos) json_end = output.size();
  json document;
  try {
    document = json::parse(output.substr(json_start, json_end - json_start));
  } catch (const json::parse_error& e) {
    const std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    error = "python probe output:" + position_of(output, json_start + byte) + ": expected JSON, " + e.what();
    return probe;
  }
  if (!document.is_object()) {
    error = "python probe output:" + position_of(output, json_start) + ": expected a JSON object, found " +
            json_type_name(document);
    return probe;
  }
  field_reader read(error);
  probe.executable = read.text(document, "executable", "probe");
  probe.version = read.text(document, "version", "probe");
  probe.site_packages = read.texts(document, "site_packages", "probe");
  for (const json& item : read.array(document, "torch_installs", "probe")) {
    torch_install install;
    install.path = read.text(item, "path", "probe.torch_installs[]");
    install.version = read.text(item, "version", "probe.torch_installs[]");
    install.cuda = read.text(item, "cuda", "probe.torch_installs[]");
    install.where = read.text(item, "where", "probe.torch_installs[]");
    probe.torch_installs.push_back(std::move(install));
  }
  const auto torch_it = document.find("torch");
  if (torch_it != document.end() && !torch_it->is_null()) {
    const json& t = *torch_it;
    if (!t.is_object()) {
      read.mismatch("probe.torch", "an object or null", t);
      return probe;
    }
    torch_state torch;
    torch.import_error = read.text(t, "import_error", "probe.torch");
    torch.version = read.text(t, "version", "probe.torch");
    torch.file = read.text(t, "file", "probe.torch");
    torch.cuda = read.text(t, "cuda", "probe.torch");
    torch.hip = read.text(t, "hip", "probe.torch");
    torch.cudnn = read.integer(t, "cudnn", "probe.torch");
    torch.is_available = read.boolean(t, "is_available", "probe.torch");
    torch.init_error = read.text(t, "init_error", "probe.torch");
    torch.warnings = read.texts(t, "warnings", "probe.torch");
    torch.arch_list = read.texts(t, "arch_list", "probe.torch");
    for (const json& item : read.array(t, "devices", "probe.torch")) {
      torch_device device;
      device.name = read.text(item, "name", "probe.torch.devices[]");
      const auto capability = item.is_object() ? item.find("capability") : item.end();
      if (item.is_object() && capability != item.end() && capability->is_array() && capability->size() == 2 &&
          (*capability)[0].is_number_integer() && (*capability)[1].is_number_integer()) {
        device.cc_major = (*capability)[0].get<int>();
        device.cc_minor = (*capability)[1].get<int>();
      } else {
        read.mismatch("probe.torch.devices[].capability", "[major, minor]",
                      item.is_object() && capability != item.end() ? *capability : json());
      }
      torch.devices.push_back(std::move(device));
    }
    probe.torch = std::move(torch);
  }
  return probe;
}

python_probe probe_python(const std::string& python, const command_runner& run) {
  const process_result result = run({python, "-c", python_probe_script()});
  python_probe probe;
  if (!result.spawn_error.empty()) {
    probe.error = result.spawn_error;
  } else {
    std::string error;
    probe = parse_python_probe(result.output, error);
    if (!result.succeeded())
      probe.error = python + " -c <probe> failed (" + result.describe_failure(doctor_command_timeout) + "): " +
                    last_lines(result.output, 5);
    else
      probe.error = error;
  }
  probe.python = python;
  return probe;
}

bool has_sass_for(const std::vector<std::string>& arch_list, int cc_major, int cc_minor) {
  return has_code_for(arch_list, false, cc_major, cc_minor);
}

bool has_ptx_for(const std::vector<std::string>& arch_list, int cc_major, int cc_minor) {
  return has_code_for(arch_list, true, cc_major, cc_minor);
}

std::vector<doctor_finding> python_findings(const python_probe& probe, const driver_state& driver) {
  std::vector<doctor_finding> findings;
  if (!probe.error.empty()) {
    doctor_finding result = finding("interpreter", doctor_verdict::warn, "could not probe " + probe.python +
                                    "; the Python checks are skipped");
    result.details.push_back(probe.error);
    result.fix = "Pass --python with the interpreter your framework runs under.";
    findings.push_back(std::move(result));
    return findings;
  }
  const std::string named = probe.python == probe.executable ? probe.python : probe.python + " is " + probe.executable;
  doctor_finding interpreter = finding("interpreter", doctor_verdict::ok, named + " (Python " + probe.version + ")");
  for (const auto& dir : probe.site_packages) interpreter.details.push_back("site-packages: " + dir);
  findings.push_back(std::move(interpreter));

  if (!probe.torch) {
    if (probe.torch_installs.empty()) {
      findings.push_back(finding("torch", doctor_verdict::ok, "not installed for this interpreter; the PyTorch checks are skipped"));
    } else {
      doctor_finding result = finding("torch", doctor_verdict::warn, "not importable by this interpreter, but installed elsewhere");
      for (const auto& install : probe.torch_installs) result.details.push_back(describe_install(install));
      result.fix = "Run bench doctor --python with the interpreter of the environment that holds the torch you use.";
      findings.push_back(std::move(result));
    }
    return findings;
  }
  const torch_state& torch = *probe.torch;
  if (!torch.import_error.empty()) {
    doctor_finding result = finding("torch", doctor_verdict::error, "installed, but 'import torch' fails");
    result.details.push_back(torch.import_error);
    for (const auto& install : probe.torch_installs) result.details.push_back("found: " + describe_install(install));
    result.fix = "Reinstall it in this environment ('" + probe.executable +
                 " -m pip install --force-reinstall torch' with your usual index), or fix the library the error names.";
    findings.push_back(std::move(result));
    return findings;
  }
  const std::string where = torch.file.empty() ? "" : " at " + fs::path(torch.file).parent_path().string();
  if (!torch.hip.empty()) {
    findings.push_back(finding("torch", doctor_verdict::warn, "torch " + torch.version + where + " is a ROCm build (HIP " +
                               torch.hip + "); the CUDA checks do not apply to it",
                               "Install the CUDA wheel from PyTorch's package index to use NVIDIA GPUs."));
    findings.push_back(shadow_finding(probe));
    return findings;
  }
  if (torch.cuda.empty()) {
    findings.push_back(finding("torch", driver.gpus.empty() ? doctor_verdict::warn : doctor_verdict::error,
                               "torch " + torch.version + where + " is a CPU-only build (torch.version.cuda is None)",
                               "Uninstall it ('" + probe.executable + " -m pip uninstall torch') and " +
                                   wheel_advice(driver) + "."));
    findings.push_back(shadow_finding(probe));
    return findings;
  }
  doctor_finding build = finding("torch", doctor_verdict::ok, "torch " + torch.version + where + ", built for CUDA " +
                                 torch.cuda + (torch.cudnn ? ", cuDNN " + cudnn_text(torch.cudnn) : ", without cuDNN"));
  findings.push_back(std::move(build));
  findings.push_back(shadow_finding(probe));
  findings.push_back(availability_finding(torch, driver));
  for (auto& sass : sass_findings(torch, driver)) findings.push_back(std::move(sass));
  return findings;
}

}  // namespace cubench
