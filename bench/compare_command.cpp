#include "compare_command.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "compare.hpp"
#include "report_html.hpp"
#include "report_writer.hpp"
#include "results_reader.hpp"
#include "version_parsing.hpp"

namespace cubench {
namespace {

std::vector<report_format> parse_formats(const std::string& list, bool to_files) {
  if (list.empty()) return to_files ? all_report_formats() : std::vector<report_format>{report_format::terminal};
  std::vector<report_format> formats;
  for (const std::string& item : split_list(list)) {
    if (item.empty()) continue;
    const auto format = parse_report_format(item);
    if (!format) {
      std::string known;
      for (report_format f : all_report_formats()) known += (known.empty() ? "" : ", ") + std::string(to_string(f));
      throw std::invalid_argument("--format: expected one of " + known + ", found '" + item + "'");
    }
    formats.push_back(*format);
  }
  return formats;
}

// NO_COLOR (no-color.org): set to anything but the empty string, it turns colour off.
bool colour_wanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(fileno(stdout)) == 1 && (no_color == nullptr || *no_color == '\0');
}

}  // namespace

int run_compare(const compare_arguments& arguments, std::ostream& out, std::ostream& err, bool colour) {
  try {
    if (arguments.inputs.empty()) throw std::invalid_argument("expected at least one results directory or CSV");
    const auto formats = parse_formats(arguments.formats, !arguments.out_dir.empty());
    report_settings settings;
    settings.colour = colour;
    settings.fail_on = parse_fail_on(arguments.fail_on);
    settings.chart_script = embedded_chart_js();

    compare_options options;
    options.baseline = arguments.baseline;
    options.min_effect = arguments.min_effect;
    options.alpha = arguments.alpha;
    options.drift_factor = arguments.drift_factor;
    options.across_gpus = arguments.across_gpus;

    std::vector<run_input> inputs;
    for (const auto& path : arguments.inputs) inputs.push_back(read_run(path));
    const compare_report report = compare_runs(std::move(inputs), options);

    if (!arguments.out_dir.empty()) std::filesystem::create_directories(arguments.out_dir);
    for (report_format format : formats) {
      const auto writer = make_report_writer(format, settings);
      if (arguments.out_dir.empty() || format == report_format::terminal) {
        writer->write(report, out);
        continue;
      }
      const std::string path = (std::filesystem::path(arguments.out_dir) / report_file_name(format)).string();
      std::ofstream file(path, std::ios::binary);
      writer->write(report, file);
      file.close();
      if (!file) throw std::runtime_error(path + ": cannot write the " + std::string(to_string(format)) + " report");
      err << "bench compare: wrote " << path << "\n";
    }
    return crosses_gate(report, settings.fail_on) ? 1 : 0;
  } catch (const std::exception& e) {
    err << "bench compare: " << e.what() << "\n";
    return exit_usage_error;
  }
}

void register_compare_command(CLI::App& app) {
  auto arguments = std::make_shared<compare_arguments>();
  auto* command = app.add_subcommand(
      "compare", "Compare result CSVs across toolkits and runs: verdicts, reports and a CI gate (docs/compare.md)");
  command->add_option("inputs", arguments->inputs, "Run directories (results.csv, samples.csv) or results CSV files")
      ->required();
  command->add_option("--baseline", arguments->baseline,
                      "Toolkit (or toolkit@run_id) to compare against; default: the first toolkit given");
  command->add_option("--min-effect", arguments->min_effect,
                      "Smallest change of the median that counts as slower or faster")
      ->default_val(0.02)
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--alpha", arguments->alpha, "Significance level of the Mann-Whitney U test")
      ->default_val(0.01)
      ->check(CLI::Range(1e-9, 0.5));
  command->add_option("--drift-factor", arguments->drift_factor,
                      "Growth of norm_rel_err over the baseline that counts as drift")
      ->default_val(4.0)
      ->check(CLI::Range(1.0, 1e12));
  command->add_option("--fail-on", arguments->fail_on, "Findings that make the exit status 1, comma-separated")
      ->default_val(arguments->fail_on);
  command->add_flag("--across-gpus", arguments->across_gpus,
                    "Compare the GPUs too: each GPU of each toolkit and run is a side, labelled e.g. '13.0 gpu1'; "
                    "the first GPU of the baseline toolkit is the baseline");
  command->add_option("--out", arguments->out_dir, "Directory for compare.csv, summary.md, junit.xml, report.html");
  command->add_option("--format", arguments->formats,
                      "Comma-separated: terminal, csv, markdown, junit, html; default: terminal, plus every file "
                      "format with --out. Without --out, formats go to standard output");
  command->callback([arguments] {
    const int status = run_compare(*arguments, std::cout, std::cerr, colour_wanted());
    if (status != 0) throw command_exit{status};
  });
}

}  // namespace cubench
