#include "im2col_indexing.hpp"

namespace cubench {

void cpu_im2col(const conv_geometry& g, conv_layout layout, const double* x, double* col) {
  const im2col_shape shape = im2col_shape_of(g, layout);
  for (std::int64_t matrix = 0; matrix < shape.matrices; ++matrix)
    for (std::int64_t row = 0; row < shape.rows; ++row)
      for (std::int64_t c = 0; c < shape.cols; ++c) {
        const std::int64_t source = im2col_source(g, layout, matrix, row, c);
        *col++ = source < 0 ? 0.0 : x[source];
      }
}

}  // namespace cubench
