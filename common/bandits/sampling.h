#ifndef ENTROPIC_COMMON_BANDITS_SAMPLING_H_
#define ENTROPIC_COMMON_BANDITS_SAMPLING_H_

#include <cstdint>
#include <random>

namespace entropic::bandits {

// The random source of bandit agents. The draws below are written out
// instead of taken from <random>'s distributions, whose algorithms each
// standard library picks for itself: a seeded agent pulls the same arms on
// every platform, and tests can pin exact sequences.
using BanditRng = std::mt19937_64;

// Uniform on [0, 1), from the top 53 bits of one draw.
double Uniform01(BanditRng& rng);

// Uniform on {0, ..., n - 1} (n >= 1), without modulo bias.
int64_t UniformIndex(BanditRng& rng, int64_t n);

// Standard normal, by Marsaglia's polar method (one value per call; the
// pair's second value is discarded, so every call consumes whole pairs).
double StandardNormal(BanditRng& rng);

// Gamma(shape, 1), shape > 0: Marsaglia and Tsang (2000) for shape >= 1;
// below 1, Gamma(shape + 1) * U^(1 / shape).
double Gamma(BanditRng& rng, double shape);

// Beta(a, b), a, b > 0: X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
double Beta(BanditRng& rng, double a, double b);

}  // namespace entropic::bandits

#endif  // ENTROPIC_COMMON_BANDITS_SAMPLING_H_
