// Joining text with a separator, as messages, notes and reports list things.
#pragma once

#include <string>
#include <string_view>

namespace cubench {

/// The parts (strings or string views) in order, `separator` between each two.
template <typename Parts>
std::string join(const Parts& parts, std::string_view separator) {
  std::string text;
  for (const auto& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

}  // namespace cubench
