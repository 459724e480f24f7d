"""The xlwings UDF wrappers (issue 3), called with values shaped as xlwings delivers them.

The wrappers read every argument with ``ndim=2`` and ``err_to_str=True``, so
xlwings hands them: a single cell or literal as ``[[v]]``; a range as a list
of rows; numbers as floats; empty cells as ``None``; date cells as
``datetime``; an error cell as its text (``"#N/A"``); an argument left out as
its default (``None``). :func:`xl` builds exactly that from plain values.
"""
import dataclasses
import datetime as dt
import inspect

import numpy as np
import pytest

import xl_tsd
from udfs import tsd
from xl_tsd.excel import to_excel
from xl_tsd.registry import FUNCTIONS
from xl_tsd.excel.vba_udfs import excel_arg_name

D = dt.datetime


def xl(v):
    """A value as xlwings passes it to a wrapper (ndim=2): numbers as floats, dates as datetime."""
    def cell(x):
        if isinstance(x, bool) or x is None or isinstance(x, (str, dt.datetime)):
            return x
        if isinstance(x, dt.date):
            return dt.datetime(x.year, x.month, x.day)
        return float(x)
    if isinstance(v, (list, tuple)):
        if v and isinstance(v[0], (list, tuple)):
            return [[cell(x) for x in row] for row in v]
        return [[cell(x) for x in v]]  # an array constant {1,2,1} is one row
    return [[cell(v)]]


def col(*values):
    """A column range, as xlwings passes it with ndim=2."""
    return [[xl(v)[0][0]] for v in values]


def udf(name, *args):
    """Call the wrapper ``name`` with Excel-shaped versions of ``args``."""
    return getattr(tsd, name)(*(xl(a) for a in args))


# --- the wrappers are the registry's functions ------------------------------------------

@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_wrapper_named_and_documented_from_registry(name):
    spec, wrapper = FUNCTIONS[name], getattr(tsd, name)
    assert wrapper.__name__ == name and name in tsd.__all__
    assert wrapper.__doc__ == spec.wizard_text() and len(wrapper.__doc__) <= 255
    params = list(inspect.signature(wrapper).parameters.values())
    assert [p.name for p in params] == [excel_arg_name(a.name) for a in spec.args]
    for p, a in zip(params, spec.args):  # optional in the catalogue <=> optional in Excel (default None)
        assert (p.default is None) if a.optional else (p.default is inspect.Parameter.empty)
    for a in spec.args:
        assert len(tsd.arg_doc(a)) <= 255 and a.zh in tsd.arg_doc(a) and a.en in tsd.arg_doc(a)


def test_vba_argument_names():
    # `date` is a VBA keyword (MS-VBAL 3.3.5.2) and `lost_profit` is also a function name
    assert list(inspect.signature(tsd.CRIMINAL_TIER).parameters) == ["amount", "date_", "repeat_offender"]
    assert list(inspect.signature(tsd.TSD_RULE).parameters) == ["key", "date_"]
    assert "lost_profit_" in inspect.signature(tsd.CRIMINAL_LOSS).parameters


# --- every registry example, through the wrapper, equals the core ------------------------

EXAMPLES = [(name, i) for name, spec in FUNCTIONS.items() for i in range(len(spec.examples))]


@pytest.mark.parametrize("name,i", EXAMPLES)
def test_registry_example_through_wrapper(name, i):
    spec = FUNCTIONS[name]
    ex = spec.examples[i]  # ex.source names where the expected value comes from
    got = udf(name, *ex.args)
    if isinstance(ex.expected, str) and ex.expected.startswith("#"):
        assert isinstance(got, str) and got.startswith(ex.expected + " "), (got, ex.source)
        return
    assert got == to_excel(spec.func(*ex.args), spec)  # the same answer as the core function
    if isinstance(ex.expected, list):  # a column that spills
        assert [r[0] for r in got] == pytest.approx(ex.expected, abs=5e-4), ex.source
    elif isinstance(ex.expected, float):
        assert got == pytest.approx(ex.expected, abs=5e-4), ex.source
    else:
        assert got == ex.expected, ex.source


