// `bench merge`: joining run folders (the shards of one run, or runs of several machines) into one for compare.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "run_folder.hpp"

namespace cubench {

/// Joins finished run folders into `out` (a new, locked run folder): their results and samples with run_id set to
/// `run_id`, their runs/ files combined, and a manifest naming the parts. Throws run_folder_error when an input is
/// not a finished run, when the inputs ran different suites, or when two of them hold the same case, toolkit and
/// GPU.
run_manifest merge_runs(const run_folder& out, const std::string& run_id,
                        const std::vector<std::filesystem::path>& inputs, const std::vector<std::string>& command_line);

}  // namespace cubench
