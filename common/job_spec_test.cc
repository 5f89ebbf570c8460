#include "common/job_spec.h"

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/env/registry.h"
#include "common/message_size.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entropic {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::JobSpec ValidSpec() {
  v1::JobSpec spec;
  spec.set_name("cartpole");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_algorithm()->mutable_soft_q();
  spec.mutable_stop()->set_env_steps(10000);
  ApplyJobDefaults(spec);
  return spec;
}

TEST(JobSpecTest, DefaultsAreFilledAndValid) {
  const v1::JobSpec spec = ValidSpec();
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_DOUBLE_EQ(spec.algorithm().soft_q().gamma(), 0.99);
  EXPECT_EQ(spec.algorithm().soft_q().batch_size(), 256);
  EXPECT_EQ(spec.algorithm().soft_q().hidden_size(), 2);
  EXPECT_EQ(spec.env().num_envs(), 8);
  EXPECT_EQ(spec.replay().agent().sampler(), v1::TableSpec::UNIFORM);
  EXPECT_GE(spec.replay().agent().error_buffer(),
            MinimumErrorBuffer(256, 32, 8));
}

TEST(JobSpecTest, ExplicitZeroGammaIsKept) {
  v1::JobSpec spec;
  spec.mutable_algorithm()->mutable_soft_q()->set_gamma(0.0);
  ApplyJobDefaults(spec);
  EXPECT_EQ(spec.algorithm().soft_q().gamma(), 0.0);
}

struct BadField {
  std::string field;
  std::function<void(v1::JobSpec&)> corrupt;
};

class JobSpecBadFieldTest : public ::testing::TestWithParam<BadField> {};

TEST_P(JobSpecBadFieldTest, IsRefusedWithItsName) {
  v1::JobSpec spec = ValidSpec();
  GetParam().corrupt(spec);
  const absl::Status status = ValidateJobSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith(GetParam().field + ":"))
      << status;
}

v1::SoftQSpec& SoftQ(v1::JobSpec& spec) {
  return *spec.mutable_algorithm()->mutable_soft_q();
}

