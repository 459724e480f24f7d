"""Fuzz every UDF wrapper with random Excel-shaped values (issue 3).

Whatever comes in (empty cells, "", any text, Excel error texts, huge, tiny,
negative and infinite floats, NaN, booleans, dates, 1-D lists, ragged and
empty 2-D lists), a wrapper must return a value Excel can show: a float,
bool, str (or a date where the function returns one), or a non-empty
rectangular 2-D list of those; never raise; never NaN or None; and every
error text starts with ``#VALUE!``, ``#NUM!`` or ``#N/A`` and a reason. The
core must classify every failure itself: an "unexpected error" text (a bug
caught by the adapter's last line of defence) fails the test too.
"""
import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from udfs import tsd
from xl_tsd.registry import FUNCTIONS

EXCEL_ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
WORDS = ["", " ", "四分法", "三分法", "thirds", "quarters", "enhance", "restore", "加强", "修复", "重建",
         "statutory_cap", "punitive_from", "punitive_fault", "criminal_serious", "nope", "是", "否",
         "TRUE", "false", "1", "2025-05-01", "2025年5月1日", "2019/4/23", "TECH_CONTRIB_RATE",
         "tsd_rule", "en", "zh", "EN", "#NUM! multiplier must be between 1 and 5 (got 6)", *EXCEL_ERRORS]

floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-10, 10),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 6.0, 60.0, 61.0, 45778.0, 2958466.0, 1e308,
                     -1e308, 5e-324, -5e-324, 1e-300, math.inf, -math.inf, math.nan]),
)
texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=8))
dates = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31))
cells = st.one_of(st.none(), floats, texts, st.booleans(), dates)


def _block(shape):
    rows, cols = shape
    return st.lists(st.lists(cells, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


values = st.one_of(
    cells,                                                  # as xlwings passes without ndim
    cells.map(lambda v: [[v]]),                              # one cell with ndim=2
    st.lists(cells, max_size=4),                             # 1-D list, possibly empty
    st.lists(st.lists(cells, max_size=3), max_size=3),       # ragged or empty 2-D lists
    st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(_block),  # rectangular ranges
    st.lists(st.floats(0, 1).map(lambda v: [v]), min_size=1, max_size=4),  # a column of shares
)

ERROR_PREFIXES = ("#VALUE! ", "#NUM! ", "#N/A ")
RESULT_TYPES = {"number": (float,), "column": (float,), "bool": (bool,), "text": (str,),
                "any": (float, str, dt.datetime)}


def check_scalar(v, returns):
    assert v is not None
    assert type(v) in RESULT_TYPES[returns] + (str,), (type(v), v)
    if type(v) is float:
        assert math.isfinite(v), v
    if isinstance(v, str) and (v.startswith("#") or str not in RESULT_TYPES[returns]):
        assert v.startswith(ERROR_PREFIXES) and len(v) > 7, v
        assert "\n" not in v and "unexpected error" not in v, v
        assert len(v) <= 255


def check_result(out, returns):
    if isinstance(out, list):
        assert out and all(isinstance(r, list) for r in out), out
        width = len(out[0])
        assert width > 0 and all(len(r) == width for r in out), out
        for row in out:
            for v in row:
                assert not isinstance(v, str) or not v.startswith("#"), v  # errors come alone
                check_scalar(v, returns)
    else:
        check_scalar(out, returns)


@pytest.mark.parametrize("name", list(FUNCTIONS))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_wrapper_never_raises_never_blank(name, data):
    spec = FUNCTIONS[name]
    required = sum(not a.optional for a in spec.args)
    n = data.draw(st.integers(required, len(spec.args)), label="number of arguments")
    args = [data.draw(values, label=a.name) for a in spec.args[:n]]
    out = getattr(tsd, name)(*args)
    check_result(out, spec.returns)


# --- plausible values, chosen from each argument's unit in the registry ------------------
# The wide net above mostly hits the error paths; this one reaches the computations,
# broadcasting and spills, with values near and across the legal and method limits.

def _plausible_cell(arg):
    unit = arg.unit
    if "date" in unit:
        return st.one_of(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 12, 31)),
                         st.integers(36526, 47848).map(float), st.none())
    if "TRUE/FALSE" in unit:
        return st.one_of(st.booleans(), st.sampled_from(["是", "否", 1.0, 0.0]), st.none())
    if unit in ("text", "zh/en", "any"):
        return st.sampled_from(WORDS + list(FUNCTIONS))
    if "1-5" in unit:
        return st.integers(0, 6).map(float)
    if "decimal" in unit or "weight" in unit or "ratio" in unit:
        return st.one_of(st.floats(0, 1), st.floats(-0.5, 1.5), st.none())
    return st.one_of(st.floats(0, 1e7), st.floats(-10, 10), st.none())


def _matrix(n):
    # positive reciprocal matrices, sometimes perturbed off reciprocity
    upper = st.lists(st.sampled_from([1.0, 2.0, 3.0, 5.0, 7.0, 9.0, 1 / 3, 0.2]),
                     min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2)

    def build(vals, bump):
        m = [[1.0] * n for _ in range(n)]
        it = iter(vals)
        for i in range(n):
            for j in range(i + 1, n):
                m[i][j] = next(it)
                m[j][i] = 1 / m[i][j] * bump
        return m
    return st.builds(build, upper, st.sampled_from([1.0, 1.0, 1.5]))


@pytest.mark.parametrize("name", list(FUNCTIONS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_wrapper_on_plausible_values(name, data):
    spec = FUNCTIONS[name]
    required = sum(not a.optional for a in spec.args)
    n = data.draw(st.integers(required, len(spec.args)), label="number of arguments")
    rows = data.draw(st.integers(1, 3), label="rows")
    args = []
    for a in spec.args[:n]:
        if a.name == "matrix":
            args.append(data.draw(_matrix(data.draw(st.integers(1, 4))), label=a.name))
            continue
        cell = _plausible_cell(a)
        if a.whole_range or data.draw(st.booleans(), label=f"{a.name} is a range"):
            args.append(data.draw(st.lists(cell.map(lambda v: [v]), min_size=rows, max_size=rows),
                                  label=a.name))
        else:
            args.append([[data.draw(cell, label=a.name)]])
    out = getattr(tsd, name)(*args)
    check_result(out, spec.returns)
