#include "cli/embedded_cluster.h"

#include <glog/logging.h>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace entropic {

absl::StatusOr<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(
    const Options& options) {
  std::unique_ptr<EmbeddedCluster> cluster(new EmbeddedCluster());
  cluster->registry_ = std::make_shared<prometheus::Registry>();
  if (options.metrics_port >= 0) {
    ASSIGN_OR_RETURN(cluster->metrics_,
                     MetricsServer::Create("127.0.0.1", options.metrics_port,
                                           cluster->registry_));
  }

  ReplayServer::Options replay;
  replay.host = "127.0.0.1";
  replay.port = 0;
  replay.checkpoint_dir = options.replay_checkpoint_dir;
  ASSIGN_OR_RETURN(cluster->replay_,
                   ReplayServer::Create(replay, *cluster->registry_));

  LearnerServer::Options learner;
  learner.host = "127.0.0.1";
  learner.port = 0;
  learner.replay_address = absl::StrCat("127.0.0.1:", cluster->replay_->port());
  learner.output_root = options.output_root;
  learner.device = options.device;
  ASSIGN_OR_RETURN(cluster->learner_,
                   LearnerServer::Create(learner, *cluster->registry_));

  cluster->actor_metrics_ = std::make_unique<ActorMetrics>(*cluster->registry_);
  for (int i = 0; i < options.actors; ++i) {
    Actor::Options actor;
    actor.learner_address = cluster->learner_address();
    actor.name = absl::StrCat("embedded-actor-", i);
    ASSIGN_OR_RETURN(std::unique_ptr<Actor> created,
                     Actor::Create(actor, cluster->actor_metrics_.get()));
    cluster->actors_.push_back(std::move(created));
  }
  for (auto& actor : cluster->actors_) {
    Actor* raw = actor.get();
    cluster->actor_threads_.emplace_back([raw] {
      const absl::Status status = raw->Run();
      if (!status.ok()) LOG(ERROR) << "actor stopped: " << status;
    });
  }
  return cluster;
}

EmbeddedCluster::~EmbeddedCluster() { Stop(); }

std::string EmbeddedCluster::learner_address() const {
  return absl::StrCat("127.0.0.1:", learner_->port());
}

void EmbeddedCluster::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& actor : actors_) actor->Stop();
  for (auto& thread : actor_threads_) thread.join();
  learner_->Shutdown();
  replay_->Shutdown();
}

}  // namespace entropic
