"""The engine's function table: the catalogue from the registry, Excel's error values, and the few
functions xl_tsd computes itself.

Every catalogue function is registered in each formualizer workbook from
:data:`xl_tsd.registry.FUNCTIONS`, calling the same adapter as the xlwings
UDFs (:func:`xl_tsd.excel.call`), so a cell computed here equals the cell
Excel computes. The engine hands a range over as a 2-D list and a single
cell as its value; every argument goes in as a 2-D list with ``None`` for an
empty cell, which is what xlwings delivers with ``ndim=2``, and an error value
arrives as its text (``"#N/A"``), as the UDFs read it (``err_to_str``). An
argument left out (``=LOST_PROFIT(,50,3000,20)``) is ``None``, "not known",
as xlwings gives a UDF; formualizer would give 0, so the engine's copy of such
a formula holds :data:`OMITTED` there (:mod:`.formula_text`). A
:class:`~xl_tsd.errors.TsdError` becomes the real Excel error value (``#VALUE!``,
``#NUM!``, ``#N/A``), so ``IFERROR`` and ``ISERROR`` see it; its reason is
kept by the :data:`RECORDER` while one cell is recomputed to find it.
"""
from __future__ import annotations

import datetime as _dt

from .. import excel
from ..errors import TsdError
from ..registry import FUNCTIONS, FunctionSpec

__all__ = ["ExcelError", "ERRORS", "OMITTED", "Recorder", "RECORDER", "register", "from_engine", "FIT"]


class ExcelError(str):
    """An Excel error value (``#NUM!``, ``#N/A``, ...): its code as text, and a type of its own."""

    __slots__ = ()

    def __repr__(self):
        return f"ExcelError({str(self)!r})"


#: formualizer's error kinds and Excel's codes.
_KIND_CODE = {"Div": "#DIV/0!", "Na": "#N/A", "Value": "#VALUE!", "Num": "#NUM!", "Ref": "#REF!",
              "Name": "#NAME?", "Null": "#NULL!", "Spill": "#SPILL!", "Calc": "#CALC!",
              "GettingData": "#GETTING_DATA"}
_CODE_KIND = {v: k for k, v in _KIND_CODE.items()}
#: The Excel error values, by code.
ERRORS = {code: ExcelError(code) for code in _KIND_CODE.values()}

#: What the engine's copy of a formula holds where a catalogue call leaves an argument out.
#: U+2063 (invisible separator) keeps it from being text anyone types.
OMITTED = "\u2063omitted\u2063"
#: The helpers that fit an array formula's result to its range (Ctrl+Shift+Enter semantics) and read it.
FIT = "XLTSD.FIT"
AT = "XLTSD.AT"
#: The helper that computes a function of single values element by element over arrays.
LIFT = "XLTSD.LIFT"
_EPOCH = _dt.datetime(1899, 12, 30)


def error_dict(code: str) -> dict:
    """An error value as a registered function returns it to formualizer."""
    return {"type": "Error", "kind": _CODE_KIND.get(code, "Value")}


def _value_in(v):
    """One engine value as xlwings hands it to the UDFs (``udfs.tsd``: ``err_to_str=True``)."""
    if type(v) is dict:
        return _KIND_CODE.get(v.get("kind"), "#VALUE!") if v.get("type") == "Error" else str(v)
    if v is OMITTED or v == OMITTED:
        return None
    if isinstance(v, _dt.datetime):
        return v
    if isinstance(v, _dt.date):
        return _dt.datetime(v.year, v.month, v.day)
    return v


def _arg_in(a):
    """An engine argument as the UDFs get it with ``ndim=2``: always a 2-D list (a value is [[v]])."""
    if type(a) is list:
        return [[_value_in(v) for v in row] if type(row) is list else [_value_in(row)] for row in a]
    return [[_value_in(a)]]


def _value_out(v):
    if isinstance(v, _dt.datetime):
        return (v - _EPOCH).total_seconds() / 86400.0
    if isinstance(v, _dt.date):
        return float((v - _EPOCH.date()).days)
    return v


def _result_out(r):
    if type(r) is list:
        return [[_value_out(v) for v in row] for row in r]
    return _value_out(r)


class Recorder:
    """Where catalogue errors are written down while the engine runs.

    The engine does not say which cell a function call computes, so the
    reason of an error is found afterwards: each cell holding an error and
    calling the catalogue is recomputed on its own with :attr:`active` set,
    and the first reason written down then is that cell's.
    """

    def __init__(self):
        self.active = False
        self.reasons: list[str] = []

    def error(self, text: str) -> None:
        if self.active:
            self.reasons.append(text)


#: The one recorder the registered functions report to.
RECORDER = Recorder()


#: Days from the 1900 date system's serial numbers to the 1904 system's (1904-01-01 is 1462).
DAYS_1904 = 1462


