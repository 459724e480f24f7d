"""Turning what a user or a spreadsheet gives into numbers, flags, dates and text.

Each coercer takes a value and the argument's name and returns either a Python
scalar (when given a scalar) or a numpy array (when given a list, tuple or
array), so that the method functions can use one body for both. Plain Python
``int``/``float`` take a fast path: the scalar targets of ``bench/`` depend on it.

"Not known" is ``None``, the empty string, or NaN. Optional numbers come back
as NaN when not known; a required one raises :class:`TsdMissingError`.
"""
from __future__ import annotations

import datetime as _dt
import math
import re

import numpy as np

from .errors import TsdMissingError, TsdValueError

_NAN = math.nan
_EXCEL_EPOCH = _dt.date(1899, 12, 30)  # serial 61 and later count from here (1900 system)
_NP_EPOCH = np.datetime64("1899-12-30", "D")
_SCALAR_TYPES = (int, float)
_TRUE = {"true", "是", "1", "yes", "y"}
_FALSE = {"false", "否", "0", "no", "n"}


def is_array(x: object) -> bool:
    """True for what should broadcast: lists, tuples and non-0-d arrays."""
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def position(index: int, shape: tuple[int, ...]) -> str:
    """A 1-based position in a range, in the words an Excel user reads."""
    if len(shape) <= 1:
        return f"position {index + 1}"
    idx = np.unravel_index(index, shape)
    if len(shape) == 2:
        return f"row {idx[0] + 1}, column {idx[1] + 1}"
    return "position " + ",".join(str(i + 1) for i in idx)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, str) and x.strip() == "") or (
        isinstance(x, float) and x != x)


def _as_object_array(x: object, name: str) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    try:
        arr = np.array(x, dtype=object)
    except ValueError:
        arr = None
    if arr is None or (arr.ndim >= 1 and arr.size and any(
            isinstance(e, (list, tuple)) for e in arr.flat)):
        raise TsdValueError(name, "a rectangular range (all rows the same length)",
                            message=f"{name} must be a rectangular range (rows of different lengths)")
    return arr


def _range_text(lo, hi, lo_open, hi_open) -> str:
    if lo is not None and hi is not None:
        if not lo_open and not hi_open:
            return f"between {_fmt(lo)} and {_fmt(hi)}"
        return (f"{'more than' if lo_open else 'at least'} {_fmt(lo)} and "
                f"{'less than' if hi_open else 'at most'} {_fmt(hi)}")
    if lo is not None:
        if lo == 0:
            return "more than 0" if lo_open else "0 or more"
        return f"more than {_fmt(lo)}" if lo_open else f"at least {_fmt(lo)}"
    if hi is not None:
        return f"less than {_fmt(hi)}" if hi_open else f"at most {_fmt(hi)}"
    return "a finite number"


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _scalar_number(x: object, name: str, what: str) -> float:
    """One element to float (NaN if not known); raises on text, booleans, dates."""
    if type(x) in _SCALAR_TYPES:
        return float(x)
    if _missing(x):
        return _NAN
    if isinstance(x, (bool, np.bool_)):
        raise TsdValueError(name, what, x)
    if isinstance(x, (int, float, np.integer, np.floating)):
        return float(x)
    raise TsdValueError(name, what, x)


