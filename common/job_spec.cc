#include "common/job_spec.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/env/bandit.h"
#include "common/env/registry.h"
#include "common/env/tabular_model.h"
#include "common/message_size.h"
#include "common/status_macros.h"

namespace entropic {
namespace {

// Replay refuses larger tables (replay/table.cc).
constexpr int64_t kMaxTableCapacity = int64_t{1} << 30;

// Observations travel as float32, discrete actions as int64, box actions as
// float32 (the tables' signature, learner/trainer.cc).
constexpr int64_t kObservationElementBytes = sizeof(float);
constexpr int64_t kDiscreteActionBytes = sizeof(int64_t);
constexpr int64_t kBoxActionElementBytes = sizeof(float);
// The agent table's extra columns: the behaviour policy's log-probability,
// float32 per step (common/replay_columns.h, learner/trainer.cc); with
// bootstrapped heads also their float32 [K] mask, counted where K is known.
constexpr int64_t kAgentColumnBytes = sizeof(float);
// The visit count replay adds to samples for hashed_counts, int64.
constexpr int64_t kVisitCountColumnBytes = sizeof(int64_t);
// Hashing weights replay allows per table, k x (observation elements + 1)
// (replay/visit_counts.cc).
constexpr int64_t kMaxVisitCountWeights = int64_t{1} << 22;

int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b
             ? std::numeric_limits<int64_t>::max()
             : a + b;
}

// For non-negative factors.
int64_t SaturatingMul(int64_t a, int64_t b) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) {
    return std::numeric_limits<int64_t>::max();
  }
  return a * b;
}

