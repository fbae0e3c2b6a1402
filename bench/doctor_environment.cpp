#include "doctor_environment.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "elf_needed.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> split_search_path(std::string_view text) {
  std::vector<std::string> dirs;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(':', start);
    if (end == std::string_view::npos) end = text.size();
    // An empty LD_LIBRARY_PATH element means the current folder; an unset variable means none.
    if (end > start || !text.empty()) dirs.emplace_back(end > start ? text.substr(start, end - start) : ".");
    start = end + 1;
  }
  return dirs;
}

std::string real_path_of(const std::string& path) {
  std::error_code error;
  const fs::path real = fs::canonical(path, error);
  return error ? path : real.string();
}

// True for "<stem>.so.<digits and dots>", the names SONAMEs and versioned files have.
bool is_versioned_name(std::string_view name, std::string_view stem) {
  const std::string prefix = std::string(stem) + ".so.";
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return false;
  const std::string_view rest = name.substr(prefix.size());
  return std::isdigit(static_cast<unsigned char>(rest.front())) &&
         std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

// "12.3.1.170" from ".../libcusparse.so.12.3.1.170" when the real file's name says more than the SONAME does.
std::string version_from_file_name(const std::string& real_path, std::string_view stem, const std::string& soname) {
  const std::string name = fs::path(real_path).filename().string();
  if (!is_versioned_name(name, stem) || name.size() <= soname.size()) return "";
  return name.substr(stem.size() + 4);
}

struct found_copy {
  library_copy copy;
  std::string soname;
};

// Every real file among `candidates`, first sighting kept, each with its SONAME read from the ELF file.
class copy_collector {
 public:
  explicit copy_collector(std::string_view stem) : stem_(stem) {}

  void add(const std::string& path, const std::string& origin, const std::map<std::string, std::string>& versions) {
    std::error_code error;
    if (!fs::is_regular_file(path, error)) return;
    const std::string real = real_path_of(path);
    if (!seen_.insert(real).second) return;
    const elf_dynamic_names names = read_elf_dynamic_names(path);
    found_copy found;
    found.soname = names.soname.empty() ? fs::path(path).filename().string() : names.soname;
    found.copy.path = path;
    found.copy.real_path = real;
    found.copy.origin = origin;
    found.copy.size = fs::file_size(real, error);
    found.copy.version = version_from_file_name(real, stem_, found.soname);
    if (found.copy.version.empty())
      if (const auto version = versions.find(stem_); version != versions.end()) found.copy.version = version->second;
    copies_.push_back(std::move(found));
  }

  void add_folder(const std::string& dir, const std::string& origin, const std::map<std::string, std::string>& versions) {
    std::error_code error;
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (is_versioned_name(name, stem_)) names.push_back(name);
    }
    // Shortest first, so that the SONAME link is the path reported for a file rather than its long name.
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    for (const auto& name : names) add((fs::path(dir) / name).string(), origin, versions);
  }

  const std::vector<found_copy>& copies() const { return copies_; }

 private:
  std::string stem_;
  std::set<std::string> seen_;
  std::vector<found_copy> copies_;
};

std::optional<library_copy> loader_lookup(const std::string& soname, const environment_inputs& inputs,
                                          const std::vector<found_copy>& known) {
  const auto as_copy = [&](const std::string& path, const std::string& origin) -> std::optional<library_copy> {
    const std::string real = real_path_of(path);
    for (const auto& found : known) {
      if (found.copy.real_path != real) continue;
      library_copy copy = found.copy;
      copy.path = path;
      copy.origin = origin;
      return copy;
    }
    return std::nullopt;
  };
  std::error_code error;
  for (const auto& dir : split_search_path(inputs.ld_library_path))
    if (fs::is_regular_file(fs::path(dir) / soname, error))
      if (auto copy = as_copy((fs::path(dir) / soname).string(), "LD_LIBRARY_PATH")) return copy;
  for (const auto& entry : inputs.cache.entries)
    if (entry.soname == soname && is_native_loader_entry(entry))
      if (auto copy = as_copy(entry.path, "loader cache")) return copy;
  for (const auto& dir : inputs.default_dirs)
    if (fs::is_regular_file(fs::path(dir) / soname, error))
      if (auto copy = as_copy((fs::path(dir) / soname).string(), "default loader folder")) return copy;
  return std::nullopt;
}

