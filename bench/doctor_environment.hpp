// The active environment: which nvcc a build picks up, and which file each CUDA library's SONAME loads from
// through LD_LIBRARY_PATH and the loader cache, with every other copy of that SONAME it shadows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "doctor_report.hpp"
#include "doctor_runner.hpp"
#include "toolkit_discovery.hpp"

namespace cubench {

/// One line of `ldconfig -p`: "libz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1".
struct loader_cache_entry {
  /// The name programs ask for, e.g. libz.so.1.
  std::string soname;
  /// What is inside the parentheses, e.g. "libc6,x86-64".
  std::string flags;
  /// The file the loader opens.
  std::string path;
};

/// The parsed loader cache and any line that could not be read.
struct loader_cache {
  /// Entries in cache order, which is the order the loader tries them in.
  std::vector<loader_cache_entry> entries;
  /// One "source:line:column: expected ..., found ..." per unreadable line.
  std::vector<std::string> problems;
};

/// Parses `ldconfig -p` output; `source` names it in problems.
loader_cache parse_loader_cache(std::string_view text, std::string_view source);

/// True when the entry is for this machine's architecture (x86-64 or AArch64 in its flags).
bool is_native_loader_entry(const loader_cache_entry& entry);

/// A folder that may hold CUDA libraries but is not on the loader path: a toolkit's or a Python wheel's.
struct library_folder {
  /// The folder.
  std::string path;
  /// Where it comes from, e.g. "CUDA 12.4" or "wheel nvidia-cusparse-cu12".
  std::string origin;
  /// Library versions by file stem (libcusparse -> 12.3.1.170), from the toolkit's headers or the wheel's dist-info.
  std::map<std::string, std::string> version_by_stem;
};

/// Everything the environment check reads.
struct environment_inputs {
  /// $PATH.
  std::string path;
  /// $LD_LIBRARY_PATH.
  std::string ld_library_path;
  /// $CUDA_HOME, or $CUDA_PATH when CUDA_HOME is unset.
  std::string cuda_home;
  /// The loader cache.
  loader_cache cache;
  /// Folders the loader tries after the cache.
  std::vector<std::string> default_dirs = {"/lib64", "/usr/lib64", "/lib", "/usr/lib"};
  /// Toolkit and wheel folders, searched for copies the loader path does not reach.
  std::vector<library_folder> other_folders;
};

/// One file that provides a SONAME.
struct library_copy {
  /// Where it was found (possibly a symbolic link).
  std::string path;
  /// The file it resolves to.
  std::string real_path;
  /// Its version: from the real file's name (libcusparse.so.12.3.1.170), its toolkit or its wheel; may be empty.
  std::string version;
  /// How it was reached: "LD_LIBRARY_PATH", "loader cache", "default loader folder", or a library_folder origin.
  std::string origin;
  /// Size in bytes, which tells builds apart when no version is known.
  std::uintmax_t size = 0;
};

/// What the loader does with one SONAME.
struct soname_resolution {
  /// E.g. libcusparse.so.12.
  std::string soname;
  /// The copy the loader opens; nullopt when the loader path has none.
  std::optional<library_copy> resolved;
  /// Every other copy with the same SONAME (different real files).
  std::vector<library_copy> others;

  /// The other copies whose version (or, lacking versions, size) differs from the resolved one.
  std::vector<library_copy> differing() const;
};

/// The CUDA libraries whose resolution the check reports, by file stem.
const std::vector<std::string>& checked_library_stems();

/// Every SONAME of `stem` (e.g. libcusparse) found anywhere, and what the loader resolves it to.
std::vector<soname_resolution> resolve_library(std::string_view stem, const environment_inputs& inputs);

/// The wheel library folders under `site_packages` (nvidia/<name>/lib), with versions from their dist-info.
std::vector<library_folder> wheel_library_folders(const std::string& site_packages);

/// The library folders of every toolkit found.
std::vector<library_folder> toolkit_library_folders(const discovery_result& toolkits);

/// The environment check: nvcc on PATH (and CUDA_HOME), then one finding per checked library; `run` asks an nvcc
/// that discovery did not find for its version.
std::vector<doctor_finding> environment_findings(const environment_inputs& inputs, const discovery_result& toolkits,
                                                 const command_runner& run);

}  // namespace cubench
