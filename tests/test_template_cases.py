"""Cases that use only part of the template (issue 5 follow-up): absent parts are not applicable.

The example case files of ``examples/cases`` are filled through the workflow API
(:func:`xl_tsd.workflows.fill.fill`) into the committed template and computed headlessly.
"""
from __future__ import annotations

import copy
import pathlib

import openpyxl
import pytest

from xl_tsd.template import layout as L
from xl_tsd.workflows.case_data import load_case
from xl_tsd.workflows.fill import fill

CASES = pathlib.Path(__file__).resolve().parents[1] / "examples" / "cases"
SECURITY = CASES / "security_upgrade.yaml"   # CASES.md B
AGREED = CASES / "agreed_damages.yaml"       # CASES.md C
VEHICLE = CASES / "vehicle_chassis.json"     # CASES.md A (illustrative sales)


def _book(out):
    return openpyxl.load_workbook(out, data_only=True)


def value(wb, name):
    (title, ref), = list(wb.defined_names[name].destinations)
    return wb[title][ref.replace("$", "")].value


def failing_checks(wb) -> set[str]:
    return {c.name for c in L.CHECKS if value(wb, c.name) is not True} | (
        {L.MASTER} if value(wb, L.MASTER) is not True else set())


def error_cells(wb) -> list:
    return [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("#")]


def _fill(case, tmp_path, name="case.xlsm"):
    report = fill(case, tmp_path / name)
    return report, _book(tmp_path / name)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    out = {}
    for path in (SECURITY, AGREED, VEHICLE):
        folder = tmp_path_factory.mktemp(path.stem)
        out[path.name] = _fill(path, folder)
    return out


@pytest.mark.parametrize("case", [SECURITY.name, AGREED.name, VEHICLE.name])
def test_example_case_fills_clean(filled, case):
    report, wb = filled[case]
    assert report.errors == [] and error_cells(wb) == []
    assert report.problems == []  # xlwings.conf's CELL("filename") included (blank, as Excel unsaved)
    assert report.master_check is True and failing_checks(wb) == set()


def test_security_upgrade_is_remedial_costs_only(filled):
    _r, wb = filled[SECURITY.name]
    # CASES.md B: REMEDIAL_SHARE(151600, "enhance", 5, 2) -> 60,640, the whole actual loss here
    assert value(wb, "Remedial_Total") == pytest.approx(60_640)
    assert value(wb, "Econ_Remedial") == pytest.approx(60_640)
    assert value(wb, "Econ_Loss") == pytest.approx(60_640)
    assert value(wb, "Measure_Ready") is True
    # hand calculation: min(60,640, claim 230,000) + lawyer 10,000 + appraisal 80,000
    assert value(wb, "Expenses_Total") == pytest.approx(90_000)
    assert value(wb, "Total_Award") == pytest.approx(150_640)
    assert value(wb, "Headline_Amount") == pytest.approx(150_640)
    assert value(wb, "Claim_Cap_Binds") is False  # 60,640 is under the claim
    # criminal view would count it in full (CASES.md B; 法释〔2025〕5号 Art. 18)
    assert value(wb, "Remedial_Full") == pytest.approx(151_600)
    # parts the case does not use are blank (not applicable), not errors and not zeros
    for name in ("Contrib_S1", "Contrib_Rate", "Contrib_Applied", "Measure_Lost_Profit", "Measure_Infringer_Gain",
                 "Measure_License_Fee", "Value_Cost", "Measure_Commercial_Value", "Econ_Base",
                 "Econ_Punitive_Extra", "Crim_Loss"):
        assert value(wb, name) in (None, ""), name
    assert value(wb, "Component_Plausible") == L.SHOWN_NA


