#include "toolkit_report.hpp"

#include <filesystem>
#include <iomanip>
#include <sstream>

namespace cubench {
namespace {

std::string file_name(const std::string& path) {
  return path.empty() ? "-" : std::filesystem::path(path).filename().string();
}

void write_row(std::ostream& out, std::string_view label, const std::string& text) {
  out << "  " << std::left << std::setw(15) << label << text << "\n";
}

}  // namespace

void write_toolkits_text(const discovery_result& found, std::ostream& out) {
  if (found.toolkits.empty()) out << "No usable CUDA toolkit found.\n";
  for (const auto& toolkit : found.toolkits) {
    std::string also;
    for (const auto& path : toolkit.found_as)
      if (path != toolkit.root) also += (also.empty() ? "" : ", ") + path;
    out << "CUDA " << toolkit.version().major_minor() << "  " << toolkit.root
        << (also.empty() ? "" : "  (also found as " + also + ")") << "\n";
    write_row(out, "nvcc", toolkit.nvcc_path + "  V" + toolkit.nvcc.full.text());
    write_row(out, "cuda.h", toolkit.cuda_h_version.empty() ? "-" : toolkit.cuda_h_version);
    const auto& choice = toolkit.host_compiler;
    if (choice.compiler)
      write_row(out, "host compiler",
                choice.compiler->path + "  " + choice.compiler->version.text() + "  (nvcc accepts " + choice.accepted + ")");
    else
      write_row(out, "host compiler", "none: " + choice.problem);
    if (!choice.note.empty()) write_row(out, "", choice.note);
    for (const auto& library : toolkit.libraries) {
      if (!library.present) {
        write_row(out, library.name, "not found: " + library.reason);
        continue;
      }
      std::ostringstream line;
      line << std::left << std::setw(12) << (library.version.empty() ? "unknown" : library.version);
      if (library.key == "thrust")
        line << "headers " << library.header;
      else
        line << "shared " << std::setw(28) << file_name(library.shared_library) << "static "
             << file_name(library.static_library);
      write_row(out, library.name, line.str());
    }
    write_row(out, "NVML stub", toolkit.nvml_stub.empty() ? "-" : toolkit.nvml_stub);
    if (toolkit.problems.empty()) write_row(out, "problems", "none");
    for (const auto& problem : toolkit.problems) write_row(out, "problem", problem);
    out << "\n";
  }
  if (!found.skipped.empty()) out << "Skipped:\n";
  for (const auto& skipped : found.skipped) out << "  " << skipped.path << ": " << skipped.reason << "\n";
}

nlohmann::json toolkits_json(const discovery_result& found) {
  nlohmann::json toolkits = nlohmann::json::array();
  for (const auto& toolkit : found.toolkits) {
    nlohmann::json libraries = nlohmann::json::array();
    for (const auto& library : toolkit.libraries)
      libraries.push_back({{"key", library.key},
                           {"name", library.name},
                           {"present", library.present},
                           {"version", library.version},
                           {"header", library.header},
                           {"shared_library", library.shared_library},
                           {"static_library", library.static_library},
                           {"reason", library.reason}});
    const auto& choice = toolkit.host_compiler;
    toolkits.push_back({{"version", toolkit.version().major_minor()},
                        {"nvcc_version", toolkit.nvcc.full.text()},
                        {"root", toolkit.root},
                        {"found_as", toolkit.found_as},
                        {"nvcc", toolkit.nvcc_path},
                        {"cuda_h_version", toolkit.cuda_h_version},
                        {"host_compiler",
                         {{"path", choice.compiler ? choice.compiler->path : ""},
                          {"version", choice.compiler ? choice.compiler->version.text() : ""},
                          {"accepted", choice.accepted},
                          {"problem", choice.problem},
                          {"note", choice.note}}},
                        {"libraries", libraries},
                        {"nvml_stub", toolkit.nvml_stub},
                        {"problems", toolkit.problems}});
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& folder : found.skipped) skipped.push_back({{"path", folder.path}, {"reason", folder.reason}});
  nlohmann::json compilers = nlohmann::json::array();
  for (const auto& compiler : found.host_compilers)
    compilers.push_back({{"path", compiler.path}, {"version", compiler.version.text()}});
  return {{"toolkits", toolkits}, {"skipped", skipped}, {"host_compilers", compilers}};
}

}  // namespace cubench