INSTANTIATE_TEST_SUITE_P(EveryField, JobSpecBadFieldTest,
                         ::testing::
                             Values(BadField{"name",
                                             [](v1::JobSpec& s) {
                                               s.clear_name();
                                             }},
                                    BadField{"env.id",
                                             [](v1::JobSpec& s) {
                                               s.mutable_env()->clear_id();
                                             }},
                                    BadField{"env.id",
                                             [](v1::JobSpec& s) {
                                               s.mutable_env()->set_id(
                                                   "Pong-v9");
                                             }},
                                    BadField{"env.num_envs",
                                             [](v1::JobSpec& s) {
                                               s.mutable_env()->set_num_envs(
                                                   -1);
                                             }},
                                    BadField{"actors",
                                             [](v1::JobSpec& s) {
                                               s.set_actors(-2);
                                             }},
                                    BadField{"algorithm",
                                             [](v1::JobSpec& s) {
                                               s.mutable_algorithm()->Clear();
                                             }},
                                    BadField{"algorithm.soft_q",
                                             [](v1::JobSpec& s) {
                                               s.mutable_env()->set_id(
                                                   "Pendulum-v1");
                                             }},
                                    BadField{"algorithm.soft_q.gamma",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_gamma(1.0);
                                             }},
                                    BadField{"algorithm.soft_q.alpha",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_alpha(-0.1);
                                             }},
                                    BadField{
                                        "algorithm.soft_q.auto_alpha.target_"
                                        "entropy",
                                        [](v1::JobSpec& s) {
                                          SoftQ(s)
                                              .mutable_auto_alpha()
                                              ->set_target_entropy(0.9);
                                          SoftQ(s).mutable_auto_alpha()->set_lr(
                                              1e-3);
                                        }},
                                    BadField{"algorithm.soft_q.lr",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_lr(-1);
                                             }},
                                    BadField{"algorithm.soft_q.batch_size",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_batch_size(-5);
                                             }},
                                    BadField{"algorithm.soft_q.hidden[1]",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_hidden(1, 0);
                                             }},
                                    BadField{
                                        "algorithm.soft_q.target_update.polyak",
                                        [](v1::JobSpec& s) {
                                          SoftQ(s)
                                              .mutable_target_update()
                                              ->set_polyak(1.5);
                                        }},
                                    BadField{
                                        "algorithm.soft_q.target_update.period",
                                        [](v1::JobSpec& s) {
                                          SoftQ(s)
                                              .mutable_target_update()
                                              ->set_period(-1);
                                        }},
                                    BadField{"algorithm.soft_q.huber_delta",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_huber_delta(-1);
                                             }},
                                    BadField{
                                        "algorithm.soft_q.publish_every_"
                                        "updates",
                                        [](v1::JobSpec& s) {
                                          SoftQ(s).set_publish_every_updates(
                                              -1);
                                        }},
                                    BadField{"algorithm.soft_q.max_grad_norm",
                                             [](v1::JobSpec& s) {
                                               SoftQ(s).set_max_grad_norm(-1);
                                             }},
                                    BadField{
                                        "replay.chunk_length",
                                        [](v1::JobSpec& s) {
                                          s.mutable_replay()->set_chunk_length(
                                              100000);
                                        }},
                                    BadField{
                                        "replay.agent.capacity",
                                        [](v1::JobSpec& s) {
                                          s.mutable_replay()
                                              ->mutable_agent()
                                              ->set_capacity(-1);
                                        }},
                                    BadField{
                                        "replay.agent.capacity",
                                        [](v1::JobSpec& s) {
                                          s.mutable_replay()
                                              ->mutable_agent()
                                              ->set_capacity(100);
                                          s.mutable_replay()
                                              ->mutable_agent()
                                              ->set_min_size(10);
                                        }},
                                    BadField{"replay.agent.sampler",
                                             [](v1::JobSpec& s) {
                                               s.mutable_replay()
                                                   ->mutable_agent()
                                                   ->set_sampler(
                                                       v1::TableSpec::
                                                           SAMPLER_UNSPECIFIED);
                                             }},
                                    BadField{"replay.agent.min_size",
                                             [](v1::JobSpec& s) {
                                               s.mutable_replay()
                                                   ->mutable_agent()
                                                   ->set_min_size(1 << 30);
                                             }},
                                    BadField{"replay.agent.samples_per_insert",
                                             [](v1::JobSpec& s) {
                                               s.mutable_replay()
                                                   ->mutable_agent()
                                                   ->set_samples_per_insert(-1);
                                             }},
                                    BadField{"replay.agent.error_buffer",
                                             [](v1::JobSpec& s) {
                                               s.mutable_replay()
                                                   ->mutable_agent()
                                                   ->set_error_buffer(10);
                                             }},
                                    BadField{
                                        "stop",
                                        [](v1::JobSpec&
                                               s) { s.mutable_stop()->Clear(); }},
                                    BadField{"stop.env_steps",
                                             [](v1::JobSpec& s) {
                                               s.mutable_stop()->set_env_steps(
                                                   -1);
                                             }},
                                    BadField{"stop.updates",
                                             [](v1::JobSpec& s) {
                                               s.mutable_stop()->set_updates(
                                                   -1);
                                             }},
                                    BadField{"stop.wall_time",
                                             [](v1::JobSpec& s) {
                                               s.mutable_stop()
                                                   ->mutable_wall_time()
                                                   ->set_seconds(-3);
                                             }},
                                    BadField{
                                        "eval.every_updates",
                                        [](v1::JobSpec& s) {
                                          s.mutable_eval()->set_every_updates(
                                              -1);
                                        }},
                                    BadField{"eval.episodes",
                                             [](v1::JobSpec& s) {
                                               s.mutable_eval()->set_episodes(
                                                   -1);
                                             }}),
                         [](const ::testing::TestParamInfo<BadField>& info) {
                           std::string name = info.param.field;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           }
                           return name + "_" + std::to_string(info.index);
                         });

TEST(JobSpecTest, UnknownEnvironmentListsKnownIds) {
  v1::JobSpec spec = ValidSpec();
  spec.mutable_env()->set_id("CartPole-v0");
  EXPECT_THAT(std::string(ValidateJobSpec(spec).message()),
              HasSubstr("CartPole-v1"));
}

v1::JobSpec MaxEntIrlSpec() {
  v1::JobSpec spec;
  spec.set_name("gridworld-irl");
  spec.mutable_env()->set_id("Gridworld-v0");
  spec.mutable_algorithm()->mutable_maxent_irl();
  spec.mutable_replay()->mutable_demonstrations()->set_path("expert.npz");
  ApplyJobDefaults(spec);
  return spec;
}