def _to_1900(a):
    """A date argument of a 1904-system workbook as the 1900-system serial the catalogue reads."""
    if type(a) is float:
        return a + DAYS_1904
    if type(a) is list:
        return [[v + DAYS_1904 if type(v) is float else v for v in (r if type(r) is list else [r])] for r in a]
    return a


def _make(spec: FunctionSpec, date1904: bool = False):
    """The engine function for one catalogue entry (``date1904``: the workbook counts days from 1904)."""
    name = spec.name
    call = excel.call
    if date1904:
        dates = [i for i, arg in enumerate(spec.args) if arg.unit == "date"]
        inner = _make(spec)

        def catalogue_function_1904(*args):
            args = [_to_1900(a) if i in dates else a for i, a in enumerate(args)]
            r = inner(*args)
            return r  # the catalogue answers numbers, text and booleans, not dates

        catalogue_function_1904.__name__ = name
        return catalogue_function_1904

    def catalogue_function(*args):
        try:
            # a number or text as such ([[v]], as xlwings gives a cell); anything else through _arg_in
            r = call(name, *[[[a]] if type(a) is float or (type(a) is str and a != OMITTED) else _arg_in(a)
                             for a in args])
            t = type(r)
            return r if t is float or t is str or t is bool else _result_out(r)
        except TsdError as exc:
            RECORDER.error(excel.error_text(exc))
            return error_dict(exc.excel_code)
        except Exception as exc:  # an unexpected failure is a #VALUE! with its reason, never a crash
            RECORDER.error(excel.error_text(exc))
            return error_dict("#VALUE!")

    catalogue_function.__name__ = catalogue_function.__qualname__ = name
    return catalogue_function


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
    return error_dict("#VALUE!")


def fit(value, rows: int, cols: int, beyond=None) -> list:
    """An array formula's result fitted to its range, as Excel does for Ctrl+Shift+Enter formulas:
    a single value fills the range, a single row or column repeats, cells beyond the result are #N/A
    (or ``beyond``), an empty cell of the result shows 0."""
    if type(value) is not list:
        value = [[value]]
    value = [r if type(r) is list else [r] for r in value] or [[None]]
    h, w = len(value), len(value[0])
    na = error_dict("#N/A") if beyond is None else beyond
    out = []
    for i in range(rows):
        src = value[0] if h == 1 else value[i] if i < h else None
        if src is None:
            out.append([na] * cols)
            continue
        out.append([0.0 if v is None else v for v in (src[0] if w == 1 else src[j] if j < w else na
                                                       for j in range(cols))])
    return out


#: Extra functions by name: those registered over formualizer's own (see :func:`register`).
_OVERRIDES = {"CELL": _cell_info}


def register(wb, arrays: dict | None = None, date1904: bool = False) -> None:
    """Register the catalogue, and the functions xl_tsd computes itself, in a formualizer workbook.

    ``arrays`` is where the workbook's array formulas keep their results (see :mod:`.formula_text`).
    """
    for name, spec in FUNCTIONS.items():
        f = _make(spec, date1904)
        wb.register_function(name, f, min_args=0, max_args=None)
        # how Excel stores a call to a function it does not know when it saves
        wb.register_function("_XLUDF." + name, f, min_args=0, max_args=None)
    from . import excel_functions
    excel_functions.register(wb)
    for name, f in _OVERRIDES.items():
        wb.register_function(name, f, min_args=1, max_args=2, allow_override_builtin=True)
    arrays = {} if arrays is None else arrays

    def fit_first(value, rows, cols, key, whole=0):
        arrays[key] = out = fit(value, int(rows), int(cols), 0.0 if whole else None)
        return out[0][0]

    def part(_first, key, i, j):
        got = arrays.get(key)
        return got[int(i)][int(j)] if got is not None else error_dict("#N/A")

    wb.register_function(FIT, fit_first, min_args=4, max_args=5)
    wb.register_function(LIFT, excel_functions.lift, min_args=1, max_args=None)
    wb.register_function(AT, part, min_args=4, max_args=4)


def from_engine(v):
    """A value read from the engine as float, bool, str or :class:`ExcelError` (an empty result
    reads 0, as Excel shows a formula that refers to an empty cell)."""
    t = type(v)
    if t is float or t is bool or t is str:
        return v
    if v is None:
        return 0.0
    if t is int:
        return float(v)
    if t is dict:
        if v.get("type") == "Error":
            return ERRORS.get(_KIND_CODE.get(v.get("kind"), ""), None) or ExcelError(
                "#" + str(v.get("kind", "VALUE")).upper() + "!")
        return str(v)
    if t is list:
        return from_engine(v[0][0] if v and type(v[0]) is list else v[0] if v else None)
    if isinstance(v, (_dt.datetime, _dt.date)):
        return _value_out(v if isinstance(v, _dt.datetime) else _dt.datetime(v.year, v.month, v.day))
    return str(v)
