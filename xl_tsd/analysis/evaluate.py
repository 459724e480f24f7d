"""Evaluating the case's own workbook at many points: the one engine behind every figure of the analysis.

Each scenario, tornado point, grid cell and Monte-Carlo draw is the template's
formulas computed by the headless engine (:class:`xl_tsd.calc.Session`) with
some inputs replaced: no second model. A point is a vector of the plan's
variables (:class:`~.spec.Variable`); :func:`inputs_for` turns it into input
values by defined name (a scaled column as every row's base value times the
factor, an item as its column with that item replaced), and the session sets
only the inputs that changed since the previous point and recomputes what
depends on them.

Many points run in worker processes, each with its own session of the same
workbook, in contiguous chunks, and the answers are put back in order: the
result does not depend on the number of workers.

The workbook evaluated is the case's workbook with one cell left out: the
fingerprint of every input (``Inputs_Fingerprint``, :func:`xl_tsd.meta.tsd_fingerprint`),
which reads every input and feeds no figure, so computing it at each point
would only cost time (about 1 ms a point).
"""
from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass

import numpy as np

from ..template import layout as L

__all__ = ["Mapping", "mappings", "inputs_for", "Evaluator", "analysis_copy", "PARALLEL_FROM"]

#: Below this many points, one process does them (starting a worker costs about half a second).
PARALLEL_FROM = 400


@dataclass(frozen=True)
class Mapping:
    """How one variable's value reaches the workbook: ``kind`` "cell", "item" or "scale"."""

    name: str            # the input's defined name
    kind: str
    item: int | None      # 1-based, for "item"
    column_base: tuple | None  # the column's base values, for "item" and "scale"


def mappings(variables) -> list[Mapping]:
    out = []
    for v in variables:
        t = v.target
        if t.table is None:
            out.append(Mapping(t.name, "cell", None, None))
        else:
            out.append(Mapping(t.name, "scale" if t.item is None else "item", t.item, tuple(v.column_base or ())))
    return out


def inputs_for(maps: list[Mapping], x) -> dict:
    """Input values by defined name for one point ``x`` (a value per mapping)."""
    out: dict = {}
    cols: dict = {}
    for m, v in zip(maps, x):
        v = float(v)
        if m.kind == "cell":
            out[m.name] = v
        elif m.kind == "scale":
            cols[m.name] = [b * v if isinstance(b, (int, float)) and not isinstance(b, bool) else b
                            for b in m.column_base]
    for m, v in zip(maps, x):  # items after scaled columns: an item overrides its column
        if m.kind == "item":
            col = cols.get(m.name) or list(m.column_base)
            col = list(col) + [None] * (m.item - len(col))
            col[m.item - 1] = float(v)
            cols[m.name] = col
    out.update(cols)
    return out


def analysis_copy(wb) -> bytes:
    """The workbook (openpyxl, built from the template) as bytes, with the fingerprint cell left out."""
    from ..template.contract import name_cells
    cell = name_cells(wb, L.SENS_CURRENT)[0][0] if wb.defined_names.get(L.SENS_CURRENT) is not None else None
    kept = cell.value if cell is not None else None
    try:
        if cell is not None:
            cell.value = None
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    finally:
        if cell is not None:
            cell.value = kept


def _number(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else math.nan


# --- worker processes ------------------------------------------------------------------------------
_WORKER: dict = {}


def _worker_start(data: bytes, maps, outputs, limits) -> None:
    from ..calc import Session
    _WORKER["session"] = Session(data, limits=limits)
    _WORKER["maps"], _WORKER["outputs"] = maps, outputs


def _worker_run(xs) -> list:
    s, maps, outputs = _WORKER["session"], _WORKER["maps"], _WORKER["outputs"]
    return [tuple(s.evaluate(inputs_for(maps, x), outputs)[o] for o in outputs) for x in xs]


class Evaluator:
    """The case's workbook in the engine, evaluated at points of the plan's variables.

    Parameters
    ----------
    data : bytes
        The workbook (:func:`analysis_copy`).
    variables : list of Variable
    outputs : list of str
        Defined names read at each point.
    workers : int, optional
        Processes for many points (default: the machine's cores; 1: this process only).
    limits : xl_tsd.calc.Limits, optional
    """

    def __init__(self, data: bytes, variables, outputs, *, workers: int | None = None, limits=None):
        from ..calc import Session
        self.data, self.outputs, self.limits = data, list(outputs), limits
        self.maps = mappings(variables)
        self.session = Session(data, limits=limits)
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.evaluations = 0
        self.base = self.session.read(self.outputs)

    def read(self, names) -> dict:
        return self.session.read(list(names))

    def scenario(self, inputs: dict, outputs) -> dict:
        """Outputs with ``inputs`` (by defined name) in place, then the workbook put back as it was."""
        try:
            self.evaluations += 1
            return self.session.evaluate(inputs, list(outputs))
        finally:
            self.session.reset()

    def run(self, xs: np.ndarray) -> list[tuple]:
        """Outputs (a tuple in the order of ``outputs``) at each point, in order."""
        xs = np.asarray(xs, dtype=float)
        n = len(xs)
        self.evaluations += n
        if self.workers == 1 or n < PARALLEL_FROM:
            s = self.session
            try:
                return [tuple(s.evaluate(inputs_for(self.maps, x), self.outputs)[o] for o in self.outputs)
                        for x in xs]
            finally:
                s.reset()
        from concurrent.futures import ProcessPoolExecutor
        chunks = np.array_split(xs, self.workers * 4)  # a few chunks per worker: both busy to the end
        with ProcessPoolExecutor(self.workers, initializer=_worker_start,
                                 initargs=(self.data, self.maps, self.outputs, self.limits)) as pool:
            parts = list(pool.map(_worker_run, chunks))
        return [r for part in parts for r in part]

    def numbers(self, rows: list[tuple], name: str) -> np.ndarray:
        """One output over the points as floats (NaN where it is not a number: blank, text, an error)."""
        i = self.outputs.index(name)
        return np.array([_number(r[i]) for r in rows], dtype=float)

    def flags(self, rows: list[tuple], name: str) -> np.ndarray:
        i = self.outputs.index(name)
        return np.array([r[i] is True for r in rows], dtype=bool)
