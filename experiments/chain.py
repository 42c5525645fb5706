# paperprov: origin=ai tool=claude model=unknown role=generated
"""Experiments 1 and 3 of the example paper: a chain of least-squares agents.

d = 24 equicorrelated Gaussian features (correlation rho in {0, 0.5, 0.9}), n = 2000
examples, y = X beta + noise; k = 4 blocks of 6 features; a chain of agents cycling
through the blocks, each agent seeing its block and its predecessor's prediction.

Outputs (in --out):
  convergence.pdf  relative excess error Delta(f_t) / Delta(f_1) against t (log-log),
                   one line per rho, with a 1/t reference line        (experiment 1)
  steps_table.tex  a LaTeX tabular: for each rho, the chain length needed to bring the
                   excess error below 1e-3, 1e-6 and 1e-9 of Delta(f_1)  (experiment 3)
  results.json     the numbers behind both

Run from the repository root:
  python experiments/chain.py --out build/experiments/chain --seed 1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import expio  # first: it pins BLAS threads before numpy loads

import numpy as np

from lsagents import Agent, equicorrelated, excess, global_fit, hypothesis_columns, linear_data, project

N, D, K = 2000, 24, 4
RHOS = (0.0, 0.5, 0.9)
PLOT_LENGTH = 200  # agents shown in the figure
MAX_LENGTH = 3000  # longest chain tried for the table
TARGETS = (1e-3, 1e-6, 1e-9)
FLOOR = 1e-14  # below this, the relative error is rounding noise and is not plotted


def blocks() -> list[list[int]]:
    """The k = 4 feature blocks of 6 consecutive features each."""
    size = D // K
    return [list(range(j * size, (j + 1) * size)) for j in range(K)]


def run_chain(X: np.ndarray, y: np.ndarray, length: int, stop_below: float = 0.0,
              min_length: int = 0) -> np.ndarray:
    """Relative excess errors Delta(f_t)/Delta(f_1), t = 1..length, of the cyclic chain.

    Agents are evaluated one at a time (each only needs its predecessor), and the run
    stops early, once it has at least `min_length` agents, when the relative error has
    fallen below `stop_below`.
    """
    f_star = global_fit(X, y)
    bl = blocks()
    prev: list[np.ndarray] = []
    ratios: list[float] = []
    for t in range(length):
        agent = Agent(features=tuple(bl[t % K]), parents=(0,) if t > 0 else ())
        f = project(hypothesis_columns(X, agent, prev), y)
        prev = [f]
        err = excess(f, f_star)
        if t == 0:
            first = err
        ratios.append(err / first if first > 0 else 0.0)
        if t + 1 >= min_length and ratios[-1] < stop_below:
            break
    return np.array(ratios)


def steps_to(ratios: np.ndarray, target: float) -> int | None:
    """The smallest chain length T with Delta(f_T) <= target * Delta(f_1), if reached."""
    hits = np.nonzero(ratios <= target)[0]
    return int(hits[0]) + 1 if hits.size else None


def figure(curves: dict[float, np.ndarray], out: Path) -> None:
    """Experiment 1: the log-log convergence plot."""
    plt = expio.pyplot()
    fig, ax = plt.subplots(figsize=(4.6, 3.0))
    t = np.arange(1, PLOT_LENGTH + 1)
    for (rho, ratios), style in zip(curves.items(), ("-", "--", "-.")):
        shown = ratios[:PLOT_LENGTH]
        mask = shown > FLOOR
        ax.plot(t[: shown.size][mask], shown[mask], style, label=f"$\\rho = {rho:g}$")
    ax.plot(t, 1.0 / t, ":", color="gray", label="$1/t$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(FLOOR, 2.0)
    ax.set_xlabel("agent $t$ along the chain")
    ax.set_ylabel(r"$\Delta(f_t)\,/\,\Delta(f_1)$")
    ax.legend(loc="lower left", frameon=False)
    ax.grid(True, which="major", linewidth=0.3)
    expio.save_pdf(fig, out)
    plt.close(fig)


def _cell(value: int | None) -> str:
    return f"{value}" if value is not None else f"$>{MAX_LENGTH}$"


def table(rows: list[dict[str, Any]], out: Path) -> None:
    """Experiment 3: a booktabs tabular for \\input in the paper."""
    lines = [
        r"\begin{tabular}{@{}rrrrr@{}}",
        r"\toprule",
        r"$\rho$ & $T_{10^{-3}}$ & $T_{10^{-3}}/k$ & $T_{10^{-6}}$ & $T_{10^{-9}}$ \\",
        r"\midrule",
    ]
    for r in rows:
        first = r["steps"]["1e-03"]
        sweeps = f"{first / K:.2f}" if first is not None else "--"
        cells = [_cell(r["steps"][f"{t:.0e}"]) for t in TARGETS]
        lines.append(f"{r['rho']:g} & {cells[0]} & {sweeps} & {cells[1]} & {cells[2]} \\\\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    expio.write_bytes(out, "\n".join(lines).encode("utf-8"))


def main() -> None:
    """Run the chain for every rho and write the figure, the table and results.json."""
    args = expio.parse_args(__doc__.splitlines()[0])
    curves: dict[float, np.ndarray] = {}
    rows: list[dict[str, Any]] = []
    for i, rho in enumerate(RHOS):
        rng = np.random.default_rng([args.seed, i])
        X = equicorrelated(rng, N, D, rho)
        y = linear_data(rng, X)
        # Long enough for the figure, and for the table until the smaller target is hit.
        ratios = run_chain(X, y, MAX_LENGTH, stop_below=min(TARGETS), min_length=PLOT_LENGTH)
        curves[rho] = ratios
        rows.append({
            "rho": rho,
            "steps": {f"{t:.0e}": steps_to(ratios, t) for t in TARGETS},
            "chain_length_run": int(ratios.size),
        })
    figure(curves, args.out / "convergence.pdf")
    table(rows, args.out / "steps_table.tex")
    expio.write_json(args.out / "results.json", {
        "experiment": "chain",
        "n": N, "d": D, "k": K, "seed": args.seed,
        "rhos": list(RHOS),
        "relative_excess": {f"{rho:g}": [float(x) for x in curves[rho][:PLOT_LENGTH]] for rho in RHOS},
        "steps": rows,
    })


if __name__ == "__main__":
    main()