std::string Mebibytes(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

absl::Status FieldError(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

template <typename T>
absl::Status CheckRange(absl::string_view field, T value, T low, T high) {
  if (!(value >= low && value <= high)) {
    return FieldError(
        field, absl::StrCat("must be in [", low, ", ", high, "], got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckPositiveFinite(absl::string_view field, double value) {
  if (!(std::isfinite(value) && value > 0)) {
    return FieldError(field,
                      absl::StrCat("must be a positive number, got ", value));
  }
  return absl::OkStatus();
}

absl::Status CheckNonNegativeFinite(absl::string_view field, double value) {
  if (!(std::isfinite(value) && value >= 0)) {
    return FieldError(field, absl::StrCat("must be >= 0, got ", value));
  }
  return absl::OkStatus();
}

void ApplyAdversarialDefaults(v1::AdversarialSpec& adversarial) {
  if (adversarial.kind() == v1::AdversarialSpec::KIND_UNSPECIFIED) {
    adversarial.set_kind(v1::AdversarialSpec::AIRL);
  }
  if (adversarial.reward() == v1::AdversarialSpec::REWARD_UNSPECIFIED) {
    adversarial.set_reward(v1::AdversarialSpec::LOGIT);
  }
  if (adversarial.lr() == 0) adversarial.set_lr(3e-4);
  if (adversarial.hidden().empty()) {
    adversarial.add_hidden(64);
    adversarial.add_hidden(64);
  }
  if (adversarial.reward_scale() == 0) adversarial.set_reward_scale(1.0);
}

void ApplyImitationDefaults(v1::ImitationSpec& imitation) {
  if (!imitation.has_weight()) imitation.set_weight(1.0);
  if (imitation.loss() == v1::ImitationSpec::LOSS_UNSPECIFIED) {
    imitation.set_loss(v1::ImitationSpec::LOG_LIKELIHOOD);
  }
  if (imitation.loss() == v1::ImitationSpec::LARGE_MARGIN &&
      imitation.margin() == 0) {
    imitation.set_margin(0.8);
  }
}

void ApplySoftQDefaults(v1::SoftQSpec& q) {
  if (!q.has_gamma()) q.set_gamma(0.99);
  if (q.alpha() == 0) q.set_alpha(0.05);
  if (q.has_auto_alpha() && q.auto_alpha().lr() == 0) {
    q.mutable_auto_alpha()->set_lr(3e-4);
  }
  if (q.lr() == 0) q.set_lr(1e-3);
  if (q.batch_size() == 0) q.set_batch_size(256);
  if (q.hidden().empty()) {
    q.add_hidden(128);
    q.add_hidden(128);
  }
  if (q.target_update().rule_case() == v1::TargetUpdateSpec::RULE_NOT_SET) {
    q.mutable_target_update()->set_polyak(0.005);
  }
  if (q.huber_delta() == 0) q.set_huber_delta(1.0);
  if (q.publish_every_updates() == 0) q.set_publish_every_updates(50);
  if (!q.has_max_grad_norm()) q.set_max_grad_norm(10.0);
  if (q.n_step() == 0) q.set_n_step(1);
  if (q.has_adversarial()) ApplyAdversarialDefaults(*q.mutable_adversarial());
  if (q.has_imitation()) ApplyImitationDefaults(*q.mutable_imitation());
}

void ApplySacDefaults(v1::SacSpec& sac) {
  if (!sac.has_gamma()) sac.set_gamma(0.99);
  if (sac.alpha() == 0) sac.set_alpha(1.0);
  if (sac.actor_lr() == 0) sac.set_actor_lr(3e-4);
  if (sac.critic_lr() == 0) sac.set_critic_lr(1e-3);
  if (sac.alpha_lr() == 0) sac.set_alpha_lr(1e-3);
  if (sac.batch_size() == 0) sac.set_batch_size(256);
  if (sac.hidden().empty()) {
    sac.add_hidden(256);
    sac.add_hidden(256);
  }
  if (sac.polyak() == 0) sac.set_polyak(0.005);
  if (sac.publish_every_updates() == 0) sac.set_publish_every_updates(10);
  if (sac.n_step() == 0) sac.set_n_step(1);
  if (sac.has_adversarial()) {
    ApplyAdversarialDefaults(*sac.mutable_adversarial());
  }
  if (sac.has_imitation()) ApplyImitationDefaults(*sac.mutable_imitation());
}

void ApplyBootstrappedHeadsDefaults(v1::BootstrappedHeadsSpec& heads) {
  if (heads.heads() == 0) heads.set_heads(10);
  if (!heads.has_prior_scale()) heads.set_prior_scale(3.0);
  if (heads.mask_probability() == 0) heads.set_mask_probability(0.5);
}

// Posterior sampling replaces soft Q's single network by K heads, so it
// needs soft Q (and its discrete actions, which ValidateSoftQ checks) and
// keeps its one fixed temperature; the imitation and adversarial parts
// train or read one Boltzmann policy, which the heads do not have.
absl::Status ValidateBootstrappedHeads(const v1::JobSpec& spec) {
  const std::string field = "exploration.bootstrapped_heads";
  const v1::BootstrappedHeadsSpec& heads = spec.exploration().bootstrapped_heads();
  if (!spec.algorithm().has_soft_q()) {
    return FieldError(field, "needs algorithm.soft_q (its Q network becomes "
                             "the K heads)");
  }
  const v1::SoftQSpec& q = spec.algorithm().soft_q();
  if (q.has_auto_alpha()) {
    return FieldError(field, "does not combine with algorithm.soft_q."
                             "auto_alpha: the heads share one fixed alpha");
  }
  if (q.has_imitation() || q.has_adversarial()) {
    return FieldError(field,
                      "does not combine with algorithm.soft_q.imitation or "
                      "adversarial, which train one Boltzmann policy");
  }
  RETURN_IF_ERROR(CheckRange(field + ".heads", heads.heads(), 1, 64));
  RETURN_IF_ERROR(
      CheckNonNegativeFinite(field + ".prior_scale", heads.prior_scale()));
  if (!(heads.mask_probability() > 0 && heads.mask_probability() <= 1)) {
    return FieldError(field + ".mask_probability",
                      absl::StrCat("must be in (0, 1], got ",
                                   heads.mask_probability()));
  }
  return absl::OkStatus();
}

// Demonstrations must reach the batches of a job that learns from them.
absl::Status CheckBatchesHoldDemonstrations(const v1::JobSpec& spec,
                                            absl::string_view field) {
  const v1::DemonstrationsSpec& demos = spec.replay().demonstrations();
  if (demos.fraction() <= 0 && demos.final_fraction() <= 0) {
    return FieldError(field,
                      "needs demonstrations in the batches: set "
                      "replay.demonstrations.path or fraction");
  }
  return absl::OkStatus();
}

// `algorithm` is the algorithm's field path, e.g. "algorithm.soft_q".
absl::Status ValidateAdversarial(const v1::JobSpec& spec,
                                 const v1::AdversarialSpec& adversarial,
                                 int n_step, const std::string& algorithm) {
  const std::string p = algorithm + ".adversarial.";
  if (adversarial.reward() == v1::AdversarialSpec::F &&
      adversarial.kind() != v1::AdversarialSpec::AIRL) {
    return FieldError(p + "reward", "F is AIRL's f: kind must be AIRL");
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "lr", adversarial.lr()));
  RETURN_IF_ERROR(
      CheckPositiveFinite(p + "reward_scale", adversarial.reward_scale()));
  for (int i = 0; i < adversarial.hidden_size(); ++i) {
    RETURN_IF_ERROR(CheckRange(absl::StrCat(p, "hidden[", i, "]"),
                               adversarial.hidden(i), 1, 65536));
  }
  if (n_step != 1) {
    return FieldError(algorithm + ".n_step",
                      "must be 1 with adversarial: the learned reward is "
                      "given per step");
  }
  if (!adversarial.reward_checkpoint().empty()) return absl::OkStatus();
  return CheckBatchesHoldDemonstrations(spec, algorithm + ".adversarial");
}

// `gaussian`: the policy is SAC's Gaussian, which has no margin to enforce.
absl::Status ValidateImitation(const v1::JobSpec& spec,
                               const v1::ImitationSpec& imitation,
                               const std::string& algorithm, bool gaussian) {
  const std::string p = algorithm + ".imitation.";
  if (imitation.pretrain_updates() < 0) {
    return FieldError(p + "pretrain_updates", "must be >= 0");
  }
  RETURN_IF_ERROR(CheckNonNegativeFinite(p + "weight", imitation.weight()));
  if (imitation.loss() == v1::ImitationSpec::LARGE_MARGIN) {
    if (gaussian) {
      return FieldError(p + "loss",
                        "LARGE_MARGIN needs discrete actions; a Gaussian "
                        "policy takes LOG_LIKELIHOOD");
    }
    RETURN_IF_ERROR(CheckPositiveFinite(p + "margin", imitation.margin()));
  }
  return CheckBatchesHoldDemonstrations(spec, algorithm + ".imitation");
}

void ApplyMaxEntIrlDefaults(v1::MaxEntIrlSpec& irl) {
  if (irl.temperature() == 0) irl.set_temperature(1.0);
  if (!irl.has_discount()) irl.set_discount(1.0);
  if (irl.max_iterations() == 0) irl.set_max_iterations(100);
  if (irl.tolerance() == 0) irl.set_tolerance(1e-6);
  if (!irl.has_l2_penalty()) irl.set_l2_penalty(0.01);
}

absl::Status ValidateMaxEntIrl(const v1::JobSpec& spec,
                               const Environment& env) {
  const v1::MaxEntIrlSpec& irl = spec.algorithm().maxent_irl();
  const std::string p = "algorithm.maxent_irl.";
  if (TabularModelOf(env) == nullptr) {
    return FieldError("algorithm.maxent_irl",
                      absl::StrCat("needs an environment with known dynamics "
                                   "(Gridworld-v0), got ",
                                   spec.env().id()));
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "temperature", irl.temperature()));
  if (!(irl.discount() > 0 && irl.discount() <= 1)) {
    return FieldError(p + "discount",
                      absl::StrCat("must be in (0, 1], got ", irl.discount()));
  }
  RETURN_IF_ERROR(
      CheckRange(p + "max_iterations", irl.max_iterations(), 1, 10000));
  RETURN_IF_ERROR(CheckPositiveFinite(p + "tolerance", irl.tolerance()));
  RETURN_IF_ERROR(CheckNonNegativeFinite(p + "l2_penalty", irl.l2_penalty()));
  if (spec.replay().demonstrations().path().empty()) {
    return FieldError("replay.demonstrations.path",
                      "is required: MaxEnt IRL learns from demonstrations");
  }
  return absl::OkStatus();
}

void ApplyBanditSpecDefaults(v1::BanditSpec& bandit) {
  if (bandit.agent() == v1::BanditSpec::AGENT_UNSPECIFIED) {
    bandit.set_agent(v1::BanditSpec::UCB1);
  }
  if (bandit.pulls() == 0) bandit.set_pulls(10000);
  if (bandit.agent() == v1::BanditSpec::UCB1 && bandit.ucb_c() == 0) {
    bandit.set_ucb_c(1.0);
  }
}

// A bandit job pulls algorithm.bandit.pulls times on the learner: no
// actors, replay, network or bonus.
absl::Status ValidateBandit(const v1::JobSpec& spec, const Environment& env) {
  const v1::BanditSpec& bandit = spec.algorithm().bandit();
  const std::string p = "algorithm.bandit.";
  if (BanditOf(env) == nullptr) {
    return FieldError("algorithm.bandit",
                      absl::StrCat("needs a bandit environment (",
                                   kBernoulliBanditId, ", ",
                                   kDeterministicBanditId, "), got ",
                                   spec.env().id()));
  }
  if (!v1::BanditSpec::Agent_IsValid(bandit.agent()) ||
      bandit.agent() == v1::BanditSpec::AGENT_UNSPECIFIED) {
    return FieldError(p + "agent",
                      absl::StrCat("must be UCB1, THOMPSON or UNIFORM, got ",
                                   bandit.agent()));
  }
  RETURN_IF_ERROR(CheckRange<int64_t>(p + "pulls", bandit.pulls(), 1,
                                      10000000));
  if (bandit.agent() == v1::BanditSpec::UCB1) {
    RETURN_IF_ERROR(CheckPositiveFinite(p + "ucb_c", bandit.ucb_c()));
  } else if (bandit.ucb_c() != 0) {
    return FieldError(p + "ucb_c", "only for the UCB1 agent");
  }
  const v1::ExplorationSpec& exploration = spec.exploration();
  if (exploration.has_rnd() || exploration.has_hashed_counts() ||
      exploration.has_pseudo_counts() || exploration.has_forward_model() ||
      exploration.has_bootstrapped_heads()) {
    return FieldError("exploration",
                      "a bandit job takes no bonus: its agent explores");
  }
  if (spec.stop().has_eval_return()) {
    return FieldError("stop.eval_return",
                      "a bandit job evaluates once, after its pulls; stop it "
                      "with algorithm.bandit.pulls, stop.env_steps or "
                      "stop.wall_time");
  }
  return absl::OkStatus();
}

void ApplyHashedCountDefaults(v1::HashedCountSpec& counts) {
  if (counts.scale() == 0) counts.set_scale(0.1);
  if (counts.bits() == 0) counts.set_bits(32);
}

// Counts live in replay's agent table and come back with sampled
// transitions: an algorithm that samples them is needed.
absl::Status ValidateHashedCounts(const v1::JobSpec& spec,
                                  const EnvironmentInfo& env) {
  const v1::HashedCountSpec& counts = spec.exploration().hashed_counts();
  RETURN_IF_ERROR(
      CheckPositiveFinite("exploration.hashed_counts.scale", counts.scale()));
  RETURN_IF_ERROR(
      CheckRange("exploration.hashed_counts.bits", counts.bits(), 1, 64));
  if (!spec.algorithm().has_soft_q() && !spec.algorithm().has_sac()) {
    return FieldError("exploration.hashed_counts",
                      "needs an algorithm that samples replay (soft_q or sac)");
  }
  const int64_t weights = SaturatingMul(
      counts.bits(), SaturatingAdd(env.observation_space.FlatSize(), 1));
  if (weights > kMaxVisitCountWeights) {
    return FieldError(
        "exploration.hashed_counts.bits",
        absl::StrCat(counts.bits(), " bits x (",
                     env.observation_space.FlatSize(),
                     " observation elements + 1) hashing weights exceed "
                     "replay's limit of ",
                     kMaxVisitCountWeights));
  }
  return absl::OkStatus();
}

absl::Status CheckHidden(const std::string& field,
                         const google::protobuf::RepeatedField<int32_t>& hidden) {
  if (hidden.size() > 8) {
    return FieldError(field,
                      absl::StrCat("at most 8 layers, got ", hidden.size()));
  }
  for (int i = 0; i < hidden.size(); ++i) {
    RETURN_IF_ERROR(
        CheckRange(absl::StrCat(field, "[", i, "]"), hidden[i], 1, 4096));
  }
  return absl::OkStatus();
}

// The learned and density-model exploration bonuses (RND, pseudo-counts,
// forward model); job_spec.proto's comments give these defaults.
void ApplyBonusDefaults(v1::ExplorationSpec& exploration) {
  if (exploration.has_rnd()) {
    v1::RndSpec& rnd = *exploration.mutable_rnd();
    if (rnd.scale() == 0) rnd.set_scale(1.0);
    if (rnd.hidden().empty()) {
      rnd.add_hidden(64);
      rnd.add_hidden(64);
    }
    if (rnd.output_size() == 0) rnd.set_output_size(64);
    if (rnd.lr() == 0) rnd.set_lr(1e-4);
    if (!rnd.has_gamma()) rnd.set_gamma(0.99);
  }
  if (exploration.has_pseudo_counts()) {
    v1::PseudoCountSpec& counts = *exploration.mutable_pseudo_counts();
    if (counts.scale() == 0) counts.set_scale(0.1);
    if (counts.bins() == 0) counts.set_bins(32);
  }
  if (exploration.has_forward_model()) {
    v1::ForwardModelSpec& model = *exploration.mutable_forward_model();
    if (model.scale() == 0) model.set_scale(1.0);
    if (model.hidden().empty()) {
      model.add_hidden(64);
      model.add_hidden(64);
    }
    if (model.lr() == 0) model.set_lr(1e-3);
  }
}

// The pseudo-count histograms hold observation size x bins counts (8 bytes
// each, learner/reward_models/histogram_density.h): at most 128 MiB.
constexpr int64_t kMaxHistogramCounts = int64_t{1} << 24;

absl::Status ValidateBonuses(const v1::JobSpec& spec,
                             const EnvironmentInfo& env) {
  const v1::ExplorationSpec& exploration = spec.exploration();
  if (!exploration.has_rnd() && !exploration.has_hashed_counts() &&
      !exploration.has_pseudo_counts() && !exploration.has_forward_model()) {
    return absl::OkStatus();
  }
  // The bonuses are reward models in front of a batch-learning algorithm.
  if (!spec.algorithm().has_soft_q() && !spec.algorithm().has_sac()) {
    return FieldError("exploration",
                      "bonuses (rnd, hashed_counts, pseudo_counts, "
                      "forward_model) need algorithm.soft_q or algorithm.sac");
  }
  if (exploration.has_rnd()) {
    const std::string p = "exploration.rnd.";
    const v1::RndSpec& rnd = exploration.rnd();
    RETURN_IF_ERROR(CheckPositiveFinite(p + "scale", rnd.scale()));
    RETURN_IF_ERROR(CheckHidden(p + "hidden", rnd.hidden()));
    RETURN_IF_ERROR(CheckRange(p + "output_size", rnd.output_size(), 1, 4096));
    RETURN_IF_ERROR(CheckPositiveFinite(p + "lr", rnd.lr()));
    if (!(rnd.gamma() >= 0 && rnd.gamma() < 1)) {
      return FieldError(p + "gamma",
                        absl::StrCat("must be in [0, 1), got ", rnd.gamma()));
    }
  }
  if (exploration.has_pseudo_counts()) {
    const std::string p = "exploration.pseudo_counts.";
    const v1::PseudoCountSpec& counts = exploration.pseudo_counts();
    RETURN_IF_ERROR(CheckPositiveFinite(p + "scale", counts.scale()));
    RETURN_IF_ERROR(CheckRange(p + "bins", counts.bins(), 2, 4096));
    const int64_t cells =
        SaturatingMul(env.observation_space.FlatSize(), counts.bins());
    if (cells > kMaxHistogramCounts) {
      return FieldError(
          p + "bins",
          absl::StrCat(env.observation_space.FlatSize(),
                       " observation dimensions x ", counts.bins(),
                       " bins make ", cells, " counts, over the limit of ",
                       kMaxHistogramCounts, ": use fewer bins"));
    }
  }
  if (exploration.has_forward_model()) {
    const std::string p = "exploration.forward_model.";
    const v1::ForwardModelSpec& model = exploration.forward_model();
    RETURN_IF_ERROR(CheckPositiveFinite(p + "scale", model.scale()));
    RETURN_IF_ERROR(CheckHidden(p + "hidden", model.hidden()));
    RETURN_IF_ERROR(CheckPositiveFinite(p + "lr", model.lr()));
  }
  return absl::OkStatus();
}

absl::Status ValidateSoftQ(const v1::SoftQSpec& q, const Space& action_space,
                           absl::string_view env_id) {
  const std::string p = "algorithm.soft_q.";
  if (action_space.kind != Space::Kind::kDiscrete) {
    return FieldError("algorithm.soft_q",
                      absl::StrCat("needs discrete actions, but ", env_id,
                                   " has continuous actions"));
  }
  if (!(q.gamma() >= 0 && q.gamma() < 1)) {
    return FieldError(p + "gamma",
                      absl::StrCat("must be in [0, 1), got ", q.gamma()));
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "alpha", q.alpha()));
  if (q.has_auto_alpha()) {
    const double max_entropy = std::log(action_space.num_actions);
    const double target = q.auto_alpha().target_entropy();
    if (!(target > 0 && target < max_entropy)) {
      return FieldError(p + "auto_alpha.target_entropy",
                        absl::StrCat("must be in (0, log(num_actions) = ",
                                     max_entropy, "), got ", target));
    }
    RETURN_IF_ERROR(
        CheckPositiveFinite(p + "auto_alpha.lr", q.auto_alpha().lr()));
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "lr", q.lr()));
  RETURN_IF_ERROR(CheckRange(p + "batch_size", q.batch_size(), 1, 65536));
  RETURN_IF_ERROR(CheckHidden(p + "hidden", q.hidden()));
  const v1::TargetUpdateSpec& target = q.target_update();
  if (target.rule_case() == v1::TargetUpdateSpec::kPolyak &&
      !(target.polyak() > 0 && target.polyak() <= 1)) {
    return FieldError(p + "target_update.polyak",
                      absl::StrCat("must be in (0, 1], got ", target.polyak()));
  }
  if (target.rule_case() == v1::TargetUpdateSpec::kPeriod &&
      target.period() < 1) {
    return FieldError(
        p + "target_update.period",
        absl::StrCat("must be at least 1, got ", target.period()));
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "huber_delta", q.huber_delta()));
  RETURN_IF_ERROR(CheckRange(p + "publish_every_updates",
                             q.publish_every_updates(), 1, 1000000));
  RETURN_IF_ERROR(
      CheckNonNegativeFinite(p + "max_grad_norm", q.max_grad_norm()));
  RETURN_IF_ERROR(CheckRange(p + "n_step", q.n_step(), 1, 1000));
  return absl::OkStatus();
}

