# paperprov: origin=ai tool=claude model=unknown role=generated
"""Shared pieces of the example paper's claim checks: random instances of the model
and the quantities that appear in the proof of the main theorem.

Not a conftest.py on purpose: tests/conftest.py is imported as `conftest` by the other
test modules (`from conftest import ...`), and a second conftest.py in this directory
would replace it in sys.modules.

The model itself comes from experiments/lsagents.py, the very code that draws the
paper's figures, so the checks test what the experiments compute.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
if str(EXPERIMENTS) not in sys.path:
    sys.path.insert(0, str(EXPERIMENTS))

import lsagents  # noqa: E402  (needs the sys.path entry above)
from lsagents import Agent  # noqa: E402

# Deterministic in CI (derandomize), no example database written into the repository,
# and small: these run on every build that touches a statement or its check.
CLAIM_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

REL = 1e-9  # relative tolerance, against ||y||^2 (the scale of every MSE here)


@dataclass(frozen=True)
class Instance:
    """A data set and a network on it, with every agent's prediction."""

    X: np.ndarray
    y: np.ndarray
    agents: tuple[Agent, ...]
    preds: tuple[np.ndarray, ...]
    f_star: np.ndarray

    @property
    def scale(self) -> float:
        """||y||^2, the scale for absolute tolerances (every MSE is at most this)."""
        return max(lsagents.sqnorm(self.y), 1e-300)

    def edges(self) -> list[tuple[int, int]]:
        return [(u, v) for v, a in enumerate(self.agents) for u in sorted(set(a.parents))]


def make_instance(seed: int, n: int, d: int, agents: list[Agent], rho: float = 0.0) -> Instance:
    """Gaussian features (equicorrelated with rho) and labels y = X beta + noise."""
    rng = np.random.default_rng(seed)
    X = lsagents.equicorrelated(rng, n, d, rho)
    y = lsagents.linear_data(rng, X, noise=float(rng.uniform(0.0, 2.0)))
    preds = lsagents.evaluate(X, y, agents)
    return Instance(X=X, y=y, agents=tuple(agents), preds=tuple(preds), f_star=lsagents.global_fit(X, y))


@st.composite
def networks(draw: st.DrawFn, max_agents: int = 8, max_d: int = 6) -> Instance:
    """A random network: random feature subsets (possibly empty), random earlier parents
    (possibly none), n sometimes smaller than d."""
    d = draw(st.integers(1, max_d))
    n = draw(st.integers(2, 24))
    count = draw(st.integers(1, max_agents))
    agents = []
    for v in range(count):
        features = draw(st.sets(st.integers(0, d - 1), max_size=d))
        parents = draw(st.sets(st.integers(0, v - 1), max_size=3)) if v > 0 else set()
        agents.append(Agent(features=tuple(sorted(features)), parents=tuple(sorted(parents))))
    seed = draw(st.integers(0, 2**32 - 1))
    rho = draw(st.sampled_from([0.0, 0.5, 0.9]))
    return make_instance(seed, n, d, agents, rho)


@dataclass(frozen=True)
class PathCase:
    """A network with a designated k-covering path (agent indices, in order)."""

    inst: Instance
    path: tuple[int, ...]
    k: int


@st.composite
def covering_paths(draw: st.DrawFn) -> PathCase:
    """A k-covering path inside a network: the path cycles through a random partition
    of the features into k blocks, its agents may see extra features, and side agents
    (off the path) may feed extra parents into it, as in a general DAG."""
    k = draw(st.integers(2, 4))
    d = draw(st.integers(k, 7))
    n = draw(st.integers(d, 30))
    order = draw(st.permutations(list(range(d))))
    cuts = sorted(draw(st.sets(st.integers(1, d - 1), min_size=k - 1, max_size=k - 1)))
    blocks = [order[a:b] for a, b in zip([0] + cuts, cuts + [d])]
    T = draw(st.integers(k + 1, 4 * k + 3))
    agents: list[Agent] = []
    path: list[int] = []
    for t in range(T):
        # Sometimes a side agent first, which the next path agent may also listen to.
        side = draw(st.booleans()) and t > 0
        if side:
            feats = draw(st.sets(st.integers(0, d - 1), max_size=d))
            agents.append(Agent(features=tuple(sorted(feats)), parents=(path[-1],)))
        extra = draw(st.sets(st.integers(0, d - 1), max_size=2))
        feats = sorted(set(blocks[t % k]) | extra)
        parents = set()
        if path:
            parents.add(path[-1])
            if side and draw(st.booleans()):
                parents.add(len(agents) - 1)
        agents.append(Agent(features=tuple(feats), parents=tuple(sorted(parents))))
        path.append(len(agents) - 1)
    seed = draw(st.integers(0, 2**32 - 1))
    rho = draw(st.sampled_from([0.0, 0.5, 0.9]))
    return PathCase(inst=make_instance(seed, n, d, agents, rho), path=tuple(path), k=k)


@dataclass(frozen=True)
class ProofTrace:
    """The quantities of the proof of the theorem (appendix), for one path."""

    deltas: np.ndarray  # Delta(f_t), t = 1..T
    moves: np.ndarray  # m_t = ||f_{t+1} - f_t||^2, t = 1..T-1
    W: int
    s: int  # 0-based index of the quiet window's first iterate
    delta: float  # sqrt(k Delta_1 / W)
    pieces: tuple[np.ndarray, ...]  # g_j with f* - f_s = sum_j g_j
    ratio: float  # sum ||g_j|| / ||f* - f_s||, standing in for C


def trace(case: PathCase) -> ProofTrace:
    """Follow the proof: the movement budget, the quiet window, and an explicit
    decomposition of f* - f_s over the window agents' feature sets."""
    inst, k = case.inst, case.k
    f = [inst.preds[v] for v in case.path]
    T = len(f)
    deltas = np.array([lsagents.excess(x, inst.f_star) for x in f])
    moves = np.array([lsagents.sqnorm(f[t + 1] - f[t]) for t in range(T - 1)])
    W = (T - 1) // k
    # Windows I_w = {s_w, ..., s_w + k - 1} with s_w = 1 + w k (1-based) -> w k (0-based).
    window_moves = [moves[w * k:(w + 1) * k].sum() for w in range(W)]
    w = int(np.argmin(window_moves))
    s = w * k
    blocks = [inst.agents[case.path[s + j]].features for j in range(1, k + 1)]
    h = inst.f_star - f[s]
    pieces = tuple(lsagents.decomposition(inst.X, blocks, h))
    return ProofTrace(
        deltas=deltas, moves=moves, W=W, s=s, delta=float(np.sqrt(k * deltas[0] / W)),
        pieces=pieces, ratio=lsagents.decomposition_ratio(inst.X, blocks, h),
    )
