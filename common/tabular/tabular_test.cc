// Exact soft value iteration, occupancies and MaxEnt IRL, against values
// recorded from an independent implementation
// (../shared/testdata/maxent/reasonable_mdp.json, see its README), cases
// worked by hand, and properties that must hold.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "common/demonstrations.h"
#include "common/tabular/demonstration_visitation.h"
#include "common/tabular/gridworld.h"
#include "common/tabular/maxent_irl.h"
#include "common/tabular/mdp.h"
#include "common/tabular/soft_value_iteration.h"
#include "common/tensor.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace entropic::tabular {
namespace {

nlohmann::json ReasonableMdpJson() {
  std::ifstream file(std::string(ENTROPIC_SHARED_DIR) +
                     "/testdata/maxent/reasonable_mdp.json");
  EXPECT_TRUE(file.good()) << "missing ../shared/testdata/maxent";
  std::stringstream text;
  text << file.rdbuf();
  return nlohmann::json::parse(text.str());
}

Mdp ReasonableMdp(const nlohmann::json& json) {
  Mdp mdp;
  const auto& transition = json.at("transition");
  mdp.num_states = static_cast<int>(transition.size());
  mdp.num_actions = static_cast<int>(transition[0].size());
  for (const auto& per_state : transition) {
    for (const auto& per_action : per_state) {
      for (double p : per_action) mdp.transition.push_back(p);
    }
  }
  mdp.reward = SpreadStateReward(json.at("reward").get<std::vector<double>>(),
                                 mdp.num_actions);
  mdp.initial = json.at("initial").get<std::vector<double>>();
  return mdp;
}

TEST(SoftValueIterationTest, ReproducesTheReferenceValuesPolicyAndVisitation) {
  const nlohmann::json json = ReasonableMdpJson();
  const Mdp mdp = ReasonableMdp(json);
  ASSERT_TRUE(mdp.Validate().ok()) << mdp.Validate();
  const int horizon = json.at("horizon").get<int>();
  ASSERT_EQ(json.at("cases").size(), 4u);
  for (const nlohmann::json& c : json.at("cases")) {
    const double discount = c.at("discount").get<double>();
    SCOPED_TRACE(::testing::Message() << "discount " << discount);
    absl::StatusOr<FiniteHorizonSolution> solution =
        SoftValueIterationFiniteHorizon(mdp, horizon, discount, 1.0);
    ASSERT_TRUE(solution.ok()) << solution.status();
    const auto v0 = c.at("V0").get<std::vector<double>>();
    const auto pi0 = c.at("pi0").get<std::vector<std::vector<double>>>();
    for (int s = 0; s < mdp.num_states; ++s) {
      EXPECT_NEAR(solution->V(0, s), v0[s], 1e-6) << "state " << s;
      for (int a = 0; a < mdp.num_actions; ++a) {
        EXPECT_NEAR(solution->Pi(0, s, a), pi0[s][a], 1e-6)
            << "state " << s << " action " << a;
      }
    }
    const std::vector<double> visitation = DiscountedVisitation(
        StateOccupancies(mdp, *solution), mdp.num_states, discount);
    const auto expected =
        c.at("state_visitation_discounted_sum").get<std::vector<double>>();
    for (int s = 0; s < mdp.num_states; ++s) {
      EXPECT_NEAR(visitation[s], expected[s], 1e-6) << "state " << s;
    }
  }
}

TEST(SoftValueIterationTest, OccupanciesSumToTheHorizonPlusOne) {
  const Mdp mdp = ReasonableMdp(ReasonableMdpJson());
  for (int horizon : {1, 5, 20}) {
    absl::StatusOr<FiniteHorizonSolution> solution =
        SoftValueIterationFiniteHorizon(mdp, horizon, 1.0, 0.5);
    ASSERT_TRUE(solution.ok());
    const std::vector<double> occupancies = StateOccupancies(mdp, *solution);
    for (int t = 0; t <= horizon; ++t) {
      EXPECT_NEAR(
          std::accumulate(occupancies.begin() + t * mdp.num_states,
                          occupancies.begin() + (t + 1) * mdp.num_states, 0.0),
          1.0, 1e-12);
    }
    const std::vector<double> visitation =
        DiscountedVisitation(occupancies, mdp.num_states, 1.0);
    EXPECT_NEAR(std::accumulate(visitation.begin(), visitation.end(), 0.0),
                horizon + 1, 1e-9);
  }
}

// One state; two actions, both staying there, with rewards 1 and 0.
Mdp OneStateRewardsOneAndZero() {
  Mdp mdp;
  mdp.num_states = 1;
  mdp.num_actions = 2;
  mdp.transition = {1, 1};
  mdp.reward = {1, 0};
  mdp.initial = {1};
  return mdp;
}

// The one-state MDP at temperature 0.5: with
// discount 0 the policy is softmax(r / alpha) and V = alpha log sum exp.
TEST(SoftValueIterationTest, DiscountZeroIsSoftmaxOfRewardOverTemperature) {
  const Mdp mdp = OneStateRewardsOneAndZero();
  const double alpha = 0.5;
  const double expected_pi = std::exp(2.0) / (std::exp(2.0) + 1);  // e^(1/.5)
  absl::StatusOr<InfiniteHorizonSolution> solution =
      SoftValueIteration(mdp, 0.0, alpha);
  ASSERT_TRUE(solution.ok());
  EXPECT_NEAR(solution->policy[0], expected_pi, 1e-12);
  EXPECT_NEAR(solution->values[0], 0.5 * std::log(std::exp(2.0) + 1), 1e-12);
  absl::StatusOr<FiniteHorizonSolution> finite =
      SoftValueIterationFiniteHorizon(mdp, 3, 0.0, alpha);
  ASSERT_TRUE(finite.ok());
  for (int t = 0; t < 3; ++t)
    EXPECT_NEAR(finite->Pi(t, 0, 0), expected_pi, 1e-12);
}

// The same one-state MDP with discount 0.5: V = 2 * (alpha log(e^2 + 1)),
// the geometric sum of the one-step soft value, and the policy is unchanged
// (both actions lead back to the same state).
TEST(SoftValueIterationTest, InfiniteHorizonIsTheDiscountedFixedPoint) {
  const Mdp mdp = OneStateRewardsOneAndZero();
  absl::StatusOr<InfiniteHorizonSolution> solution =
      SoftValueIteration(mdp, 0.5, 0.5);
  ASSERT_TRUE(solution.ok());
  EXPECT_NEAR(solution->values[0], 2 * 0.5 * std::log(std::exp(2.0) + 1), 1e-9);
  EXPECT_NEAR(solution->policy[0], std::exp(2.0) / (std::exp(2.0) + 1), 1e-12);
}

TEST(SoftValueIterationTest, BadInputIsRefusedNamingIt) {
  Mdp mdp = ReasonableMdp(ReasonableMdpJson());
  EXPECT_EQ(SoftValueIterationFiniteHorizon(mdp, 0, 1, 1).status().message(),
            "horizon: must be >= 1, got 0");
  EXPECT_NE(SoftValueIteration(mdp, 1.0, 1).status().message().find("discount"),
            std::string::npos);
  mdp.transition[0] = 0.5;  // row 0 no longer sums to 1
  EXPECT_NE(SoftValueIterationFiniteHorizon(mdp, 5, 1, 1)
                .status()
                .message()
                .find("transition: row 0"),
            std::string::npos);
}

// MaxEnt IRL from a zero reward recovers the expert's visitation, for each
// discount of the reference (the expert: the soft-optimal policy of the
// reference reward).
TEST(MaxEntIrlTest, RecoversTheExpertsVisitationOnTheReferenceMdp) {
  const nlohmann::json json = ReasonableMdpJson();
  const Mdp mdp = ReasonableMdp(json);
  for (const nlohmann::json& c : json.at("cases")) {
    MaxEntIrlOptions options;
    options.horizon = json.at("horizon").get<int>();
    options.discount = c.at("discount").get<double>();
    SCOPED_TRACE(::testing::Message() << "discount " << options.discount);
    const auto expert =
        c.at("state_visitation_discounted_sum").get<std::vector<double>>();
    absl::StatusOr<MaxEntIrlResult> result = MaxEntIrl(mdp, expert, options);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->converged) << result->largest_gap;
    for (int s = 0; s < mdp.num_states; ++s) {
      EXPECT_NEAR(result->visitation[s], expert[s], 1e-3) << "state " << s;
    }
    EXPECT_LT(result->iterations, 100);
  }
}