absl::Status ValidateSac(const v1::SacSpec& sac, const Space& action_space,
                         absl::string_view env_id) {
  const std::string p = "algorithm.sac.";
  if (action_space.kind != Space::Kind::kBox) {
    return FieldError("algorithm.sac",
                      absl::StrCat("needs continuous (box) actions, but ",
                                   env_id, " has discrete actions"));
  }
  for (size_t i = 0; i < action_space.low.size(); ++i) {
    if (!std::isfinite(action_space.low[i]) ||
        !std::isfinite(action_space.high[i])) {
      return FieldError("algorithm.sac",
                        absl::StrCat(env_id, "'s action dimension ", i,
                                     " is unbounded; the squashed Gaussian "
                                     "needs finite bounds"));
    }
  }
  if (!(sac.gamma() >= 0 && sac.gamma() < 1)) {
    return FieldError(p + "gamma",
                      absl::StrCat("must be in [0, 1), got ", sac.gamma()));
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "alpha", sac.alpha()));
  if (sac.has_target_entropy() && !std::isfinite(sac.target_entropy())) {
    return FieldError(p + "target_entropy", "must be a finite number");
  }
  RETURN_IF_ERROR(CheckPositiveFinite(p + "actor_lr", sac.actor_lr()));
  RETURN_IF_ERROR(CheckPositiveFinite(p + "critic_lr", sac.critic_lr()));
  RETURN_IF_ERROR(CheckPositiveFinite(p + "alpha_lr", sac.alpha_lr()));
  RETURN_IF_ERROR(CheckRange(p + "batch_size", sac.batch_size(), 1, 65536));
  RETURN_IF_ERROR(CheckHidden(p + "hidden", sac.hidden()));
  if (!(sac.polyak() > 0 && sac.polyak() <= 1)) {
    return FieldError(p + "polyak",
                      absl::StrCat("must be in (0, 1], got ", sac.polyak()));
  }
  RETURN_IF_ERROR(CheckRange(p + "publish_every_updates",
                             sac.publish_every_updates(), 1, 1000000));
  RETURN_IF_ERROR(
      CheckNonNegativeFinite(p + "max_grad_norm", sac.max_grad_norm()));
  RETURN_IF_ERROR(CheckRange(p + "n_step", sac.n_step(), 1, 1000));
  return absl::OkStatus();
}

