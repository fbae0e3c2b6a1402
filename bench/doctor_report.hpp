// What `bench doctor` found: one verdict per check with its fix, printed for people or as JSON.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cubench {

/// How bad one finding is; an error makes `bench doctor` exit with status 1.
enum class doctor_verdict { ok, warn, error };

/// "ok", "warn" or "error".
std::string_view verdict_name(doctor_verdict verdict);

/// One check's outcome about one subject (a GPU, a toolkit, a library, a Python package).
struct doctor_finding {
  /// The check it belongs to: driver, toolkits, environment, python, extensions or container.
  std::string check;
  /// What it is about, e.g. "GPU 0", "CUDA 12.4", "libcusparse".
  std::string subject;
  /// ok, warn or error.
  doctor_verdict verdict = doctor_verdict::ok;
  /// One sentence: what was found.
  std::string summary;
  /// Supporting facts, one per line: paths, versions, the text of an error.
  std::vector<std::string> details;
  /// One sentence: what to do; empty when nothing needs doing.
  std::string fix;
};

/// A finding of `check` about `subject`, without details.
doctor_finding make_finding(std::string check, std::string subject, doctor_verdict verdict, std::string summary,
                            std::string fix = "");

/// Every finding, in check order.
struct doctor_report {
  /// Findings of all checks, grouped by check in the order they ran.
  std::vector<doctor_finding> findings;

  /// Appends `more` at the end.
  void add(std::vector<doctor_finding> more);
  /// How many findings have `verdict`.
  int count(doctor_verdict verdict) const;
  /// 1 when any finding is an error, else 0.
  int exit_status() const;
};

/// Writes the readable report: a heading per check, one line per finding, its details and its fix.
void write_doctor_text(const doctor_report& report, std::ostream& out);

/// Writes the report as one JSON object: checks (an array of findings), counts and exit_status.
void write_doctor_json(const doctor_report& report, std::ostream& out);

}  // namespace cubench
