"""Scenarios, tornado, grid and Monte Carlo (issue 13): figures from the template's own formulas.

Hand calculations use the vehicle chassis example (examples/cases/vehicle_chassis.json, CASES.md A with
illustrative sales): the infringer's gains at the 5 % benchmark margin (every period's own margin is
negative), rate s1 x s2 x s3 x s4 = 1 x 0.8 x 0.4 x 0.25 = 0.08:

    period 1: 180,000 x  6,000 x 0.05 = 54,000,000 gains; x 0.08 = 4,320,000; multiplier 1 (before 2019-04-23)
    period 2: 175,000 x 12,000 x 0.05 = 105,000,000;      x 0.08 = 8,400,000;  x 2 = 16,800,000
    period 3: 170,000 x 20,000 x 0.05 = 170,000,000;      x 0.08 = 13,600,000; x 2 = 27,200,000
    economic loss 48,320,000 (claim 210,000,000 does not bind) + expenses 2,420,000 = total 50,740,000
"""
from __future__ import annotations

import copy
import json
import pathlib

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from xl_tsd.analysis import LIMITS, analyse, plan_of, sensitivity
from xl_tsd.analysis import monte_carlo as MC
from xl_tsd.analysis.evaluate import Evaluator, analysis_copy
from xl_tsd.analysis.sheets import STALE_EN
from xl_tsd.cli import main
from xl_tsd.template.contract import write_inputs
from xl_tsd.workflows.case_data import CaseError, case_to_inputs, load_case
from xl_tsd.workflows.fill import default_template

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "cases" / "vehicle_chassis.json"
BASE_TOTAL = 50_740_000.0  # the hand calculation above
ECON = 48_320_000.0


@pytest.fixture(scope="module")
def case():
    return load_case(CASE)


@pytest.fixture(scope="module")
def book(case):
    """The example's workbook as the analysis evaluates it."""
    wb = openpyxl.load_workbook(default_template(), keep_vba=True)
    write_inputs(wb, case_to_inputs(case))
    return analysis_copy(wb)


def _with(case, **sensitivity):
    c = copy.deepcopy(case)
    c["sensitivity"] = sensitivity
    return c


# --- hand-calculated figures ------------------------------------------------------------------

def test_tornado_swing_by_hand(case, book):
    c = _with(case, inputs={"Share_S3": {"low": 0.3, "high": 0.5}, "Per_Multiplier[3]": {}}, defaults=False)
    res = analyse(plan_of(c), book, workers=1, parts=("tornado",))
    rows = {r.key: r for r in res.tornado}
    assert res.base_value == pytest.approx(BASE_TOTAL, abs=1e-6)
    # s3 from 0.3 to 0.5: the economic loss is proportional to s3, 48,320,000 x (0.5 - 0.3) / 0.4 = 24,160,000
    assert rows["Share_S3"].at_low == pytest.approx(ECON * 0.3 / 0.4 + 2_420_000, abs=1e-6)
    assert rows["Share_S3"].swing == pytest.approx(24_160_000, abs=1e-6)
    # period 3's multiplier, default ±20 % of 2 = 1.6 to 2.4: 13,600,000 x 0.8 = 10,880,000
    assert (rows["Per_Multiplier[3]"].low, rows["Per_Multiplier[3]"].high) == (1.6, 2.4)
    assert rows["Per_Multiplier[3]"].swing == pytest.approx(10_880_000, abs=1e-6)
    assert [r.key for r in res.tornado] == ["Share_S3", "Per_Multiplier[3]"]  # sorted by swing
    assert all(r.check_low and r.check_high for r in res.tornado)


