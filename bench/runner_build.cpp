#include "runner_build.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sha256.hpp"
#include "subprocess.hpp"

namespace cubench {
namespace {

namespace fs = std::filesystem;

bool has_source_extension(const fs::path& path) {
  static const std::array<std::string_view, 8> extensions = {".cpp", ".hpp", ".h", ".cu", ".cuh", ".txt", ".cmake", ".in"};
  const std::string extension = path.extension().string();
  return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

// Every file under `dir` (filtered by extension unless `all_files`), as "<label>/<relative path>" -> absolute path.
void collect_files(const fs::path& dir, std::string_view label, bool all_files,
                   std::vector<std::pair<std::string, fs::path>>& files) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (!all_files && !has_source_extension(it->path())) continue;
    files.emplace_back(std::string(label) + "/" + fs::relative(it->path(), dir, ec).generic_string(), it->path());
  }
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(path, ec);
  return (ec ? fs::path(path) : absolute).lexically_normal().string();
}

std::string joined_command(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& arg : command) out += (out.empty() ? "" : " ") + arg;
  return out;
}

// The static archives a runner linked with -DCUBENCH_STATIC_CUDA=ON needs from its toolkit.
std::string missing_static_libraries(const toolkit_info& toolkit) {
  std::string missing;
  for (const char* file :
       {"libcudart_static.a", "libcublas_static.a", "libcublasLt_static.a", "libcusparse_static.a", "libculibos.a"})
    if (toolkit.find_library_file(file).empty()) missing += (missing.empty() ? "" : ", ") + std::string(file);
  return missing;
}

// From the first line that mentions an error on (the compiler's first complaint), else the end of the output.
std::string error_excerpt(const std::string& output) {
  constexpr std::size_t max_lines = 20;
  std::istringstream lines(output);
  std::vector<std::string> all;
  for (std::string line; std::getline(lines, line);) all.push_back(line);
  const auto first_error = std::find_if(all.begin(), all.end(), [](const std::string& line) {
    std::string lower(line);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower.find("error") != std::string::npos;
  });
  const std::size_t begin = first_error != all.end() ? static_cast<std::size_t>(first_error - all.begin())
                                                     : all.size() - std::min(all.size(), max_lines);
  std::string out;
  for (std::size_t i = begin; i < all.size() && i < begin + max_lines; ++i) out += all[i] + "\n";
  return out;
}

}  // namespace

std::string_view to_string(link_mode mode) { return mode == link_mode::shared ? "shared" : "static"; }

std::optional<link_mode> parse_link_mode(std::string_view text) {
  if (text == "shared") return link_mode::shared;
  if (text == "static") return link_mode::static_libraries;
  return std::nullopt;
}

std::string_view to_string(build_status status) {
  switch (status) {
    case build_status::built: return "built";
    case build_status::up_to_date: return "up to date";
    case build_status::failed: return "failed";
  }
  return "failed";
}

std::string check_cuda_architectures(std::string_view architectures) {
  std::size_t start = 0;
  int item = 0;
  while (start <= architectures.size()) {
    std::size_t end = architectures.find(';', start);
    if (end == std::string_view::npos) end = architectures.size();
    const std::string_view arch = architectures.substr(start, end - start);
    ++item;
    std::size_t i = 0;
    while (i < arch.size() && std::isdigit(static_cast<unsigned char>(arch[i]))) ++i;
    if (i < arch.size() && (arch[i] == 'a' || arch[i] == 'f')) ++i;
    const std::string_view suffix = arch.substr(i);
    const bool numbered = i > 0 && std::isdigit(static_cast<unsigned char>(arch[0])) &&
                          (suffix.empty() || suffix == "-real" || suffix == "-virtual");
    if (!numbered && arch != "all" && arch != "all-major" && arch != "native")
      return "--cuda-architectures '" + std::string(architectures) + "', item " + std::to_string(item) + " (column " +
             std::to_string(start + 1) + "): expected an architecture such as 80, 90-real, 90a-virtual or all-major, found '" +
             std::string(arch) + "'";
    start = end + 1;
  }
  return "";
}

std::string hash_runner_sources(const build_options& options) {
  const fs::path source(options.source_dir);
  const fs::path kernels = options.kernels_dir.empty() ? source / "kernels" : fs::path(options.kernels_dir);
  std::vector<std::pair<std::string, fs::path>> files;
  collect_files(kernels, "kernels", false, files);
  collect_files(source / "bench", "bench", false, files);
  collect_files(source / "cmake", "cmake", true, files);
  // The GPU tests are built beside the runner (kernels/CMakeLists.txt).
  collect_files(source / "tests" / "gpu", "tests/gpu", false, files);
  std::sort(files.begin(), files.end());
  sha256 hash;
  for (const auto& [name, path] : files) {
    hash.field(name);
    hash.field(read_file(path.string()));
  }
  return hash.hex();
}

