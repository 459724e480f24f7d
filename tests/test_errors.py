"""Every error path: the right type, the Excel code, and the argument named.

Sources: FUNCTIONS.md conventions (#VALUE! bad type or range, #NUM! outside what the
law or the method allows, #N/A a required value missing) and issue 2.
"""
import datetime as dt

import pytest

import xl_tsd
from xl_tsd import TsdMissingError, TsdNumError, TsdValueError

D = dt.date
M3 = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]

# (call, error type, argument named, text the message must contain)
CASES = [
    # out-of-range shares
    (lambda: xl_tsd.tech_contrib_rate(1, 1.2, 0.4, 0.25), TsdValueError, "s2", "s2 must be between 0 and 1 (got 1.2)"),
    (lambda: xl_tsd.tech_contrib_rate(-0.1, 1, 1, 1), TsdValueError, "s1", "between 0 and 1"),
    (lambda: xl_tsd.damages_base(100, 10, 1.5, 0.08), TsdValueError, "profit_margin", "between 0 and 1"),
    (lambda: xl_tsd.effective_contrib(2, False), TsdValueError, "rate", "between 0 and 1"),
    (lambda: xl_tsd.infringer_gain(100, 0.1, 1.5), TsdValueError, "benchmark_margin", "between 0 and 1"),
    (lambda: xl_tsd.component_profit_ok(1, 2, 1.5), TsdValueError, "max_share", "got 1.5"),
    # negative money or quantities
    (lambda: xl_tsd.damages_base(-1, 10, 0.1, 0.08), TsdValueError, "unit_price", "0 or more (got -1)"),
    (lambda: xl_tsd.damages_base(100, -10, 0.1, 0.08), TsdValueError, "quantity", "0 or more"),
    (lambda: xl_tsd.lost_profit(-5, 50), TsdValueError, "lost_units", "0 or more"),
    (lambda: xl_tsd.lost_profit(5, -50), TsdValueError, "own_unit_profit", "0 or more"),
    (lambda: xl_tsd.infringer_gain(-100, 0.1), TsdValueError, "revenue", "0 or more"),
    (lambda: xl_tsd.license_fee_loss(-1, 3, 2), TsdValueError, "license_fee", "0 or more"),
    (lambda: xl_tsd.license_fee_loss(1, 0, 2), TsdValueError, "license_years", "more than 0"),
    (lambda: xl_tsd.license_fee_loss(1, 3, -2), TsdValueError, "infringement_years", "0 or more"),
    (lambda: xl_tsd.license_fee_loss(1, 3, 2, 0), TsdValueError, "multiple", "more than 0"),
    (lambda: xl_tsd.income_value(-1, 2, 0.1), TsdValueError, "annual_income", "0 or more"),
    (lambda: xl_tsd.income_value(1, -2, 0.1), TsdValueError, "advantage_years", "0 or more"),
    (lambda: xl_tsd.income_value(1, 2, -0.1), TsdValueError, "discount_rate", "0 or more"),
    (lambda: xl_tsd.remedial_share(-1, "restore"), TsdValueError, "cost", "0 or more"),
    (lambda: xl_tsd.remedial_share(100, "enhance", 0, 1), TsdValueError, "useful_life_years", "more than 0"),
    (lambda: xl_tsd.punitive_total(-1, 2), TsdValueError, "base", "0 or more"),
    (lambda: xl_tsd.award_total(-1, 0), TsdValueError, "economic_loss", "0 or more"),
    (lambda: xl_tsd.award_total(1, -1), TsdValueError, "expenses", "0 or more"),
    (lambda: xl_tsd.award_total(1, 1, -1), TsdValueError, "claimed", "0 or more"),
    (lambda: xl_tsd.criminal_loss(2, -1, 5), TsdValueError, "lost_profit", "0 or more"),
    (lambda: xl_tsd.criminal_tier(-1, D(2025, 5, 1)), TsdValueError, "amount", "0 or more"),
    (lambda: xl_tsd.points_share([1, -2], [True, True]), TsdValueError, "weights", "0 or more"),
    # multiplier outside 1-5 and other limits of law or method: #NUM!
    (lambda: xl_tsd.punitive_total(100, 6), TsdNumError, "multiplier", "multiplier must be between 1 and 5 (got 6)"),
    (lambda: xl_tsd.punitive_total(100, 0.5), TsdNumError, "multiplier", "between 1 and 5 (got 0.5)"),
    (lambda: xl_tsd.royalty_to_split(0.3, 0.2), TsdNumError, "royalty_rate", "at most 1"),
    (lambda: xl_tsd.royalty_to_split(0.05, 0), TsdNumError, "profit_margin", "more than 0"),
    (lambda: xl_tsd.royalty_to_split(0.05, -0.1), TsdNumError, "profit_margin", "more than 0"),
    (lambda: xl_tsd.component_profit_ok(1, 0), TsdNumError, "whole_profit", "more than 0"),
    # issue 11 §6: every margin <= 0 without a benchmark is #N/A naming benchmark_margin
    (lambda: xl_tsd.infringer_gain(100, -0.2), TsdMissingError, "benchmark_margin", "margin is -0.2"),
    (lambda: xl_tsd.infringer_gain(100, 0), TsdMissingError, "benchmark_margin", "margin of 0 or less"),
    (lambda: xl_tsd.points_share([0, 0], [True, False]), TsdNumError, "weights", "above 0"),
    (lambda: xl_tsd.ahp_weights([[1] * 16] * 16), TsdNumError, "matrix", "at most 15"),
    # unknown method names
    (lambda: xl_tsd.profit_split("五分法"), TsdValueError, "method", '"三分法"/"thirds" or "四分法"/"quarters"'),
    (lambda: xl_tsd.remedial_share(100, "replace"), TsdValueError, "kind", '"restore"'),
    (lambda: xl_tsd.criminal_loss(6, 1, 1), TsdValueError, "scenario", "1, 2, 3, 4 or 5"),
    (lambda: xl_tsd.criminal_loss(1.5, 1, 1), TsdValueError, "scenario", "1, 2, 3, 4 or 5"),
    (lambda: xl_tsd.tsd_rule("no_such_rule"), TsdValueError, "key", "statutory_cap"),
    (lambda: xl_tsd.tsd_explain("NO_SUCH_FUNCTION"), TsdValueError, "function_name", "TECH_CONTRIB_RATE"),
    # Excel's limit of 255 arguments (issue 13)
    (lambda: xl_tsd.tsd_fingerprint(*[1.0] * 256), TsdValueError, "more", "at most 255 arguments"),
    (lambda: xl_tsd.tsd_explain("AHP_CR", "fr"), TsdValueError, "lang", '"zh" or "en"'),
    # a missing value with no fallback: #N/A
    (lambda: xl_tsd.tech_contrib_rate(1, None, 0.4, 0.25), TsdMissingError, "s2", "s2 is missing"),
    (lambda: xl_tsd.damages_base(None, 1, 0.1, 0.08), TsdMissingError, "unit_price", "missing"),
    (lambda: xl_tsd.lost_profit(None, None, None, 20), TsdMissingError, "lost_units", "sales volume"),
    (lambda: xl_tsd.lost_profit(100, None), TsdMissingError, "own_unit_profit", "unit profit"),
    (lambda: xl_tsd.infringer_gain(100, None), TsdMissingError, "profit_margin", "benchmark_margin"),
    (lambda: xl_tsd.remedial_share(100, "enhance", 5), TsdMissingError, "attributable_years", "enhance"),
    (lambda: xl_tsd.remedial_share(100, "enhance", None, 2), TsdMissingError, "useful_life_years", "enhance"),
    (lambda: xl_tsd.criminal_loss(1, 100), TsdMissingError, "license_fee", "scenario 1"),
    (lambda: xl_tsd.criminal_loss(2), TsdMissingError, "lost_profit", "scenario 2"),
    (lambda: xl_tsd.criminal_loss(3, None, 5), TsdMissingError, "lost_profit", "scenarios 3 and 4"),
    (lambda: xl_tsd.criminal_loss(5, 1, 1), TsdMissingError, "commercial_value", "scenario 5"),
    (lambda: xl_tsd.criminal_loss(None, 1, 1), TsdMissingError, "scenario", "missing"),
    (lambda: xl_tsd.criminal_tier(100, None), TsdMissingError, "date", "missing"),
    (lambda: xl_tsd.criminal_tier(100, D(2003, 1, 1)), TsdMissingError, "date", "no rule 'criminal_serious'"),
    (lambda: xl_tsd.tsd_rule("statutory_cap", D(2017, 1, 1)), TsdMissingError, "date", "2018-01-01"),
    (lambda: xl_tsd.punitive_available(None), TsdMissingError, "conduct_date", "missing"),
    (lambda: xl_tsd.effective_contrib(0.08, None), TsdMissingError, "core_decisive", "missing"),
    (lambda: xl_tsd.points_share([1, 2], [True, None]), TsdMissingError, "established", "point 2"),
    (lambda: xl_tsd.points_share([None, 2], [True, False]), TsdMissingError, "weights", "point 1"),
    (lambda: xl_tsd.points_share([None], [None]), TsdMissingError, "weights", "at least one"),
    # text where a number belongs, booleans where a number belongs, bad dates and flags
    (lambda: xl_tsd.tech_contrib_rate("0.8", 1, 1, 1), TsdValueError, "s1", 'a number (got "0.8")'),
    (lambda: xl_tsd.damages_base(100, "many", 0.1, 0.08), TsdValueError, "quantity", "a number"),
    (lambda: xl_tsd.punitive_total(100, True), TsdValueError, "multiplier", "a number (got TRUE)"),
    (lambda: xl_tsd.lost_profit([1, "x"], 2), TsdValueError, "lost_units", "at position 2"),
    (lambda: xl_tsd.punitive_available("next spring"), TsdValueError, "conduct_date", "a date"),
    # Excel's fake 1900-02-29 (issue 11 §6: say which day it is)
    (lambda: xl_tsd.punitive_available(60), TsdValueError, "conduct_date", "serial 60 is 1900-02-29, a day that does not exist"),
    (lambda: xl_tsd.punitive_available(-3), TsdValueError, "conduct_date", "serial number"),
    (lambda: xl_tsd.effective_contrib(0.08, "maybe"), TsdValueError, "core_decisive", "TRUE/FALSE, 1/0 or 是/否"),
    (lambda: xl_tsd.effective_contrib(0.08, 2), TsdValueError, "core_decisive", "TRUE/FALSE"),
    (lambda: xl_tsd.profit_split(3), TsdValueError, "method", "text"),
    (lambda: xl_tsd.tech_contrib_rate(float("inf"), 1, 1, 1), TsdValueError, "s1", "got inf"),
    # mismatched range sizes
    (lambda: xl_tsd.tech_contrib_rate([1, 1], [0.5, 0.5, 0.5], 1, 1), TsdValueError, "s1", "same size"),
    (lambda: xl_tsd.points_share([1, 2, 3], [True, False]), TsdValueError, "established", "same size"),
    (lambda: xl_tsd.lost_profit([1, 2], [3, 4, 5]), TsdValueError, "lost_units", "same size"),
    (lambda: xl_tsd.tech_contrib_rate([[1, 1], [1]], 1, 1, 1), TsdValueError, "s1", "rectangular"),
    # AHP matrices: not square, not positive, not reciprocal
    (lambda: xl_tsd.ahp_weights([[1, 2, 3], [0.5, 1, 2]]), TsdValueError, "matrix", "square"),
    (lambda: xl_tsd.ahp_weights([[1, -2], [-0.5, 1]]), TsdValueError, "matrix", "more than 0"),
    (lambda: xl_tsd.ahp_weights([[1, 0], [0, 1]]), TsdValueError, "matrix", "more than 0"),
    (lambda: xl_tsd.ahp_cr([[1, 3], [3, 1]]), TsdValueError, "matrix", "reciprocal"),
    (lambda: xl_tsd.ahp_cr([[1, 3], [0.5, 1]]), TsdValueError, "matrix", "should be 0.3333"),  # real asymmetry
    # functions of issue 11
    (lambda: xl_tsd.illegal_gains(None, 1000), TsdMissingError, "unit_profit", "units"),
    (lambda: xl_tsd.illegal_gains(), TsdMissingError, "consideration", "the consideration received"),
    (lambda: xl_tsd.illegal_gains(-1), TsdValueError, "consideration", "0 or more"),
    (lambda: xl_tsd.criminal_tier_applied(400000, D(2025, 6, 1), D(2021, 6, 1)), TsdValueError, "decision_date",
     "on or after conduct_date"),
    (lambda: xl_tsd.criminal_tier_applied(400000, D(2025, 6, 1), None), TsdMissingError, "decision_date", "missing"),
    (lambda: xl_tsd.criminal_tier_applied(-1, "2021-06-01", "2025-06-01"), TsdValueError, "amount", "0 or more"),
    (lambda: xl_tsd.lost_profit_step(None, None, None, 20), TsdMissingError, "lost_units", "sales volume"),
    (lambda: xl_tsd.tsd_rule_info("statutory_cap", None, "colour"), TsdValueError, "field", "citation"),
    (lambda: xl_tsd.award_total(1, 1, 1, "maybe"), TsdValueError, "claim_includes_expenses", "TRUE/FALSE"),
    (lambda: xl_tsd.ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 2, 1]]), TsdValueError, "matrix",
     "row 2, column 3"),
]


