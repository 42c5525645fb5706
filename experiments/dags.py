# paperprov: origin=ai tool=claude model=unknown role=generated
"""Experiment 2 of the example paper: random DAGs of least-squares agents.

One data set (d = 24 equicorrelated features, rho = 0.5, k = 4 blocks of 6) and many
random graphs. Every agent sees one or two random blocks and one or two
random parents among the few agents just before it; how far back it may look (the
graph's "reach") and the number of agents vary from graph to graph, so some graphs are
deep and narrow and others shallow and wide. For each graph we record the excess error
of its best agent, relative to that of the zero predictor (||f*||^2), and the length
of its longest k-covering path.

Outputs (in --out):
  scatter.pdf   best agent's relative excess error against the longest k-covering path
  results.json  one entry per graph

Run from the repository root:
  python experiments/dags.py --out build/experiments/dags --seed 2
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import expio  # first: it pins BLAS threads before numpy loads

import numpy as np

from lsagents import Agent, equicorrelated, evaluate, excess, global_fit, linear_data, longest_covering_path, sqnorm

N, D, K, RHO = 500, 24, 4, 0.9
GRAPHS = 60
AGENTS = (8, 120)  # range of the number of agents per graph
REACH = (2, 12)  # range of how many earlier agents a parent is drawn from
FLOOR = 1e-14


def random_dag(rng: np.random.Generator, agents: int, reach: int) -> list[Agent]:
    """A random DAG: each agent sees one or two of the K blocks (never all features, so
    no single agent can fit f* by itself), and every agent but the first has one or
    two parents among the `reach` agents before it."""
    size = D // K
    out: list[Agent] = []
    for v in range(agents):
        chosen = rng.choice(K, size=int(rng.integers(1, 3)), replace=False)
        features = tuple(int(j) * size + i for j in sorted(chosen) for i in range(size))
        parents: tuple[int, ...] = ()
        if v > 0:
            lo = max(0, v - reach)
            count = min(int(rng.integers(1, 3)), v - lo)
            parents = tuple(sorted(int(u) for u in rng.choice(np.arange(lo, v), size=count, replace=False)))
        out.append(Agent(features=features, parents=parents))
    return out


def figure(rows: list[dict[str, Any]], out: Path) -> None:
    """The scatter plot, with a c/L guide through the worst point for comparison."""
    plt = expio.pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 3.0))
    length = np.array([r["longest_covering_path"] for r in rows], dtype=float)
    best = np.maximum(np.array([r["best_relative_excess"] for r in rows]), FLOOR)
    size = np.array([r["agents"] for r in rows], dtype=float)
    sc = ax.scatter(length, best, c=size, cmap="viridis", s=14, edgecolors="none")
    fig.colorbar(sc, ax=ax, label="number of agents")
    grid = np.linspace(max(1.0, length.min()), length.max(), 100)
    scale = float(np.max(best * length))
    ax.plot(grid, scale / grid, ":", color="gray", label="$c/L$")
    ax.set_yscale("log")
    ax.set_xlabel("longest $k$-covering path $L$")
    ax.set_ylabel(r"$\min_v \Delta(f_v)\,/\,\|f^\star\|^2$")
    ax.legend(loc="upper right", frameon=False)
    ax.grid(True, which="major", linewidth=0.3)
    expio.save_pdf(fig, out)
    plt.close(fig)


def main() -> None:
    """Sample the graphs, evaluate them on one data set, write the scatter and results."""
    args = expio.parse_args(__doc__.splitlines()[0])
    rng = np.random.default_rng(args.seed)
    X = equicorrelated(rng, N, D, RHO)
    y = linear_data(rng, X)
    f_star = global_fit(X, y)
    scale = sqnorm(f_star)  # excess error of the zero predictor
    rows: list[dict[str, Any]] = []
    for g in range(GRAPHS):
        agents = int(rng.integers(AGENTS[0], AGENTS[1] + 1))
        reach = int(rng.integers(REACH[0], REACH[1] + 1))
        dag = random_dag(rng, agents, reach)
        preds = evaluate(X, y, dag)
        errors = [excess(f, f_star) / scale for f in preds]
        path = longest_covering_path(dag, K, D)
        rows.append({
            "graph": g,
            "agents": agents,
            "reach": reach,
            "longest_covering_path": len(path),
            "best_relative_excess": float(min(errors)),
            "path_end_relative_excess": float(errors[path[-1]]),
        })
    figure(rows, args.out / "scatter.pdf")
    lengths = np.array([r["longest_covering_path"] for r in rows], dtype=float)
    best = np.array([r["best_relative_excess"] for r in rows])
    expio.write_json(args.out / "results.json", {
        "experiment": "dags",
        "n": N, "d": D, "k": K, "rho": RHO, "seed": args.seed,
        "graphs": rows,
        "median_best_relative_excess": float(np.median(best)),
        "max_longest_covering_path": int(lengths.max()),
    })


if __name__ == "__main__":
    main()
