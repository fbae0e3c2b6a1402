// Seeded sparse-matrix generators for SpMM at any scale: uniform random, banded, power-law (R-MAT),
// block-diagonal, and one dense row among sparse ones. A suite names one as `gen:KIND:key=value:...`.
// Each row is drawn from its own generator, seeded by the spec's seed and the row, so the result is the same
// bits for any number of threads; the output holds the structure only (the SpMM cases draw the values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "csr_matrix.hpp"

namespace cubench {

/// A parsed generator spec; which fields matter depends on the kind (docs/spmm.md lists them).
struct generator_spec {
  std::string kind;            // uniform, banded, rmat, blockdiag, denserow
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t nnz = 0;        // uniform: expected stored entries
  std::int64_t bandwidth = 0;  // banded: entries on each side of the diagonal
  std::int64_t block = 0;      // blockdiag: rows (and columns) of a diagonal block
  std::int64_t per_row = 0;    // denserow: expected entries of a sparse row
  std::int64_t dense_rows = 1; // denserow: rows with every column stored
  int scale = 0;               // rmat: 2^scale rows and columns
  std::int64_t edges = 0;      // rmat: edges drawn, before duplicates merge
  double a = 0.57, b = 0.19, c = 0.19;  // rmat: quadrant probabilities (d = 1 - a - b - c)
  double fill = 1.0;           // banded, blockdiag: probability that an entry of the band or block is stored
  std::uint64_t seed = 1;
};

/// Whether a suite's matrix cell names a generator (`gen:...`) rather than a .mtx file.
bool is_generator_spec(std::string_view text);

/// Parses `gen:KIND:key=value:...` (sizes take K, M, G suffixes, powers of 1000); throws std::invalid_argument
/// whose message says what was expected, e.g. "gen:rmat with scale=1..30 and edges=... ('edges' is missing)".
generator_spec parse_generator_spec(std::string_view text);

/// The canonical text of a spec: every key of its kind in a fixed order, sizes with the largest exact suffix.
std::string to_string(const generator_spec& spec);

/// Generates the matrix on `threads` threads (0: one per hardware thread); the result does not depend on it.
csr_matrix generate_matrix(const generator_spec& spec, unsigned threads = 0);

}  // namespace cubench
