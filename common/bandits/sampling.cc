#include "common/bandits/sampling.h"

#include <cmath>
#include <limits>

namespace entropic::bandits {

double Uniform01(BanditRng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

int64_t UniformIndex(BanditRng& rng, int64_t n) {
  const uint64_t range = static_cast<uint64_t>(n);
  // Draws at or above the largest multiple of n would favour small values.
  const uint64_t limit = std::numeric_limits<uint64_t>::max() -
                         std::numeric_limits<uint64_t>::max() % range;
  uint64_t value;
  do {
    value = rng();
  } while (value >= limit);
  return static_cast<int64_t>(value % range);
}

double StandardNormal(BanditRng& rng) {
  double x, y, s;
  do {
    x = 2 * Uniform01(rng) - 1;
    y = 2 * Uniform01(rng) - 1;
    s = x * x + y * y;
  } while (s >= 1 || s == 0);
  return x * std::sqrt(-2 * std::log(s) / s);
}

double Gamma(BanditRng& rng, double shape) {
  if (shape < 1) {
    // 1 - U is in (0, 1]: never log(0).
    return Gamma(rng, shape + 1) * std::pow(1 - Uniform01(rng), 1 / shape);
  }
  const double d = shape - 1.0 / 3;
  const double c = 1 / std::sqrt(9 * d);
  while (true) {
    double x, v;
    do {
      x = StandardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1 - Uniform01(rng);
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
  }
}

double Beta(BanditRng& rng, double a, double b) {
  const double x = Gamma(rng, a);
  const double y = Gamma(rng, b);
  return x / (x + y);
}

}  // namespace entropic::bandits