runner_build_plan plan_runner_build(const toolkit_info& toolkit, const build_options& options,
                                    const std::string& sources_hash) {
  runner_build_plan plan;
  plan.toolkit = &toolkit;
  plan.name = toolkit.name() + (options.link == link_mode::static_libraries ? "-static" : "");
  plan.dir = absolute_path(options.build_dir + "/runners/" + plan.name);
  plan.runner = plan.dir + "/bench-runner";
  plan.log_path = plan.dir + "/build.log";
  plan.key_path = plan.dir + "/cubench-build.key";

  const auto& compiler = toolkit.host_compiler.compiler;
  if (!compiler) plan.problem = toolkit.host_compiler.problem;
  if (options.link == link_mode::static_libraries)
    if (const std::string missing = missing_static_libraries(toolkit); !missing.empty())
      plan.problem += (plan.problem.empty() ? "" : "; ") + std::string("static linking needs ") + missing +
                      ", not found in " + (toolkit.library_dirs.empty() ? toolkit.root : toolkit.library_dirs.front()) +
                      " (scripts/install-toolkit installs them unless run with --no-static)";

  const std::string source_dir = absolute_path(options.source_dir);
  const std::string kernels_dir =
      options.kernels_dir.empty() ? source_dir + "/kernels" : absolute_path(options.kernels_dir);
  const std::string host_compiler = compiler ? compiler->path : "";
  plan.configure_command = {"cmake",
                            "-S", kernels_dir,
                            "-B", plan.dir,
                            "-G", "Ninja",
                            "-DCMAKE_BUILD_TYPE=Release",
                            "-DCMAKE_CUDA_COMPILER=" + toolkit.nvcc_path,
                            "-DCUDAToolkit_ROOT=" + toolkit.root,
                            "-DCMAKE_CUDA_HOST_COMPILER=" + host_compiler,
                            "-DCMAKE_CXX_COMPILER=" + host_compiler,
                            "-DCMAKE_CUDA_ARCHITECTURES=" + options.cuda_architectures,
                            std::string("-DCUBENCH_STATIC_CUDA=") +
                                (options.link == link_mode::static_libraries ? "ON" : "OFF"),
                            "-DCUBENCH_TOOLKIT_VERSION=" + toolkit.version().major_minor(),
                            "-DCUBENCH_SOURCE_DIR=" + source_dir};
  if (!options.cudnn_frontend_include_dir.empty())
    plan.configure_command.push_back("-DCUBENCH_CUDNN_FRONTEND_INCLUDE_DIR=" +
                                     absolute_path(options.cudnn_frontend_include_dir));
  if (options.use_ccache && !find_executable("ccache", environment_path()).empty()) {
    plan.configure_command.push_back("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache");
    plan.configure_command.push_back("-DCMAKE_CUDA_COMPILER_LAUNCHER=ccache");
  }
  plan.build_command = {"cmake", "--build", plan.dir};
  if (options.jobs > 0) {
    plan.build_command.push_back("--parallel");
    plan.build_command.push_back(std::to_string(options.jobs));
  }

  sha256 configure_hash;
  configure_hash.field(toolkit.root);
  configure_hash.field(toolkit.nvcc.full.text());
  configure_hash.field(host_compiler);
  configure_hash.field(compiler ? compiler->version.text() : "");
  for (const auto& arg : plan.configure_command) configure_hash.field(arg);
  // Installing the headers after a build that lacked them, or other headers in their place, configures afresh.
  if (!options.cudnn_frontend_include_dir.empty())
    configure_hash.field(read_file(options.cudnn_frontend_include_dir + "/cudnn_frontend_version.h"));
  plan.configure_key = configure_hash.hex();
  sha256 key_hash;
  key_hash.field(plan.configure_key);
  key_hash.field(sources_hash);
  plan.key = key_hash.hex();

  std::string stored_key;
  std::string stored_configure_key;
  std::istringstream stored(read_file(plan.key_path));
  for (std::string name, value; stored >> name >> value;) {
    if (name == "key") stored_key = value;
    if (name == "configure") stored_configure_key = value;
  }
  std::error_code ec;
  plan.up_to_date = plan.problem.empty() && stored_key == plan.key && fs::is_regular_file(plan.runner, ec) &&
                    ::access(plan.runner.c_str(), X_OK) == 0;
  plan.fresh_configure = stored_configure_key != plan.configure_key;
  if (plan.fresh_configure) plan.configure_command.insert(plan.configure_command.begin() + 1, "--fresh");
  return plan;
}

build_report execute_runner_build(const runner_build_plan& plan) {
  build_report report;
  if (!plan.problem.empty()) {
    report.error = plan.problem;
    return report;
  }
  if (plan.up_to_date) {
    report.status = build_status::up_to_date;
    return report;
  }
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&](build_status status) {
    report.status = status;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
  };

  std::error_code ec;
  fs::create_directories(plan.dir, ec);
  if (ec) {
    report.error = "cannot create " + plan.dir + ": " + ec.message();
    return finish(build_status::failed);
  }
  // A build that stops half way must not leave a key that claims the runner is current.
  fs::remove(plan.key_path, ec);
  std::ofstream(plan.log_path, std::ios::trunc);

  process_options options;
  options.log_path = plan.log_path;
  const bool configure = plan.fresh_configure || !fs::exists(plan.dir + "/CMakeCache.txt", ec);
  std::vector<std::pair<std::string_view, const std::vector<std::string>*>> steps;
  if (configure) steps.emplace_back("configure", &plan.configure_command);
  steps.emplace_back("build", &plan.build_command);
  for (const auto& [step, command] : steps) {
    std::ofstream(plan.log_path, std::ios::app) << "$ " << joined_command(*command) << "\n";
    const auto result = run_process(*command, options);
    if (!result.succeeded()) {
      report.error = std::string(step) + " failed (" + result.describe_failure(options.timeout) + "); log: " + plan.log_path;
      report.error_excerpt = error_excerpt(result.output);
      return finish(build_status::failed);
    }
  }
  if (!fs::is_regular_file(plan.runner, ec)) {
    report.error = "the build succeeded but did not produce " + plan.runner + "; log: " + plan.log_path;
    return finish(build_status::failed);
  }
  std::ofstream(plan.key_path, std::ios::trunc) << "key " << plan.key << "\nconfigure " << plan.configure_key << "\n";
  return finish(build_status::built);
}

}  // namespace cubench