TEST(JobSpecTest, MaxEntIrlDefaultsAreFilledAndNeedNoStopCondition) {
  const v1::JobSpec spec = MaxEntIrlSpec();
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_EQ(spec.algorithm().maxent_irl().temperature(), 1.0);
  EXPECT_EQ(spec.algorithm().maxent_irl().discount(), 1.0);
  EXPECT_EQ(spec.algorithm().maxent_irl().max_iterations(), 100);
  EXPECT_EQ(spec.algorithm().maxent_irl().tolerance(), 1e-6);
  EXPECT_EQ(spec.algorithm().maxent_irl().l2_penalty(), 0.01);
}

TEST(JobSpecTest, MaxEntIrlRefusesBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"algorithm.maxent_irl: needs an environment with known dynamics",
           [](v1::JobSpec& s) { s.mutable_env()->set_id("CartPole-v1"); }},
          {"algorithm.maxent_irl.temperature:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_maxent_irl()->set_temperature(-1);
           }},
          {"algorithm.maxent_irl.discount:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_maxent_irl()->set_discount(0);
           }},
          {"algorithm.maxent_irl.max_iterations:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_maxent_irl()->set_max_iterations(
                 -3);
           }},
          {"replay.demonstrations.path: is required",
           [](v1::JobSpec& s) {
             s.mutable_replay()->mutable_demonstrations()->clear_path();
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    v1::JobSpec spec = MaxEntIrlSpec();
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(message));
  }
}

v1::JobSpec BanditJobSpec() {
  v1::JobSpec spec;
  spec.set_name("bandit-ucb");
  spec.mutable_env()->set_id("DeterministicBandit-v0");
  spec.mutable_algorithm()->mutable_bandit();
  ApplyJobDefaults(spec);
  return spec;
}

TEST(JobSpecTest, BanditDefaultsAreFilledAndNeedNoStopCondition) {
  const v1::JobSpec spec = BanditJobSpec();
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_EQ(spec.algorithm().bandit().agent(), v1::BanditSpec::UCB1);
  EXPECT_EQ(spec.algorithm().bandit().pulls(), 10000);
  EXPECT_EQ(spec.algorithm().bandit().ucb_c(), 1.0);
  EXPECT_EQ(spec.env().bandit().num_arms(), 11);

  v1::JobSpec thompson;
  thompson.set_name("bandit-thompson");
  thompson.mutable_env()->set_id("BernoulliBandit-v0");
  thompson.mutable_algorithm()->mutable_bandit()->set_agent(
      v1::BanditSpec::THOMPSON);
  ApplyJobDefaults(thompson);
  EXPECT_TRUE(ValidateJobSpec(thompson).ok()) << ValidateJobSpec(thompson);
  // ucb_c is UCB1's alone; the Bernoulli arms get their defaults.
  EXPECT_EQ(thompson.algorithm().bandit().ucb_c(), 0.0);
  EXPECT_EQ(thompson.env().bandit().arm_probabilities_size(), 9);
}

TEST(JobSpecTest, BanditRefusesBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"algorithm.bandit: needs a bandit environment",
           [](v1::JobSpec& s) {
             s.mutable_env()->set_id("CartPole-v1");
             s.mutable_env()->clear_bandit();
           }},
          {"algorithm.bandit.pulls: must be in [1, 10000000], got -5",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_pulls(-5);
           }},
          {"algorithm.bandit.pulls: must be in [1, 10000000], got 10000001",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_pulls(10000001);
           }},
          {"algorithm.bandit.ucb_c: must be a positive number",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_ucb_c(-1);
           }},
          {"algorithm.bandit.ucb_c: must be a positive number",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_ucb_c(
                 std::numeric_limits<double>::infinity());
           }},
          {"algorithm.bandit.ucb_c: only for the UCB1 agent",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_agent(
                 v1::BanditSpec::UNIFORM);
           }},
          {"algorithm.bandit.agent: must be UCB1, THOMPSON or UNIFORM",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_bandit()->set_agent(
                 static_cast<v1::BanditSpec::Agent>(17));
           }},
          {"exploration: a bandit job takes no bonus",
           [](v1::JobSpec& s) { s.mutable_exploration()->mutable_rnd(); }},
          {"stop.eval_return: a bandit job evaluates once",
           [](v1::JobSpec& s) { s.mutable_stop()->set_eval_return(0.9); }},
          {"env.bandit.num_arms: must be in [2, 1000], got 1",
           [](v1::JobSpec& s) {
             s.mutable_env()->mutable_bandit()->set_num_arms(1);
           }},
          {"env.bandit.mapping_seed: must be in [0, 4294967295]",
           [](v1::JobSpec& s) {
             s.mutable_env()->mutable_bandit()->set_mapping_seed(
                 std::numeric_limits<uint64_t>::max());
           }},
          {"env.bandit.arm_probabilities[2]: must be in [0, 1], got 2",
           [](v1::JobSpec& s) {
             s.mutable_env()->set_id("BernoulliBandit-v0");
             s.mutable_env()->mutable_bandit()->clear_num_arms();
             for (const double p : {0.5, 0.25, 2.0}) {
               s.mutable_env()->mutable_bandit()->add_arm_probabilities(p);
             }
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    SCOPED_TRACE(message);
    v1::JobSpec spec = BanditJobSpec();
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(message));
  }
}