absl::Status ValidateReplay(const v1::ReplaySpec& replay, int batch_size) {
  RETURN_IF_ERROR(
      CheckRange("replay.chunk_length", replay.chunk_length(), 1, 4096));
  const v1::TableSpec& agent = replay.agent();
  RETURN_IF_ERROR(CheckRange<int64_t>("replay.agent.capacity", agent.capacity(),
                                      1, kMaxTableCapacity));
  if (!v1::TableSpec::Sampler_IsValid(agent.sampler()) ||
      agent.sampler() == v1::TableSpec::SAMPLER_UNSPECIFIED) {
    return FieldError(
        "replay.agent.sampler",
        absl::StrCat("unknown sampler ", static_cast<int>(agent.sampler())));
  }
  RETURN_IF_ERROR(CheckNonNegativeFinite("replay.agent.priority_exponent",
                                         agent.priority_exponent()));
  if (!(agent.importance_exponent() >= 0 && agent.importance_exponent() <= 1)) {
    return FieldError(
        "replay.agent.importance_exponent",
        absl::StrCat("must be in [0, 1], got ", agent.importance_exponent()));
  }
  if (agent.importance_anneal_updates() < 0) {
    return FieldError("replay.agent.importance_anneal_updates", "must be >= 0");
  }
  if (agent.capacity_bytes() < 0) {
    return FieldError("replay.agent.capacity_bytes", "must be >= 0");
  }
  if (agent.max_policy_lag() < 0) {
    return FieldError("replay.agent.max_policy_lag", "must be >= 0");
  }
  RETURN_IF_ERROR(CheckRange<int64_t>("replay.agent.min_size", agent.min_size(),
                                      1, agent.capacity()));
  const double spi = agent.samples_per_insert();
  RETURN_IF_ERROR(
      CheckNonNegativeFinite("replay.agent.samples_per_insert", spi));
  if (agent.sampler() == v1::TableSpec::FIFO && spi > 1) {
    return FieldError(
        "replay.agent.samples_per_insert",
        absl::StrCat("a FIFO table hands out each transition once, so at "
                     "most 1, got ",
                     spi));
  }
  if (spi > 0) {
    const double minimum =
        MinimumErrorBuffer(batch_size, replay.chunk_length(), spi);
    if (!(agent.error_buffer() >= minimum)) {
      return FieldError(
          "replay.agent.error_buffer",
          absl::StrCat("must be at least (batch_size + samples_per_insert * "
                       "chunk_length) / 2 = ",
                       minimum,
                       " or the learner and actors could wait on "
                       "each other forever, got ",
                       agent.error_buffer()));
    }
  }
  const v1::DemonstrationsSpec& demos = replay.demonstrations();
  const std::string d = "replay.demonstrations.";
  RETURN_IF_ERROR(CheckRange<int64_t>(d + "capacity", demos.capacity(), 1,
                                      kMaxTableCapacity));
  if (!(demos.fraction() >= 0 && demos.fraction() <= 1)) {
    return FieldError(d + "fraction", absl::StrCat("must be in [0, 1], got ",
                                                   demos.fraction()));
  }
  if (demos.has_final_fraction()) {
    if (!(demos.final_fraction() >= 0 && demos.final_fraction() <= 1)) {
      return FieldError(
          d + "final_fraction",
          absl::StrCat("must be in [0, 1], got ", demos.final_fraction()));
    }
    if (demos.anneal_updates() <= 0) {
      return FieldError(d + "anneal_updates",
                        "must be positive when final_fraction is set");
    }
  }
  if (demos.anneal_updates() < 0) {
    return FieldError(d + "anneal_updates", "must be >= 0");
  }
  return absl::OkStatus();
}

}  // namespace

