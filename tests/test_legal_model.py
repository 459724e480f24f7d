"""Issue 11 in the template: the claim cap as claimed, the order of measures, the criminal side,
the warnings. Each answer is the template's own formulas, computed headlessly on the vehicle
chassis example with some inputs changed (xl_tsd.calc.Session)."""
from __future__ import annotations

import datetime as dt
import pathlib

import pytest

from xl_tsd.calc import Session
from xl_tsd.workflows.fill import fill

ROOT = pathlib.Path(__file__).resolve().parents[1]
VEHICLE = ROOT / "examples" / "cases" / "vehicle_chassis.json"
D = dt.date
N_PERIODS = 20  # rows of the period table (layout.PERIODS)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    out = tmp_path_factory.mktemp("legal") / "vehicle.xlsm"
    fill(VEHICLE, out)
    return Session(out)


def _run(s, inputs, outputs):
    s.reset()
    return s.evaluate(inputs, outputs)


# --- §1 the claim cap -----------------------------------------------------------------------------
@pytest.mark.parametrize("claim, includes, want", [
    # economic loss 48,320,000 and expenses 2,420,000 (CASES.md A, the example's illustrative figures)
    (50_000_000.0, "否", 50_740_000.0),  # min(48,320,000, 50,000,000) + 2,420,000
    (50_000_000.0, "是", 50_000_000.0),  # min(48,320,000 + 2,420,000, 50,000,000): one figure claimed for both
    (40_000_000.0, "否", 42_420_000.0),  # 40,000,000 + 2,420,000
    (40_000_000.0, "是", 40_000_000.0),  # the award never exceeds what was claimed ((2021)辽02民初174号)
])
def test_claim_cap_as_claimed(session, claim, includes, want):
    got = _run(session, {"Claim_Amount": claim, "Claim_Includes_Expenses": includes},
               ["Total_Award", "Claim_Cap_Basis", "Check_Master"])
    assert got["Total_Award"] == pytest.approx(want, abs=0.01)
    assert ("合理开支" in got["Claim_Cap_Basis"]) and got["Check_Master"] is True


# --- §3 the order of measures ---------------------------------------------------------------------
def test_gains_refused_where_the_law_orders_loss_first_and_the_loss_is_computable(session):
    own_profit = [20_000.0] * 3 + [""] * (N_PERIODS - 3)  # the holder's unit profit known: steps 1-2 possible
    base = {"Per_Own_Profit": own_profit, "Loss_Hard_To_Compute": "否"}
    # conduct to 2020-12-31: AUCL 2019 Art. 17 para. 3, "实际损失难以计算的，按照侵权人因侵权所获得的利益确定"
    got = _run(session, base, ["Measure_Order_Rule", "Loss_Computable", "Check_Measure_Order", "Check_Master",
                               "Measure_Order_Basis"])
    assert got["Measure_Order_Rule"] == "ordered" and got["Loss_Computable"] is True
    assert got["Check_Measure_Order"] is False and got["Check_Master"] is False
    assert "第十七条第三款" in got["Measure_Order_Basis"]
    # declared hard to compute: the gains may be used
    got = _run(session, {**base, "Loss_Hard_To_Compute": "是"}, ["Check_Measure_Order"])
    assert got["Check_Measure_Order"] is True
    # conduct into 2026: AUCL 2025 Art. 22 para. 3 names loss "或者" gains, no order
    got = _run(session, {**base, "Conduct_End": D(2026, 1, 31)}, ["Measure_Order_Rule", "Check_Measure_Order"])
    assert got["Measure_Order_Rule"] == "elective" and got["Check_Measure_Order"] is True


# --- §5 the criminal side -------------------------------------------------------------------------
_CRIM = ["Crim_Loss", "Crim_Illegal_Gains", "Crim_Amount", "Crim_Tier", "Crim_Applied_Date", "Crim_Instrument",
         "Crim_Statute_Wording", "Warn_Crim_Gains", "Warn_Crim_Gains_Units"]


def test_illegal_gains_reach_the_threshold_the_loss_does_not(session):
    # no loss scenario; 400,000 received for licensing the secret (法释〔2020〕10号 Art. 5 para. 1 item 6)
    got = _run(session, {"Crim_Scenario": "", "Crim_Consideration": 400_000.0, "Crim_Date": D(2021, 6, 1)}, _CRIM)
    assert got["Crim_Loss"] == "" and got["Crim_Illegal_Gains"] == 400_000.0 and got["Crim_Amount"] == 400_000.0
    assert got["Crim_Tier"] == "情节严重"  # 400,000 >= 300,000 (法释〔2020〕10号 Art. 4 para. 1 item 1)
    assert got["Crim_Statute_Wording"] == "情节严重 / 情节特别严重"  # Criminal Law Amendment XI, from 2021-03-01
    assert got["Warn_Crim_Gains"] is True and got["Warn_Crim_Gains_Units"] is True
    # conduct in 2019: 法释〔2004〕19号 Art. 7 counts the loss only; the gains reach nothing and a warning says so
    got = _run(session, {"Crim_Scenario": "", "Crim_Consideration": 400_000.0, "Crim_Date": D(2019, 6, 1)}, _CRIM)
    assert got["Crim_Amount"] == "" and got["Crim_Tier"] == "" and got["Warn_Crim_Gains"] is False
    assert got["Crim_Statute_Wording"] == "给权利人造成重大损失 / 造成特别严重后果"  # Criminal Law 1997 Art. 219