TEST(JobSpecTest, BanditOptionsBelongToBanditsOnly) {
  v1::JobSpec spec = ValidSpec();
  spec.mutable_env()->mutable_bandit()->set_num_arms(5);
  EXPECT_THAT(std::string(ValidateJobSpec(spec).message()),
              StartsWith("env.bandit: CartPole-v1 takes no options"));
}

TEST(JobSpecTest, LearningFromDemonstrationsNeedsThemInTheBatches) {
  v1::JobSpec spec = ValidSpec();
  spec.mutable_algorithm()->mutable_soft_q()->mutable_imitation();
  spec.mutable_algorithm()->mutable_soft_q()->mutable_adversarial();
  ApplyJobDefaults(spec);
  EXPECT_THAT(std::string(ValidateJobSpec(spec).message()),
              StartsWith("algorithm.soft_q.imitation: needs demonstrations"));
  spec.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_EQ(spec.algorithm().soft_q().imitation().weight(), 1.0);
  EXPECT_EQ(spec.algorithm().soft_q().imitation().loss(),
            v1::ImitationSpec::LOG_LIKELIHOOD);
  EXPECT_EQ(spec.algorithm().soft_q().adversarial().kind(),
            v1::AdversarialSpec::AIRL);
  EXPECT_EQ(spec.algorithm().soft_q().adversarial().reward(),
            v1::AdversarialSpec::LOGIT);
}

TEST(JobSpecTest, AFrozenLearnedRewardNeedsNoDemonstrations) {
  v1::JobSpec spec = ValidSpec();
  spec.mutable_algorithm()->mutable_soft_q()->mutable_adversarial();
  ApplyJobDefaults(spec);
  EXPECT_THAT(std::string(ValidateJobSpec(spec).message()),
              StartsWith("algorithm.soft_q.adversarial: needs demonstrations"));
  spec.mutable_algorithm()
      ->mutable_soft_q()
      ->mutable_adversarial()
      ->set_reward_checkpoint("runs/cartpole-airl-1/checkpoint");
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, AdversarialRefusesBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"algorithm.soft_q.adversarial.reward: F is AIRL's f",
           [](v1::JobSpec& s) {
             auto& a = *s.mutable_algorithm()
                            ->mutable_soft_q()
                            ->mutable_adversarial();
             a.set_kind(v1::AdversarialSpec::GAIL);
             a.set_reward(v1::AdversarialSpec::F);
           }},
          {"algorithm.soft_q.adversarial.lr:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()
                 ->mutable_soft_q()
                 ->mutable_adversarial()
                 ->set_lr(-1);
           }},
          {"algorithm.soft_q.adversarial.hidden[0]:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()
                 ->mutable_soft_q()
                 ->mutable_adversarial()
                 ->set_hidden(0, 0);
           }},
          {"algorithm.soft_q.n_step: must be 1 with adversarial",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_soft_q()->set_n_step(3);
           }},
          {"algorithm.soft_q.imitation.weight:",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()
                 ->mutable_soft_q()
                 ->mutable_imitation()
                 ->set_weight(-1);
           }},
          {"algorithm.soft_q.imitation.margin:",
           [](v1::JobSpec& s) {
             auto& i =
                 *s.mutable_algorithm()->mutable_soft_q()->mutable_imitation();
             i.set_loss(v1::ImitationSpec::LARGE_MARGIN);
             i.set_margin(-0.5);
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    v1::JobSpec spec = ValidSpec();
    spec.mutable_algorithm()->mutable_soft_q()->mutable_adversarial();
    spec.mutable_algorithm()->mutable_soft_q()->mutable_imitation();
    spec.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
    ApplyJobDefaults(spec);
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(message));
  }
}

v1::JobSpec BootstrappedSpec() {
  v1::JobSpec spec;
  spec.set_name("deep-sea");
  spec.mutable_env()->set_id("CartPole-v1");
  spec.mutable_algorithm()->mutable_soft_q();
  spec.mutable_exploration()->mutable_bootstrapped_heads();
  spec.mutable_stop()->set_env_steps(10000);
  ApplyJobDefaults(spec);
  return spec;
}

