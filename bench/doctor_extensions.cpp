#include "doctor_extensions.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "elf_needed.hpp"
#include "text_join.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;

// Deep enough for vllm/_C.abi3.so and torch_scatter/_scatter_cuda.so, shallow enough to stay quick.
constexpr int max_scan_depth = 6;

bool is_shared_object_name(const std::string& name) {
  const std::size_t so = name.rfind(".so");
  return so != std::string::npos && so > 0 && (so + 3 == name.size() || name[so + 3] == '.');
}

bool skipped_folder(const std::string& name, bool top_level) {
  // torch's own libraries define the reference; the nvidia wheels are the runtimes themselves.
  if (top_level && (name == "torch" || name == "nvidia")) return true;
  const std::string dist_info = ".dist-info";
  return name == "__pycache__" ||
         (name.size() > dist_info.size() && name.compare(name.size() - dist_info.size(), dist_info.size(), dist_info) == 0);
}

int torch_cuda_major(const python_probe& probe) {
  if (!probe.torch || !probe.torch->import_error.empty()) return 0;
  const auto version = parse_version(probe.torch->cuda);
  return version ? version->major() : 0;
}


}  // namespace

std::vector<extension_library> scan_extensions(const std::vector<std::string>& site_packages) {
  std::vector<extension_library> found;
  std::set<std::string> seen;
  for (const auto& root : site_packages) {
    std::error_code error;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
    for (const fs::recursive_directory_iterator end; !error && it != end; it.increment(error)) {
      const std::string name = it->path().filename().string();
      if (it->is_directory(error)) {
        if (it.depth() + 1 >= max_scan_depth || skipped_folder(name, it.depth() == 0))
          it.disable_recursion_pending();
        continue;
      }
      if (!is_shared_object_name(name) || !it->is_regular_file(error)) continue;
      if (!seen.insert(fs::weakly_canonical(it->path(), error).string()).second) continue;
      const elf_dynamic_names names = read_elf_dynamic_names(it->path());
      if (!names.error.empty()) continue;
      extension_library library;
      for (const auto& needed : names.needed) {
        if (cudart_major_of(needed) > 0) library.cudart_needed.push_back(needed);
        if (needed.rfind("libc10", 0) == 0) library.links_c10 = true;
      }
      if (library.cudart_needed.empty() && !library.links_c10) continue;
      library.path = it->path().string();
      const fs::path relative = it->path().lexically_relative(root);
      const std::string first = relative.begin()->string();
      library.package = std::distance(relative.begin(), relative.end()) > 1 ? first : first.substr(0, first.find('.'));
      found.push_back(std::move(library));
    }
  }
  std::sort(found.begin(), found.end(), [](const extension_library& a, const extension_library& b) {
    return a.package != b.package ? a.package < b.package : a.path < b.path;
  });
  return found;
}

std::vector<doctor_finding> extension_findings(const std::vector<extension_library>& extensions, const python_probe& probe) {
  std::vector<doctor_finding> findings;
  if (!probe.error.empty() || extensions.empty()) {
    findings.push_back(make_finding("extensions", "site-packages", doctor_verdict::ok,
                                    probe.error.empty() ? "no compiled extension links libcudart or libc10"
                                                        : "not scanned: the Python probe did not say where site-packages is"));
    return findings;
  }
  const int torch_major = torch_cuda_major(probe);
  std::map<std::string, std::vector<const extension_library*>> by_package;
  for (const auto& extension : extensions) by_package[extension.package].push_back(&extension);

  for (const auto& [package, libraries] : by_package) {
    doctor_finding result = make_finding("extensions", package, doctor_verdict::ok, "");
    std::set<int> majors;
    bool links_c10 = false;
    for (const auto* library : libraries) {
      links_c10 = links_c10 || library->links_c10;
      for (const auto& needed : library->cudart_needed) majors.insert(cudart_major_of(needed));
      std::vector<std::string> links = library->cudart_needed;
      if (library->links_c10) links.push_back("libc10");
      result.details.push_back(library->path + " links " + join(links, ", "));
    }
    std::vector<std::string> major_names;
    for (const int major : majors) major_names.push_back("CUDA " + std::to_string(major));
    const std::string what = majors.empty() ? std::string("links libc10 but no libcudart (a CPU-only or statically "
                                                          "linked CUDA runtime)")
                                            : "links the " + join(major_names, ", ") + " runtime";
    std::vector<int> mismatched;
    for (const int major : majors)
      if (torch_major > 0 && major != torch_major) mismatched.push_back(major);

    if (torch_major == 0) {
      result.summary = what + (links_c10 ? "; torch here has no CUDA build to compare with" : "");
      result.verdict = links_c10 && !majors.empty() ? doctor_verdict::warn : doctor_verdict::ok;
      if (result.verdict == doctor_verdict::warn)
        result.fix = "Install the CUDA " + std::to_string(*majors.rbegin()) + " build of torch it was built for, or "
                     "uninstall " + package + ".";
    } else if (mismatched.empty()) {
      result.summary = what + ", the same major as torch (CUDA " + probe.torch->cuda + ")";
    } else {
      // A torch extension with another major loads a second CUDA runtime next to torch's and usually fails on
      // undefined symbols; a standalone package merely runs two runtimes in one process.
      result.verdict = links_c10 ? doctor_verdict::error : doctor_verdict::warn;
      result.summary = what + ", but torch " + probe.torch->version + " is built for CUDA " + probe.torch->cuda;
      result.fix = "Reinstall " + package + " built for CUDA " + std::to_string(torch_major) + (links_c10 ? " and torch " + probe.torch->version : "") +
                   ": '" + probe.executable + " -m pip install --force-reinstall --no-cache-dir " + package +
                   "' picks a matching wheel or rebuilds it against the torch installed.";
    }
    findings.push_back(std::move(result));
  }
  return findings;
}

}  // namespace cubench
