#include "doctor_report.hpp"

#include <nlohmann/json.hpp>

namespace cubench {

std::string_view verdict_name(doctor_verdict verdict) {
  switch (verdict) {
    case doctor_verdict::ok:
      return "ok";
    case doctor_verdict::warn:
      return "warn";
    case doctor_verdict::error:
      return "error";
  }
  return "error";
}

doctor_finding make_finding(std::string check, std::string subject, doctor_verdict verdict, std::string summary,
                            std::string fix) {
  doctor_finding finding;
  finding.check = std::move(check);
  finding.subject = std::move(subject);
  finding.verdict = verdict;
  finding.summary = std::move(summary);
  finding.fix = std::move(fix);
  return finding;
}

void doctor_report::add(std::vector<doctor_finding> more) {
  for (auto& finding : more) findings.push_back(std::move(finding));
}

int doctor_report::count(doctor_verdict verdict) const {
  int n = 0;
  for (const auto& finding : findings) n += finding.verdict == verdict ? 1 : 0;
  return n;
}

int doctor_report::exit_status() const { return count(doctor_verdict::error) > 0 ? 1 : 0; }

void write_doctor_text(const doctor_report& report, std::ostream& out) {
  const std::string indent(9, ' ');
  std::string current_check;
  for (const auto& finding : report.findings) {
    if (finding.check != current_check) {
      out << (current_check.empty() ? "" : "\n") << "== " << finding.check << " ==\n";
      current_check = finding.check;
    }
    std::string tag = "[" + std::string(verdict_name(finding.verdict)) + "]";
    tag.resize(indent.size(), ' ');
    out << tag << finding.subject << ": " << finding.summary << "\n";
    for (const auto& detail : finding.details) out << indent << "  " << detail << "\n";
    if (!finding.fix.empty()) out << indent << "fix: " << finding.fix << "\n";
  }
  out << "\nsummary: " << report.count(doctor_verdict::ok) << " ok, " << report.count(doctor_verdict::warn)
      << " warn, " << report.count(doctor_verdict::error) << " error\n";
}

void write_doctor_json(const doctor_report& report, std::ostream& out) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& finding : report.findings) {
    checks.push_back({{"check", finding.check},
                      {"subject", finding.subject},
                      {"verdict", verdict_name(finding.verdict)},
                      {"summary", finding.summary},
                      {"details", finding.details},
                      {"fix", finding.fix}});
  }
  const nlohmann::ordered_json document = {{"checks", checks},
                                           {"counts",
                                            {{"ok", report.count(doctor_verdict::ok)},
                                             {"warn", report.count(doctor_verdict::warn)},
                                             {"error", report.count(doctor_verdict::error)}}},
                                           {"exit_status", report.exit_status()}};
  out << document.dump(2) << "\n";
}

}  // namespace cubench
