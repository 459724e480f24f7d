"""A workbook compiled once and recomputed for new values of chosen input cells.

:func:`~xl_tsd.calc.engine.evaluate` builds the engine's model of a workbook
(read, compile, link) and lets ``schedula`` walk its dependency graph; for
the case template that is most of a second, every time. When many workbooks
differ only in the values of known input cells (every case filled into the
same template), the model can be built once and the walk replayed:

- :class:`CompiledBook` reads the workbook with every blank input cell
  holding a placeholder, so that each input is a node of the graph, and
  builds the model once;
- the first :meth:`CompiledBook.compute` lets ``schedula`` compute it and
  records the walk: the order in which it visited the nodes, the node each
  value came from, which outputs each function gave;
- every later call replays the record with the new input values: the same
  functions called in the same order with the same arguments, without the
  dispatcher's bookkeeping (five times faster on the template).

The walk depends on the graph, not on the values (formulas compiles IF and
the like as eager functions), except where a function raises or answers "no
value". The replay checks for exactly that, function by function, against
the record; where it differs, the case is computed by ``schedula`` instead,
on the same model, so the result is always the dispatcher's. A walk in which
something failed is not recorded.

A blank input is given what the engine assembles for a cell that is not
there, a 1x1 range holding ``EMPTY``. ``tests/test_batch_fast.py`` checks
the results against :func:`~xl_tsd.calc.engine.evaluate` of the same
workbook with the values written in.
"""
from __future__ import annotations

import schedula as sh

from . import engine
from . import functions as _functions

__all__ = ["CompiledBook"]

_START, _SELF, _NONE = sh.START, sh.SELF, sh.NONE
_DATA, _FROM, _CALL = 0, 1, 2  # step kinds: a data node's own value, a function's output, a function call


class _Unusual(Exception):
    """The replay met what the recorded walk did not: schedula computes the case."""


class _Dispatcher:
    """What a function reading the dispatcher itself (``sh.SELF``) is given: the solution so far."""

    __slots__ = ("solution",)

    def __init__(self, solution):
        self.solution = solution


