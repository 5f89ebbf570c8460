#include "common/env/bandit.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/env/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::StartsWith;

v1::EnvironmentSpec Spec(const std::string& id) {
  v1::EnvironmentSpec spec;
  spec.set_id(id);
  return spec;
}

std::unique_ptr<Environment> Make(const v1::EnvironmentSpec& spec) {
  auto env = MakeEnvironment(spec);
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *std::move(env) : nullptr;
}

// The arm orders numpy 1.24 gives for
// np.random.RandomState(seed).choice(range(11), size=11, replace=False),
// as bsuite's bandit draws them.
TEST(DeterministicBanditTest, ArmsAreShuffledAsNumpyShufflesBsuites) {
  EXPECT_THAT(DeterministicBandit::NumpyPermutation(11, 0),
              ElementsAre(4, 9, 2, 10, 6, 1, 7, 8, 3, 0, 5));
  EXPECT_THAT(DeterministicBandit::NumpyPermutation(11, 42),
              ElementsAre(5, 0, 9, 10, 2, 1, 8, 4, 7, 3, 6));
  EXPECT_THAT(DeterministicBandit::NumpyPermutation(11, 4294967295u),
              ElementsAre(10, 8, 5, 6, 1, 9, 0, 4, 7, 2, 3));
  // A longer one, whose draws are rejected more often.
  const std::vector<int> long_permutation =
      DeterministicBandit::NumpyPermutation(300, 5);
  EXPECT_THAT(
      std::vector<int>(long_permutation.begin(), long_permutation.begin() + 10),
      ElementsAre(66, 239, 250, 224, 24, 286, 234, 233, 49, 293));
}

TEST(DeterministicBanditTest, DefaultIsBsuitesElevenArmsForSeedZero) {
  auto env = Make(Spec(kDeterministicBanditId));
  ASSERT_NE(env, nullptr);
  const Bandit* bandit = BanditOf(*env);
  ASSERT_NE(bandit, nullptr);
  // np.linspace(0, 1, 11)[[4, 9, 2, 10, 6, 1, 7, 8, 3, 0, 5]].
  std::vector<double> expected;
  for (const int i : {4, 9, 2, 10, 6, 1, 7, 8, 3, 0, 5}) {
    expected.push_back(i == 10 ? 1.0 : i * 0.1);
  }
  EXPECT_THAT(bandit->arm_means(), ElementsAreArray(expected));
  EXPECT_EQ(bandit->best_arm(), 3);
  EXPECT_EQ(bandit->best_mean(), 1.0);
  EXPECT_EQ(env->info().action_space.num_actions, 11);
}

TEST(DeterministicBanditTest, EachPullIsAOneStepEpisodePayingTheArmsMean) {
  v1::EnvironmentSpec spec = Spec(kDeterministicBanditId);
  spec.mutable_bandit()->set_num_arms(5);
  spec.mutable_bandit()->set_mapping_seed(3);
  auto env = Make(spec);
  ASSERT_NE(env, nullptr);
  const Bandit* bandit = BanditOf(*env);
  ASSERT_NE(bandit, nullptr);
  // RandomState(3).choice(range(5), size=5, replace=False) = [3, 4, 1, 0, 2].
  EXPECT_THAT(bandit->arm_means(), ElementsAre(0.75, 1.0, 0.25, 0.0, 0.5));
  EnvRng rng(1);
  float observation = -1;
  for (int arm = 0; arm < 5; ++arm) {
    env->Reset(rng, absl::MakeSpan(&observation, 1));
    EXPECT_EQ(observation, 1.0f);
    Action action;
    action.index = arm;
    const StepResult result =
        env->Step(action, absl::MakeSpan(&observation, 1));
    EXPECT_EQ(result.reward, bandit->arm_means()[arm]);
    EXPECT_TRUE(result.terminated);
    EXPECT_EQ(observation, 1.0f);
    EXPECT_EQ(env->elapsed_steps(), 1);
  }
}