// On the gridworld, from the exact visitation of an expert that is
// soft-optimal at temperature 0.2: MaxEnt IRL at temperature 1 matches it,
// and the penalised version stays within lambda |theta| of it.
TEST(MaxEntIrlTest, MatchesAGridworldExpertWithAndWithoutPenalty) {
  const GridworldLayout layout = DefaultGridworld();
  const Mdp mdp = GridworldMdp(layout);
  absl::StatusOr<FiniteHorizonSolution> expert_policy =
      SoftValueIterationFiniteHorizon(mdp, layout.horizon, 1.0, 0.2);
  ASSERT_TRUE(expert_policy.ok());
  const std::vector<double> expert = DiscountedVisitation(
      StateOccupancies(mdp, *expert_policy), mdp.num_states, 1.0);
  MaxEntIrlOptions options;
  options.horizon = layout.horizon;
  for (const double penalty : {0.0, 0.01}) {
    SCOPED_TRACE(::testing::Message() << "l2_penalty " << penalty);
    options.l2_penalty = penalty;
    absl::StatusOr<MaxEntIrlResult> result = MaxEntIrl(mdp, expert, options);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->converged);
    double largest_reward = 0;
    for (double r : result->state_reward) {
      largest_reward = std::max(largest_reward, std::abs(r));
    }
    EXPECT_LT(result->largest_gap, 1e-5 + penalty * largest_reward);
    EXPECT_LT(VisitationTotalVariation(result->visitation, expert),
              penalty == 0 ? 1e-5 : 0.05);
  }
}

