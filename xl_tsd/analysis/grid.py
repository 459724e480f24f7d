"""Two-way grid: the headline over a grid of two inputs, every other input at its base, base cell marked.

Each axis runs from the input's low to its high value in ``steps`` values, one
of which is the base value itself (the steps are shared out below and above
the base in proportion to the two sides), so the grid's base cell is the base
case exactly.
"""
from __future__ import annotations

import numpy as np

__all__ = ["axis", "points"]


def axis(low: float, base: float, high: float, steps: int) -> tuple[np.ndarray, int]:
    """``steps`` values from low to high holding ``base``; and the index of base.

    >>> axis(0.3, 0.4, 0.5, 5)
    (array([0.3 , 0.35, 0.4 , 0.45, 0.5 ]), 2)
    """
    if high <= low:
        return np.array([base]), 0
    below = int(round((steps - 1) * (base - low) / (high - low)))
    below = min(max(below, 1 if base > low else 0), steps - 1 - (1 if base < high else 0))
    above = steps - 1 - below
    lo = np.linspace(low, base, below + 1)[:-1] if below else np.array([])
    hi = np.linspace(base, high, above + 1)[1:] if above else np.array([])
    return np.round(np.concatenate([lo, [base], hi]), 12), below


def points(variables, a: int, b: int, steps: int):
    """Points of the grid of variables ``a`` (rows) and ``b`` (columns): (points, row axis, column axis,
    base row, base column); the points run row by row."""
    va, vb = variables[a], variables[b]
    ax, ia = axis(va.low, va.base, va.high, steps)
    bx, ib = axis(vb.low, vb.base, vb.high, steps)
    base = np.array([v.base for v in variables], dtype=float)
    xs = np.repeat(base[None, :], len(ax) * len(bx), axis=0)
    xs[:, a] = np.repeat(ax, len(bx))
    xs[:, b] = np.tile(bx, len(ax))
    return xs, ax, bx, ia, ib