std::string describe_copy(const library_copy& copy) {
  std::string text = copy.path;
  if (copy.real_path != copy.path) text += " -> " + copy.real_path;
  text += " (" + (copy.version.empty() ? std::string("version unknown") : copy.version) + "; " + copy.origin + ")";
  return text;
}

std::string stem_fix(std::string_view stem) {
  if (stem == "libcudnn")
    return "Install cuDNN for your CUDA major (a toolkit-side package or the nvidia-cudnn wheel) and add its lib "
           "folder to LD_LIBRARY_PATH or the loader cache.";
  return "Install a CUDA toolkit and add its lib64 folder to LD_LIBRARY_PATH (or to /etc/ld.so.conf.d and run "
         "ldconfig).";
}

doctor_finding library_finding(std::string_view stem, const environment_inputs& inputs) {
  doctor_finding finding = make_finding("environment", std::string(stem), doctor_verdict::ok, "");
  const auto resolutions = resolve_library(stem, inputs);
  if (resolutions.empty()) {
    finding.verdict = doctor_verdict::warn;
    finding.summary = "no copy found on LD_LIBRARY_PATH, in the loader cache, in any toolkit or in any Python wheel";
    finding.fix = stem_fix(stem);
    return finding;
  }
  std::vector<std::string> resolved_names;
  std::vector<std::string> shadowing;
  for (const auto& resolution : resolutions) {
    if (resolution.resolved) {
      resolved_names.push_back(resolution.soname + " -> " + resolution.resolved->real_path);
      finding.details.push_back(resolution.soname + " loads " + describe_copy(*resolution.resolved));
      const auto differing = resolution.differing();
      for (const auto& other : resolution.others) {
        const bool differs = std::any_of(differing.begin(), differing.end(),
                                         [&](const library_copy& d) { return d.real_path == other.real_path; });
        finding.details.push_back(std::string("  shadows ") + describe_copy(other) + (differs ? " <- a different build" : ""));
      }
      if (!differing.empty()) shadowing.push_back(resolution.soname);
    } else {
      finding.details.push_back(resolution.soname + " is not on the loader path; found only outside it:");
      for (const auto& other : resolution.others) finding.details.push_back("  " + describe_copy(other));
    }
  }
  if (resolved_names.empty()) {
    finding.verdict = doctor_verdict::warn;
    finding.summary = "no SONAME of it is on the loader path (LD_LIBRARY_PATH, loader cache); programs that need it "
                      "load it only through an RPATH";
    finding.fix = "Add the lib folder of the toolkit you build with to LD_LIBRARY_PATH (or to /etc/ld.so.conf.d and "
                  "run ldconfig).";
    return finding;
  }
  std::string joined;
  for (const auto& name : resolved_names) joined += (joined.empty() ? "" : ", ") + name;
  finding.summary = joined;
  if (!shadowing.empty()) {
    finding.verdict = doctor_verdict::warn;
    std::string names;
    for (const auto& name : shadowing) names += (names.empty() ? "" : ", ") + name;
    finding.summary += "; it shadows a different build with the same SONAME (" + names + ")";
    finding.fix = "A program built against a shadowed copy loads the winning one at run time: put its toolkit's lib "
                  "folder first in LD_LIBRARY_PATH when running it, or link it with -Wl,-rpath,<that folder>.";
  }
  return finding;
}

std::optional<const toolkit_info*> toolkit_owning(const std::string& nvcc_real_path, const discovery_result& toolkits) {
  for (const auto& toolkit : toolkits.toolkits) {
    if (real_path_of(toolkit.nvcc_path) == nvcc_real_path) return &toolkit;
    if (real_path_of((fs::path(toolkit.root) / "bin" / "nvcc").string()) == nvcc_real_path) return &toolkit;
  }
  return std::nullopt;
}

