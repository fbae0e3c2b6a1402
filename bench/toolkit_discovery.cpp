#include "toolkit_discovery.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "header_macros.hpp"
#include "subprocess.hpp"
#include "text_join.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;

// The releases scripts/install-toolkit knows how to install.
constexpr std::string_view installable_versions[] = {"11.8", "12.4"};

std::string canonical_path(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(path, ec);
  return ec ? std::string() : canonical.string();
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool is_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

// A folder to look at, as the user or the search named it.
struct candidate {
  std::string path;
  // Reported when missing: the user named it, so silence would hide a typo.
  bool must_exist;
};

std::vector<std::string> sorted_cuda_children(const std::string& parent) {
  std::vector<std::string> children;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind("cuda-", 0) == 0) children.push_back(it->path().string());
  std::sort(children.begin(), children.end());
  return children;
}

std::vector<candidate> candidates(const discovery_options& options) {
  std::vector<candidate> out;
  for (const auto& root : options.toolkit_roots) out.push_back({root, true});
  if (!options.search_standard_locations) return out;
  for (const char* variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* value = std::getenv(variable); value && *value) out.push_back({value, true});
  out.push_back({options.usr_local + "/cuda", false});
  for (auto& child : sorted_cuda_children(options.usr_local)) out.push_back({std::move(child), false});
  const std::string prefix = options.install_prefix.empty() ? default_toolkit_prefix() : options.install_prefix;
  for (auto& child : sorted_cuda_children(prefix)) out.push_back({std::move(child), false});
  return out;
}

std::string first_existing(const std::vector<std::string>& dirs, const std::string& relative) {
  for (const auto& dir : dirs)
    if (is_file(fs::path(dir) / relative)) return (fs::path(dir) / relative).string();
  return "";
}

// What one library is called and where its version lives.
struct library_spec {
  std::string_view key;
  std::string_view name;
  std::string_view header;          // its presence means the library's headers are installed
  std::string_view version_header;  // the header holding the version macros
  std::string_view shared_stem;     // "libcublas": libcublas.so, libcublas.so.12, ...; empty when header-only
  std::string_view static_file;
};

constexpr library_spec library_specs[] = {
    {"cudart", "CUDA runtime", "cuda_runtime_api.h", "cuda_runtime_api.h", "libcudart", "libcudart_static.a"},
    {"cublas", "cuBLAS", "cublas_api.h", "cublas_api.h", "libcublas", "libcublas_static.a"},
    {"cublaslt", "cuBLASLt", "cublasLt.h", "cublas_api.h", "libcublasLt", "libcublasLt_static.a"},
    {"cusparse", "cuSPARSE", "cusparse.h", "cusparse.h", "libcusparse", "libcusparse_static.a"},
    {"cudnn", "cuDNN", "cudnn_version.h", "cudnn_version.h", "libcudnn", "libcudnn_static.a"},
    {"thrust", "Thrust", "thrust/version.h", "thrust/version.h", "", ""},
};

// The version text a library's macros spell, or std::nullopt with `error` set.
std::optional<std::string> library_version(std::string_view key, const header_macros& macros, std::string& error) {
  auto dotted = [&](std::initializer_list<const char*> names) -> std::optional<std::string> {
    std::string text;
    for (const char* name : names) {
      const auto value = macros.integer(name, error);
      if (!value) return std::nullopt;
      text += (text.empty() ? "" : ".") + std::to_string(*value);
    }
    return text;
  };
  if (key == "cudart") {
    const auto value = macros.integer("CUDART_VERSION", error);
    if (!value) return std::nullopt;
    return std::to_string(*value / 1000) + "." + std::to_string(*value % 1000 / 10);
  }
  if (key == "cublas" || key == "cublaslt")
    return dotted({"CUBLAS_VER_MAJOR", "CUBLAS_VER_MINOR", "CUBLAS_VER_PATCH", "CUBLAS_VER_BUILD"});
  if (key == "cusparse")
    return dotted({"CUSPARSE_VER_MAJOR", "CUSPARSE_VER_MINOR", "CUSPARSE_VER_PATCH", "CUSPARSE_VER_BUILD"});
  if (key == "cudnn") return dotted({"CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL"});
  // THRUST_VERSION is MMMmmmpp.
  const auto value = macros.integer("THRUST_VERSION", error);
  if (!value) return std::nullopt;
  return std::to_string(*value / 100000) + "." + std::to_string(*value / 100 % 1000) + "." + std::to_string(*value % 100);
}

// libcublas.so.12.4.5.8 rather than libcublas.so.12 or libcublas.so: the name that carries the most version.
std::string most_specific_shared_library(const std::vector<std::string>& dirs, std::string_view stem) {
  const std::string plain = std::string(stem) + ".so";
  std::string best;
  for (const auto& dir : dirs) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string file = it->path().filename().string();
      const bool versioned = file.rfind(plain + ".", 0) == 0 &&
                             file.find_first_not_of("0123456789.", plain.size()) == std::string::npos;
      if (file != plain && !versioned) continue;
      if (best.empty() || fs::path(best).filename().string().size() < file.size()) best = it->path().string();
    }
  }
  return best;
}