def test_scenario_totals_by_hand(case, book):
    res = analyse(plan_of(case), book, workers=1, parts=("scenarios",))
    got = {sc.name: out for sc, out in res.scenarios}
    # claimant: s2 = 1 -> rate 1 x 1 x 0.4 x 0.25 = 0.10; 5,400,000 + 10,500,000 x 3 + 17,000,000 x 3
    # = 87,900,000 + expenses 2,420,000 = 90,320,000
    assert got["权利人主张 claimant"]["Total_Award"] == pytest.approx(90_320_000, abs=1e-6)
    assert got["权利人主张 claimant"]["Contrib_Rate"] == pytest.approx(0.10, abs=1e-12)
    # defendant: s3 = 0.3 -> rate 0.06, no multiplier: (54 + 105 + 170) M x 0.06 = 19,740,000 + 2,420,000
    assert got["被告主张 defendant"]["Total_Award"] == pytest.approx(22_160_000, abs=1e-6)
    assert got["被告主张 defendant"]["Econ_Punitive_Extra"] == pytest.approx(0, abs=1e-6)
    assert res.base_scenario["Total_Award"] == pytest.approx(BASE_TOTAL, abs=1e-6)
    assert all(out["Check_Master"] is True for _, out in res.scenarios)


def test_monte_carlo_with_zero_spread_is_the_base(case, book):
    c = _with(case, inputs={"Share_S3": {"low": 0.4, "high": 0.4}, "Per_Multiplier[2]": {"low": 2, "high": 2,
                                                                                           "distribution": "pert"}},
              defaults=False, draws=50)
    res = analyse(plan_of(c), book, workers=1, parts=("monte_carlo",))
    mc = res.monte_carlo
    assert mc.draws == mc.computed == 50 and mc.failed_checks == 0
    for p in MC.PERCENTILES:  # every draw is the base case: P50 (and every percentile) is its total
        assert mc.percentiles[p] == pytest.approx(BASE_TOTAL, abs=1e-6)
    assert mc.p_above_claim == 0.0  # the claim of 210,000,000 never binds


def test_draws_stay_within_their_range_by_construction():
    from types import SimpleNamespace as V
    vs = [V(low=0.3, base=0.4, high=0.5, distribution="triangular"), V(low=1.0, base=1.0, high=5.0,
                                                                         distribution="pert"),
          V(low=0.0, base=0.9, high=1.0, distribution="uniform"), V(low=2.0, base=2.0, high=2.0,
                                                                     distribution="triangular")]
    x = MC.sample(vs, 20_000, 7)
    for j, v in enumerate(vs):
        assert x[:, j].min() >= v.low and x[:, j].max() <= v.high
    # triangular (0.3, 0.4, 0.5): mean (a + c + b) / 3 = 0.4; uniform 0..1: mean 0.5
    assert x[:, 0].mean() == pytest.approx(0.4, abs=2e-3) and x[:, 2].mean() == pytest.approx(0.5, abs=1e-2)
    # PERT (1, 1, 5): mean (a + 4c + b) / 6 = 10 / 6
    assert x[:, 1].mean() == pytest.approx(10 / 6, abs=2e-2)
    assert (MC.sample(vs, 100, 7) == MC.sample(vs, 100, 7)).all()  # same seed, same draws
    assert not (MC.sample(vs, 100, 7) == MC.sample(vs, 100, 8)).all()


def test_default_ranges_are_clipped_to_legal_bounds(case):
    # s2 = 0.95 +20 % would be 1.14: clipped to the share's bound 1
    c = copy.deepcopy(case)
    c["Share_S2"] = 0.95
    c["Periods"][2]["Per_Multiplier"] = 4.5  # +20 % = 5.4: clipped to the legal maximum in force (AUCL 2019)
    plan = plan_of(c)
    s2, k3 = plan.variable("Share_S2"), plan.variable("Per_Multiplier[3]")
    assert (s2.low, s2.high) == (0.76, 1.0) and "clipped" in s2.basis
    assert (k3.low, k3.high) == (3.6, 5.0) and "legal range" in k3.basis
    # period 1 (before 2019-04-23) has no multiplier to vary: exactly 1
    assert not any(v.key == "Per_Multiplier[1]" for v in plan.variables)


def test_parallel_equals_serial(case, book):
    plan = plan_of(case)
    xs = MC.sample(plan.variables, 420, 3)  # above PARALLEL_FROM: two worker processes
    serial = Evaluator(book, plan.variables, ["Headline_Amount"], workers=1).run(xs)
    parallel = Evaluator(book, plan.variables, ["Headline_Amount"], workers=2).run(xs)
    assert serial == parallel


# --- refusals: before anything is computed, with the field path ---------------------------------