TEST(JobSpecTest, BootstrappedHeadsDefaultsAreFilledAndValid) {
  const v1::JobSpec spec = BootstrappedSpec();
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  const v1::BootstrappedHeadsSpec& heads =
      spec.exploration().bootstrapped_heads();
  EXPECT_EQ(heads.heads(), 10);
  EXPECT_DOUBLE_EQ(heads.prior_scale(), 3.0);
  EXPECT_DOUBLE_EQ(heads.mask_probability(), 0.5);
  // An explicit prior scale of 0 (no priors) is kept.
  v1::JobSpec no_prior;
  no_prior.mutable_exploration()->mutable_bootstrapped_heads()->set_prior_scale(
      0.0);
  ApplyJobDefaults(no_prior);
  EXPECT_EQ(no_prior.exploration().bootstrapped_heads().prior_scale(), 0.0);
}

TEST(JobSpecTest, BootstrappedHeadsRefusesBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"exploration.bootstrapped_heads.heads: must be in [1, 64], got 65",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_bootstrapped_heads()->set_heads(
                 65);
           }},
          {"exploration.bootstrapped_heads.heads: must be in [1, 64], got -1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_bootstrapped_heads()->set_heads(
                 -1);
           }},
          {"exploration.bootstrapped_heads.prior_scale: must be >= 0",
           [](v1::JobSpec& s) {
             s.mutable_exploration()
                 ->mutable_bootstrapped_heads()
                 ->set_prior_scale(-0.5);
           }},
          {"exploration.bootstrapped_heads.prior_scale: must be >= 0",
           [](v1::JobSpec& s) {
             s.mutable_exploration()
                 ->mutable_bootstrapped_heads()
                 ->set_prior_scale(std::numeric_limits<double>::infinity());
           }},
          {"exploration.bootstrapped_heads.mask_probability: must be in (0, "
           "1], got 1.5",
           [](v1::JobSpec& s) {
             s.mutable_exploration()
                 ->mutable_bootstrapped_heads()
                 ->set_mask_probability(1.5);
           }},
          {"exploration.bootstrapped_heads.mask_probability: must be in (0, "
           "1], got -0.1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()
                 ->mutable_bootstrapped_heads()
                 ->set_mask_probability(-0.1);
           }},
          {"exploration.bootstrapped_heads: does not combine with "
           "algorithm.soft_q.auto_alpha",
           [](v1::JobSpec& s) {
             auto& auto_alpha =
                 *s.mutable_algorithm()->mutable_soft_q()->mutable_auto_alpha();
             auto_alpha.set_target_entropy(0.3);
             auto_alpha.set_lr(1e-3);
           }},
          {"exploration.bootstrapped_heads: does not combine with "
           "algorithm.soft_q.imitation",
           [](v1::JobSpec& s) {
             s.mutable_algorithm()->mutable_soft_q()->mutable_imitation();
             s.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
           }},
          {"exploration.bootstrapped_heads: needs algorithm.soft_q",
           [](v1::JobSpec& s) {
             s.mutable_env()->set_id("Pendulum-v1");
             s.mutable_algorithm()->mutable_sac();
             ApplyJobDefaults(s);
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    v1::JobSpec spec = BootstrappedSpec();
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(std::string(status.message()), StartsWith(message));
  }
}

