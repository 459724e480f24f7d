"""The Excel adapter: values as a spreadsheet gives them in, one core call, values out.

Shared by the xlwings UDFs (``udfs/``) and the headless engine, so a cell gives
the same answer in Excel and without it. What comes in is what xlwings
delivers: floats, ``None`` for an empty cell, text, booleans, ``datetime`` for
a date cell, and nested lists for ranges. What goes out is a float, bool, str,
``datetime`` or a 2-D list (which spills); never NaN and never ``None`` where
a number is due.
"""
from __future__ import annotations

import datetime as _dt
import math

import numpy as np

from ..errors import TsdError, TsdNumError, TsdValueError
from ..registry import FUNCTIONS, FunctionSpec

__all__ = ["to_core", "to_excel", "call", "call_excel", "error_text"]


def _cell(v):
    """One cell value as the core takes it."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def to_core(value, whole_range: bool = False):
    """An Excel-shaped argument as the core function takes it.

    A 1 x 1 range is the single value; a 1-row or 1-column 2-D list stays
    2-D so that array results keep the range's orientation; a whole-range
    argument is passed as its list.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, list):
        if not value:
            return None  # an empty range gives nothing: "not known", as an empty cell
        if isinstance(value[0], (list, tuple)):
            if not whole_range and len(value) == 1 and len(value[0]) == 1:
                return _cell(value[0][0])  # one cell, as xlwings gives it with ndim=2
            try:  # a range of numbers and empty cells: one float array (NaN = not known, as None)
                if all(type(v) is float or v is None for r in value for v in r):
                    arr = np.array(value, dtype=float)
                    if arr.ndim == 2 and arr.size:
                        return arr
            except (TypeError, ValueError):  # a row that is not a list, or ragged rows
                pass
            # a row that is not a list is left as it is: the core refuses the ragged range
            rows = [[_cell(v) for v in r] if isinstance(r, (list, tuple)) else _cell(r) for r in value]
            if all(isinstance(r, list) and not r for r in rows):
                return None
            return rows
        cells = [_cell(v) for v in value]
        if not whole_range and len(cells) == 1:
            return cells[0]
        return cells
    return _cell(value)


def _out_scalar(v, spec: FunctionSpec):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, _dt.datetime):
        return v
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float)):
        v = float(v)
        if not math.isfinite(v):
            raise TsdNumError("result", "a finite number", v,
                              message=f"{spec.name} has no finite result for these inputs")
        return v
    if v is None:
        raise TsdNumError("result", "a value", message=f"{spec.name} has no result for these inputs")
    return str(v)


def to_excel(result, spec: FunctionSpec):
    """A core result as Excel shows it: scalar, or a 2-D list that spills."""
    if isinstance(result, np.ndarray):
        if result.size == 0:  # Excel cannot show an empty array; never a blank
            raise TsdValueError("result", "a non-empty range",
                                message=f"{spec.name} has no result for an empty range")
        if spec.returns == "column" and result.ndim == 1:
            return [[_out_scalar(v, spec)] for v in result]
        if result.ndim == 0:
            return _out_scalar(result.item(), spec)
        arr = result if result.ndim == 2 else result.reshape(1, -1) if result.ndim == 1 else result.reshape(
            result.shape[0], -1)
        if arr.size == 1:
            return _out_scalar(arr.flat[0], spec)
        if arr.dtype.kind == "b" or (arr.dtype.kind == "f" and np.isfinite(arr).all()):
            return arr.tolist()  # already floats or bools: one C call instead of a loop
        return [[_out_scalar(v, spec) for v in row] for row in arr]
    return _out_scalar(result, spec)


def call(name: str, *args):
    """Call catalogue function ``name`` with Excel-shaped values; Excel-shaped result.

    Raises :class:`TsdError` (with its Excel code) for bad input.
    """
    spec = FUNCTIONS[name]
    n = len(spec.args)
    variadic = n > 0 and spec.args[-1].variadic
    if len(args) > n and not variadic:
        from ..errors import TsdValueError
        raise TsdValueError(spec.name, f"at most {n} arguments", len(args),
                            message=f"{spec.name} takes at most {n} arguments (got {len(args)})")
    kinds = spec.args if len(args) <= n else (*spec.args, *(spec.args[-1],) * (len(args) - n))
    core = [to_core(a, arg.whole_range) for a, arg in zip(args, kinds)]
    return to_excel(spec.func(*core), spec)


def error_text(exc: BaseException) -> str:
    """The cell text for an exception: ``#CODE! reason``, one line, never a traceback."""
    if isinstance(exc, TsdError):
        text = exc.excel_text()
    else:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        text = f"#VALUE! unexpected error: {reason}"
    return text.replace("\n", " ")[:255]


def call_excel(name: str, *args):
    """Like :func:`call`, but an error comes back as its ``#CODE! reason`` text."""
    try:
        return call(name, *args)
    except Exception as exc:  # every error becomes a cell value, never a traceback
        return error_text(exc)
