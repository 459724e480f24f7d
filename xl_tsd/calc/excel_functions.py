"""Excel functions computed by the implementations of the ``formulas`` library instead of formualizer's.

formualizer computes every Excel function natively. For the functions listed
in :data:`OVERRIDES`, its answers differ from Excel's on the fidelity corpus
(workbooks saved by Excel, whose cached values are Excel's answers:
``bench/bench_fidelity.py``) where the implementation in ``formulas`` (JRC)
matches them; those functions are registered over formualizer's own and call
``formulas``' code. Only ``formulas``' function library is used, not its
evaluator: formualizer still reads the workbook, follows references, orders
the computation and calls these functions with the values it computed. Each
function's module is imported the first time a workbook calls it.

Functions that a large model calls on every row (lookups, conditional sums)
are not listed even where ``formulas`` matches more corpus cells: they are
formualizer's, fast, and differ from Excel only on the unusual arguments
listed in docs/headless.md.
"""
from __future__ import annotations

import importlib
import re

import numpy as np

__all__ = ["OVERRIDES", "register"]

#: Function name -> the ``formulas.functions`` module holding it, with the corpus cells each fixes.
OVERRIDES = {
    # engineering: unit prefixes and names (1,409 corpus cells), complex numbers
    "CONVERT": "eng", "IMSUM": "eng", "IMDIV": "eng",
    # statistics and forecasting edge cases
    "PERMUTATIONA": "stat", "PROB": "stat", "FORECAST": "stat", "FORECAST.LINEAR": "stat",
    "FORECAST.ETS": "stat", "FORECAST.ETS.CONFINT": "stat", "FORECAST.ETS.SEASONALITY": "stat",
    "FORECAST.ETS.STAT": "stat", "QUARTILE.INC": "stat", "QUARTILE.EXC": "stat", "PERCENTILE.INC": "stat",
    "PERCENTILE.EXC": "stat", "LARGE": "stat", "SMALL": "stat", "RANK.EQ": "stat", "LOGEST": "stat",
    "QUARTILE": "comp", "PERCENTILE": "comp",
    # mathematics and matrices
    "MUNIT": "math", "PERCENTOF": "math", "MMULT": "math", "MDETERM": "math", "MINVERSE": "math",
    "GCD": "math", "LCM": "math", "CEILING": "math",
    # text
    "TEXT": "text", "FIXED": "text", "NUMBERVALUE": "text", "BAHTTEXT": "text", "REGEXEXTRACT": "text",
    "REGEXTEST": "text", "REGEXREPLACE": "text",
    # finance
    "VDB": "financial", "IRR": "financial", "XIRR": "financial", "PPMT": "financial",
    # information
    "TYPE": "info",
    # dynamic-array functions (rare in case workbooks; formualizer's differ or are missing)
    **{n: "look" for n in ("EXPAND", "TRIMRANGE", "WRAPROWS", "WRAPCOLS", "CHOOSECOLS", "CHOOSEROWS", "TAKE",
                           "DROP", "SORTBY", "TOROW", "TOCOL", "FILTER", "SORT", "UNIQUE")},
    "GROWTH": "stat", "LINEST": "stat", "TREND": "stat", "T.TEST": "stat", "TTEST": "comp", "CHISQ.TEST": "stat",
    "RANK.AVG": "stat", "CUMIPMT": "financial",
    # bitwise, complex numbers, special functions
    **{n: "eng" for n in ("BITAND", "BITOR", "BITXOR", "BITLSHIFT", "BITRSHIFT", "IMCOS", "IMCOSH", "IMCOT", "IMCSC",
                          "IMCSCH", "IMEXP", "IMLN", "IMLOG10", "IMLOG2", "IMPOWER", "IMSEC", "IMSECH", "IMSIN",
                          "IMSINH", "IMSQRT", "IMTAN", "IMPRODUCT", "IMSUB", "COMPLEX", "BESSELJ", "BESSELY", "ERF",
                          "ERFC", "GESTEP", "DELTA")},
}

_MODULES: dict = {}


def _function(name: str, module: str):
    mod = _MODULES.get(module)
    if mod is None:
        mod = _MODULES[module] = importlib.import_module(f"formulas.functions.{module}")
    table = mod.FUNCTIONS
    for key in (name, "_XLFN." + name, "_XLFN._XLWS." + name):
        if key in table:
            return table[key]
    raise KeyError(name)


