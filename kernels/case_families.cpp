#include "case_families.hpp"

#include <stdexcept>

#include "library_versions.hpp"

namespace cubench {

std::vector<case_family> case_families() {
  struct binding {
    const char* family;
    const char* impl;
    const char* library;
  };
  static constexpr binding bindings[] = {
      {"gemm", "cublas", "cuBLAS"},
      {"gemm", "cublaslt", "cuBLASLt"},
      {"spmm", "cusparse", "cuSPARSE"},
      {"conv", "cudnn", "cuDNN"},
  };
  const auto libraries = built_libraries();
  std::vector<case_family> families;
  for (const auto& b : bindings) {
    const built_library* library = nullptr;
    for (const auto& candidate : libraries) {
      if (candidate.name == b.library) library = &candidate;
    }
    if (library == nullptr)
      throw std::logic_error(std::string("case family ") + b.family + " names unknown library " + b.library);
    families.push_back({b.family, b.impl, b.library, library->version ? to_string(*library->version) : "",
                        library->absent_reason});
  }
  return families;
}

}  // namespace cubench