TEST(JobSpecTest, BootstrappedHeadsCountEveryHeadAndPriorInTheWeights) {
  v1::JobSpec spec = BootstrappedSpec();
  v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
  q.clear_hidden();
  q.add_hidden(1024);
  q.add_hidden(1024);
  // One network of (4 + 1) x 1024 + 1025 x 1024 + 1025 x 2 floats is 4.0
  // MiB: 20 of them (10 heads and their priors) are 80.6 MiB.
  const absl::Status status = ValidateJobSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("algorithm.soft_q.hidden: the policy network's "
                         "weights take 80.6 MiB"));
  spec.mutable_exploration()->mutable_bootstrapped_heads()->set_heads(5);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, WeightsOverTheMessageLimitAreRefusedNamingHidden) {
  v1::JobSpec spec = ValidSpec();
  v1::SoftQSpec& q = *spec.mutable_algorithm()->mutable_soft_q();
  q.clear_hidden();
  for (int width : {4096, 4096, 1024}) q.add_hidden(width);
  // (4 + 1) x 4096 + (4096 + 1) x 4096 + (4096 + 1) x 1024 + (1024 + 1) x 2
  // float32 parameters.
  ASSERT_EQ(MlpWeightBytes(4, q.hidden(), 2), int64_t{20999170} * 4);
  const absl::Status status = ValidateJobSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "algorithm.soft_q.hidden: the policy network's weights take 80.1 "
            "MiB, over the 64 MiB message limit: make the hidden layers "
            "narrower or fewer");

  // Half as many parameters fit.
  q.clear_hidden();
  for (int width : {2048, 2048, 2048}) q.add_hidden(width);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, SacWeightsOverTheMessageLimitAreRefusedNamingHidden) {
  v1::JobSpec spec;
  spec.set_name("pendulum");
  spec.mutable_env()->set_id("Pendulum-v1");
  v1::SacSpec& sac = *spec.mutable_algorithm()->mutable_sac();
  for (int width : {4096, 4096, 1024}) sac.add_hidden(width);
  spec.mutable_stop()->set_env_steps(10000);
  ApplyJobDefaults(spec);
  // Pendulum: 3 observations, 1 action dimension: a mean and a log std.
  ASSERT_EQ(MlpWeightBytes(3, sac.hidden(), 2), int64_t{20995074} * 4);
  const absl::Status status = ValidateJobSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              StartsWith("algorithm.sac.hidden: the policy network's weights "
                         "take 80.1 MiB, over the 64 MiB message limit"));
  sac.clear_hidden();
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, DiscriminatorNetsAreNotPublishedSoNotCounted) {
  v1::JobSpec spec = ValidSpec();
  v1::AdversarialSpec& adversarial =
      *spec.mutable_algorithm()->mutable_soft_q()->mutable_adversarial();
  adversarial.add_hidden(65536);
  adversarial.add_hidden(65536);
  spec.mutable_replay()->mutable_demonstrations()->set_fraction(0.5);
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, MlpWeightBytesCountsEveryWeightAndBias) {
  const std::vector<int32_t> hidden = {128, 128};
  EXPECT_EQ(MlpWeightBytes(4, hidden, 2),
            ((4 + 1) * 128 + (128 + 1) * 128 + (128 + 1) * 2) * 4);
  EXPECT_EQ(MlpWeightBytes(3, {}, 5), (3 + 1) * 5 * 4);
  // Saturates rather than overflowing.
  const std::vector<int32_t> huge(8, 1 << 30);
  EXPECT_EQ(MlpWeightBytes(int64_t{1} << 40, huge, 2),
            std::numeric_limits<int64_t>::max());
}

TEST(JobSpecTest, BatchesOverTheMessageLimitAreRefusedNamingBatchSize) {
  // CartPole: float32[4] observations, int64 actions.
  EXPECT_EQ(SampleBatchBytes(10, 16, 8, 0), 10 * (2 * 16 + 8 + 10 + 29));
  // With the behaviour log-probability column.
  EXPECT_EQ(SampleBatchBytes(10, 16, 8, 4), 10 * (2 * 16 + 8 + 10 + 4 + 29));

  // Atari-sized observations: 256 transitions fit in 64 MiB, 512 do not.
  EnvironmentInfo atari;
  atari.observation_space.kind = Space::Kind::kBox;
  atari.observation_space.shape = {84, 84, 4};
  atari.action_space.kind = Space::Kind::kDiscrete;
  atari.action_space.num_actions = 6;
  v1::JobSpec spec = ValidSpec();
  spec.mutable_algorithm()->mutable_soft_q()->set_batch_size(256);
  EXPECT_TRUE(CheckMessageSizes(spec, atari, kMaxMessageBytes).ok())
      << CheckMessageSizes(spec, atari, kMaxMessageBytes);
  spec.mutable_algorithm()->mutable_soft_q()->set_batch_size(512);
  const absl::Status status = CheckMessageSizes(spec, atari, kMaxMessageBytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "algorithm.soft_q.batch_size: a sampled batch takes 110.3 MiB "
            "(512 transitions of 225843 bytes), over the 64 MiB message "
            "limit: sample smaller batches");

  // The largest batch ValidateJobSpec allows of CartPole fits in 64 MiB
  // but not in 4 MiB.
  std::unique_ptr<Environment> cart_pole = *MakeEnvironment("CartPole-v1");
  spec.mutable_algorithm()->mutable_soft_q()->set_batch_size(65536);
  spec.mutable_replay()->mutable_agent()->set_capacity(65536);
  spec.mutable_replay()->mutable_agent()->set_error_buffer(1e6);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_THAT(
      std::string(
          CheckMessageSizes(spec, cart_pole->info(), 4 << 20).message()),
      StartsWith("algorithm.soft_q.batch_size: a sampled batch takes 5.2 MiB"));
}

