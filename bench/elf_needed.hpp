// The names an ELF shared object records in its dynamic section, read with libelf: its SONAME and DT_NEEDED.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cubench {

/// The dynamic-section names of one ELF file, or why they could not be read.
struct elf_dynamic_names {
  /// DT_SONAME, or "" when the file has none.
  std::string soname;
  /// Every DT_NEEDED entry, in file order.
  std::vector<std::string> needed;
  /// Why the file could not be read as ELF (path included); empty on success.
  std::string error;
};

/// Reads DT_SONAME and DT_NEEDED of `file` (symbolic links followed); `error` is set for non-ELF files.
elf_dynamic_names read_elf_dynamic_names(const std::filesystem::path& file);

/// The CUDA major a DT_NEEDED name binds to: 11 for "libcudart.so.11.0", 12 for "libcudart.so.12"; 0 otherwise.
int cudart_major_of(const std::string& needed);

}  // namespace cubench