double MinimumErrorBuffer(int batch_size, int chunk_length,
                          double samples_per_insert) {
  return (batch_size + samples_per_insert * chunk_length) / 2.0;
}

int64_t MlpWeightBytes(int64_t inputs, absl::Span<const int32_t> hidden,
                       int64_t outputs) {
  int64_t parameters = 0;
  int64_t width_in = inputs;
  auto add_layer = [&](int64_t width_out) {
    // A Linear layer: weight [width_out, width_in] and bias [width_out].
    parameters = SaturatingAdd(
        parameters, SaturatingMul(SaturatingAdd(width_in, 1), width_out));
    width_in = width_out;
  };
  for (const int32_t width : hidden) add_layer(width);
  add_layer(outputs);
  return SaturatingMul(parameters, sizeof(float));
}

int64_t SampleBatchBytes(int64_t batch_size, int64_t observation_bytes,
                         int64_t action_bytes, int64_t column_bytes) {
  // As Table::SampleBytes for transitions: per row the key, probability and
  // policy version (8 bytes each), the importance weight (4) and the source
  // table (1); per step the reward (4), terminated and truncated (1 each),
  // the discount (4) and the extra columns.
  constexpr int64_t kPerRow = 8 + 8 + 8 + 4 + 1;
  constexpr int64_t kPerStep = 4 + 1 + 1 + 4;
  const int64_t step =
      SaturatingAdd(SaturatingAdd(action_bytes, kPerStep), column_bytes);
  const int64_t row = SaturatingAdd(
      SaturatingAdd(SaturatingMul(2, observation_bytes), step), kPerRow);
  return SaturatingMul(batch_size, row);
}

