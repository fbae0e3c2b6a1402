// `bench toolkits` output: what discovery found, as text for people and as JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "toolkit_discovery.hpp"

namespace cubench {

/// Writes one block per toolkit (nvcc, host compiler, libraries, problems), then the skipped folders.
void write_toolkits_text(const discovery_result& found, std::ostream& out);

/// The same information as a JSON object with "toolkits", "skipped" and "host_compilers".
nlohmann::json toolkits_json(const discovery_result& found);

}  // namespace cubench