def number(x, name: str, *, lo: float | None = None, hi: float | None = None,
           lo_open: bool = False, hi_open: bool = False, optional: bool = False,
           error=TsdValueError, missing: str = "given"):
    """A number (or array of numbers) checked against ``[lo, hi]``.

    ``error`` is the class raised for a value outside the range
    (:class:`TsdValueError` by default, :class:`TsdNumError` for limits set
    by law or method). Infinite values are refused.
    """
    if type(x) in _SCALAR_TYPES:  # fast path for plain Python numbers
        v = float(x)
        if v != v:
            if optional:
                return _NAN
            raise TsdMissingError(name, missing)
        if (v == math.inf or v == -math.inf or (lo is not None and (v <= lo if lo_open else v < lo))
                or (hi is not None and (v >= hi if hi_open else v > hi))):
            code = error if math.isfinite(v) else TsdValueError
            raise code(name, _range_text(lo, hi, lo_open, hi_open), v)
        return v
    what = "a number"
    if not is_array(x):
        if isinstance(x, np.ndarray):  # 0-d
            x = x.item()
        v = _scalar_number(x, name, what)
        if v != v and not optional:
            raise TsdMissingError(name, missing)
        return number(v, name, lo=lo, hi=hi, lo_open=lo_open, hi_open=hi_open,
                      optional=optional, error=error, missing=missing)
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu":
        arr = x.astype(np.float64, copy=False)
    else:
        obj = _as_object_array(x, name)
        if obj.dtype.kind == "b":
            raise TsdValueError(name, what, bool(obj.flat[0]), where=position(0, obj.shape))
        arr = np.empty(obj.shape, dtype=np.float64)
        flat = arr.reshape(-1)
        for i, e in enumerate(obj.flat):
            try:
                flat[i] = _scalar_number(e, name, what)
            except TsdValueError as err:
                raise TsdValueError(name, what, err.got, where=position(i, obj.shape)) from None
    nan = np.isnan(arr)
    if not optional and nan.any():
        i = int(np.flatnonzero(nan)[0])
        raise TsdMissingError(name, missing, where=position(i, arr.shape))
    with np.errstate(invalid="ignore"):
        bad = np.isinf(arr)
        if lo is not None:
            bad |= (arr <= lo) if lo_open else (arr < lo)
        if hi is not None:
            bad |= (arr >= hi) if hi_open else (arr > hi)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        v = float(arr.flat[i])
        code = error if math.isfinite(v) else TsdValueError
        raise code(name, _range_text(lo, hi, lo_open, hi_open), v, where=position(i, arr.shape))
    return arr


def share(x, name: str, *, optional: bool = False):
    """A rate or share as a decimal in [0, 1] (0.08 = 8 %)."""
    return number(x, name, lo=0.0, hi=1.0, optional=optional)


def _scalar_bool(x: object, name: str):
    if x is True or x is False:
        return x
    if _missing(x):
        return None
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, float, np.integer, np.floating)) and float(x) in (0.0, 1.0):
        return float(x) == 1.0
    if isinstance(x, str):
        key = x.strip().lower()
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    raise TsdValueError(name, "TRUE/FALSE, 1/0 or 是/否", x)


def boolean(x, name: str, *, optional: bool = False, default: bool = False):
    """A yes/no flag: True/False, 1/0, 是/否, "TRUE"/"FALSE" (any case).

    A missing optional flag is ``default``; a missing required flag raises.
    """
    if not is_array(x):
        if isinstance(x, np.ndarray):
            x = x.item()
        v = _scalar_bool(x, name)
        if v is None:
            if optional:
                return default
            raise TsdMissingError(name, "TRUE/FALSE, 1/0 or 是/否")
        return v
    if isinstance(x, np.ndarray) and x.dtype.kind == "b":
        return x
    obj = _as_object_array(x, name)
    out = np.empty(obj.shape, dtype=bool)
    flat = out.reshape(-1)
    for i, e in enumerate(obj.flat):
        try:
            v = _scalar_bool(e, name)
        except TsdValueError as err:
            raise TsdValueError(name, err.expected, e, where=position(i, obj.shape)) from None
        if v is None:
            if not optional:
                raise TsdMissingError(name, "TRUE/FALSE, 1/0 or 是/否", where=position(i, obj.shape))
            v = default
        flat[i] = v
    return out


_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


_SERIAL_60 = "serial 60 is 1900-02-29, a day that does not exist (Excel's 1900 leap-year bug)"


def serial_to_date(serial: float) -> _dt.date:
    """An Excel 1900-system serial number as a date (serial 1 = 1900-01-01).

    Excel counts a fictitious 1900-02-29 as serial 60, so serials below 61 are
    one day later than a plain count from 1899-12-30 would say.
    """
    day = math.floor(serial)
    if day < 1:
        raise ValueError("serial before 1900-01-01")
    if day == 60:
        raise ValueError(_SERIAL_60)
    if day < 60:
        day += 1
    return _EXCEL_EPOCH + _dt.timedelta(days=day)


def date_to_serial(d: _dt.date) -> int:
    """A date as an Excel 1900-system serial number."""
    if isinstance(d, _dt.datetime):
        d = d.date()
    day = (d - _EXCEL_EPOCH).days
    return day - 1 if day < 61 else day