@pytest.mark.parametrize("call, kind, arg, text", CASES, ids=[f"{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_error(call, kind, arg, text):
    with pytest.raises(kind) as e:
        call()
    assert e.value.argument == arg
    assert text in e.value.message
    assert e.value.excel_text().startswith(kind.excel_code + " ")


def test_reciprocal_tolerance_accepts_rounded_entries():
    # users type 1/3 as 0.333: within the tolerance (issue 2: reciprocal within a tolerance)
    m = [[1, 3, 5], [0.333, 1, 3], [0.2, 0.333, 1]]
    assert xl_tsd.ahp_weights(m) == pytest.approx([0.637, 0.258, 0.105], abs=1e-3)
    # issue 11 §6: entries rounded to two decimals: 3 x 0.33 = 0.99 (a 2 x 2 matrix is consistent: CR 0)
    assert xl_tsd.ahp_cr([[1, 3], [0.33, 1]]) == 0
    # 1/7 as 0.14 (7 x 0.14 = 0.98) and 1/8 as 0.13 (8 x 0.13 = 1.04: the exact 0.125 rounded up)
    assert xl_tsd.ahp_weights([[1, 7], [0.14, 1]]) == pytest.approx([0.875, 0.125], abs=2e-3)
    assert xl_tsd.ahp_weights([[1, 8], [0.13, 1]]) == pytest.approx([8 / 9, 1 / 9], abs=3e-3)
    # 3 x 0.34 = 1.02: 2 % off, at the tolerance (floating point gives 1.0200000000000002)
    assert xl_tsd.ahp_cr([[1, 3], [0.34, 1]]) == 0
    # real asymmetry with small entries: 100 x 0.005 = 0.5, 50 x 0.015 = 0.75, 20 x 0.045 = 0.9 (the small
    # entries are not two-decimal roundings of the reciprocals 0.01, 0.02, 0.05)
    for big, small in ((100, 0.005), (50, 0.015), (20, 0.045)):
        with pytest.raises(TsdValueError, match="reciprocal"):
            xl_tsd.ahp_cr([[1, big], [small, 1]])


def test_all_catalogue_functions_have_an_error_case():
    named = {c[0].__code__.co_names[-1] for c in CASES}
    # TSD_VERSION has no arguments; TSD_ISERROR accepts anything by design
    expected = {spec.python_name for spec in xl_tsd.FUNCTIONS.values()} - {"tsd_version", "tsd_iserror"}
    assert expected <= named, expected - named