def _bridge(name: str, module: str):
    """The engine function for ``name``: formualizer's values in, ``formulas``' function, values out."""
    state = {}

    def excel_function(*args):
        from formulas.tokens.operand import Error, XlError
        import schedula as sh
        from .functions import error_dict

        f = state.get("f")
        if f is None:
            f = state["f"] = _function(name, module)

        def value_in(v):
            if type(v) is dict and v.get("type") == "Error":
                from .functions import _KIND_CODE
                return Error.errors.get(_KIND_CODE.get(v.get("kind"), "#VALUE!"), Error.errors["#VALUE!"])
            return sh.EMPTY if v is None else v

        def arg_in(a):
            if type(a) is list:
                from formulas.functions import Array
                rows = [[value_in(v) for v in (r if type(r) is list else [r])] for r in a]
                out = np.empty((len(rows), len(rows[0]) if rows else 0), object)
                for i, r in enumerate(rows):
                    out[i, :len(r)] = r
                return out.view(Array)
            return value_in(a)

        def value_out(v):
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, XlError):
                return error_dict(str(v))
            if v is sh.EMPTY or v is None:
                return None
            if isinstance(v, (bool, str)):
                return v
            if isinstance(v, (int, float)):
                return float(v)
            return str(v)

        try:
            r = f(*[arg_in(a) for a in args])
        except Exception:
            return error_dict("#VALUE!")
        if isinstance(r, np.ndarray):
            if r.ndim == 0:
                return value_out(r.item())
            if r.ndim == 1:
                r = r.reshape(1, -1)
            if r.shape == (1, 1):
                return value_out(r[0, 0])
            return [[value_out(v) for v in row] for row in r.tolist()]
        return value_out(r)

    if name.startswith("IM") or name == "COMPLEX":
        plain = excel_function

        def excel_function(*args):  # noqa: F811 - the same, with Excel's 15 significant digits
            r = plain(*args)
            return _DECIMAL.sub(lambda m: format(float(m.group()), ".15g"), r) if type(r) is str else r

    excel_function.__name__ = excel_function.__qualname__ = name
    return excel_function


# a decimal number in a complex number's text: Excel writes its parts with 15 significant digits
_DECIMAL = re.compile(r"\d+\.\d+(?:[eE][-+]?\d+)?")


# --- number bases (DEC2BIN, HEX2OCT, ...), written here: neither formualizer nor formulas follows Excel
# on the corpus (negative numbers with places, booleans, text digits); the rules are Microsoft's function
# pages and the Excel-saved values of xlcalculator's BASES workbook.

_BITS = {2: 10, 8: 30, 16: 40}  # ten digits in each base
_DIGITS = "0123456789ABCDEF"


class _Err(Exception):
    def __init__(self, code):
        self.code = code


def _scalar(v):
    if type(v) is dict and v.get("type") == "Error":
        from .functions import _KIND_CODE
        raise _Err(_KIND_CODE.get(v.get("kind"), "#VALUE!"))
    return v


def _decimal_in(v) -> int:
    v = _scalar(v)
    if v is None:
        return 0
    if isinstance(v, bool):
        raise _Err("#VALUE!")
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            raise _Err("#VALUE!") from None
    return int(v)


def _digits_in(v, base: int) -> int:
    """A number written in ``base`` (at most ten digits; the tenth digit's top bit is the sign)."""
    v = _scalar(v)
    if v is None:
        return 0
    if isinstance(v, bool):
        raise _Err("#VALUE!")
    if isinstance(v, float):
        if not v.is_integer() or v < 0:
            raise _Err("#NUM!")
        v = str(int(v))
    text = str(v).strip().upper()
    if text == "":
        return 0
    if len(text) > 10 or any(ch not in _DIGITS[:base] for ch in text):
        raise _Err("#NUM!")
    n = int(text, base)
    bits = _BITS[base]
    return n - (1 << bits) if n >= 1 << (bits - 1) else n


def _places_in(places):
    if places is None:
        return None
    places = _scalar(places)
    if isinstance(places, bool) or isinstance(places, str) and not places.strip():
        raise _Err("#VALUE!")
    try:
        p = int(float(places))
    except ValueError:
        raise _Err("#VALUE!") from None
    if not 1 <= p <= 10:
        raise _Err("#NUM!")
    return p


