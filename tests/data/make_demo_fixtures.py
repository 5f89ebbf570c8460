"""Writes the demonstration files the tests read, with real numpy.

Two episodes of 4-float observations: episode 0 has 3 steps and terminates,
episode 1 has 4 steps and is truncated. Observation t of episode e is
[100 e + t] * 4, action t % 2, reward 1 + t.

    python3 tests/data/make_demo_fixtures.py
"""
import numpy as np

observations, actions, rewards, next_observations = [], [], [], []
terminated, truncated = [], []
for episode, (length, ends_terminal) in enumerate([(3, True), (4, False)]):
    for t in range(length):
        observations.append([100 * episode + t] * 4)
        next_observations.append([100 * episode + t + 1] * 4)
        actions.append(t % 2)
        rewards.append(1 + t)
        last = t == length - 1
        terminated.append(last and ends_terminal)
        truncated.append(last and not ends_terminal)

arrays = dict(
    observations=np.array(observations, dtype=np.float32),
    actions=np.array(actions, dtype=np.int64),
    rewards=np.array(rewards, dtype=np.float32),
    next_observations=np.array(next_observations, dtype=np.float32),
    terminated=np.array(terminated, dtype=bool),
    truncated=np.array(truncated, dtype=bool),
)
np.savez("tests/data/demos_savez.npz", **arrays)
# Compressed, and with other dtypes the loader converts.
arrays["observations"] = arrays["observations"].astype(np.float64)
arrays["actions"] = arrays["actions"].astype(np.int32)
np.savez_compressed("tests/data/demos_compressed.npz", **arrays)