TEST(BernoulliBanditTest, DefaultArmsAreTenthsFromOneToNine) {
  auto env = Make(Spec(kBernoulliBanditId));
  ASSERT_NE(env, nullptr);
  const Bandit* bandit = BanditOf(*env);
  ASSERT_NE(bandit, nullptr);
  EXPECT_THAT(bandit->arm_means(),
              ElementsAre(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9));
  EXPECT_EQ(bandit->best_arm(), 8);
  EXPECT_EQ(env->info().observation_space.FlatSize(), 1);
  EXPECT_EQ(env->info().max_episode_steps, 1);
}

TEST(BernoulliBanditTest, ArmsPayOneAtTheirProbability) {
  v1::EnvironmentSpec spec = Spec(kBernoulliBanditId);
  for (const double p : {0.0, 0.3, 1.0}) {
    spec.mutable_bandit()->add_arm_probabilities(p);
  }
  auto env = Make(spec);
  ASSERT_NE(env, nullptr);
  EnvRng rng(17);
  float observation = 0;
  constexpr int kPulls = 20000;
  std::vector<double> sums(3, 0.0);
  for (int i = 0; i < kPulls; ++i) {
    for (int arm = 0; arm < 3; ++arm) {
      env->Reset(rng, absl::MakeSpan(&observation, 1));
      Action action;
      action.index = arm;
      const StepResult result =
          env->Step(action, absl::MakeSpan(&observation, 1));
      ASSERT_TRUE(result.reward == 0.0 || result.reward == 1.0);
      ASSERT_TRUE(result.terminated);
      sums[arm] += result.reward;
    }
  }
  EXPECT_EQ(sums[0], 0.0);
  EXPECT_EQ(sums[2], kPulls);
  // Four standard deviations of the mean of 20,000 draws.
  EXPECT_NEAR(sums[1] / kPulls, 0.3, 4 * std::sqrt(0.3 * 0.7 / kPulls));
}

TEST(BanditTest, SameSeedSamePulls) {
  v1::EnvironmentSpec spec = Spec(kBernoulliBanditId);
  auto first = Make(spec);
  auto second = Make(spec);
  ASSERT_TRUE(first && second);
  EnvRng first_rng(5), second_rng(5);
  float observation = 0;
  for (int i = 0; i < 100; ++i) {
    Action action;
    action.index = i % 9;
    first->Reset(first_rng, absl::MakeSpan(&observation, 1));
    second->Reset(second_rng, absl::MakeSpan(&observation, 1));
    EXPECT_EQ(first->Step(action, absl::MakeSpan(&observation, 1)).reward,
              second->Step(action, absl::MakeSpan(&observation, 1)).reward);
  }
}

TEST(BanditTest, OtherEnvironmentsAreNotBandits) {
  auto env = MakeEnvironment("CartPole-v1");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(BanditOf(**env), nullptr);
  EXPECT_TRUE(IsBanditId(kBernoulliBanditId));
  EXPECT_TRUE(IsBanditId(kDeterministicBanditId));
  EXPECT_FALSE(IsBanditId("CartPole-v1"));
}

TEST(BanditTest, DefaultsAreFilledOnlyForTheirOwnId) {
  v1::EnvironmentSpec bernoulli = Spec(kBernoulliBanditId);
  ApplyBanditDefaults(bernoulli);
  EXPECT_EQ(bernoulli.bandit().arm_probabilities_size(), 9);
  EXPECT_EQ(bernoulli.bandit().num_arms(), 0);
  v1::EnvironmentSpec deterministic = Spec(kDeterministicBanditId);
  ApplyBanditDefaults(deterministic);
  EXPECT_EQ(deterministic.bandit().num_arms(), 11);
  EXPECT_EQ(deterministic.bandit().arm_probabilities_size(), 0);
  v1::EnvironmentSpec cart_pole = Spec("CartPole-v1");
  ApplyBanditDefaults(cart_pole);
  EXPECT_FALSE(cart_pole.has_bandit());
  // Explicit values stay.
  deterministic.mutable_bandit()->set_num_arms(4);
  ApplyBanditDefaults(deterministic);
  EXPECT_EQ(deterministic.bandit().num_arms(), 4);
}

