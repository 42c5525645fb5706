# paperprov: origin=ai tool=claude model=unknown role=generated
"""Networks of least-squares agents: the model of the example paper.

Every agent of a directed acyclic graph sees some feature columns of X and the
predictions of its parents, and outputs the least-squares fit of y on the span of
what it sees (an orthogonal projection under the empirical inner product
<u, v> = (1/n) sum_i u_i v_i). The experiments and the claim checks in tests/claims
both import this module, so the code that draws the figures is the code that is
checked against the lemmas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Agent:
    """One node of the network: the feature columns it sees and its parents.

    Parents are indices of earlier agents, so a list of agents in index order is
    already a topological order of the graph.
    """

    features: tuple[int, ...]
    parents: tuple[int, ...] = ()


def inner(u: np.ndarray, v: np.ndarray) -> float:
    """The empirical inner product <u, v> = (1/n) sum_i u_i v_i."""
    return float(np.dot(u, v)) / u.shape[0]


def sqnorm(u: np.ndarray) -> float:
    """The squared empirical norm ||u||^2 = <u, u>."""
    return inner(u, u)


def mse(y: np.ndarray, f: np.ndarray) -> float:
    """Mean squared error of the prediction vector f: ||y - f||^2."""
    return sqnorm(y - f)


def project(columns: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Orthogonal projection of y onto the span of the given columns (n x m).

    lstsq is SVD-based, so rank-deficient spans (a parent's prediction that already
    lies in the agent's feature span, repeated parents) are handled without fuss.
    An empty set of columns spans {0}.
    """
    if columns.shape[1] == 0:
        return np.zeros_like(y)
    coef, *_ = np.linalg.lstsq(columns, y, rcond=None)
    return columns @ coef


def global_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f* = the projection of y onto col(X), the best linear model on all features."""
    return project(X, y)


def excess(f: np.ndarray, f_star: np.ndarray) -> float:
    """Excess error Delta(f) = ||f - f*||^2 (equal to MSE(f) - MSE(f*) on col(X))."""
    return sqnorm(f - f_star)


def hypothesis_columns(X: np.ndarray, agent: Agent, preds: Sequence[np.ndarray]) -> np.ndarray:
    """The spanning set of H_v: the agent's feature columns and its parents' predictions."""
    cols = [X[:, list(agent.features)]] if agent.features else []
    cols += [preds[u][:, None] for u in agent.parents]
    if not cols:
        return np.zeros((X.shape[0], 0))
    return np.hstack(cols)


def evaluate(X: np.ndarray, y: np.ndarray, agents: Sequence[Agent]) -> list[np.ndarray]:
    """Predictions f_v of every agent, computed in index (= topological) order."""
    preds: list[np.ndarray] = []
    for v, agent in enumerate(agents):
        if any(u >= v or u < 0 for u in agent.parents):
            raise ValueError(f"agent {v}: parents must be earlier agents, got {agent.parents}")
        preds.append(project(hypothesis_columns(X, agent, preds), y))
    return preds


def chain(blocks: Sequence[Sequence[int]], length: int) -> list[Agent]:
    """A path of `length` agents cycling through the feature blocks, each agent the
    only child of the one before it."""
    return [
        Agent(features=tuple(blocks[t % len(blocks)]), parents=(t - 1,) if t > 0 else ())
        for t in range(length)
    ]


def equicorrelated(rng: np.random.Generator, n: int, d: int, rho: float) -> np.ndarray:
    """n rows of d standard Gaussian features with pairwise correlation rho >= 0,
    drawn as sqrt(rho) * common factor + sqrt(1 - rho) * independent noise."""
    common = rng.standard_normal((n, 1))
    return np.sqrt(rho) * common + np.sqrt(1.0 - rho) * rng.standard_normal((n, d))


def linear_data(rng: np.random.Generator, X: np.ndarray, noise: float = 1.0) -> np.ndarray:
    """Labels y = X beta + noise with beta standard Gaussian."""
    beta = rng.standard_normal(X.shape[1])
    return X @ beta + noise * rng.standard_normal(X.shape[0])


def decomposition(X: np.ndarray, blocks: Sequence[Sequence[int]], h: np.ndarray) -> list[np.ndarray]:
    """An explicit decomposition h = sum_j g_j with g_j in span(X_{B_j}).

    Solves [X_{B_1} ... X_{B_k}] c = h for the minimum-norm c; the pieces are
    g_j = X_{B_j} c_j. Exact whenever h lies in col(X) and the blocks cover all
    features (then the block spans add up to col(X)).
    """
    cols = [list(b) for b in blocks]
    A = np.hstack([X[:, c] for c in cols])
    coef, *_ = np.linalg.lstsq(A, h, rcond=None)
    pieces, start = [], 0
    for c in cols:
        pieces.append(X[:, c] @ coef[start:start + len(c)])
        start += len(c)
    return pieces


def decomposition_ratio(X: np.ndarray, blocks: Sequence[Sequence[int]], h: np.ndarray) -> float:
    """sum_j ||g_j|| / ||h|| for the explicit decomposition above (an upper bound on
    the best ratio for this h, hence usable in place of C in the theorem's proof)."""
    norm_h = np.sqrt(sqnorm(h))
    if norm_h == 0.0:
        return 1.0
    return float(sum(np.sqrt(sqnorm(g)) for g in decomposition(X, blocks, h)) / norm_h)


def is_k_covering(agents: Sequence[Agent], path: Sequence[int], k: int, d: int) -> bool:
    """True if every k consecutive agents of the path together see all d features."""
    for s in range(len(path) - k + 1):
        seen: set[int] = set()
        for v in path[s:s + k]:
            seen.update(agents[v].features)
        if len(seen) < d:
            return False
    return True


def longest_covering_path(agents: Sequence[Agent], k: int, d: int) -> list[int]:
    """The longest path (along parent -> child edges) whose every k consecutive agents
    see all d features.

    Dynamic programming over the last min(k - 1, length) agents of a path: whether a
    path can be extended by a child depends only on that suffix. The state space is
    small for sparse graphs (at most (max in-degree)^(k-1) suffixes per agent).
    Paths shorter than k have no window and count as covering.
    """
    if k < 2:
        raise ValueError("k must be at least 2 (with k = 1 every agent sees everything)")
    children: list[list[int]] = [[] for _ in agents]
    for v, a in enumerate(agents):
        for u in set(a.parents):
            children[u].append(v)
    # best[suffix] = longest covering path ending with `suffix` (a tuple of agents);
    # suffixes are visited in order of their last agent, which is topological.
    best: dict[tuple[int, ...], list[int]] = {}
    by_end: list[list[tuple[int, ...]]] = [[] for _ in agents]
    for v in range(len(agents)):
        best[(v,)] = [v]
        by_end[v].append((v,))
    longest: list[int] = [0] if agents else []
    for u in range(len(agents)):
        for suffix in by_end[u]:
            path = best[suffix]
            if len(path) > len(longest):
                longest = path
            for w in sorted(set(children[u])):
                window = suffix + (w,)
                if len(window) == k:
                    seen: set[int] = set()
                    for x in window:
                        seen.update(agents[x].features)
                    if len(seen) < d:
                        continue
                key = window[-(k - 1):]
                candidate = path + [w]
                if key not in best or len(candidate) > len(best[key]):
                    if key not in best:
                        by_end[w].append(key)
                    best[key] = candidate
    return longest