library_info inspect_library(const library_spec& spec, const toolkit_info& toolkit, std::vector<std::string>& problems) {
  library_info library;
  library.key = spec.key;
  library.name = spec.name;
  std::vector<std::string> include_dirs = toolkit.include_dirs;
  // CCCL (Thrust, CUB, libcu++) moved to include/cccl in CUDA 13.
  if (spec.key == "thrust")
    for (const auto& dir : toolkit.include_dirs) include_dirs.push_back(dir + "/cccl");

  const std::string header = first_existing(include_dirs, std::string(spec.header));
  if (header.empty()) {
    library.reason = library.name + " not found in " + join(toolkit.include_dirs, " or ") + " (no " + std::string(spec.header) + ")";
    return library;
  }
  library.header = first_existing(include_dirs, std::string(spec.version_header));
  if (const auto macros = read_header_macros(library.header)) {
    std::string error;
    if (const auto version = library_version(spec.key, *macros, error))
      library.version = *version;
    else
      problems.push_back(library.name + " version unknown: " + error);
  } else {
    problems.push_back(library.name + " version unknown: cannot read " + std::string(spec.version_header) + " next to " + header);
  }

  if (spec.shared_stem.empty()) {
    library.present = true;
    return library;
  }
  library.shared_library = most_specific_shared_library(toolkit.library_dirs, spec.shared_stem);
  library.static_library = toolkit.find_library_file(spec.static_file);
  library.present = !library.shared_library.empty() || !library.static_library.empty();
  if (!library.present)
    library.reason = library.name + " header " + header + " found, but no " + std::string(spec.shared_stem) + ".so* or " +
                     std::string(spec.static_file) + " in " + join(toolkit.library_dirs, " or ");
  return library;
}

std::vector<std::string> existing_canonical_dirs(const std::string& root, std::initializer_list<const char*> relatives) {
  std::vector<std::string> dirs;
  for (const char* relative : relatives) {
    const std::string dir = canonical_path(root + "/" + relative);
    if (!dir.empty() && is_directory(dir) && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
  }
  return dirs;
}

// Fills in everything but the identity that nvcc gave.
void inspect_toolkit(toolkit_info& toolkit, const std::vector<host_compiler>& compilers) {
  toolkit.include_dirs = existing_canonical_dirs(toolkit.root, {"include", "targets/x86_64-linux/include"});
  if (toolkit.include_dirs.empty()) toolkit.include_dirs.push_back(toolkit.root + "/include");
  toolkit.library_dirs = existing_canonical_dirs(toolkit.root, {"lib64", "lib", "targets/x86_64-linux/lib"});

  const std::string cuda_h = first_existing(toolkit.include_dirs, "cuda.h");
  if (cuda_h.empty()) {
    toolkit.problems.push_back("no cuda.h in " + join(toolkit.include_dirs, " or "));
  } else if (const auto macros = read_header_macros(cuda_h)) {
    std::string error;
    if (const auto value = macros->integer("CUDA_VERSION", error)) {
      toolkit.cuda_h_version = std::to_string(*value / 1000) + "." + std::to_string(*value % 1000 / 10);
      if (toolkit.cuda_h_version != toolkit.version().major_minor())
        toolkit.problems.push_back(cuda_h + " says CUDA_VERSION " + std::to_string(*value) + " (" + toolkit.cuda_h_version +
                                   ") but nvcc says " + toolkit.version().major_minor() +
                                   ": headers and compiler come from different toolkits");
    } else {
      toolkit.problems.push_back(error);
    }
  }

  for (const auto& spec : library_specs) toolkit.libraries.push_back(inspect_library(spec, toolkit, toolkit.problems));
  for (const auto& dir : toolkit.library_dirs)
    if (is_file(fs::path(dir) / "stubs/libnvidia-ml.so")) {
      toolkit.nvml_stub = dir + "/stubs/libnvidia-ml.so";
      break;
    }
  toolkit.host_compiler = choose_host_compiler(toolkit.version(), compilers);
}

std::string installed_list(const discovery_result& found) {
  if (found.toolkits.empty()) return "none";
  std::string out;
  for (const auto& toolkit : found.toolkits)
    out += (out.empty() ? "" : ", ") + toolkit.version().major_minor() + " (" + toolkit.root + ")";
  return out;
}

std::string install_hint(std::string_view wanted) {
  std::string supported;
  for (const auto version : installable_versions) supported += (supported.empty() ? "" : " and ") + std::string(version);
  const bool installable =
      std::find(std::begin(installable_versions), std::end(installable_versions), wanted) != std::end(installable_versions);
  if (installable) return "install it with: scripts/install-toolkit --versions " + std::string(wanted);
  return "scripts/install-toolkit --versions X.Y installs " + supported +
         "; for another release install it yourself and pass --toolkit-root DIR";
}

}  // namespace