TEST(MaxEntIrlTest, VisitationOfTheWrongSizeIsRefused) {
  const Mdp mdp = ReasonableMdp(ReasonableMdpJson());
  EXPECT_EQ(MaxEntIrl(mdp, {1, 2}, MaxEntIrlOptions{}).status().message(),
            "expert_visitation: 2 entries for 5 states");
}

// Over H steps of the one-state MDP the policy takes the rewarding action
// with e / (e + 1) at every step (alpha 1, equal futures): H e / (e + 1).
TEST(SoftValueIterationTest, ExpectedReturnOfTheOneStateMdp) {
  const Mdp mdp = OneStateRewardsOneAndZero();
  absl::StatusOr<FiniteHorizonSolution> solution =
      SoftValueIterationFiniteHorizon(mdp, 4, 1.0, 1.0);
  ASSERT_TRUE(solution.ok());
  const double e = std::exp(1.0);
  EXPECT_NEAR(
      ExpectedReturn(*solution, StateOccupancies(mdp, *solution), mdp.reward),
      4 * e / (e + 1), 1e-12);
  // Judged by another reward: 2 for the second action only.
  EXPECT_NEAR(
      ExpectedReturn(*solution, StateOccupancies(mdp, *solution), {0, 2}),
      4 * 2 / (e + 1), 1e-12);
}

