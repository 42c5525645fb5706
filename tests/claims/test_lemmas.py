# paperprov: origin=ai tool=claude model=unknown role=generated
"""Claim checks for the lemmas of the example paper (paper/sections/model.tex,
lemmas.tex, convergence.tex): each test draws random networks and checks the stated
(in)equality numerically, to a relative tolerance of 1e-9 against ||y||^2."""

from __future__ import annotations

import numpy as np
from claimlib import CLAIM_SETTINGS, REL, Instance, make_instance, networks
from hypothesis import given
from hypothesis import strategies as st
from lsagents import Agent, decomposition, decomposition_ratio, inner, mse, project, sqnorm


@CLAIM_SETTINGS
@given(networks(), st.integers(0, 2**32 - 1))
def test_excess(inst: Instance, seed: int) -> None:
    """lem:excess: every prediction lies in col(X), and Delta(f) = ||f - f*||^2 on col(X)."""
    tol = REL * inst.scale
    for f in inst.preds:
        assert sqnorm(f - project(inst.X, f)) <= tol
        assert abs((mse(inst.y, f) - mse(inst.y, inst.f_star)) - sqnorm(f - inst.f_star)) <= tol
    other = inst.X @ np.random.default_rng(seed).standard_normal(inst.X.shape[1])
    lhs = mse(inst.y, other) - mse(inst.y, inst.f_star)
    assert abs(lhs - sqnorm(other - inst.f_star)) <= REL * max(inst.scale, sqnorm(other))
    assert lhs >= -tol


@CLAIM_SETTINGS
@given(networks())
def test_monotone(inst: Instance) -> None:
    """lem:monotone: MSE(f_v) <= MSE(f_u) along every edge u -> v."""
    for u, v in inst.edges():
        assert mse(inst.y, inst.preds[v]) <= mse(inst.y, inst.preds[u]) + REL * inst.scale


@CLAIM_SETTINGS
@given(networks())
def test_pythagorean(inst: Instance) -> None:
    """lem:pythagorean: MSE(f_u) - MSE(f_v) = ||f_v - f_u||^2 along every edge."""
    for u, v in inst.edges():
        fu, fv = inst.preds[u], inst.preds[v]
        gain = mse(inst.y, fu) - mse(inst.y, fv)
        assert abs(gain - sqnorm(fv - fu)) <= REL * inst.scale


@CLAIM_SETTINGS
@given(networks(), st.integers(0, 2**32 - 1))
def test_multiaccuracy(inst: Instance, seed: int) -> None:
    """lem:multiaccuracy: |<y - f_u, g>| <= ||f_v - f_u|| ||g|| for g in H_v: every
    feature column the child sees, the parent's own prediction, and random
    combinations of the child's spanning vectors."""
    rng = np.random.default_rng(seed)
    for u, v in inst.edges():
        fu, fv = inst.preds[u], inst.preds[v]
        agent = inst.agents[v]
        spanning = [inst.X[:, j] for j in agent.features] + [inst.preds[p] for p in agent.parents]
        tests = spanning + [sum(c * g for c, g in zip(rng.standard_normal(len(spanning)), spanning))]
        for g in tests:
            bound = np.sqrt(sqnorm(fv - fu) * sqnorm(g))
            slack = REL * np.sqrt(inst.scale * sqnorm(g))
            assert abs(inner(inst.y - fu, g)) <= bound + slack


@st.composite
def covering_blocks(draw: st.DrawFn) -> tuple[int, list[list[int]]]:
    """k feature sets that together cover {0..d-1} (possibly overlapping)."""
    k = draw(st.integers(1, 4))
    d = draw(st.integers(1, 6))
    owner = [draw(st.integers(0, k - 1)) for _ in range(d)]
    blocks = [sorted({j for j in range(d) if owner[j] == b} | draw(st.sets(st.integers(0, d - 1), max_size=2)))
              for b in range(k)]
    return d, blocks


@CLAIM_SETTINGS
@given(covering_blocks(), st.integers(2, 20), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.5, 0.9]))
def test_decomposition(cover: tuple[int, list[list[int]]], n: int, seed: int, rho: float) -> None:
    """lem:decomposition: covering blocks decompose every h in col(X) (the explicit
    decomposition reconstructs h), any decomposition has ratio >= 1, and with mutually
    orthogonal block spans the ratio is at most sqrt(k)."""
    d, blocks = cover
    inst = make_instance(seed, n, d, [Agent(features=())], rho)
    rng = np.random.default_rng(seed + 1)
    h = inst.X @ rng.standard_normal(d)
    scale = max(sqnorm(h), 1e-300)
    pieces = decomposition(inst.X, blocks, h)
    assert sqnorm(sum(pieces) - h) <= REL * scale
    for j, g in enumerate(pieces):
        assert sqnorm(g - project(inst.X[:, blocks[j]], g)) <= REL * scale
    if sqnorm(h) > 1e-12:
        assert decomposition_ratio(inst.X, blocks, h) >= 1.0 - 1e-9
    # Orthogonal case: orthonormal columns (n >= d) and disjoint blocks.
    m = max(n, d)
    Q, _ = np.linalg.qr(rng.standard_normal((m, d)))
    disjoint = [[j for j in range(d) if j % len(blocks) == b] for b in range(len(blocks))]
    h = Q @ rng.standard_normal(d)
    assert decomposition_ratio(Q, disjoint, h) <= np.sqrt(len(blocks)) + 1e-9
