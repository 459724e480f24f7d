"""Tornado: each input at its low and its high value, every other input at its base; sorted by swing.

The swing of an input is |headline at high - headline at low|; the table and
the chart list the inputs from the largest swing down. Each point is the
template computed by the engine (:mod:`.evaluate`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TornadoRow", "points", "rows_of"]


@dataclass
class TornadoRow:
    key: str
    low: float
    base: float
    high: float
    basis: str
    at_low: float          # the output (NaN: not a number there)
    at_high: float
    base_value: float
    check_low: bool        # the master check at that point
    check_high: bool
    scaled: bool = False

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low) if np.isfinite([self.at_low, self.at_high]).all() else float("nan")


def points(variables) -> np.ndarray:
    """2 points per variable (low, high), the others at base: shape (2 x variables, variables)."""
    base = np.array([v.base for v in variables], dtype=float)
    xs = np.repeat(base[None, :], 2 * len(variables), axis=0)
    for j, v in enumerate(variables):
        xs[2 * j, j], xs[2 * j + 1, j] = v.low, v.high
    return xs


def rows_of(variables, values: np.ndarray, checks: np.ndarray, base_value: float) -> list[TornadoRow]:
    """Rows sorted by swing (largest first; a swing that is not a number last)."""
    rows = [TornadoRow(v.key, v.low, v.base, v.high, v.basis, values[2 * j], values[2 * j + 1], base_value,
                       bool(checks[2 * j]), bool(checks[2 * j + 1]), v.scaled) for j, v in enumerate(variables)]
    return sorted(rows, key=lambda r: (-r.swing if np.isfinite(r.swing) else np.inf))
