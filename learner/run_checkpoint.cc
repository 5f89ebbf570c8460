#include "learner/run_checkpoint.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/env/registry.h"
#include "common/job_file.h"
#include "common/status_macros.h"
#include "learner/soft_q.h"

namespace entropic {

absl::StatusOr<RunCheckpoint> LoadRunCheckpoint(const std::string& run_dir) {
  RunCheckpoint checkpoint;
  ASSIGN_OR_RETURN(checkpoint.spec, LoadJobFile(run_dir + "/job.json"));
  if (!checkpoint.spec.algorithm().has_soft_q()) {
    return absl::InvalidArgumentError(
        absl::StrCat(run_dir, " is not a soft Q job's output"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Environment> env,
                   MakeEnvironment(checkpoint.spec.env().id()));
  const EnvironmentInfo& info = env->info();
  ASSIGN_OR_RETURN(std::unique_ptr<SoftQLearner> learner,
                   SoftQLearner::Create(checkpoint.spec.algorithm().soft_q(),
                                        info.observation_space.FlatSize(),
                                        info.action_space.num_actions, "cpu",
                                        checkpoint.spec.seed()));
  RETURN_IF_ERROR(learner->Load(run_dir + "/checkpoint"));
  checkpoint.weights = learner->Weights(checkpoint.spec.name(), 0);
  return checkpoint;
}

}  // namespace entropic