TEST(JobSpecTest, MaxEntIrlPublishesNoWeightsAndSamplesNoBatches) {
  EnvironmentInfo info;
  info.observation_space.kind = Space::Kind::kBox;
  info.observation_space.shape = {1 << 30};
  EXPECT_TRUE(CheckMessageSizes(MaxEntIrlSpec(), info, 1 << 20).ok());
}

// A spec with the RND, pseudo-count and forward-model bonuses, defaults
// filled in.
v1::JobSpec BonusSpec() {
  v1::JobSpec spec = ValidSpec();
  spec.mutable_exploration()->mutable_rnd();
  spec.mutable_exploration()->mutable_pseudo_counts();
  spec.mutable_exploration()->mutable_forward_model();
  ApplyJobDefaults(spec);
  return spec;
}

TEST(JobSpecTest, BonusDefaultsAreFilledAndValid) {
  const v1::JobSpec spec = BonusSpec();
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  const v1::ExplorationSpec& exploration = spec.exploration();
  EXPECT_EQ(exploration.rnd().scale(), 1.0);
  EXPECT_THAT(exploration.rnd().hidden(), ::testing::ElementsAre(64, 64));
  EXPECT_EQ(exploration.rnd().output_size(), 64);
  EXPECT_EQ(exploration.rnd().lr(), 1e-4);
  EXPECT_EQ(exploration.rnd().gamma(), 0.99);
  EXPECT_EQ(exploration.pseudo_counts().scale(), 0.1);
  EXPECT_EQ(exploration.pseudo_counts().bins(), 32);
  EXPECT_EQ(exploration.forward_model().scale(), 1.0);
  EXPECT_THAT(exploration.forward_model().hidden(),
              ::testing::ElementsAre(64, 64));
  EXPECT_EQ(exploration.forward_model().lr(), 1e-3);
  // An explicit discount of 0 is kept.
  v1::JobSpec zero = ValidSpec();
  zero.mutable_exploration()->mutable_rnd()->set_gamma(0);
  ApplyJobDefaults(zero);
  EXPECT_EQ(zero.exploration().rnd().gamma(), 0.0);
  EXPECT_TRUE(ValidateJobSpec(zero).ok()) << ValidateJobSpec(zero);
}

TEST(JobSpecTest, BonusesWorkWithSac) {
  v1::JobSpec spec;
  spec.set_name("mountaincar-continuous-rnd");
  spec.mutable_env()->set_id("MountainCarContinuous-v0");
  spec.mutable_algorithm()->mutable_sac();
  spec.mutable_exploration()->mutable_rnd();
  spec.mutable_stop()->set_env_steps(1000);
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
}

TEST(JobSpecTest, BonusesNeedSoftQOrSac) {
  v1::JobSpec spec = MaxEntIrlSpec();
  spec.mutable_exploration()->mutable_pseudo_counts();
  ApplyJobDefaults(spec);
  const absl::Status status = ValidateJobSpec(spec);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("exploration: bonuses"))
      << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("algorithm.sac"));
}

TEST(JobSpecTest, BonusesRefuseBadFieldsNamingThem) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"exploration.rnd.scale: must be a positive number, got -1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_scale(-1);
           }},
          {"exploration.rnd.scale: must be a positive number, got inf",
           [inf](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_scale(inf);
           }},
          {"exploration.rnd.hidden[0]: must be in [1, 4096], got 5000",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_hidden(0, 5000);
           }},
          {"exploration.rnd.hidden: at most 8 layers",
           [](v1::JobSpec& s) {
             for (int i = 0; i < 7; ++i) {
               s.mutable_exploration()->mutable_rnd()->add_hidden(8);
             }
           }},
          {"exploration.rnd.output_size: must be in [1, 4096], got -2",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_output_size(-2);
           }},
          {"exploration.rnd.lr: must be a positive number, got nan",
           [nan](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_lr(nan);
           }},
          {"exploration.rnd.gamma: must be in [0, 1), got 1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_rnd()->set_gamma(1);
           }},
          {"exploration.pseudo_counts.scale: must be a positive number",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_pseudo_counts()->set_scale(-0.5);
           }},
          {"exploration.pseudo_counts.bins: must be in [2, 4096], got 1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_pseudo_counts()->set_bins(1);
           }},
          {"exploration.pseudo_counts.bins: must be in [2, 4096], got 4097",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_pseudo_counts()->set_bins(4097);
           }},
          {"exploration.forward_model.scale: must be a positive number",
           [nan](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_forward_model()->set_scale(nan);
           }},
          {"exploration.forward_model.hidden[1]: must be in [1, 4096], got 0",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_forward_model()->set_hidden(1, 0);
           }},
          {"exploration.forward_model.lr: must be a positive number, got 0",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_forward_model()->set_lr(0);
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    SCOPED_TRACE(message);
    v1::JobSpec spec = BonusSpec();
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(message)) << status;
  }
}

