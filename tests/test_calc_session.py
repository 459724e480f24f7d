"""xl_tsd.calc.Session: a workbook loaded once, inputs changed by defined name, outputs read, many times.

The reference for every answer is the plain path: the same case filled into the template by
``fill()`` and computed by ``calculate`` from scratch.
"""
from __future__ import annotations

import copy
import datetime as dt
import io
import pathlib

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from xl_tsd.calc import Session, calculate
from xl_tsd.calc.session import NameError_
from xl_tsd.template import layout as L
from xl_tsd.workflows.case_data import load_case
from xl_tsd.workflows.fill import fill

ROOT = pathlib.Path(__file__).resolve().parents[1]
VEHICLE = ROOT / "examples" / "cases" / "vehicle_chassis.json"
OUTPUTS = list(L.HEADLINE_OUTPUTS)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("session")
    base = load_case(VEHICLE)
    fill(base, folder / "base.xlsm")
    return folder, base


def _headline(path):
    rep = calculate(path)
    wb = openpyxl.load_workbook(path)
    out = {}
    for name in OUTPUTS:
        (sheet, ref), = list(wb.defined_names[name].destinations)
        out[name] = rep.values[(sheet, ref.replace("$", "").split(":")[0])]
    return out


@pytest.mark.parametrize("change", [
    {"Share_S2": 0.6},                                      # the contribution chain
    {"Claim_Amount": 30_000_000.0},                          # the cap bites
    {"Measure_Choice": "许可使用费 license fee"},            # another measure
    {"Conduct_Start": "2017-05-01"},                         # a date
], ids=["share", "claim", "measure", "date"])
def test_a_changed_input_gives_what_a_full_fill_gives(filled, tmp_path, change):
    folder, base = filled
    s = Session(folder / "base.xlsm")
    assert s.read(["Total_Award"])["Total_Award"] == pytest.approx(50_740_000)  # worked_example.py, by hand
    case = copy.deepcopy(base)
    case.update(change)
    fill(case, tmp_path / "changed.xlsm")
    want = _headline(tmp_path / "changed.xlsm")
    value = {k: dt.date.fromisoformat(v) if k.startswith("Conduct") else v for k, v in change.items()}
    got = s.evaluate(value, OUTPUTS)
    assert got == want
    s.reset()  # back to the workbook's own inputs: the base answers again
    assert s.read(OUTPUTS) == _headline(folder / "base.xlsm")


def test_a_table_column_takes_a_list_and_many_evaluations_agree(filled, tmp_path):
    folder, base = filled
    s = Session(folder / "base.xlsm")
    units = [p["Per_Units"] for p in base["Periods"]]
    for k in (0.5, 1.5, 1.0):
        case = copy.deepcopy(base)
        for p in case["Periods"]:
            p["Per_Units"] = p["Per_Units"] * k
        fill(case, tmp_path / f"units{k}.xlsm")
        assert s.evaluate({"Per_Units": [u * k for u in units]}, OUTPUTS) == _headline(tmp_path / f"units{k}.xlsm")
    assert s.evaluations == 3


def test_save_writes_the_workbook_calc_would(filled, tmp_path):
    folder, base = filled
    s = Session(folder / "base.xlsm")
    s.set({"Share_S2": 0.6})
    rep = s.save(tmp_path / "saved.xlsm")
    case = copy.deepcopy(base)
    case["Share_S2"] = 0.6
    fill(case, tmp_path / "filled.xlsm")
    assert _headline(tmp_path / "saved.xlsm") == _headline(tmp_path / "filled.xlsm")
    cached = openpyxl.load_workbook(tmp_path / "saved.xlsm", data_only=True)
    (sheet, ref), = list(cached.defined_names["Share_S2"].destinations)
    assert cached[sheet][ref.replace("$", "")].value == 0.6
    assert rep.values == calculate(tmp_path / "saved.xlsm").values


def _small():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = 2, 3, 4
    ws["B1"] = "=SUM(A1:A3)"
    ws["B2"] = "=PUNITIVE_TOTAL(100,A1)"
    wb.defined_names["Xs"] = DefinedName("Xs", attr_text="Sheet!$A$1:$A$3")
    wb.defined_names["Mult"] = DefinedName("Mult", attr_text="Sheet!$A$1")
    wb.defined_names["Total"] = DefinedName("Total", attr_text="Sheet!$B$1")
    wb.defined_names["Punitive"] = DefinedName("Punitive", attr_text="Sheet!$B$2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_inputs_and_outputs_by_name_and_what_is_refused():
    s = Session(_small())
    assert s.get("Total") == 9.0  # hand: 2 + 3 + 4
    assert s.evaluate({"Xs": [1, 2, None]}, ["Total", "Punitive"]) == {"Total": 3.0, "Punitive": 100.0}
    assert s.evaluate({"Mult": 6}, ["Punitive"]) == {"Punitive": "#NUM!"}  # FUNCTIONS.md: multiplier 6
    assert s.get("Xs") == [[6.0], [2.0], [None]]
    with pytest.raises(NameError_, match="Nope: the workbook defines no such name"):
        s.get("Nope")
    with pytest.raises(ValueError, match="Total: Sheet!B1 holds a formula"):
        s.set({"Total": 1})
    with pytest.raises(ValueError, match="Xs: more values than the 3 x 1 cells"):
        s.set({"Xs": [1, 2, 3, 4]})
    with pytest.raises(ValueError, match="Mult: one cell takes one value"):
        s.set({"Mult": [1, 2]})
