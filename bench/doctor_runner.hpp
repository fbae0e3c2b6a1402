// How the doctor's checks run other programs (ldconfig -p, the Python probe, nvcc --version), replaceable in tests.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace cubench {

/// How long the system runner lets one program take: importing torch and initializing CUDA can take a while.
inline constexpr std::chrono::milliseconds doctor_command_timeout{180000};

/// Runs argv and returns its exit status and output.
using command_runner = std::function<process_result(const std::vector<std::string>& argv)>;

}  // namespace cubench