absl::Status CheckMessageSizes(const v1::JobSpec& spec,
                               const EnvironmentInfo& env,
                               int64_t max_message_bytes) {
  const int64_t observation_size = env.observation_space.FlatSize();
  // What the algorithm publishes (its policy network) and samples.
  std::string algorithm;
  absl::Span<const int32_t> hidden;
  int64_t outputs = 0;
  int batch_size = 0;
  int64_t action_bytes = 0;
  // Networks of that shape published (bootstrapped heads: K trained and
  // K prior networks), and extra column bytes per step.
  int64_t networks = 1;
  int64_t column_bytes = kAgentColumnBytes;
  if (spec.algorithm().has_soft_q()) {
    const v1::SoftQSpec& q = spec.algorithm().soft_q();
    algorithm = "algorithm.soft_q";
    hidden = q.hidden();
    outputs = env.action_space.num_actions;  // Q values
    batch_size = q.batch_size();
    action_bytes = kDiscreteActionBytes;
    if (spec.exploration().has_bootstrapped_heads()) {
      const int64_t heads =
          std::max(0, spec.exploration().bootstrapped_heads().heads());
      networks = 2 * heads;
      column_bytes += heads * sizeof(float);  // the bootstrap mask
    }
  } else if (spec.algorithm().has_sac()) {
    const v1::SacSpec& sac = spec.algorithm().sac();
    const int64_t action_size = env.action_space.FlatSize();
    algorithm = "algorithm.sac";
    hidden = sac.hidden();
    outputs = SaturatingMul(2, action_size);  // mean and log std
    batch_size = sac.batch_size();
    action_bytes = SaturatingMul(action_size, kBoxActionElementBytes);
  } else {
    return absl::OkStatus();
  }
  const int64_t room = max_message_bytes - kMessageOverheadBytes;
  const std::string limit = absl::StrCat(max_message_bytes >> 20, " MiB");
  const int64_t weights = SaturatingMul(
      networks, MlpWeightBytes(observation_size, hidden, outputs));
  if (weights > room) {
    return FieldError(
        algorithm + ".hidden",
        absl::StrCat("the policy network's weights take ", Mebibytes(weights),
                     ", over the ", limit,
                     " message limit: make the hidden layers narrower or "
                     "fewer"));
  }
  const int64_t observation_bytes =
      SaturatingMul(observation_size, kObservationElementBytes);
  if (spec.exploration().has_hashed_counts()) {
    column_bytes += kVisitCountColumnBytes;  // replay's count, per sample
  }
  const int64_t batch = SampleBatchBytes(batch_size, observation_bytes,
                                         action_bytes, column_bytes);
  if (batch > room) {
    return FieldError(
        algorithm + ".batch_size",
        absl::StrCat("a sampled batch takes ", Mebibytes(batch), " (",
                     batch_size, " transitions of ", batch / batch_size,
                     " bytes), over the ", limit,
                     " message limit: sample smaller batches"));
  }
  return absl::OkStatus();
}