const library_info* toolkit_info::library(std::string_view key) const {
  for (const auto& library : libraries)
    if (library.key == key) return &library;
  return nullptr;
}

std::string toolkit_info::find_library_file(std::string_view file_name) const {
  return file_name.empty() ? "" : first_existing(library_dirs, std::string(file_name));
}

std::string default_toolkit_prefix() {
  const char* prefix = std::getenv("CUBENCH_TOOLKIT_PREFIX");
  return prefix && *prefix ? prefix : "/opt/cubench/toolkits";
}

discovery_result discover_toolkits(const discovery_options& options) {
  discovery_result result;
  result.host_compilers =
      probe_host_compilers(options.compiler_search_path.empty() ? environment_path() : options.compiler_search_path);

  // Canonical root -> index into result.toolkits, or -1 when that root was skipped.
  std::map<std::string, long> seen;
  for (const auto& [path, must_exist] : candidates(options)) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (must_exist) result.skipped.push_back({path, "does not exist"});
      continue;
    }
    const std::string root = canonical_path(path);
    if (const auto it = seen.find(root); it != seen.end()) {
      if (it->second < 0) continue;
      auto& found_as = result.toolkits[static_cast<std::size_t>(it->second)].found_as;
      if (std::find(found_as.begin(), found_as.end(), path) == found_as.end()) found_as.push_back(path);
      continue;
    }
    seen[root] = -1;
    if (!is_directory(root)) {
      result.skipped.push_back({path, "not a directory"});
      continue;
    }
    const std::string nvcc = root + "/bin/nvcc";
    if (!is_file(nvcc) || ::access(nvcc.c_str(), X_OK) != 0) {
      result.skipped.push_back({path, "no executable bin/nvcc, so not a CUDA toolkit (or an unfinished install)"});
      continue;
    }
    process_options run_options;
    run_options.timeout = options.nvcc_timeout;
    run_options.output_limit = 16 * 1024;
    const auto run = run_process({nvcc, "--version"}, run_options);
    if (!run.succeeded()) {
      const std::string tail = last_lines(run.output, 1);
      result.skipped.push_back({path, nvcc + " --version failed: " + run.describe_failure(options.nvcc_timeout) +
                                          (tail.empty() ? "" : ": " + tail)});
      continue;
    }
    std::string error;
    const auto version = parse_nvcc_version(run.output, error);
    if (!version) {
      result.skipped.push_back({path, nvcc + " --version: " + error});
      continue;
    }
    const auto same_release = std::find_if(result.toolkits.begin(), result.toolkits.end(), [&](const toolkit_info& t) {
      return t.version().same_major_minor(version->release);
    });
    if (same_release != result.toolkits.end()) {
      result.skipped.push_back({path, "CUDA " + version->release.major_minor() + " was already found at " +
                                          same_release->root + ", which is used"});
      continue;
    }
    toolkit_info toolkit;
    toolkit.root = root;
    toolkit.found_as.push_back(path);
    toolkit.nvcc_path = nvcc;
    toolkit.nvcc = *version;
    inspect_toolkit(toolkit, result.host_compilers);
    seen[root] = static_cast<long>(result.toolkits.size());
    result.toolkits.push_back(std::move(toolkit));
  }
  std::sort(result.toolkits.begin(), result.toolkits.end(), [](const toolkit_info& a, const toolkit_info& b) {
    return major_minor_less(a.version(), b.version());
  });
  return result;
}

std::vector<const toolkit_info*> select_toolkits(const discovery_result& found, std::string_view list,
                                                 std::string& error) {
  std::vector<const toolkit_info*> selected;
  const auto items = split_list(list);
  if (items.size() == 1 && (items[0].empty() || items[0] == "all")) {
    if (found.toolkits.empty())
      error = "no CUDA toolkit found (see `bench toolkits`); " + install_hint("");
    for (const auto& toolkit : found.toolkits) selected.push_back(&toolkit);
    return selected;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = "--toolkits '" + std::string(list) + "', item " + std::to_string(i + 1);
    const auto version = parse_version(items[i]);
    if (!version) {
      error = where + ": expected a toolkit release MAJOR.MINOR such as 12.4, or 'all', found '" + items[i] + "'";
      return {};
    }
    const auto match = std::find_if(found.toolkits.begin(), found.toolkits.end(),
                                    [&](const toolkit_info& t) { return t.version().same_major_minor(*version); });
    if (match == found.toolkits.end()) {
      error = where + ": CUDA " + version->major_minor() + " is not installed; found: " + installed_list(found) + "; " +
              install_hint(version->major_minor());
      return {};
    }
    if (std::find(selected.begin(), selected.end(), &*match) == selected.end()) selected.push_back(&*match);
  }
  return selected;
}

}  // namespace cubench