// "CUDA 13.0 (/usr/local/cuda-13.0)" for a toolkit discovery found, else what the nvcc itself says.
std::string describe_nvcc(const std::string& nvcc, const discovery_result& toolkits, const command_runner& run,
                          std::string* release) {
  const std::string real = real_path_of(nvcc);
  if (const auto toolkit = toolkit_owning(real, toolkits)) {
    if (release) *release = (*toolkit)->version().major_minor();
    return "CUDA " + (*toolkit)->nvcc.full.text() + " (" + (*toolkit)->root + ")";
  }
  const process_result result = run({nvcc, "--version"});
  std::string error;
  if (result.succeeded())
    if (const auto version = parse_nvcc_version(result.output, error)) {
      if (release) *release = version->release.major_minor();
      return "CUDA " + version->full.text() + ", outside the toolkits found";
    }
  return "version unknown: " + (result.succeeded() ? error : result.describe_failure(doctor_command_timeout));
}

std::vector<doctor_finding> nvcc_findings(const environment_inputs& inputs, const discovery_result& toolkits,
                                          const command_runner& run) {
  doctor_finding finding = make_finding("environment", "nvcc on PATH", doctor_verdict::ok, "");
  std::vector<std::string> found;
  std::set<std::string> seen;
  for (const auto& dir : split_search_path(inputs.path)) {
    const std::string nvcc = find_executable("nvcc", dir);
    if (!nvcc.empty() && seen.insert(real_path_of(nvcc)).second) found.push_back(nvcc);
  }
  std::string path_release;
  if (found.empty()) {
    finding.verdict = doctor_verdict::warn;
    finding.summary = "no nvcc on PATH";
    if (!toolkits.toolkits.empty())
      finding.fix = "Add the bin folder of the toolkit you build with to PATH, e.g. export PATH=" +
                    toolkits.toolkits.back().root + "/bin:$PATH.";
    else
      finding.fix = "Install a CUDA toolkit and add its bin folder to PATH.";
  } else {
    finding.summary = found.front() + " is " + describe_nvcc(found.front(), toolkits, run, &path_release);
    for (std::size_t i = 1; i < found.size(); ++i)
      finding.details.push_back("shadows " + found[i] + ", " + describe_nvcc(found[i], toolkits, run, nullptr));
  }
  std::vector<doctor_finding> findings = {finding};
  if (inputs.cuda_home.empty()) return findings;

  doctor_finding home = make_finding("environment", "CUDA_HOME", doctor_verdict::ok, "");
  const std::string home_nvcc = (fs::path(inputs.cuda_home) / "bin" / "nvcc").string();
  std::string home_release;
  std::error_code error;
  if (!fs::exists(home_nvcc, error)) {
    home.verdict = doctor_verdict::warn;
    home.summary = inputs.cuda_home + " has no bin/nvcc";
    home.fix = "Point CUDA_HOME at a toolkit root (the folder holding bin/nvcc), or unset it.";
  } else {
    home.summary = inputs.cuda_home + " holds " + describe_nvcc(home_nvcc, toolkits, run, &home_release);
    if (!path_release.empty() && !home_release.empty() && home_release != path_release) {
      home.verdict = doctor_verdict::warn;
      home.summary += ", but nvcc on PATH is CUDA " + path_release;
      home.fix = "Make them agree: PyTorch extensions build with CUDA_HOME and CMake with the nvcc on PATH, so one "
                 "build can mix CUDA " + home_release + " and " + path_release + ".";
    }
  }
  findings.push_back(home);
  return findings;
}

}  // namespace