def test_the_lighter_interpretation_of_the_decision_date_is_applied(session):
    # 2,700,000 of illegal gains: 法释〔2020〕10号 Art. 4 para. 2 (2,500,000) -> 情节特别严重 at the conduct;
    # 法释〔2025〕5号 Art. 17 para. 2 (3,000,000) -> 情节严重 at the decision: the lighter applies
    # (高检发释字〔2001〕5号 item 三)
    inputs = {"Crim_Scenario": "", "Crim_Consideration": 2_700_000.0, "Crim_Date": D(2021, 6, 1),
              "Crim_Decision_Date": D(2025, 6, 1)}
    got = _run(session, inputs, [*_CRIM, "Crim_Tier_Conduct"])
    assert got["Crim_Tier_Conduct"] == "情节特别严重" and got["Crim_Tier"] == "情节严重"
    assert got["Crim_Applied_Date"] == (D(2025, 6, 1) - D(1899, 12, 30)).days  # a date serial
    assert "法释〔2025〕5号" in got["Crim_Instrument"]
    # decided under the same thresholds: the conduct date's interpretation stays
    got = _run(session, {**inputs, "Crim_Consideration": 400_000.0}, [*_CRIM, "Crim_Tier_Conduct"])
    assert got["Crim_Tier"] == "情节严重" and "法释〔2020〕10号" in got["Crim_Instrument"]


def test_units_leg_of_illegal_gains_warns_before_2025(session):
    # 10,000 units x 50 = 500,000 (hand); a text for this measure exists only from 2025-04-26 (法释〔2025〕5号 Art. 19)
    inputs = {"Crim_Scenario": "", "Crim_Units": 10_000.0, "Crim_Unit_Profit": 50.0, "Crim_Date": D(2021, 6, 1)}
    got = _run(session, inputs, [*_CRIM, "Warnings_Count", "Check_Master"])
    assert got["Crim_Illegal_Gains"] == 500_000.0 and got["Warn_Crim_Gains_Units"] is False
    assert got["Warnings_Count"] >= 1 and got["Check_Master"] is True  # a warning, not a failure
    got = _run(session, {**inputs, "Crim_Date": D(2025, 6, 1)}, _CRIM)
    assert got["Warn_Crim_Gains_Units"] is True and got["Crim_Tier"] == "情节严重"


# --- §4 the license fee multiple as the punitive base ----------------------------------------------
def test_license_base_multiple_warns_after_the_2026_interpretation(session):
    # 法释〔2026〕7号 Art. 8 para. 2 dropped "的倍数"; the multiple rests on the repealed 法释〔2021〕4号 Art. 5 para. 2
    got = _run(session, {"License_Base_Multiple": 2.0}, ["Warn_License_Base_2026", "Check_License_Base"])
    assert got["Warn_License_Base_2026"] is False
    assert got["Check_License_Base"] is False  # the gains are computed: a multiple may not be the base
    got = _run(session, {}, ["Warn_License_Base_2026", "Check_License_Base"])
    assert got["Warn_License_Base_2026"] is True and got["Check_License_Base"] is True


