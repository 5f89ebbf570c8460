#include "common/tabular/gridworld.h"

namespace entropic::tabular {

GridworldLayout DefaultGridworld() {
  constexpr char kMap[] =
      "S...."
      ".XXX."
      "....."
      ".XXX."
      "....G";
  GridworldLayout layout;
  layout.rows = 5;
  layout.cols = 5;
  layout.slip = 0.1;
  layout.horizon = 20;
  for (int cell = 0; cell < layout.num_cells(); ++cell) {
    const char c = kMap[cell];
    layout.cell_reward.push_back(c == 'X' ? -1.0 : c == 'G' ? 1.0 : 0.0);
    if (c == 'S') layout.start = cell;
  }
  return layout;
}

int GridworldMove(const GridworldLayout& layout, int cell, int direction) {
  static constexpr int kRowStep[kGridworldActions] = {-1, 0, 1, 0};
  static constexpr int kColStep[kGridworldActions] = {0, 1, 0, -1};
  const int row = cell / layout.cols + kRowStep[direction];
  const int col = cell % layout.cols + kColStep[direction];
  if (row < 0 || row >= layout.rows || col < 0 || col >= layout.cols) {
    return cell;
  }
  return row * layout.cols + col;
}

Mdp GridworldMdp(const GridworldLayout& layout) {
  Mdp mdp;
  mdp.num_states = layout.num_cells();
  mdp.num_actions = kGridworldActions;
  const int S = mdp.num_states;
  mdp.transition.assign(static_cast<size_t>(S) * kGridworldActions * S, 0.0);
  for (int s = 0; s < S; ++s) {
    for (int a = 0; a < kGridworldActions; ++a) {
      double* row = &mdp.transition[(s * kGridworldActions + a) * S];
      row[GridworldMove(layout, s, a)] += 1 - layout.slip;
      for (int direction = 0; direction < kGridworldActions; ++direction) {
        row[GridworldMove(layout, s, direction)] +=
            layout.slip / kGridworldActions;
      }
    }
  }
  mdp.reward = SpreadStateReward(layout.cell_reward, kGridworldActions);
  mdp.initial.assign(S, 0.0);
  mdp.initial[layout.start] = 1.0;
  return mdp;
}

}  // namespace entropic::tabular