# --- FUNCTIONS.md "Examples that must hold" ----------------------------------------------

def test_functions_md_examples():
    assert udf("TECH_CONTRIB_RATE", 1, 0.8, 0.4, 0.25) == pytest.approx(0.08)  # FUNCTIONS.md
    assert udf("PROFIT_SPLIT", "四分法") == 0.25  # FUNCTIONS.md
    assert udf("COMPONENT_PROFIT_OK", 211664.74, 403664.73) is False  # FUNCTIONS.md
    assert udf("CRIMINAL_TIER", 300000, D(2025, 5, 1)) == "情节严重"  # FUNCTIONS.md
    # FUNCTIONS.md: an error starting with #NUM!; the text is the example
    assert udf("PUNITIVE_TOTAL", 100, 6) == "#NUM! multiplier must be between 1 and 5 (got 6)"


# --- CASES.md, with the shapes a worksheet gives ------------------------------------------

def test_case_a_chain_and_periods():
    # 1 x 0.80 x 0.40 x 0.25 = 0.08 (CASES.md A), s4 from PROFIT_SPLIT in a cell
    s4 = udf("PROFIT_SPLIT", "四分法")
    assert udf("TECH_CONTRIB_RATE", 1, 0.8, 0.4, s4) == pytest.approx(0.08)
    # 150,000 x 1,000 x 0.10 x 0.08 = 1,200,000 (hand calculation)
    assert udf("DAMAGES_BASE", 150000, 1000, 0.1, 0.08) == pytest.approx(1_200_000)
    # a column of period start dates spills a column: before 2019-04-23 no multiplier (CASES.md A)
    got = tsd.PUNITIVE_AVAILABLE(col(D(2018, 9, 1), D(2019, 4, 23), D(2020, 1, 1)))
    assert got == [[False], [True], [True]]
    # the same dates as serial numbers (43344 = 2018-09-01, 43578 = 2019-04-23; Excel 1900 system)
    assert tsd.PUNITIVE_AVAILABLE(col(43344, 43578)) == [[False], [True]]
    # losses: gains on the benchmark margin, 100,000,000 x 0.05 = 5,000,000 (CASES.md A, seed 002)
    assert udf("INFRINGER_GAIN", 100_000_000, -0.25, 0.05) == pytest.approx(5_000_000)


def test_case_a_base_per_period_spills():
    # price x quantity x margin x 0.08 per period (CASES.md A); rows are periods, hand calculation:
    # 150,000 x 1,000 x 0.10 x 0.08 = 1,200,000; 160,000 x 500 x 0.10 x 0.08 = 640,000
    got = tsd.DAMAGES_BASE(col(150000, 160000), col(1000, 500), xl(0.1), xl(0.08))
    assert got == [[pytest.approx(1_200_000)], [pytest.approx(640_000)]]
    # a row in gives a row out (orientation kept)
    got = tsd.DAMAGES_BASE([[150000.0, 160000.0]], [[1000.0, 500.0]], xl(0.1), xl(0.08))
    assert got == [[pytest.approx(1_200_000), pytest.approx(640_000)]]


def test_case_b_remedial_and_criminal():
    assert udf("REMEDIAL_SHARE", 151600, "enhance", 5, 2) == pytest.approx(60640)  # CASES.md B: x 2/5
    assert udf("REMEDIAL_SHARE", 151600, "restore") == 151600  # CASES.md B: in full
    assert tsd.REMEDIAL_SHARE(xl(151600), xl("restore")) == 151600  # optional args left out
    # CRIMINAL_LOSS counts remedial cost in full (CASES.md B): license fee 60,000 + 151,600 = 211,600
    assert udf("CRIMINAL_LOSS", 1, None, 60000, None, 151600) == pytest.approx(211_600)


def test_case_c_award():
    assert udf("AWARD_TOTAL", 250000, 15000, 500000) == 265000  # CASES.md C: 250,000 + 15,000


