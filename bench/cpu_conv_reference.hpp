// A plain fp64 direct convolution on the CPU, summing in the same fixed order as the GPU reference
// (kernels/reference/conv_reference.cu), so that tests can check that kernel bit for bit on small shapes.
#pragma once

#include "conv_shape.hpp"

namespace cubench {

/// Computes the direction's output from its two inputs, every tensor dense in `layout`:
/// fwd: y from (first = x, second = w); bwd_data: dx from (first = dy, second = w); bwd_filter: dw from
/// (first = x, second = dy). Each output element starts at 0 and adds its terms with fused multiply-adds in
/// this order, skipping taps that fall into the padding or between strides:
/// fwd: input channel of the group, then filter row r, then column s;
/// bwd_data: output channel of the group, then r, then s;
/// bwd_filter: image n, then output row p, then column q.
/// Throws std::invalid_argument when conv_geometry_problem() finds the geometry invalid.
void cpu_reference_conv(const conv_geometry& g, conv_layout layout, conv_direction direction, const double* first,
                        const double* second, double* out);

}  // namespace cubench