// Demonstrations in a world of 3 one-hot states, horizon 2:
//   episode 0: 0 -> 1 -> 2      episode 1: 0 -> 0 -> 1
// With discount 0.5, mu = mean of (1, .5, .25 at 0, 1, 2) and
// (1 + .5 at 0, .25 at 1): (1.25, .375, .125).
Demonstrations ThreeStateDemonstrations(int first_episode_steps) {
  auto one_hot = [](std::vector<int> states) {
    std::vector<float> rows;
    for (int s : states) {
      for (int i = 0; i < 3; ++i) rows.push_back(i == s ? 1.0f : 0.0f);
    }
    return MakeTensor<float>(rows, {static_cast<int64_t>(states.size()), 3});
  };
  std::vector<int> observations = {0, 1, 0, 0};
  std::vector<int> next = {1, 2, 0, 1};
  std::vector<uint8_t> truncated = {0, 1, 0, 1};
  if (first_episode_steps == 1) {  // episode 0 cut after one step
    observations = {0, 0, 0};
    next = {1, 0, 1};
    truncated = {1, 0, 1};
  }
  const int64_t n = static_cast<int64_t>(observations.size());
  std::map<std::string, v1::Tensor> arrays;
  arrays["observations"] = one_hot(observations);
  arrays["next_observations"] = one_hot(next);
  arrays["actions"] = MakeTensor<int64_t>(std::vector<int64_t>(n, 0), {n});
  arrays["rewards"] = MakeTensor<float>(std::vector<float>(n, 0), {n});
  arrays["terminated"] = MakeTensor<uint8_t>(std::vector<uint8_t>(n, 0), {n});
  arrays["truncated"] = MakeTensor<uint8_t>(truncated, {n});
  absl::StatusOr<Demonstrations> demonstrations =
      DemonstrationsFromArrays(arrays, "test", DemonstrationChunking{});
  EXPECT_TRUE(demonstrations.ok()) << demonstrations.status();
  return *demonstrations;
}

int ArgMax(absl::Span<const float> row) {
  return static_cast<int>(std::max_element(row.begin(), row.end()) -
                          row.begin());
}

TEST(DemonstrationVisitationTest, CountsEveryStateOfEachEpisodeAsByHand) {
  absl::StatusOr<std::vector<double>> visitation =
      DemonstrationVisitation(ThreeStateDemonstrations(2), ArgMax, 3,
                              /*horizon=*/2, /*discount=*/0.5);
  ASSERT_TRUE(visitation.ok()) << visitation.status();
  EXPECT_NEAR((*visitation)[0], 1.25, 1e-12);
  EXPECT_NEAR((*visitation)[1], 0.375, 1e-12);
  EXPECT_NEAR((*visitation)[2], 0.125, 1e-12);
}

TEST(DemonstrationVisitationTest, EpisodesShorterThanTheHorizonAreRefused) {
  EXPECT_EQ(
      DemonstrationVisitation(ThreeStateDemonstrations(1), ArgMax, 3, 2, 1.0)
          .status()
          .message(),
      "demonstrations: episode 0 has 1 steps; the environment's "
      "episodes last 2");
  EXPECT_EQ(DemonstrationVisitation(
                ThreeStateDemonstrations(2),
                [](absl::Span<const float>) { return -1; }, 3, 2, 1.0)
                .status()
                .message(),
            "demonstrations: step 0 of episode 0 shows no state of the "
            "environment");
}

TEST(DemonstrationVisitationTest, TotalVariationNormalisesFirst) {
  // (.5, .5) against (.75, .25): half of .25 + .25.
  EXPECT_DOUBLE_EQ(VisitationTotalVariation({1, 1}, {3, 1}), 0.25);
  EXPECT_DOUBLE_EQ(VisitationTotalVariation({2, 0}, {0, 5}), 1.0);
  EXPECT_DOUBLE_EQ(VisitationTotalVariation({1, 2, 3}, {2, 4, 6}), 0.0);
}

}  // namespace
}  // namespace entropic::tabular
