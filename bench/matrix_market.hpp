// The Matrix Market reader: coordinate files of real, integer or pattern entries, general, symmetric or
// skew-symmetric (expanded to both triangles), with comments and blank lines anywhere after the banner.
// Every error names file:line:column, what was expected and what was found.
#pragma once

#include <stdexcept>
#include <string>

#include "csr_matrix.hpp"

namespace cubench {

/// A file that is not a Matrix Market coordinate matrix this reader takes; the message starts with `file:line:column:`.
class matrix_market_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What to do with an entry that appears twice (after a symmetric file is expanded).
enum class duplicate_policy { sum, reject };

/// How to read a file.
struct matrix_market_options {
  duplicate_policy duplicates = duplicate_policy::sum;
};

/// Reads a .mtx file into CSR: 0-based, columns ascending within each row; a pattern file gives no values and
/// a skew-symmetric one mirrors each entry negated. Throws matrix_market_error on a bad or unreadable file.
csr_matrix read_matrix_market(const std::string& path, const matrix_market_options& options = {});

}  // namespace cubench
