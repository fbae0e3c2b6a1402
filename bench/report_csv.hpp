// compare.csv: one row per case and candidate with every statistic, RFC 4180, units in the column names.
#pragma once

#include <string>
#include <vector>

#include "report_writer.hpp"

namespace cubench {

/// Writes compare.csv in the report's order (most severe first).
class csv_report : public report_writer {
 public:
  void write(const compare_report& report, std::ostream& out) const override;
};

/// The header of compare.csv.
const std::vector<std::string>& compare_csv_header();

}  // namespace cubench
