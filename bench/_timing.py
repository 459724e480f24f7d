"""Timing helpers shared by the benchmark scripts: the best of several repeats."""
from __future__ import annotations

import timeit


def per_call_us(stmt, number=100_000, repeat=7) -> float:
    """Microseconds per call of ``stmt``, best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e6


def best_ms(stmt, repeat=7) -> float:
    """Milliseconds of one call of ``stmt``, best of ``repeat``."""
    return min(timeit.repeat(stmt, number=1, repeat=repeat)) * 1e3