@pytest.mark.parametrize("section, message", [
    ({"inputs": {"Share_S3": {"low": 0.5, "high": 0.3}}}, "sensitivity.inputs.Share_S3.low: 0.5 is above high 0.3"),
    ({"inputs": {"Share_S3": {"low": 0.3, "high": 0.5, "distribution": "lognormal"}}},
     "sensitivity.inputs.Share_S3.distribution"),
    ({"inputs": {"Share_S9": {"change": 0.1}}}, "sensitivity.inputs.Share_S9: not an input of template version"),
    ({"inputs": {"Share_S3": {"low": 0.3, "high": 1.2}}}, "sensitivity.inputs.Share_S3.high: 1.2 is outside"),
    ({"inputs": {"Per_Multiplier[3]": {"low": 1, "high": 6}}}, "the legal range in force on 2020-01-01: 1 to 5"),
    ({"inputs": {"Per_Multiplier[1]": {"low": 1, "high": 2}}}, "no multiplier before 2019-04-23"),
    ({"inputs": {"Case_Name": {"change": 0.1}}}, "not a number that can vary"),
    ({"draws": LIMITS["draws"] + 1}, "sensitivity.draws"),
    ({"grid": {"inputs": ["Share_S3", "Nope"]}}, "sensitivity.grid.inputs: Nope: not an input"),
])
def test_bad_sensitivity_refused(case, section, message):
    with pytest.raises(CaseError) as e:
        from xl_tsd.workflows.case_data import validate_case
        c = _with(case, **section)
        validate_case(c)
        plan_of(c)
    assert any(message in p for p in e.value.problems), e.value.problems


@pytest.mark.parametrize("scenario, message", [
    ({"name": "x", "inputs": {"Share_S2": 1.5}}, "scenarios[1].inputs.Share_S2: must be a decimal from 0 to 1"),
    ({"name": "x", "inputs": {"Share_Z": 1}}, "scenarios[1].inputs.Share_Z: not an input"),
    ({"name": "x", "inputs": {"Per_Units": 5}}, "scenarios[1].inputs.Per_Units: a table column: give a list"),
])
def test_bad_scenario_refused(case, scenario, message):
    c = copy.deepcopy(case)
    c["scenarios"] = [scenario]
    with pytest.raises(CaseError) as e:
        plan_of(c)
    assert any(message in p for p in e.value.problems), e.value.problems


def test_too_many_draws_refused_by_the_command_before_anything_is_written(tmp_path):
    out = tmp_path / "s.xlsm"
    r = CliRunner().invoke(main, ["sensitivity", str(CASE), "-o", str(out), "--draws", str(LIMITS["draws"] + 1)])
    assert r.exit_code == 1 and f"--draws: must be a whole number from 1 to {LIMITS['draws']:,} (the limit)" in r.output
    assert not out.exists()


# --- the command end to end ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("sens") / "sens.xlsm"
    r = CliRunner().invoke(main, ["sensitivity", str(CASE), "-o", str(out), "--draws", "400", "--seed", "5",
                                  "--grid-steps", "7", "-j", "1"])
    assert r.exit_code == 0, r.output
    return out, r.output