# --- review of issue 11: each interpretation applied whole ------------------------------------------
def test_lenity_compares_each_interpretation_with_its_own_amount(session):
    # loss 2,700,000 (income approach is not needed: no loss scenario, the loss given as consideration
    # would be gains); here: no loss, 3,500,000 illegal gains, conduct 2019 (法释〔2004〕19号 Art. 7: loss
    # only -> no amount, no tier), decided 2025 (法释〔2025〕5号 Art. 17 para. 1 item 2 and para. 2: gains
    # count, 3,500,000 >= 3,000,000 -> 情节特别严重). The conduct text is lighter (no tier): it applies
    # (高检发释字〔2001〕5号 item 三).
    inputs = {"Crim_Scenario": "", "Crim_Consideration": 3_500_000.0, "Crim_Date": D(2019, 6, 1),
              "Crim_Decision_Date": D(2025, 6, 1)}
    got = _run(session, inputs, ["Crim_Amount_Conduct", "Crim_Amount_Decision", "Crim_Tier_Conduct",
                                 "Crim_Tier_Decision", "Crim_Tier", "Crim_Amount", "Crim_Amount_Basis"])
    assert got["Crim_Amount_Conduct"] == "" and got["Crim_Amount_Decision"] == 3_500_000.0
    assert got["Crim_Tier_Conduct"] == "" and got["Crim_Tier_Decision"] == "情节特别严重"
    assert got["Crim_Tier"] == "" and got["Crim_Amount_Basis"] == "loss"
    # the case the review found: loss 2,700,000 (scenario 1, a license fee of that size is not in the
    # example; use the gains leg on both sides instead): conduct 2021 (2,500,000 line) vs decision 2025
    # (3,000,000 line) with 3,500,000 of gains: both 情节特别严重, the conduct date's text stays
    got = _run(session, {**inputs, "Crim_Date": D(2021, 6, 1)}, ["Crim_Tier", "Crim_Instrument", "Crim_Amount"])
    assert got["Crim_Tier"] == "情节特别严重" and "法释〔2020〕10号" in got["Crim_Instrument"]
    assert got["Crim_Amount"] == 3_500_000.0


def test_decision_before_conduct_fails_a_check(session):
    got = _run(session, {"Crim_Decision_Date": D(2020, 1, 1)}, ["Check_Crim_Dates", "Check_Master", "Crim_Tier"])
    # conduct 2020-12-31 in the example: a decision on 2020-01-01 is impossible
    assert got["Check_Crim_Dates"] is False and got["Check_Master"] is False
    assert got["Crim_Tier"] == "情节特别严重"  # the conduct date's tier is still shown


def test_repeat_offender_threshold_shown_with_its_article(session):
    # 120,000 of gains, repeat within 2 years, 2025: 法释〔2025〕5号 Art. 17 para. 1 item 3, 100,000 (CASES.md G)
    got = _run(session, {"Crim_Scenario": "", "Crim_Consideration": 120_000.0, "Crim_Date": D(2025, 6, 1),
                         "Crim_Repeat": "是"}, ["Crim_Tier", "Crim_Serious_Line", "Crim_Instrument"])
    assert got["Crim_Tier"] == "情节严重" and got["Crim_Serious_Line"] == 100_000.0
    assert "第十七条第一款第（三）项" in got["Crim_Instrument"]


def test_third_cascade_step_warns_in_a_2025_criminal_loss(session):
    # the example's lost profit is step 3 in every period (infringer's units x infringer's unit profit);
    # scenario 3 takes the lost profit as the loss. Under 法释〔2020〕10号 Art. 5 para. 2 (3 steps) it stands;
    # under 法释〔2025〕5号 Art. 18 para. 2 (2 steps) that figure is illegal gains (Art. 19): a warning
    got = _run(session, {"Crim_Scenario": 3}, ["Warn_Crim_Loss_Step3"])
    assert got["Warn_Crim_Loss_Step3"] is True  # conduct 2020-12-31
    got = _run(session, {"Crim_Scenario": 3, "Crim_Date": D(2025, 6, 1)}, ["Warn_Crim_Loss_Step3", "Check_Master"])
    assert got["Warn_Crim_Loss_Step3"] is False and got["Check_Master"] is True
    got = _run(session, {"Crim_Scenario": 1, "Crim_Date": D(2025, 6, 1)}, ["Warn_Crim_Loss_Step3"])
    assert got["Warn_Crim_Loss_Step3"] is True  # scenario 1 is the license fee: no lost profit in it


def test_no_margin_and_no_benchmark_measures_nothing(session):
    # issue 11 §6: a margin of 0 or less without a benchmark measures nothing, in the template as in
    # INFRINGER_GAIN (#N/A naming benchmark_margin): no unit profit, so no step-3 lost profit either
    margins = [0.0] + [""] * (N_PERIODS - 1)
    got = _run(session, {"Per_Margin": margins, "Per_Benchmark": [""] * N_PERIODS},
               ["Per_Margin_Used", "Per_Unit_Profit", "Check_No_Errors"])
    assert got["Per_Margin_Used"][0][0] == "" and got["Per_Unit_Profit"][0][0] == ""
    assert got["Check_No_Errors"] is False  # the periods' measures are #N/A, and the checks say so


def test_other_grounds_of_intent_engage_the_multiplier(session):
    # 法释〔2021〕4号 Art. 3 para. 2 item 6 "其他可以认定为故意的情形": the example's only intent ground is
    # the relationship (item 3); without it and with "other" the grounds still hold
    got = _run(session, {"Intent_Relationship": "否", "Intent_Other": "是"}, ["Intent_Found", "Punitive_Grounds"])
    assert got["Intent_Found"] is True and got["Punitive_Grounds"] is True
    got = _run(session, {"Intent_Relationship": "否"}, ["Intent_Found"])
    assert got["Intent_Found"] is False