def _digits_out(n: int, base: int, places) -> str:
    bits = _BITS[base]
    if not -(1 << (bits - 1)) <= n < 1 << (bits - 1):
        raise _Err("#NUM!")
    if n < 0:
        n += 1 << bits  # ten digits, two's complement; places is not used
        places = None
    text = ""
    while True:
        n, r = divmod(n, base)
        text = _DIGITS[r] + text
        if not n:
            break
    if places is not None:
        if len(text) > places:
            raise _Err("#NUM!")
        text = text.zfill(places)
    return text


def _values_only(f):
    """A function of single values: an error value as it is, a range or array #VALUE! (the Analysis
    ToolPak functions do not compute element by element, even in an array formula)."""
    def wrapped(*args):
        from .functions import error_dict
        if any(type(a) is list for a in args):
            return error_dict("#VALUE!")
        try:
            return f(*args)
        except _Err as e:
            return error_dict(e.code)
    return wrapped


def _base_function(src: int | None, dst: int | None):
    def f(number, places=None):
        places = _places_in(places) if dst is not None else None  # Excel checks places first
        if src is None:  # DEC2x
            n = _decimal_in(number)
        else:
            n = _digits_in(number, src)
        if dst is None:  # x2DEC
            return float(n)
        return _digits_out(n, dst, places)
    return _values_only(f)


_NATIVE = {}
for _s, _sn in ((2, "BIN"), (8, "OCT"), (10, "DEC"), (16, "HEX")):
    for _d, _dn in ((2, "BIN"), (8, "OCT"), (10, "DEC"), (16, "HEX")):
        if _s != _d:
            _NATIVE[f"{_sn}2{_dn}"] = _base_function(None if _s == 10 else _s, None if _d == 10 else _d)

_BRIDGES: dict = {}
_MODULE_ORDER = ("info", "logic", "math", "text", "date", "eng", "financial", "look", "comp", "stat")


def _module_of(name: str) -> str | None:
    for module in _MODULE_ORDER:  # the cheap modules first: stat imports scipy
        mod = _MODULES.get(module) or importlib.import_module(f"formulas.functions.{module}")
        _MODULES[module] = mod
        if any(k in mod.FUNCTIONS for k in (name, "_XLFN." + name)):
            return module
    return None


def _is_error(v):
    return type(v) is dict and v.get("type") == "Error"


#: The IS functions over an array, here: one test per cell, without ``formulas``' conversions.
_PREDICATES = {
    "ISERROR": _is_error,
    "ISNA": lambda v: _is_error(v) and v.get("kind") == "Na",
    "ISERR": lambda v: _is_error(v) and v.get("kind") != "Na",
    "ISNUMBER": lambda v: type(v) in (float, int),
    "ISTEXT": lambda v: type(v) is str,
    "ISNONTEXT": lambda v: type(v) is not str,
    "ISLOGICAL": lambda v: type(v) is bool,
    "ISBLANK": lambda v: v is None,
}


def lift(name, *args):
    """``name`` (a function of single values) computed element by element over array arguments, by
    ``formulas``' implementation: what Excel does in an array formula or SUMPRODUCT, and formualizer
    does not (``SUMPRODUCT(--ISERROR(range))``)."""
    name = str(name).upper()
    test = _PREDICATES.get(name)
    if test is not None and len(args) == 1:
        a = args[0]
        if type(a) is list:
            return [[test(v) for v in (row if type(row) is list else [row])] for row in a]
        return test(a)
    f = _BRIDGES.get(name)
    if f is None:
        module = OVERRIDES.get(name) or _module_of(name)
        if module is None:
            from .functions import error_dict
            return error_dict("#NAME?")
        f = _BRIDGES[name] = _bridge(name, module)
    if name in _NATIVE:
        return _NATIVE[name](*args)
    return f(*args)


def register(wb) -> None:
    """Register every function of :data:`OVERRIDES` over formualizer's own in workbook ``wb``."""
    for name, f in _NATIVE.items():
        wb.register_function(name, f, min_args=1, max_args=2, allow_override_builtin=True)
    for name, module in OVERRIDES.items():
        f = _BRIDGES.get(name)
        if f is None:
            f = _BRIDGES[name] = _bridge(name, module)
        for alias in (name, "_XLFN." + name, "_XLFN._XLWS." + name):
            try:
                wb.register_function(alias, f, min_args=0, max_args=None, allow_override_builtin=True)
            except Exception:
                pass  # a spelling formualizer does not accept as a name