void ApplyJobDefaults(v1::JobSpec& spec) {
  if (spec.env().num_envs() == 0) spec.mutable_env()->set_num_envs(8);
  if (spec.env().id() == "DeepSea-v0" && spec.env().deep_sea().size() == 0) {
    spec.mutable_env()->mutable_deep_sea()->set_size(10);
  }
  if (spec.actors() == 0) spec.set_actors(1);
  if (spec.seed() == 0) spec.set_seed(1);
  int batch_size = 0;
  if (spec.algorithm().has_soft_q()) {
    ApplySoftQDefaults(*spec.mutable_algorithm()->mutable_soft_q());
    batch_size = spec.algorithm().soft_q().batch_size();
  }
  if (spec.algorithm().has_sac()) {
    ApplySacDefaults(*spec.mutable_algorithm()->mutable_sac());
    batch_size = spec.algorithm().sac().batch_size();
  }
  if (spec.algorithm().has_maxent_irl()) {
    ApplyMaxEntIrlDefaults(*spec.mutable_algorithm()->mutable_maxent_irl());
  }
  if (spec.algorithm().has_bandit()) {
    ApplyBanditSpecDefaults(*spec.mutable_algorithm()->mutable_bandit());
  }
  ApplyBanditDefaults(*spec.mutable_env());
  if (spec.has_exploration()) ApplyBonusDefaults(*spec.mutable_exploration());
  if (spec.exploration().has_bootstrapped_heads()) {
    ApplyBootstrappedHeadsDefaults(
        *spec.mutable_exploration()->mutable_bootstrapped_heads());
  }
  v1::ReplaySpec& replay = *spec.mutable_replay();
  if (replay.chunk_length() == 0) replay.set_chunk_length(32);
  v1::TableSpec& agent = *replay.mutable_agent();
  if (agent.capacity() == 0) agent.set_capacity(100000);
  if (agent.sampler() == v1::TableSpec::SAMPLER_UNSPECIFIED) {
    agent.set_sampler(v1::TableSpec::UNIFORM);
  }
  if (agent.min_size() == 0) agent.set_min_size(1000);
  if (agent.sampler() == v1::TableSpec::PRIORITIZED) {
    if (agent.priority_exponent() == 0) agent.set_priority_exponent(0.6);
    if (agent.importance_exponent() == 0) agent.set_importance_exponent(0.4);
    if (agent.importance_anneal_updates() == 0) {
      agent.set_importance_anneal_updates(100000);
    }
  }
  v1::DemonstrationsSpec& demos = *replay.mutable_demonstrations();
  if (demos.capacity() == 0) demos.set_capacity(1000000);
  if (!demos.has_fraction()) {
    demos.set_fraction(demos.path().empty() ? 0.0 : 0.25);
  }
  if (!agent.has_samples_per_insert()) agent.set_samples_per_insert(8);
  if (agent.error_buffer() == 0 && agent.samples_per_insert() > 0) {
    agent.set_error_buffer(4 * MinimumErrorBuffer(batch_size,
                                                  replay.chunk_length(),
                                                  agent.samples_per_insert()));
  }
  if (spec.exploration().has_hashed_counts()) {
    ApplyHashedCountDefaults(
        *spec.mutable_exploration()->mutable_hashed_counts());
  }
  v1::EvalSpec& eval = *spec.mutable_eval();
  if (eval.every_updates() == 0) eval.set_every_updates(1000);
  if (eval.episodes() == 0) eval.set_episodes(20);
  if (!eval.has_greedy()) eval.set_greedy(true);
}