loader_cache parse_loader_cache(std::string_view text, std::string_view source) {
  loader_cache cache;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const auto problem = [&](std::size_t column, std::string_view expected, std::string_view found_text) {
      cache.problems.push_back(std::string(source) + ":" + std::to_string(line_number) + ":" + std::to_string(column + 1) +
                               ": expected " + std::string(expected) + ", found '" + std::string(found_text) + "'");
    };
    std::size_t at = line.find_first_not_of(" \t");
    if (at == std::string_view::npos) continue;
    if (at == 0) {
      // Only the header ("N libs found in cache `/etc/ld.so.cache'") and glibc's trailer ("Cache generated by: ...")
      // are not indented.
      if (line.find(" found in cache ") == std::string_view::npos && line.rfind("Cache generated by:", 0) != 0)
        problem(0, "an indented entry, the 'libs found in cache' header or the 'Cache generated by' trailer", line);
      continue;
    }
    const std::size_t open = line.find(" (", at);
    if (open == std::string_view::npos) {
      problem(at, "'SONAME (flags) => path'", line.substr(at));
      continue;
    }
    const std::size_t arrow = line.find(") => ", open);
    if (arrow == std::string_view::npos) {
      problem(open + 1, "'(flags) => path'", line.substr(open + 1));
      continue;
    }
    loader_cache_entry entry;
    entry.soname = std::string(line.substr(at, open - at));
    entry.flags = std::string(line.substr(open + 2, arrow - open - 2));
    entry.path = std::string(line.substr(arrow + 5));
    if (entry.path.empty() || entry.path.front() != '/') {
      problem(arrow + 5, "an absolute path after '=>'", entry.path);
      continue;
    }
    cache.entries.push_back(std::move(entry));
  }
  return cache;
}

bool is_native_loader_entry(const loader_cache_entry& entry) {
#if defined(__x86_64__)
  return entry.flags.find("x86-64") != std::string::npos;
#elif defined(__aarch64__)
  return entry.flags.find("AArch64") != std::string::npos;
#else
  return true;
#endif
}

std::vector<library_copy> soname_resolution::differing() const {
  std::vector<library_copy> result;
  if (!resolved) return result;
  for (const auto& other : others) {
    const bool both_versioned = !other.version.empty() && !resolved->version.empty();
    if (both_versioned ? other.version != resolved->version : other.size != resolved->size) result.push_back(other);
  }
  return result;
}

const std::vector<std::string>& checked_library_stems() {
  static const std::vector<std::string> stems = {"libcudart", "libcublas", "libcublasLt", "libcudnn", "libcusparse"};
  return stems;
}

std::vector<soname_resolution> resolve_library(std::string_view stem, const environment_inputs& inputs) {
  copy_collector collector(stem);
  const std::map<std::string, std::string> no_versions;
  for (const auto& dir : split_search_path(inputs.ld_library_path)) collector.add_folder(dir, "LD_LIBRARY_PATH", no_versions);
  for (const auto& entry : inputs.cache.entries)
    if (is_native_loader_entry(entry) && is_versioned_name(entry.soname, stem))
      collector.add(entry.path, "loader cache", no_versions);
  for (const auto& dir : inputs.default_dirs) collector.add_folder(dir, "default loader folder", no_versions);
  for (const auto& folder : inputs.other_folders) collector.add_folder(folder.path, folder.origin, folder.version_by_stem);

  // Toolkit and wheel folders know versions the loader path's copies lack; lend them to the same real file.
  std::vector<found_copy> copies = collector.copies();
  for (const auto& folder : inputs.other_folders) {
    const auto version = folder.version_by_stem.find(std::string(stem));
    if (version == folder.version_by_stem.end()) continue;
    for (auto& found : copies)
      if (found.copy.version.empty() && fs::path(found.copy.real_path).parent_path() == real_path_of(folder.path))
        found.copy.version = version->second;
  }

  std::vector<std::string> sonames;
  for (const auto& found : copies)
    if (std::find(sonames.begin(), sonames.end(), found.soname) == sonames.end()) sonames.push_back(found.soname);
  std::sort(sonames.begin(), sonames.end());

  std::vector<soname_resolution> resolutions;
  for (const auto& soname : sonames) {
    soname_resolution resolution;
    resolution.soname = soname;
    resolution.resolved = loader_lookup(soname, inputs, copies);
    for (const auto& found : copies)
      if (found.soname == soname && (!resolution.resolved || found.copy.real_path != resolution.resolved->real_path))
        resolution.others.push_back(found.copy);
    resolutions.push_back(std::move(resolution));
  }
  return resolutions;
}

