#ifndef ENTROPIC_COMMON_TABULAR_GRIDWORLD_H_
#define ENTROPIC_COMMON_TABULAR_GRIDWORLD_H_

#include <vector>

#include "common/tabular/mdp.h"

namespace entropic::tabular {

// A grid of cells with a reward for being in each, moves up, right, down and
// left (actions 0..3), walls at the border (a move into one stays put), and
// a slip: with probability `slip` the move goes in a uniformly random
// direction instead. Cells are numbered row-major; episodes start in `start`
// and last `horizon` steps (nothing terminates).
struct GridworldLayout {
  int rows = 0;
  int cols = 0;
  std::vector<double> cell_reward;  // [rows * cols]
  int start = 0;
  double slip = 0;
  int horizon = 0;

  int num_cells() const { return rows * cols; }
};

inline constexpr int kGridworldActions = 4;

// Gridworld-v0, 5 x 5:
//   S . . . .      S start (0)      X -1 per step
//   . X X X .      . 0              G +1 per step
//   . . . . .
//   . X X X .
//   . . . . G
// slip 0.1, horizon 20.
GridworldLayout DefaultGridworld();

// The cell a move from `cell` in `direction` (0 up, 1 right, 2 down, 3 left)
// reaches, staying put at the border.
int GridworldMove(const GridworldLayout& layout, int cell, int direction);

// The layout as an MDP: r(s, a) = cell_reward[s], P from the moves and the
// slip, the initial distribution all on `start`.
Mdp GridworldMdp(const GridworldLayout& layout);

}  // namespace entropic::tabular

#endif  // ENTROPIC_COMMON_TABULAR_GRIDWORLD_H_