class CompiledBook:
    """The engine's model of a workbook, built once, recomputed for new input values.

    Parameters
    ----------
    data : bytes
        The workbook (.xlsx/.xlsm).
    inputs : iterable of (sheet title, cell)
        The cells whose values :meth:`compute` may change. They must hold
        values or nothing, not formulas.

    Raises
    ------
    ValueError
        An input cell holds a formula, or the model has a kind of node the
        replay does not handle (a sub-dispatcher, a conditional node).
    """

    def __init__(self, data: bytes, inputs):
        book = engine.read_book(data)
        self.inputs, blank = [], []
        for sheet, coord in inputs:
            cell = book[sheet][coord]
            if cell.data_type == "f":
                raise ValueError(f"{sheet}!{coord} holds a formula; an input must hold a value")
            if cell.value is None:
                cell.value = 0  # a placeholder: the cell becomes a node of the graph
                blank.append((sheet, coord))
            self.inputs.append((sheet, coord))
        self.book = book
        self.model, self.problems, self.compile_reasons = engine.build_model(book)
        dsp = self.model.dsp
        self.node = {}
        for sheet, coord in self.inputs:
            name = engine.node_name(sheet, coord)
            if name not in dsp.default_values:
                raise ValueError(f"{sheet}!{coord}: the engine has no node {name} for it")
            self.node[(sheet, coord)] = name
        # what a blank input is to the engine: a cell that is not there, assembled as EMPTY
        self._blank = {self.node[k]: [[sh.EMPTY]] for k in blank}
        self._check(dsp)
        self._steps = None
        self._recordable = True  # False once a recorded walk failed to reproduce the dispatcher
        self.replayed = self.dispatched = 0  # how each computation was done (for tests and benches)

    @staticmethod
    def _check(dsp):
        for k, n in dsp.nodes.items():
            if n["type"] == "data":
                if n.get("wait_inputs") or "function" in n or "callback" in n:
                    raise ValueError(f"data node {k} waits for inputs or estimates its value")
            elif n["type"] != "function" or not n.get("wait_inputs") or "input_domain" in n:
                raise ValueError(f"node {k} is not an ordinary function (all inputs, no domain)")

    # --- computing ---------------------------------------------------------------------------------

    def compute(self, values: dict) -> engine.Evaluation:
        """The workbook's formulas computed with ``values`` in the input cells.

        ``values`` maps (sheet, cell) of an input to the value the engine's
        reader gives for it (a number, bool or str), or None for a blank
        cell; inputs not given keep the workbook's own values.
        """
        overrides = dict(self._blank)
        for key, v in values.items():
            overrides[self.node[key]] = [[sh.EMPTY]] if v is None else v
        reasons = dict(self.compile_reasons)
        if self._steps is not None:
            try:
                solution = self._replay(overrides, reasons)
                self.replayed += 1
                return engine.collect(self.model, solution, reasons, self.problems, self.book)
            except _Unusual:
                reasons = dict(self.compile_reasons)
        solution = self._dispatch(overrides, reasons)
        self.dispatched += 1
        if self._steps is None and self._recordable:
            self._record(solution, overrides)
        return engine.collect(self.model, solution, reasons, self.problems, self.book)

    def _dispatch(self, overrides, reasons):
        """schedula's own computation of the model, with ``overrides`` (node -> value) as the defaults."""
        defaults = self.model.dsp.default_values
        saved = {k: defaults[k] for k in overrides}
        for k, v in overrides.items():
            defaults[k] = dict(saved[k], value=v)
        recorder = _functions.RECORDER
        recorder.reasons, recorder.cell = reasons, None
        try:
            with engine._quiet():
                return self.model.calculate()
        finally:
            recorder.reasons, recorder.cell = None, None
            defaults.update(saved)

    def _record(self, solution, overrides) -> None:
        """Keep the walk of a clean dispatch as a list of steps; check that replaying it gives the same."""
        if solution._errors:
            return  # a function failed: its part of the walk is missing; record a later case
        nodes, defaults, wf = self.model.dsp.nodes, self.model.dsp.default_values, solution.workflow
        order = [v for _, _, (v, _) in solution._pipe]
        if any(sol is not solution for _, _, (_, sol) in solution._pipe):
            return  # a sub-dispatcher: not replayed
        pos = {v: i for i, v in enumerate(order)}
        steps = []
        for i, v in enumerate(order):
            if v is _START:
                continue  # where the walk begins: no value of its own
            node = nodes[v]
            if node["type"] == "data":
                if v not in solution:
                    return  # visited without a value ("no value"): not replayed
                src, = wf.pred[v]  # the estimate schedula kept
                filters = tuple(node.get("filters", ()))
                if src is _START:
                    steps.append((_DATA, v, None if v is _SELF else defaults[v]["value"], filters))
                else:
                    steps.append((_FROM, v, src, filters))
                continue
            if v not in wf.nodes or "results" not in wf.nodes[v]:
                continue  # every output already known: schedula did not call it
            outs = tuple(node["outputs"])
            needed = tuple(k for k in outs if pos.get(k, len(order)) > i)  # outputs still unknown then
            sent = frozenset(wf.succ[v])
            ins = tuple(k for k in node["inputs"] if k is not _START)  # START's value (NONE) is dropped
            steps.append((_CALL, v, (node["function"], ins, outs, tuple(node.get("filters", ())),
                                     needed, sent), None))
        self._steps = steps
        try:
            again = self._replay(overrides, dict(self.compile_reasons))
        except _Unusual:
            again = None
        if again is None or any(k is not _SELF and not _same(again.get(k, _NONE), v)
                                for k, v in solution.items()):
            self._steps, self._recordable = None, False  # the replay does not reproduce the dispatcher

    def _replay(self, overrides, reasons):
        env = {}
        me = _Dispatcher(env)
        out = {}
        recorder = _functions.RECORDER
        recorder.reasons, recorder.cell = reasons, None
        try:
            for kind, v, a, filters in self._steps:
                if kind == _CALL:
                    func, ins, outs, fflt, needed, sent = a
                    try:
                        res = func(*[me if k is _SELF else env[k] for k in ins])
                        for f in fflt:
                            res = f(res)
                    except Exception as exc:
                        raise _Unusual(f"{v}: {exc!r}") from None
                    got = dict(zip(outs, res)) if len(outs) > 1 else {outs[0]: res}
                    for k in needed:
                        if (got.get(k, _NONE) is not _NONE) != (k in sent):
                            raise _Unusual(f"{v}: outputs differ from the record")
                    out[v] = got
                    continue
                if kind == _DATA:
                    val = me if v is _SELF else overrides.get(v, a)
                else:
                    val = out[a][v]
                if v is not _SELF:
                    try:
                        for f in filters:
                            val = f(val)
                    except Exception as exc:
                        raise _Unusual(f"{v}: {exc!r}") from None
                    if val is _NONE:
                        raise _Unusual(f"{v}: no value")
                env[v] = val
        finally:
            recorder.reasons, recorder.cell = None, None
        return env


def _same(a, b) -> bool:
    """Two engine values equal in value and type (ranges cell by cell; NaN equals NaN)."""
    from formulas.ranges import Ranges
    if isinstance(a, Ranges) or isinstance(b, Ranges):
        if not (isinstance(a, Ranges) and isinstance(b, Ranges)):
            return False
        va, vb = a.value, b.value
        return va.shape == vb.shape and all(_same(x, y) for x, y in zip(va.ravel(), vb.ravel()))
    if type(a) is not type(b):
        return False
    if a is b:
        return True
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return False
