#include "actor/actor_metrics.h"

namespace entropic {
namespace {

prometheus::Counter& Counter(prometheus::Registry& registry, const char* name,
                             const char* help) {
  return prometheus::BuildCounter()
      .Name(name)
      .Help(help)
      .Register(registry)
      .Add({});
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const char* name,
                         const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(
      {});
}

}  // namespace

ActorMetrics::ActorMetrics(prometheus::Registry& registry)
    : writer(registry),
      env_steps(Counter(registry, "entropic_actor_env_steps_total",
                        "Environment steps taken")),
      episodes(Counter(registry, "entropic_actor_episodes_total",
                       "Episodes finished")),
      episode_return(prometheus::BuildHistogram()
                         .Name("entropic_actor_episode_return")
                         .Help("Undiscounted return of finished episodes")
                         .Register(registry)
                         .Add({},
                              prometheus::Histogram::BucketBoundaries{
                                  -1000, -500, -200, -100, -50, 0, 10, 50, 100,
                                  200, 300, 400, 475, 500, 1000})),
      last_episode_return(Gauge(registry, "entropic_actor_last_episode_return",
                                "Return of the latest finished episode")),
      policy_version(Gauge(registry, "entropic_actor_policy_version",
                           "Weights version acting now")),
      weight_updates(Counter(registry, "entropic_actor_weight_updates_total",
                             "New weights loaded")),
      assignments(Gauge(registry, "entropic_actor_assignments",
                        "Actors of this process working on a job")) {}

}  // namespace entropic
