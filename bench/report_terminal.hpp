// The terminal table of `bench compare`: what needs attention first, in colour only when asked.
#pragma once

#include <set>
#include <utility>

#include "report_writer.hpp"

namespace cubench {

/// Lists the comparisons with findings, most severe first, then the counts, geometric means and the gate.
class terminal_report : public report_writer {
 public:
  /// `colour` adds ANSI colour to verdicts (the caller decides: a TTY, and NO_COLOR unset).
  terminal_report(bool colour, std::set<finding> fail_on) : colour_(colour), fail_on_(std::move(fail_on)) {}
  void write(const compare_report& report, std::ostream& out) const override;

 private:
  bool colour_;
  std::set<finding> fail_on_;
};

}  // namespace cubench
