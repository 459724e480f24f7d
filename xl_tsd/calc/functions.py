"""The engine's function table: the catalogue from the registry, and Excel's ROUND.

Every catalogue function is registered in ``formulas``' function table from
:data:`xl_tsd.registry.FUNCTIONS`, calling the same adapter as the xlwings
UDFs (:func:`xl_tsd.excel.call`), so a cell computed here equals the cell
Excel computes. The engine hands ranges over as 2-D numpy object arrays with
its own ``EMPTY`` sentinel; they go in as nested lists with ``None``, which is
what xlwings delivers; an error value arrives as its text (``"#N/A"``), as
the UDFs read it (``err_to_str``). A :class:`~xl_tsd.errors.TsdError` becomes the real
Excel error value (``#VALUE!``, ``#NUM!``, ``#N/A``), so ``IFERROR`` and
``ISERROR`` see it; its reason is recorded against the cell being computed.
"""
from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation

import numpy as np
import schedula as sh
from formulas.errors import FoundError
from formulas.functions import Array, get_functions, wrap_func, wrap_ufunc
from formulas.tokens.operand import Error, XlError

from .. import excel
from ..errors import TsdError
from ..registry import FUNCTIONS, FunctionSpec

__all__ = ["install", "Recorder", "RECORDER", "excel_round"]

_ERRORS = Error.errors
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


class _Omitted(int):
    """An omitted argument, as in ``=LOST_PROFIT(,50,3000,20)``.

    ``formulas`` compiles it to 0, which is what Excel's built-ins see; a UDF
    in Excel sees it as missing (xlwings: ``None``). This 0 is recognisable,
    so the catalogue gets ``None`` and the built-ins still get 0.
    """


OMITTED = _Omitted(0)


class Recorder:
    """Where catalogue errors are written down while the engine runs.

    The engine calls one cell's function at a time; :attr:`cell` names it (set
    by the model before each call), and :meth:`error` keeps the reason of a
    catalogue error against that cell. Not thread-safe, like the engine.
    """

    def __init__(self):
        self.cell = None
        self.reasons: dict | None = None

    def error(self, text: str) -> None:
        if self.reasons is not None and self.cell is not None:
            self.reasons.setdefault(self.cell, text)


#: The one recorder the registered functions report to.
RECORDER = Recorder()


def _value_in(v):
    """One engine value as xlwings hands it to the UDFs (``udfs.tsd``: ``err_to_str=True``)."""
    if v is sh.EMPTY or v is None or v is OMITTED:
        return None
    if isinstance(v, XlError):
        return str(v)  # "#N/A": the function then names the argument that holds it
    if isinstance(v, np.generic):
        return v.item()
    return v


def _arg_in(a):
    """An engine argument as the UDFs get it with ``ndim=2``: always a 2-D list (a value is [[v]])."""
    if isinstance(a, np.ndarray):
        if a.ndim < 2:
            a = a.reshape(1, -1)
        return [[_value_in(v) for v in row] for row in a.tolist()]
    return [[_value_in(a)]]


def _value_out(v):
    if isinstance(v, _dt.datetime):
        return (v - _EXCEL_EPOCH).total_seconds() / 86400.0
    if isinstance(v, _dt.date):
        return float((v - _EXCEL_EPOCH.date()).days)
    return v


def _result_out(r):
    """The adapter's result as the engine holds it: a scalar or an ``Array``."""
    if isinstance(r, list):
        out = np.empty((len(r), len(r[0]) if r else 0), dtype=object)
        for i, row in enumerate(r):
            for j, v in enumerate(row):
                out[i, j] = _value_out(v)
        return out.view(Array)
    return _value_out(r)


def _make(spec: FunctionSpec):
    """The engine function for one catalogue entry."""
    name = spec.name

    def catalogue_function(*args):
        vals = [_arg_in(a) for a in args]
        try:
            return _result_out(excel.call(name, *vals))
        except TsdError as exc:
            RECORDER.error(excel.error_text(exc))
            return _ERRORS[exc.excel_code]
        except Exception as exc:  # an unexpected failure is a #VALUE! with its reason, never a crash
            RECORDER.error(excel.error_text(exc))
            return _ERRORS["#VALUE!"]

    catalogue_function.__name__ = name
    catalogue_function.__qualname__ = name
    return wrap_func(catalogue_function)


def excel_round(x, digits, rounding=ROUND_HALF_UP):
    """Excel's ROUND: half away from zero on the decimal value shown.

    ``x`` is read at 15 significant digits (Excel's precision), so 1.005 is
    1.005 and not 1.00499999999999989...

    >>> excel_round(1.005, 2), excel_round(0.285, 2), excel_round(-2.5, 0)
    (1.01, 0.29, -3.0)
    >>> excel_round(1234.5, -2), excel_round(1.2, 1.9)
    (1200.0, 1.2)
    """
    d = int(digits)  # Excel truncates the digits argument
    try:
        q = Decimal(f"{x:.15g}").quantize(Decimal(1).scaleb(-d), rounding=rounding)
    except InvalidOperation:  # more digits than a double holds: nothing to round
        return float(x)
    return float(q)


def _install_rounding(table) -> None:
    for fname, mode in (("ROUND", ROUND_HALF_UP), ("ROUNDUP", ROUND_UP), ("ROUNDDOWN", ROUND_DOWN)):
        def f(x, d, _mode=mode):
            if not math.isfinite(x):
                raise FoundError(err=_ERRORS["#NUM!"])
            return excel_round(x, d, _mode)
        f.__name__ = fname
        table[fname] = wrap_ufunc(f)


def _cell_info(info_type, reference=None):
    """Excel's CELL, for ``CELL("filename", ref)`` only (the template's xlwings.conf PYTHONPATH).

    Excel answers the saved workbook's path, or "" before it is saved. The
    engine computes a copy whose place on the user's machine it cannot know,
    so it answers "" (Excel fills the path in when it recalculates on opening);
    any other info_type is a #VALUE! with its reason, never a made-up value.
    """
    if isinstance(info_type, str) and info_type.strip().lower() == "filename":
        return ""
    RECORDER.error('#VALUE! CELL: the engine answers only CELL("filename") (as blank)')
    return _ERRORS["#VALUE!"]


_INSTALLED = False


def install() -> None:
    """Register the catalogue and Excel's rounding in the engine (once per process).

    Must run before a workbook is loaded: ``formulas`` looks names up while it
    parses.
    """
    global _INSTALLED
    if _INSTALLED:
        return
    from formulas.tokens import operand
    operand.Empty.compile = staticmethod(lambda: OMITTED)
    table = get_functions()
    for name, spec in FUNCTIONS.items():
        f = _make(spec)
        table[name] = f
        table["_XLUDF." + name] = f  # how Excel stores a call to a function it does not know
    _install_rounding(table)
    table["CELL"] = wrap_func(_cell_info)
    _INSTALLED = True