std::vector<library_folder> wheel_library_folders(const std::string& site_packages) {
  std::vector<library_folder> folders;
  std::error_code error;
  const fs::path nvidia = fs::path(site_packages) / "nvidia";
  std::map<std::string, std::string> wheel_versions;
  for (fs::directory_iterator it(site_packages, error), end; !error && it != end; it.increment(error)) {
    // nvidia_cusparse_cu12-12.3.1.170.dist-info holds the version of nvidia/cusparse.
    const std::string name = it->path().filename().string();
    const std::string suffix = ".dist-info";
    if (name.rfind("nvidia_", 0) != 0 || name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string stem = name.substr(0, name.size() - suffix.size());
    const std::size_t dash = stem.find('-');
    if (dash == std::string::npos) continue;
    std::string package = stem.substr(7, dash - 7);
    const std::size_t cu = package.rfind("_cu");
    if (cu != std::string::npos && cu + 3 < package.size() &&
        std::all_of(package.begin() + static_cast<std::ptrdiff_t>(cu + 3), package.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      package.erase(cu);
    wheel_versions[package] = stem.substr(dash + 1);
  }
  std::vector<fs::path> dirs;
  for (fs::directory_iterator it(nvidia, error), end; !error && it != end; it.increment(error))
    if (fs::is_directory(it->path() / "lib")) dirs.push_back(it->path());
  std::sort(dirs.begin(), dirs.end());
  for (const auto& dir : dirs) {
    library_folder folder;
    folder.path = (dir / "lib").string();
    const std::string package = dir.filename().string();
    folder.origin = "wheel nvidia/" + package;
    if (const auto version = wheel_versions.find(package); version != wheel_versions.end())
      for (const auto& stem : checked_library_stems()) folder.version_by_stem[stem] = version->second;
    folders.push_back(std::move(folder));
  }
  return folders;
}

std::vector<library_folder> toolkit_library_folders(const discovery_result& toolkits) {
  static const std::map<std::string, std::string> key_by_stem = {{"libcudart", "cudart"},
                                                                 {"libcublas", "cublas"},
                                                                 {"libcublasLt", "cublaslt"},
                                                                 {"libcudnn", "cudnn"},
                                                                 {"libcusparse", "cusparse"}};
  std::vector<library_folder> folders;
  for (const auto& toolkit : toolkits.toolkits) {
    for (const auto& dir : toolkit.library_dirs) {
      library_folder folder;
      folder.path = dir;
      folder.origin = "CUDA " + toolkit.version().major_minor();
      for (const auto& [stem, key] : key_by_stem)
        if (const library_info* library = toolkit.library(key); library && library->present && !library->version.empty())
          folder.version_by_stem[stem] = library->version;
      folders.push_back(std::move(folder));
    }
  }
  return folders;
}

std::vector<doctor_finding> environment_findings(const environment_inputs& inputs, const discovery_result& toolkits,
                                                 const command_runner& run) {
  std::vector<doctor_finding> findings = nvcc_findings(inputs, toolkits, run);
  if (!inputs.cache.problems.empty()) {
    doctor_finding cache = make_finding("environment", "loader cache", doctor_verdict::warn,
                                        std::to_string(inputs.cache.problems.size()) +
                                            " line(s) of ldconfig -p could not be read; libraries they name are not "
                                            "considered",
                                        "Run ldconfig -p yourself and check that it lists 'SONAME (flags) => path' lines.");
    cache.details = inputs.cache.problems;
    findings.push_back(cache);
  }
  for (const auto& stem : checked_library_stems()) findings.push_back(library_finding(stem, inputs));
  return findings;
}

}  // namespace cubench