TEST(JobSpecTest, HashedCountDefaultsAreFilledAndValid) {
  v1::JobSpec spec;
  spec.set_name("mountaincar");
  spec.mutable_env()->set_id("MountainCar-v0");
  spec.mutable_algorithm()->mutable_soft_q();
  spec.mutable_exploration()->mutable_hashed_counts();
  spec.mutable_stop()->set_env_steps(10000);
  ApplyJobDefaults(spec);
  EXPECT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
  EXPECT_EQ(spec.exploration().hashed_counts().scale(), 0.1);
  EXPECT_EQ(spec.exploration().hashed_counts().bits(), 32);
  EXPECT_EQ(spec.exploration().hashed_counts().seed(), 0u);
  // A job without them gets none.
  EXPECT_FALSE(ValidSpec().exploration().has_hashed_counts());
}

TEST(JobSpecTest, HashedCountsRefuseBadFieldsNamingThem) {
  const std::vector<std::pair<std::string, std::function<void(v1::JobSpec&)>>>
      cases = {
          {"exploration.hashed_counts.scale: must be a positive number, got "
           "-1",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_hashed_counts()->set_scale(-1);
           }},
          {"exploration.hashed_counts.scale: must be a positive number, got "
           "inf",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_hashed_counts()->set_scale(
                 std::numeric_limits<double>::infinity());
           }},
          {"exploration.hashed_counts.scale:",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_hashed_counts()->set_scale(
                 std::numeric_limits<double>::quiet_NaN());
           }},
          {"exploration.hashed_counts.bits: must be in [1, 64], got 65",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_hashed_counts()->set_bits(65);
           }},
          {"exploration.hashed_counts.bits: must be in [1, 64], got -2",
           [](v1::JobSpec& s) {
             s.mutable_exploration()->mutable_hashed_counts()->set_bits(-2);
           }},
      };
  for (const auto& [message, corrupt] : cases) {
    v1::JobSpec spec = ValidSpec();
    spec.mutable_exploration()->mutable_hashed_counts();
    ApplyJobDefaults(spec);
    ASSERT_TRUE(ValidateJobSpec(spec).ok()) << ValidateJobSpec(spec);
    corrupt(spec);
    const absl::Status status = ValidateJobSpec(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_THAT(std::string(status.message()), StartsWith(message));
  }
  // Counts come back with replay's samples, which MaxEnt IRL never takes.
  v1::JobSpec irl = MaxEntIrlSpec();
  irl.mutable_exploration()->mutable_hashed_counts();
  ApplyJobDefaults(irl);
  EXPECT_THAT(std::string(ValidateJobSpec(irl).message()),
              StartsWith("exploration.hashed_counts: needs an algorithm that "
                         "samples replay"));
}

TEST(JobSpecTest, HashedCountsAddTheirColumnToTheSampledBatch) {
  std::unique_ptr<Environment> cart_pole = *MakeEnvironment("CartPole-v1");
  v1::JobSpec spec = ValidSpec();
  spec.mutable_algorithm()->mutable_soft_q()->set_batch_size(1000);
  const int64_t plain = SampleBatchBytes(1000, 16, 8, 4);
  const int64_t counted = SampleBatchBytes(1000, 16, 8, 4 + 8);
  EXPECT_EQ(counted - plain, 8000);
  // A message limit between the two sizes lets only the plain job through.
  const int64_t limit = kMessageOverheadBytes + (plain + counted) / 2;
  EXPECT_TRUE(CheckMessageSizes(spec, cart_pole->info(), limit).ok());
  spec.mutable_exploration()->mutable_hashed_counts();
  ApplyJobDefaults(spec);
  EXPECT_THAT(
      std::string(CheckMessageSizes(spec, cart_pole->info(), limit).message()),
      StartsWith("algorithm.soft_q.batch_size:"));
}

}  // namespace
}  // namespace entropic