def test_agreed_damages_is_commercial_value_beside_the_agreed_range(filled):
    _r, wb = filled[AGREED.name]
    # CASES.md C: development cost 252,000 (cost approach)
    assert value(wb, "Value_Cost") == pytest.approx(252_000)
    assert value(wb, "Measure_Commercial_Value") == pytest.approx(252_000)
    assert value(wb, "Econ_Base") == value(wb, "Econ_Loss") == pytest.approx(252_000)
    # hand calculation: min(252,000, claim 500,000) + lawyer 15,000
    assert value(wb, "Total_Award") == pytest.approx(267_000)
    assert value(wb, "Econ_Remedial") in (None, "")  # Remedial_Include left blank: nothing added
    summary = wb["Summary"]
    shown = {summary.cell(r, 2).value: summary.cell(r, 5).value for r in range(1, summary.max_row + 1)}
    assert shown["Agreed, low"] == pytest.approx(500_000)  # CASES.md C: agreed 500,000–1,000,000
    assert shown["Agreed, high"] == pytest.approx(1_000_000)
    assert shown["Total award"] == pytest.approx(267_000)
    assert shown["Lost profit"] in (None, "") and shown["Contribution rate"] in (None, "")


def test_vehicle_case_total_unchanged(filled):
    _r, wb = filled[VEHICLE.name]
    # CASES.md A chain 0.08; 4,320,000 + 2 x 8,400,000 + 2 x 13,600,000 + expenses 2,420,000
    # (xl_tsd/workflows/worked_example.py and hand calculation)
    assert value(wb, "Contrib_Rate") == pytest.approx(0.08)
    assert value(wb, "Total_Award") == pytest.approx(50_740_000)


# --- a measure without its inputs, and checks on parts that are present --------------------------------
def _variant(path, **changes):
    case = copy.deepcopy(load_case(path))
    for key, val in changes.items():
        if val is None:
            case.pop(key, None)
        else:
            case[key] = val
    return case


def test_license_fee_chosen_without_license_rows_is_flagged(tmp_path):
    case = _variant(SECURITY, Measure_Choice=L.MEASURES[2])  # 许可使用费, and no comparable entered
    report, wb = _fill(case, tmp_path)
    assert failing_checks(wb) == {"Check_Measure", "Check_Complete", L.MASTER}
    assert report.errors == [] and error_cells(wb) == []  # flagged by a check, not by error values
    assert value(wb, "Measure_Ready") is False
    assert value(wb, "Econ_Loss") in (None, "") and value(wb, "Total_Award") in (None, "")
    assert value(wb, "Claim_Cap_Binds") in (None, "")  # no loss, so nothing to cap
    chk = next(c for c in L.CHECKS if c.name == "Check_Measure")
    (_t, ref), = list(wb.defined_names["Check_Measure"].destinations)
    message = wb["Checks"][ref.replace("$", "").replace("E", "D")].value
    assert chk.fail_en in message and "license fee" in message


@pytest.mark.parametrize("changes, expected", [
    # a point with a weight but no 是/否: POINTS_SHARE names the missing established flag
    ({"Points": [{"Points_ID": "P1", "Points_Weight": 1}]}, {"Check_Points", "Check_No_Errors"}),
    # a period with a start and no end
    ({"Periods": [{"Per_Start": "2021-03-01"}]}, {"Check_Periods"}),
    # a 2x multiplier on conduct before 2019-04-23 (PUNITIVE_AVAILABLE is FALSE then)
    ({"Periods": [{"Per_Start": "2019-01-01", "Per_End": "2019-03-31", "Per_Multiplier": 2}],
      "Conduct_Start": "2019-01-01"}, {"Check_Multipliers"}),
    # remedial costs to be added, but no remedial item: the lost-profit measure has nothing either
    ({"Remedial": None}, {"Check_Remedial", "Check_Measure", "Check_Complete"}),
    # half a contribution chain
    ({"Share_S2": 0.8}, {"Check_Shares"}),
], ids=["point-without-yes-no", "period-one-date", "multiplier-before-2019", "remedial-without-items",
        "half-chain"])
def test_checks_on_present_parts_still_bite(tmp_path, changes, expected):
    _r, wb = _fill(_variant(SECURITY, **changes), tmp_path)
    assert failing_checks(wb) == expected | {L.MASTER}
