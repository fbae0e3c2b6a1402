// Compiled extensions in site-packages (torch_scatter, flash_attn, vllm, ...) whose CUDA runtime, read from their
// ELF DT_NEEDED entries, is of a different major than the torch they load with.
#pragma once

#include <string>
#include <vector>

#include "doctor_python.hpp"
#include "doctor_report.hpp"

namespace cubench {

/// One shared object that links the CUDA runtime or torch's c10.
struct extension_library {
  /// The .so file.
  std::string path;
  /// The top-level package it belongs to: its folder under site-packages, or its own name before the first dot.
  std::string package;
  /// Its libcudart DT_NEEDED entries, e.g. "libcudart.so.11.0".
  std::vector<std::string> cudart_needed;
  /// True when it links libc10*.so, i.e. it is built against torch's C++ ABI.
  bool links_c10 = false;
};

/// Every shared object under `site_packages` (torch and the nvidia wheels themselves excluded) that links
/// libcudart or libc10; unreadable files are skipped.
std::vector<extension_library> scan_extensions(const std::vector<std::string>& site_packages);

/// The extensions check: one finding per package that links the CUDA runtime or c10, compared with torch.
std::vector<doctor_finding> extension_findings(const std::vector<extension_library>& extensions, const python_probe& probe);

}  // namespace cubench
