// What the convolution tests share: small-integer tensors, for which every product and sum is exact in fp64.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace cubench {

/// `count` seeded integers in [-4, 4], as doubles.
inline std::vector<double> small_integers(std::int64_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-4, 4);
  std::vector<double> v(static_cast<std::size_t>(count));
  for (auto& x : v) x = value(rng);
  return v;
}

}  // namespace cubench