def _scalar_date(x: object, name: str):
    if isinstance(x, _dt.datetime):
        return x.date()
    if isinstance(x, _dt.date):
        return x
    if _missing(x):
        return None
    if isinstance(x, np.datetime64):
        return x.astype("datetime64[D]").item()
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_)):
        try:
            return serial_to_date(float(x))
        except (ValueError, OverflowError) as exc:
            if str(exc) == _SERIAL_60:
                raise TsdValueError(name, f"a real date: {_SERIAL_60}", x,
                                    message=f"{name} must be a real date: {_SERIAL_60}") from None
            raise TsdValueError(name, "a date or an Excel date serial number of 1 or more", x) from None
    if isinstance(x, str):
        m = _DATE_TEXT.match(x)
        if m:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
    raise TsdValueError(name, "a date (a date cell, a serial number, or text like 2025-05-01)", x)


def date(x, name: str, *, optional: bool = False):
    """A date: ``datetime.date``/``datetime``, an Excel serial, ISO or 年月日 text.

    Returns a ``datetime.date`` for a scalar (``None`` if optional and not
    known) and a ``datetime64[D]`` array (NaT where not known) for a range.
    """
    if not is_array(x):
        if isinstance(x, np.ndarray):
            x = x.item()
        v = _scalar_date(x, name)
        if v is None and not optional:
            raise TsdMissingError(name, "a date")
        return v
    if isinstance(x, np.ndarray) and x.dtype.kind == "M":
        arr = x.astype("datetime64[D]")
        if not optional and np.isnat(arr).any():
            i = int(np.flatnonzero(np.isnat(arr))[0])
            raise TsdMissingError(name, "a date", where=position(i, arr.shape))
        return arr
    obj = _as_object_array(x, name)
    out = np.empty(obj.shape, dtype="datetime64[D]")
    flat = out.reshape(-1)
    for i, e in enumerate(obj.flat):
        try:
            v = _scalar_date(e, name)
        except TsdValueError as err:
            raise TsdValueError(name, err.expected, e, where=position(i, obj.shape)) from None
        if v is None:
            if not optional:
                raise TsdMissingError(name, "a date", where=position(i, obj.shape))
            flat[i] = np.datetime64("NaT")
        else:
            flat[i] = np.datetime64(v, "D")
    return out


def text(x, name: str, *, optional: bool = False):
    """Text (a method name, a rule key); numbers are refused. Arrays stay arrays."""
    if not is_array(x):
        if isinstance(x, np.ndarray):
            x = x.item()
        if _missing(x):
            if optional:
                return None
            raise TsdMissingError(name, "text")
        if not isinstance(x, str):
            raise TsdValueError(name, "text", x)
        return x.strip()
    obj = _as_object_array(x, name)
    out = np.empty(obj.shape, dtype=object)
    flat = out.reshape(-1)
    for i, e in enumerate(obj.flat):
        if _missing(e):
            if not optional:
                raise TsdMissingError(name, "text", where=position(i, obj.shape))
            flat[i] = None
        elif not isinstance(e, str):
            raise TsdValueError(name, "text", e, where=position(i, obj.shape))
        else:
            flat[i] = e.strip()
    return out


def broadcast(**named):
    """Broadcast the named arguments against each other.

    Returns the values unchanged when all are scalars, else a list of arrays
    of one shape. Mismatched ranges raise an error naming both arguments.
    """
    values = list(named.values())
    if not any(isinstance(v, np.ndarray) for v in values):
        return values
    try:
        return np.broadcast_arrays(*values)
    except ValueError:
        shapes = ", ".join(f"{k} has {np.shape(v)}" for k, v in named.items() if np.ndim(v))
        first = next(k for k, v in named.items() if np.ndim(v))
        raise TsdValueError(first, "ranges of the same size", message=(
            f"ranges must have the same size ({shapes})")) from None


def result(x):
    """Python scalar for 0-d results; arrays unchanged."""
    if isinstance(x, np.ndarray):
        return x.item() if x.ndim == 0 else x
    if isinstance(x, np.generic):
        return x.item()
    return x


def known(x):
    """True where a number is known (not NaN): a bool for scalars, an array for arrays."""
    return x == x
