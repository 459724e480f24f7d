"""Monte Carlo: draws of every varied input from its distribution, the headline at each draw.

Each input is drawn between its low and high value with its base value as the
mode: triangular (the default), uniform, or PERT (a beta distribution,
alpha = 1 + 4 (mode - low) / (high - low), beta = 1 + 4 (high - mode) / (high - low);
Vose, *Risk Analysis*, 3rd ed. (2008), §9.1.4). Inputs are drawn
independently. The low and high values lie within the legal and method
bounds (:func:`.spec.bounds`) and every distribution stays within them, so a
draw outside the bounds is impossible by construction, never clipped. The
draws come from numpy's ``default_rng(seed)``: the same seed and inputs give
the same draws on every machine.

Percentiles are numpy's (linear interpolation between order statistics).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["sample", "Summary", "summarize", "PERCENTILES", "HISTOGRAM_BINS"]

PERCENTILES = (5, 25, 50, 75, 95)
HISTOGRAM_BINS = 20


def _triangular(u, a, c, b):
    if b <= a:
        return np.full_like(u, c)
    f = (c - a) / (b - a)
    left = a + np.sqrt(u * (b - a) * (c - a))
    right = b - np.sqrt((1 - u) * (b - a) * (b - c))
    return np.where(u < f, left, right)


def sample(variables, draws: int, seed: int) -> np.ndarray:
    """Draws of every variable: shape (draws, variables); each column within [low, high].

    >>> from types import SimpleNamespace as V
    >>> x = sample([V(low=0.3, base=0.4, high=0.5, distribution="triangular")], 1000, 13)
    >>> bool(x.min() >= 0.3 and x.max() <= 0.5)
    True
    """
    rng = np.random.default_rng(seed)
    out = np.empty((draws, len(variables)), dtype=float)
    for j, v in enumerate(variables):
        a, c, b = float(v.low), float(v.base), float(v.high)
        if b <= a:
            out[:, j] = c
            continue
        if v.distribution == "uniform":
            out[:, j] = a + rng.random(draws) * (b - a)
        elif v.distribution == "pert":
            alpha, beta = 1 + 4 * (c - a) / (b - a), 1 + 4 * (b - c) / (b - a)
            out[:, j] = a + rng.beta(alpha, beta, draws) * (b - a)
        else:
            out[:, j] = _triangular(rng.random(draws), a, c, b)
        np.clip(out[:, j], a, b, out=out[:, j])  # rounding only: each formula above stays in [a, b]
    return out


@dataclass
class Summary:
    draws: int
    seed: int
    computed: int              # draws whose output is a number
    failed_checks: int         # draws whose master check is FALSE
    mean: float
    percentiles: dict          # 5 -> P5, ...
    minimum: float
    maximum: float
    p_above_claim: float | None  # share of draws where the claim caps the award (None: no claim)
    bins: np.ndarray           # histogram edges
    counts: np.ndarray


def summarize(values: np.ndarray, checks: np.ndarray, binds: np.ndarray | None, seed: int) -> Summary:
    ok = np.isfinite(values)
    v = values[ok]
    if v.size == 0:
        nan = float("nan")
        return Summary(len(values), seed, 0, int((~checks).sum()), nan, {p: nan for p in PERCENTILES}, nan, nan,
                       None, np.array([]), np.array([]))
    pct = {p: float(x) for p, x in zip(PERCENTILES, np.percentile(v, PERCENTILES))}
    lo, hi = float(v.min()), float(v.max())
    counts, edges = np.histogram(v, bins=HISTOGRAM_BINS, range=(lo, hi if hi > lo else lo + 1))
    return Summary(len(values), seed, int(v.size), int((~checks).sum()), float(v.mean()), pct, lo, hi,
                   None if binds is None else float(binds.mean()), edges, counts)