absl::Status ValidateJobSpec(const v1::JobSpec& spec) {
  if (spec.name().empty()) return FieldError("name", "is required");
  if (spec.name().size() > 128) {
    return FieldError("name", "must be at most 128 characters");
  }
  if (spec.env().id().empty()) return FieldError("env.id", "is required");
  absl::StatusOr<std::unique_ptr<Environment>> env =
      MakeEnvironment(spec.env());
  if (!env.ok()) {
    // Option errors name their own field.
    if (env.status().code() == absl::StatusCode::kInvalidArgument) {
      return env.status();
    }
    return FieldError("env.id", env.status().message());
  }
  RETURN_IF_ERROR(CheckRange("env.num_envs", spec.env().num_envs(), 1, 4096));
  RETURN_IF_ERROR(CheckRange("actors", spec.actors(), 1, 1024));

  int batch_size = 0;
  switch (spec.algorithm().algorithm_case()) {
    case v1::AlgorithmSpec::kSoftQ:
      RETURN_IF_ERROR(ValidateSoftQ(spec.algorithm().soft_q(),
                                    (*env)->info().action_space,
                                    spec.env().id()));
      batch_size = spec.algorithm().soft_q().batch_size();
      if (spec.algorithm().soft_q().has_imitation()) {
        RETURN_IF_ERROR(ValidateImitation(spec,
                                          spec.algorithm().soft_q().imitation(),
                                          "algorithm.soft_q",
                                          /*gaussian=*/false));
      }
      if (spec.algorithm().soft_q().has_adversarial()) {
        RETURN_IF_ERROR(ValidateAdversarial(
            spec, spec.algorithm().soft_q().adversarial(),
            spec.algorithm().soft_q().n_step(), "algorithm.soft_q"));
      }
      break;
    case v1::AlgorithmSpec::kSac:
      RETURN_IF_ERROR(ValidateSac(spec.algorithm().sac(),
                                  (*env)->info().action_space,
                                  spec.env().id()));
      batch_size = spec.algorithm().sac().batch_size();
      if (spec.algorithm().sac().has_imitation()) {
        RETURN_IF_ERROR(ValidateImitation(spec,
                                          spec.algorithm().sac().imitation(),
                                          "algorithm.sac", /*gaussian=*/true));
      }
      if (spec.algorithm().sac().has_adversarial()) {
        RETURN_IF_ERROR(ValidateAdversarial(
            spec, spec.algorithm().sac().adversarial(),
            spec.algorithm().sac().n_step(), "algorithm.sac"));
      }
      break;
    case v1::AlgorithmSpec::kMaxentIrl:
      RETURN_IF_ERROR(ValidateMaxEntIrl(spec, **env));
      break;
    case v1::AlgorithmSpec::kBandit:
      RETURN_IF_ERROR(ValidateBandit(spec, **env));
      break;
    default:
      return FieldError(
          "algorithm", "is required (soft_q, sac, maxent_irl or bandit)");
  }
  if (spec.exploration().has_bootstrapped_heads()) {
    RETURN_IF_ERROR(ValidateBootstrappedHeads(spec));
  }
  RETURN_IF_ERROR(ValidateReplay(spec.replay(), batch_size));
  if (spec.exploration().has_hashed_counts()) {
    RETURN_IF_ERROR(ValidateHashedCounts(spec, (*env)->info()));
  }
  RETURN_IF_ERROR(CheckMessageSizes(spec, (*env)->info(), kMaxMessageBytes));
  RETURN_IF_ERROR(ValidateBonuses(spec, (*env)->info()));
  if (spec.replay().agent().capacity() < batch_size) {
    return FieldError("replay.agent.capacity",
                      "must hold at least one batch (batch_size transitions)");
  }

  const v1::StopSpec& stop = spec.stop();
  if (stop.env_steps() < 0) {
    return FieldError("stop.env_steps", "must be >= 0");
  }
  if (stop.updates() < 0) return FieldError("stop.updates", "must be >= 0");
  if (stop.has_wall_time() &&
      (stop.wall_time().seconds() < 0 || stop.wall_time().nanos() < 0 ||
       (stop.wall_time().seconds() == 0 && stop.wall_time().nanos() <= 0))) {
    return FieldError("stop.wall_time", "must be a positive duration");
  }
  if (stop.has_eval_return() && !std::isfinite(stop.eval_return())) {
    return FieldError("stop.eval_return", "must be a finite number");
  }
  // MaxEnt IRL ends on its own, once converged or after max_iterations; a
  // bandit job after its pulls.
  if (stop.env_steps() == 0 && stop.updates() == 0 && !stop.has_wall_time() &&
      !stop.has_eval_return() && !spec.algorithm().has_maxent_irl() &&
      !spec.algorithm().has_bandit()) {
    return FieldError("stop",
                      "needs at least one of env_steps, wall_time, "
                      "eval_return, updates");
  }
  RETURN_IF_ERROR(CheckRange("eval.every_updates", spec.eval().every_updates(),
                             1, 1 << 30));
  RETURN_IF_ERROR(
      CheckRange("eval.episodes", spec.eval().episodes(), 1, 10000));
  return absl::OkStatus();
}

}  // namespace entropic
