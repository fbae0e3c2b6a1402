// Thrust ships inside CCCL, which only nvcc finds in every toolkit layout (13.x keeps it under include/cccl).
#include <thrust/version.h>

#include "library_versions.hpp"

namespace cubench {

library_version thrust_built_version() {
  return {THRUST_MAJOR_VERSION, THRUST_MINOR_VERSION, THRUST_SUBMINOR_VERSION, std::nullopt};
}

}  // namespace cubench