def test_command_writes_the_sheets(written):
    out, text = written
    assert "P50" in text and "seed 5" in text
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames[-2:] == ["Sensitivity", "Scenarios"]
    ws = wb["Sensitivity"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("P5", "P25", "P50", "P75", "P95", "判赔超过诉请的概率", "随机数种子"):
        assert label in cells, label
    seed = cells["随机数种子"]
    assert ws.cell(seed.row, 5).value == 5
    charts = ws._charts
    assert [c.type for c in charts] == ["bar", "col"]  # the tornado and the histogram, native charts
    # the grid's base cell: marked, and equal to the base total
    base = [c for row in ws.iter_rows() for c in row if c.comment is not None and "base" in c.comment.text]
    assert len(base) == 1 and base[0].value == pytest.approx(BASE_TOTAL, abs=1e-6)
    sc = wb["Scenarios"]
    heads = [c.value for c in sc[8]]
    assert "权利人主张 claimant" in heads and "被告主张 defendant" in heads
    # the check: the results are current, and the master check stays TRUE
    names = {n: wb.defined_names[n] for n in ("Check_Sensitivity_Current", "Check_Master", "Sens_Fingerprint",
                                              "Inputs_Fingerprint")}
    val = {n: wb[d.attr_text.split("!")[0]][d.attr_text.split("!")[1].replace("$", "")].value
           for n, d in names.items()}
    assert val["Check_Sensitivity_Current"] is True and val["Check_Master"] is True
    assert val["Sens_Fingerprint"] == val["Inputs_Fingerprint"] and len(val["Sens_Fingerprint"]) == 16


def test_changed_input_makes_the_results_stale(written):
    from xl_tsd.calc import Session
    s = Session(written[0])
    assert s.get("Check_Sensitivity_Current") is True
    got = s.evaluate({"Share_S3": 0.3}, ["Check_Sensitivity_Current", "Check_Master"])
    assert got == {"Check_Sensitivity_Current": False, "Check_Master": False}
    book = openpyxl.load_workbook(written[0])
    assert STALE_EN in book["Sensitivity"]["D3"].value  # the sheet's message names the remedy
    # the sheets' own check (Sensitivity!E3, Scenarios!E3) is FALSE too, computed by the engine
    assert [s.book.wb.get_value(sheet, 3, 5) for sheet in ("Sensitivity", "Scenarios")] == [False, False]
    s.reset()
    assert s.get("Check_Sensitivity_Current") is True
    assert [s.book.wb.get_value(sheet, 3, 5) for sheet in ("Sensitivity", "Scenarios")] == [True, True]


def test_template_without_a_run_passes_the_check():
    from xl_tsd.calc import Session
    s = Session(default_template())
    assert s.get("Sens_Fingerprint") is None and s.get("Check_Sensitivity_Current") is True


def test_command_never_overwrites_unasked(written, tmp_path):
    out = written[0]
    before = out.read_bytes()
    r = CliRunner().invoke(main, ["sensitivity", str(CASE), "-o", str(out), "--draws", "10"])
    assert r.exit_code == 1 and "--overwrite" in r.output and out.read_bytes() == before


def test_book_as_source(written, tmp_path):
    out = tmp_path / "again.xlsm"
    rep = sensitivity(written[0], out, draws=20, workers=1)
    assert rep.master_check is True and rep.results.scenarios == []  # a workbook carries no scenarios
    assert rep.results.base_value == pytest.approx(BASE_TOTAL, abs=1e-6)
    with pytest.raises(CaseError, match="is the input workbook"):
        sensitivity(written[0], written[0], draws=20, workers=1, overwrite=True)


def test_batch_adds_percentiles(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    data = json.loads(CASE.read_text(encoding="utf-8"))
    data["sensitivity"]["draws"] = 30
    (cases / "v.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["batch", str(cases), "-o", str(tmp_path / "out"), "--sensitivity", "-j", "1"])
    assert r.exit_code == 0, r.output
    import csv
    rows = list(csv.DictReader((tmp_path / "out" / "summary.csv").open(encoding="utf-8-sig")))
    assert float(rows[0]["P5"]) <= float(rows[0]["P50"]) <= float(rows[0]["P95"])
    assert "Sensitivity" in openpyxl.load_workbook(tmp_path / "out" / "v.xlsm").sheetnames


def test_example_cases_carry_both_sides():
    for f in sorted((ROOT / "examples" / "cases").iterdir()):
        plan = plan_of(load_case(f))
        names = [s.name for s in plan.scenarios]
        assert any("claimant" in n for n in names) and any("defendant" in n for n in names), f.name


def test_fingerprint_same_in_excel_and_headless():
    import datetime as dt

    import xl_tsd
    from xl_tsd.excel import call_excel
    # xlwings hands a date cell over as a datetime, the engine as its serial number; a range as rows
    assert call_excel("TSD_FINGERPRINT", [[dt.datetime(2019, 4, 23)]], [[0.8, None]]) == \
        xl_tsd.tsd_fingerprint(43578.0, [[0.8, float("nan")]])
    assert xl_tsd.tsd_fingerprint(0.8) != xl_tsd.tsd_fingerprint(0.8, None)  # the shape counts
    assert np.isscalar(xl_tsd.tsd_fingerprint(0.8))


def test_session_writes_only_what_changed_and_gets_the_same_answer(book):
    """Session.set writes only the block of cells that changed (a column of 20 periods, three filled):
    the answers equal a fresh session given the same values at once."""
    from xl_tsd.calc import Session
    s = Session(book)
    s.evaluate({"Per_Units": [6000.0, 12000.0, 20000.0]}, ["Total_Award"])
    got = s.evaluate({"Per_Units": [6000.0, 9000.0, 20000.0]}, ["Total_Award"])["Total_Award"]
    fresh = Session(book).evaluate({"Per_Units": [6000.0, 9000.0, 20000.0]}, ["Total_Award"])["Total_Award"]
    # period 2 at 9,000 units: 175,000 x 9,000 x 0.05 x 0.08 x 2 = 12,600,000 instead of 16,800,000
    assert got == fresh == pytest.approx(BASE_TOTAL - 4_200_000, abs=1e-6)
    s.reset()
    assert s.get("Total_Award") == pytest.approx(BASE_TOTAL, abs=1e-6)


def test_grid_of_chosen_inputs(case, tmp_path):
    rep = sensitivity(case, tmp_path / "g.xlsm", draws=10, grid=("Share_S2", "Per_Units"), grid_steps=3, workers=1)
    g = rep.results.grid
    assert (g.rows, g.cols) == ("Share_S2", "Per_Units")
    assert list(g.row_values) == [0.64, 0.8, 0.96] and list(g.col_values) == [0.8, 1.0, 1.2]
    # the economic loss is proportional to s2 and to the units: at s2 0.96 and units x 1.2, 48,320,000 x 1.2 x 1.2
    assert g.values[2, 2] == pytest.approx(ECON * 1.44 + 2_420_000, abs=1e-6)
    assert g.values[g.base_row, g.base_col] == pytest.approx(BASE_TOTAL, abs=1e-6)
    with pytest.raises(CaseError, match=r"sensitivity.grid.steps: must be a whole number from 2 to 101"):
        sensitivity(case, tmp_path / "h.xlsm", grid_steps=500)
    assert not (tmp_path / "h.xlsm").exists()


def test_every_problem_listed_at_once(case, tmp_path):
    """The schema's problems and the analysis's own, together, by field path; nothing written."""
    c = copy.deepcopy(case)
    c["scenarios"] = [{"name": "x", "inputs": {"Share_S2": 1.4, "Nope": 1}}]
    c["sensitivity"] = {"inputs": {"Share_S3": {"low": 0.5, "high": 0.3},
                                   "Share_S2": {"low": 0.1, "high": 0.9, "distribution": "normal"}},
                        "draws": LIMITS["draws"] * 2}
    with pytest.raises(CaseError) as e:
        sensitivity(c, tmp_path / "x.xlsm")
    assert e.value.problems == [
        f"sensitivity.draws: at most {LIMITS['draws']:,} (the limit; got {LIMITS['draws'] * 2})",
        'sensitivity.inputs.Share_S2.distribution: must be one of triangular, uniform, pert (got "normal")',
        "scenarios[1].inputs.Nope: not an input of template version 2 (the case file's keys are; see "
        "schema/case.schema.json)",
        "scenarios[1].inputs.Share_S2: must be a decimal from 0 to 1 (a percentage is fine) (got 1.4)",
        "sensitivity.inputs.Share_S3.low: 0.5 is above high 0.3: low must be at most high"]
    assert not (tmp_path / "x.xlsm").exists()


def test_analyse_case_writes_nothing(tmp_path):
    from xl_tsd.analysis import analyse_case
    res = analyse_case(CASE, draws=20, workers=1)
    assert res.tornado[0].key == "Share_S3"  # its own range 0.3-0.5: swing 24,160,000, the largest
    assert [sc.name for sc, _ in res.scenarios] == ["权利人主张 claimant", "被告主张 defendant"]
    assert res.monte_carlo.draws == 20 and res.base_value == pytest.approx(BASE_TOTAL, abs=1e-6)
