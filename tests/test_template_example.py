"""The worked example in the template (issue 5): filled by name, computed headlessly, checked."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from xl_tsd import contribution, punitive
from xl_tsd.template import DEFAULT_PATH
from xl_tsd.template.contract import read_inputs, write_inputs
from xl_tsd.template.example import example_inputs, library_total, write_example
from xl_tsd.workflows.worked_example import VEHICLE_CHASSIS


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    path, report = write_example(tmp_path_factory.mktemp("example"), template=DEFAULT_PATH)
    return path, report, openpyxl.load_workbook(path, data_only=True), openpyxl.load_workbook(path)


def value(wb, name):
    (title, ref), = list(wb.defined_names[name].destinations)
    return wb[title][ref.replace("$", "")].value


def test_every_formula_has_a_value_and_no_error(example):
    path, report, values, formulas = example
    formula_cells = {(ws.title, c.coordinate) for ws in formulas.worksheets for row in ws.iter_rows()
                     for c in row if isinstance(c.value, str) and c.value.startswith("=")}
    assert formula_cells and formula_cells <= set(report.values)
    assert report.errors == []
    for ws in values.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith("#")), (ws.title, c.coordinate, c.value)
    # the engine computes every formula, xlwings.conf's CELL("filename") path included: blank, as Excel
    # answers for a workbook not yet saved (Excel fills it in when it recalculates on the user's machine)
    assert report.problems == []
    assert values["xlwings.conf"]["B3"].value in (None, "")


def test_total_equals_the_library_called_directly(example):
    _p, _r, values, _f = example
    # CASES.md A: 1 x 0.80 x 0.40 x 0.25 = 0.08
    assert value(values, "Contrib_Rate") == pytest.approx(0.08)
    assert value(values, "Contrib_Applied") == pytest.approx(0.08)
    # the library through xl_tsd.workflows.worked_example (the same illustrative figures)
    assert value(values, "Total_Award") == pytest.approx(library_total(), rel=1e-12)
    # and by hand from the core functions: benchmark margin 5 % (the infringer made losses),
    # no multiplier before 2019-04-23, 2x after; expenses added outside the multiplier
    rate = contribution.tech_contrib_rate(1, 0.8, 0.4, 0.25)
    economic = sum(punitive.punitive_total(contribution.damages_base(p["unit_price"], p["units"], 0.05, rate),
                                           p["multiplier"] if punitive.punitive_available(p["start"]) else 1)
                   for p in VEHICLE_CHASSIS["periods"])
    assert economic == pytest.approx(48_320_000.0)  # 4.32M + 2 x 8.4M + 2 x 13.6M
    assert value(values, "Econ_Loss") == pytest.approx(economic)
    assert value(values, "Total_Award") == pytest.approx(economic + 2_420_000.0)  # lawyer+notary+appraisal


def test_checks_pass_and_example_is_marked_illustrative(example):
    _p, _r, values, _f = example
    assert value(values, "Check_Master") is True
    assert "ILLUSTRATIVE" in values["Cover"]["C3"].value
    assert value(values, "Crim_Tier") == "情节特别严重"  # 26.32M >= 2.5M under 法释〔2020〕10号 (DOMAIN §6)


def test_template_left_unchanged_by_the_example(example):
    wb = openpyxl.load_workbook(DEFAULT_PATH)
    assert value(wb, "Case_Name") is None and value(wb, "Share_S2") is None


def test_checks_catch_a_bad_case(tmp_path):
    """A multiplier before 2019-04-23 and overlapping periods turn their checks and the master FALSE."""
    data = example_inputs()
    data["Per_Multiplier"] = [2.0, 2.0, 2.0]                      # period 1 ends 2019-04-22
    data["Per_Start"] = [dt.date(2018, 9, 1), dt.date(2019, 4, 23), dt.date(2020, 6, 1)]
    data["Per_End"] = [dt.date(2019, 4, 22), dt.date(2020, 6, 30), dt.date(2020, 12, 31)]  # 2 overlaps 3
    wb = openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)
    write_inputs(wb, data)
    src = tmp_path / "bad.xlsm"
    wb.save(src)
    from xl_tsd.calc import calculate
    report = calculate(src)
    got = {name: report.values[("Checks", ref)] for name, ref in _check_cells(wb).items()}
    assert got["Check_Multipliers"] is False
    assert got["Check_Periods"] is False
    assert got["Check_Master"] is False
    assert got["Check_Shares"] is True and got["Check_Points"] is True


def _check_cells(wb):
    out = {}
    for name, dn in wb.defined_names.items():
        if name.startswith("Check_") and name != "Check_List":
            (_t, ref), = list(dn.destinations)
            out[name] = ref.replace("$", "")
    return out


def test_inputs_round_trip_by_name(tmp_path):
    data = example_inputs()
    wb = openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)
    data["Case_Analyst"] = '=HYPERLINK("x")'
    write_inputs(wb, data)
    wb.save(tmp_path / "t.xlsm")
    again = openpyxl.load_workbook(tmp_path / "t.xlsm")
    back = read_inputs(again)
    (_t, ref), = list(again.defined_names["Case_Analyst"].destinations)
    assert again["Inputs"][ref.replace("$", "")].data_type == "s"  # text, never a formula
    for name, v in data.items():
        assert back[name] == (list(v) if isinstance(v, list) else v), name
    with pytest.raises(KeyError):
        write_inputs(wb, {"Not_An_Input": 1})
    with pytest.raises(ValueError):
        write_inputs(wb, {"Per_Start": [dt.date(2020, 1, 1)] * 21})