def test_case_d_component_share():
    assert udf("COMPONENT_PROFIT_OK", 211664.74, 403664.73) is False  # CASES.md D: 52.4 % > 50 %
    assert udf("COMPONENT_PROFIT_OK", 211664.74, 403664.73, 0.6) is True  # CASES.md D


def test_case_e_license_value():
    assert udf("CRIMINAL_LOSS", 1, None, 8580000) == 8_580_000  # CASES.md E
    assert udf("CRIMINAL_TIER", 8580000, D(2021, 1, 1)) == "情节特别严重"  # CASES.md E: >= 2,500,000


def test_case_f_lost_profit_cascade():
    assert udf("LOST_PROFIT", 1000, 50, 3000, 20) == 50000  # CASES.md F
    assert udf("LOST_PROFIT", None, 50, 3000, 20) == 150000  # CASES.md F
    assert udf("LOST_PROFIT", None, None, 3000, 20) == 60000  # CASES.md F
    got = udf("LOST_PROFIT", None, None, None, 20)  # CASES.md F: #N/A naming the missing volume
    assert got.startswith("#N/A ") and "lost_units" in got
    # the three steps side by side in a column spill (CASES.md F, rows as above)
    got = tsd.LOST_PROFIT(col(1000, None, None), col(50, 50, None), xl(3000), xl(20))
    assert got == [[50000.0], [150000.0], [60000.0]]


def test_case_g_thresholds_by_date():
    assert udf("CRIMINAL_TIER", 400000, D(2019, 6, 1)) == ""  # CASES.md G: 2004 regime 500,000
    assert udf("CRIMINAL_TIER", 400000, D(2021, 6, 1)) == "情节严重"  # CASES.md G
    assert udf("CRIMINAL_TIER", 120000, D(2025, 6, 1), True) == "情节严重"  # CASES.md G: repeat
    assert udf("CRIMINAL_TIER", 120000, D(2025, 6, 1), "是") == "情节严重"  # 是/否 (FUNCTIONS.md)
    assert udf("CRIMINAL_LOSS", 2, 100000, 250000) == 250000  # CASES.md G: license fee floor
    # the date as a serial number: 44348 = 2021-06-01 (Excel 1900 system)
    assert udf("CRIMINAL_TIER", 400000, 44348) == "情节严重"
    # a column of cases spills a column of text; "" is a real empty text, not a blank
    got = tsd.CRIMINAL_TIER(col(400000, 400000), col(D(2019, 6, 1), D(2021, 6, 1)))
    assert got == [[""], ["情节严重"]]


def test_case_h_split_and_ahp():
    assert udf("PROFIT_SPLIT", "三分法") == pytest.approx(1 / 3)  # CASES.md H
    assert udf("ROYALTY_TO_SPLIT", 0.05, 0.20) == pytest.approx(0.25)  # CASES.md H: 0.05 / 0.20
    m = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    got = tsd.AHP_WEIGHTS(xl(m))  # CASES.md H: about {0.637; 0.258; 0.105}, a column that spills
    assert [r[0] for r in got] == pytest.approx([0.637, 0.258, 0.105], abs=5e-4)
    assert tsd.AHP_CR(xl(m)) == pytest.approx(0.033, abs=5e-4)  # CASES.md H


def test_points_share_takes_whole_ranges():
    # (1 + 2) / (1 + 2 + 1) = 0.75 (hand calculation), points table as two columns
    assert tsd.POINTS_SHARE(col(1, 2, 1), col(True, True, False)) == 0.75
    # one point only: a 1 x 1 range stays a range for a whole-range argument; 1 / 1 = 1
    assert tsd.POINTS_SHARE(col(2), col("是")) == 1.0


# --- rules and meta ----------------------------------------------------------------------

