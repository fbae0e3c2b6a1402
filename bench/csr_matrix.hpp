// A sparse matrix in compressed sparse row form, as the Matrix Market reader and the generators produce it
// and the SpMM cases upload it. Row offsets are 64-bit so that the host can hold any size; column indices are
// 32-bit, which is what the GPU kernels index with and keeps generated matrices lean.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace cubench {

/// A rows x cols sparse matrix: row r holds col_indices[row_offsets[r] .. row_offsets[r + 1]), ascending.
struct csr_matrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  /// rows + 1 offsets into col_indices, starting at 0.
  std::vector<std::int64_t> row_offsets{0};
  /// The column of each stored entry, ascending and distinct within a row.
  std::vector<std::int32_t> col_indices;
  /// The value of each stored entry, or empty for a structure-only matrix (a pattern file or a generator).
  std::vector<double> values;

  /// Stored entries.
  std::int64_t nnz() const { return static_cast<std::int64_t>(col_indices.size()); }
  /// Stored entries of row r.
  std::int64_t row_length(std::int64_t r) const {
    return row_offsets[static_cast<std::size_t>(r + 1)] - row_offsets[static_cast<std::size_t>(r)];
  }
};

/// Row lengths of a matrix at a glance.
struct row_length_stats {
  std::int64_t min = 0;
  std::int64_t max = 0;
  double mean = 0;
  double stddev = 0;
  std::int64_t empty_rows = 0;
};

/// The distribution of stored entries per row.
inline row_length_stats row_lengths(const csr_matrix& a) {
  row_length_stats s;
  if (a.rows == 0) return s;
  s.min = std::numeric_limits<std::int64_t>::max();
  double sum_sq = 0;
  for (std::int64_t r = 0; r < a.rows; ++r) {
    const std::int64_t length = a.row_length(r);
    s.min = std::min(s.min, length);
    s.max = std::max(s.max, length);
    s.empty_rows += length == 0;
    sum_sq += static_cast<double>(length) * static_cast<double>(length);
  }
  s.mean = static_cast<double>(a.nnz()) / static_cast<double>(a.rows);
  s.stddev = std::sqrt(std::max(0.0, sum_sq / static_cast<double>(a.rows) - s.mean * s.mean));
  return s;
}

/// Checks the invariants above; throws std::invalid_argument naming the first one broken.
inline void validate(const csr_matrix& a) {
  const auto fail = [](const std::string& what) { throw std::invalid_argument("csr_matrix: " + what); };
  if (a.rows < 0 || a.cols < 0) fail("rows and cols must not be negative");
  if (a.cols > std::numeric_limits<std::int32_t>::max()) fail("cols must fit 32-bit column indices");
  if (static_cast<std::int64_t>(a.row_offsets.size()) != a.rows + 1) fail("row_offsets must hold rows + 1 entries");
  if (a.row_offsets.front() != 0) fail("row_offsets must start at 0");
  if (a.row_offsets.back() != a.nnz()) fail("row_offsets must end at the number of column indices");
  if (!a.values.empty() && a.values.size() != a.col_indices.size()) fail("values must be empty or one per entry");
  for (std::int64_t r = 0; r < a.rows; ++r) {
    const auto begin = a.row_offsets[static_cast<std::size_t>(r)], end = a.row_offsets[static_cast<std::size_t>(r + 1)];
    if (end < begin) fail("row_offsets must not decrease (row " + std::to_string(r) + ")");
    for (auto k = begin; k < end; ++k) {
      const std::int32_t c = a.col_indices[static_cast<std::size_t>(k)];
      if (c < 0 || c >= a.cols) fail("column index out of range in row " + std::to_string(r));
      if (k > begin && c <= a.col_indices[static_cast<std::size_t>(k - 1)])
        fail("column indices must ascend within row " + std::to_string(r));
    }
  }
}

}  // namespace cubench
