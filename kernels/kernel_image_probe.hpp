// Which of the runner's compiled device code a GPU would run: the SASS built for its architecture, or PTX
// compiled just in time.
#pragma once

namespace cubench {

/// The code versions the CUDA runtime picked for one GPU, as 10 * major + minor (90 for sm_90).
struct kernel_image {
  /// The architecture of the binary that runs (cudaFuncAttributes::binaryVersion).
  int binary_version = 0;
  /// The PTX version embedded in the runner for it.
  int ptx_version = 0;
};

/// Asks the runtime which image of a trivial kernel `device` would load; throws cuda_error when none fits.
kernel_image probe_kernel_image(int device);

}  // namespace cubench