struct BadOptions {
  std::string id;
  std::string message;
  std::function<void(v1::BanditOptions&)> corrupt;
};

TEST(BanditTest, BadOptionsAreRefusedNamingTheField) {
  const std::vector<BadOptions> cases = {
      {kBernoulliBanditId, "env.bandit.arm_probabilities: must have 2 to 1000",
       [](v1::BanditOptions& o) { o.add_arm_probabilities(0.5); }},
      {kBernoulliBanditId, "env.bandit.arm_probabilities: must have 2 to 1000",
       [](v1::BanditOptions& o) {
         for (int i = 0; i < 1001; ++i) o.add_arm_probabilities(0.5);
       }},
      {kBernoulliBanditId, "env.bandit.arm_probabilities[1]: must be in [0, 1]",
       [](v1::BanditOptions& o) {
         o.add_arm_probabilities(0.5);
         o.add_arm_probabilities(1.5);
       }},
      {kBernoulliBanditId, "env.bandit.arm_probabilities[0]: must be in [0, 1]",
       [](v1::BanditOptions& o) {
         o.add_arm_probabilities(std::nan(""));
         o.add_arm_probabilities(0.5);
       }},
      {kBernoulliBanditId, "env.bandit.arm_probabilities[0]: must be in [0, 1]",
       [](v1::BanditOptions& o) {
         o.add_arm_probabilities(-0.1);
         o.add_arm_probabilities(0.5);
       }},
      {kBernoulliBanditId, "env.bandit.num_arms: only for",
       [](v1::BanditOptions& o) { o.set_num_arms(3); }},
      {kBernoulliBanditId, "env.bandit.mapping_seed: only for",
       [](v1::BanditOptions& o) { o.set_mapping_seed(3); }},
      {kDeterministicBanditId, "env.bandit.num_arms: must be in [2, 1000]",
       [](v1::BanditOptions& o) { o.set_num_arms(1); }},
      {kDeterministicBanditId, "env.bandit.num_arms: must be in [2, 1000]",
       [](v1::BanditOptions& o) { o.set_num_arms(1001); }},
      {kDeterministicBanditId, "env.bandit.num_arms: must be in [2, 1000]",
       [](v1::BanditOptions& o) { o.set_num_arms(-4); }},
      {kDeterministicBanditId,
       "env.bandit.mapping_seed: must be in [0, 4294967295]",
       [](v1::BanditOptions& o) { o.set_mapping_seed(uint64_t{1} << 32); }},
      {kDeterministicBanditId, "env.bandit.arm_probabilities: only for",
       [](v1::BanditOptions& o) {
         o.add_arm_probabilities(0.5);
         o.add_arm_probabilities(0.5);
       }},
      {"CartPole-v1", "env.bandit: CartPole-v1 takes no options",
       [](v1::BanditOptions& o) { o.set_num_arms(3); }},
  };
  for (const char* id : {kBernoulliBanditId, kDeterministicBanditId}) {
    v1::EnvironmentSpec spec = Spec(id);
    spec.mutable_deep_sea()->set_size(5);
    EXPECT_THAT(std::string(MakeEnvironment(spec).status().message()),
                StartsWith(absl::StrCat("env.deep_sea: ", id,
                                        " takes env.bandit options")));
  }
  for (const BadOptions& bad : cases) {
    SCOPED_TRACE(bad.message);
    v1::EnvironmentSpec spec = Spec(bad.id);
    bad.corrupt(*spec.mutable_bandit());
    const auto env = MakeEnvironment(spec);
    ASSERT_FALSE(env.ok());
    EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(env.status().message()), StartsWith(bad.message));
  }
}

TEST(BanditTest, SetStateTakesNoValues) {
  auto env = Make(Spec(kDeterministicBanditId));
  ASSERT_NE(env, nullptr);
  float observation = 0;
  EXPECT_TRUE(env->SetState({}, absl::MakeSpan(&observation, 1)).ok());
  EXPECT_EQ(observation, 1.0f);
  EXPECT_EQ(env->SetState({0.5}, absl::MakeSpan(&observation, 1)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace entropic