def test_rules_and_version():
    assert udf("TSD_RULE", "statutory_cap", D(2018, 6, 1)) == 3_000_000  # AUCL 2017 Art. 17
    # the rule's value is a date: Excel gets a datetime (a date serial in the cell)
    assert tsd.TSD_RULE(xl("punitive_from")) == D(2019, 4, 23)  # AUCL 2019 Art. 17
    assert tsd.TSD_VERSION() == xl_tsd.__version__
    assert udf("TSD_EXPLAIN", "award_total", "en").startswith("AWARD_TOTAL: ")  # any case of the name


# --- errors are cell text, and TSD_ISERROR sees them ---------------------------------------

def test_errors_are_one_line_text_naming_the_input():
    got = udf("TECH_CONTRIB_RATE", 1, 1.2, 0.4, 0.25)
    assert got == "#VALUE! s2 must be between 0 and 1 (got 1.2)"  # FUNCTIONS.md conventions
    got = udf("DAMAGES_BASE", 150000, 1000, 0.1, None)  # an empty cell where no fallback exists
    assert got.startswith("#N/A ") and "contrib_rate" in got
    got = tsd.DAMAGES_BASE(col(1, 2), col(1, 2, 3), xl(0.1), xl(0.08))  # ranges of different sizes
    assert got.startswith("#VALUE! ") and "unit_price" in got and "quantity" in got


def test_error_cells_arrive_as_text_and_are_errors():
    # with err_to_str, xlwings passes an error cell as "#DIV/0!": refused, naming the argument
    got = udf("DAMAGES_BASE", 150000, 1000, 0.1, "#DIV/0!")
    assert got == '#VALUE! contrib_rate must be a number (got "#DIV/0!")'
    assert udf("TSD_ISERROR", got) is True
    assert udf("TSD_ISERROR", "#N/A") is True  # Excel's own error, as err_to_str passes it
    assert udf("TSD_ISERROR", udf("PUNITIVE_TOTAL", 100, 6)) is True
    assert udf("TSD_ISERROR", 0.08) is False and udf("TSD_ISERROR", None) is False
    assert udf("TSD_ISERROR", "情节严重") is False
    # over a range: one answer per cell
    assert tsd.TSD_ISERROR([["#NUM! x", 1.0], [None, ""]]) == [[True, False], [False, False]]


def test_no_blank_for_a_number():
    # a result that is not finite is an error, never NaN (which Excel would show as blank)
    got = udf("DAMAGES_BASE", 1e308, 1e308, 1, 1)
    assert got.startswith("#NUM! ") and "DAMAGES_BASE" in got
    # an empty range is "not known": #N/A naming the input, never an empty array
    assert tsd.DAMAGES_BASE([], xl(1), xl(0.1), xl(0.08)).startswith("#N/A unit_price")
    assert tsd.DAMAGES_BASE([[]], xl(1), xl(0.1), xl(0.08)).startswith("#N/A unit_price")


def test_too_many_arguments():
    assert not hasattr(tsd.PROFIT_SPLIT, "__wrapped__")  # xlwings must see the wrapper's own signature
    with pytest.raises(TypeError):  # Python refuses; Excel refuses too many arguments itself
        tsd.PROFIT_SPLIT(xl("四分法"), xl(1))


def test_unexpected_exception_becomes_value_text(monkeypatch):
    def broken(*args):
        raise ZeroDivisionError("float division by zero\nsecond line")

    spec = FUNCTIONS["DAMAGES_BASE"]
    monkeypatch.setitem(FUNCTIONS, "DAMAGES_BASE", dataclasses.replace(spec, func=broken))
    got = udf("DAMAGES_BASE", 1, 2, 0.1, 0.08)
    assert got == "#VALUE! unexpected error: float division by zero"  # one line, no traceback


def test_numbers_as_given_by_python_also_work():
    # scalars without ndim (as older xlwings defaults or a VBA caller give them) and numpy values
    assert tsd.TECH_CONTRIB_RATE(1.0, 0.8, 0.4, 0.25) == pytest.approx(0.08)  # CASES.md A
    assert tsd.DAMAGES_BASE(np.float64(150000), 1000, 0.1, 0.08) == pytest.approx(1_200_000)
