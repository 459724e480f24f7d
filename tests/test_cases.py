"""Every example of FUNCTIONS.md and every case of CASES.md, pinned.

The source of each expected value is in the comment beside it.
"""
import datetime as dt

import numpy as np
import pytest

import xl_tsd
from xl_tsd import TsdMissingError, TsdNumError

D = dt.date


# --- FUNCTIONS.md "Examples that must hold" -------------------------------------------

def test_functions_md_examples():
    assert xl_tsd.tech_contrib_rate(1, 0.8, 0.4, 0.25) == pytest.approx(0.08)  # FUNCTIONS.md
    assert xl_tsd.profit_split("四分法") == 0.25  # FUNCTIONS.md
    assert xl_tsd.component_profit_ok(211664.74, 403664.73) is False  # FUNCTIONS.md
    assert xl_tsd.criminal_tier(300000, D(2025, 5, 1)) == "情节严重"  # FUNCTIONS.md
    with pytest.raises(TsdNumError) as e:  # FUNCTIONS.md: PUNITIVE_TOTAL(100, 6) -> #NUM!
        xl_tsd.punitive_total(100, 6)
    assert e.value.excel_text() == "#NUM! multiplier must be between 1 and 5 (got 6)"


# --- CASES.md A: vehicle chassis (seed 004) --------------------------------------------

def test_case_a_vehicle_chassis_contribution_chain():
    # s1 = 1, s2 = 0.80, s3 = 0.40, s4 = 0.25 -> 0.08 (CASES.md A; seed 004)
    rate = xl_tsd.tech_contrib_rate(1, 0.80, 0.40, xl_tsd.profit_split("四分法"))
    assert rate == pytest.approx(0.08)
    # base = price x quantity x margin x 0.08: 150,000 x 1,000 x 0.10 x 0.08 = 1,200,000 (hand calculation)
    assert xl_tsd.damages_base(150_000, 1_000, 0.10, rate) == pytest.approx(1_200_000)


def test_case_a_periods_split_at_punitive_start():
    # conduct before 2019-04-23 is compensation only (CASES.md A; AUCL 2019 Art. 17)
    assert xl_tsd.punitive_available(D(2019, 4, 22)) is False
    assert xl_tsd.punitive_available(D(2019, 4, 23)) is True
    got = xl_tsd.punitive_available([D(2018, 9, 1), D(2019, 4, 23), D(2020, 1, 1)])
    assert got.tolist() == [False, True, True]


def test_case_a_infringer_losses_use_benchmark():
    # infringer made losses; gains use an industry benchmark margin (CASES.md A, seed 002)
    # 100,000,000 x 0.05 = 5,000,000 (hand calculation)
    assert xl_tsd.infringer_gain(100_000_000, -0.25, 0.05) == pytest.approx(5_000_000)


# --- CASES.md B: security upgrade after theft (seed 001) -------------------------------

def test_case_b_remedial():
    # 151,600 x 2/5 = 60,640 (CASES.md B)
    assert xl_tsd.remedial_share(151600, "enhance", 5, 2) == pytest.approx(60640)
    assert xl_tsd.remedial_share(151600, "加强", 5, 2) == pytest.approx(60640)
    # restore counts in full: 151,600 (CASES.md B)
    assert xl_tsd.remedial_share(151600, "restore") == 151600
    assert xl_tsd.remedial_share(151600, "重建") == 151600


def test_case_b_criminal_counts_remedial_in_full():
    # CRIMINAL_LOSS counts remedial cost in full (CASES.md B): 0 + 151,600 on top of a 200,000 lost profit
    assert xl_tsd.criminal_loss(3, 200_000, remedial_cost=151_600) == pytest.approx(351_600)


def test_case_b_award():
    # SPC: economic loss 60,000 + reasonable expense 10,000 = 70,000 (CASES.md B, seed 001); claim 230,000
    assert xl_tsd.award_total(60_000, 10_000, 230_000) == pytest.approx(70_000)


# --- CASES.md C: agreed damages (seed 000) ---------------------------------------------

def test_case_c_award_total():
    # AWARD_TOTAL(250000, 15000, 500000) -> 265,000 (CASES.md C)
    assert xl_tsd.award_total(250000, 15000, 500000) == pytest.approx(265000)


def test_claim_caps_economic_loss_not_expenses():
    # An award never exceeds what was claimed (DOMAIN §1): min(800,000, 500,000) + 15,000 = 515,000
    assert xl_tsd.award_total(800_000, 15_000, 500_000) == pytest.approx(515_000)
    # no claim given: no cap, 800,000 + 15,000 (hand calculation)
    assert xl_tsd.award_total(800_000, 15_000) == pytest.approx(815_000)


# --- CASES.md D: component share doubted (seed 002) ------------------------------------

def test_case_d_component_share():
    assert xl_tsd.component_profit_ok(211664.74, 403664.73) is False  # CASES.md D (52.4 %)
    assert xl_tsd.component_profit_ok(211664.74, 403664.73, 0.6) is True  # CASES.md D


# --- CASES.md E: license value (seed 002) ----------------------------------------------

def test_case_e_license_value():
    assert xl_tsd.criminal_loss(1, None, 8580000) == pytest.approx(8580000)  # CASES.md E
    assert xl_tsd.criminal_tier(8580000, D(2021, 1, 1)) == "情节特别严重"  # CASES.md E, 2020 regime


# --- CASES.md F: lost profit cascade ---------------------------------------------------

def test_case_f_cascade():
    assert xl_tsd.lost_profit(1000, 50, 3000, 20) == pytest.approx(50_000)  # CASES.md F step 1
    assert xl_tsd.lost_profit(None, 50, 3000, 20) == pytest.approx(150_000)  # CASES.md F step 2
    assert xl_tsd.lost_profit(None, None, 3000, 20) == pytest.approx(60_000)  # CASES.md F step 3
    with pytest.raises(TsdMissingError) as e:  # CASES.md F: #N/A naming the missing volume
        xl_tsd.lost_profit(None, None, None, 20)
    assert e.value.excel_code == "#N/A"
    assert e.value.argument == "lost_units" and "volume" in e.value.message


def test_case_f_cascade_vectorised():
    got = xl_tsd.lost_profit([1000, None, None], [50, 50, None], 3000, 20)
    assert got.tolist() == pytest.approx([50_000, 150_000, 60_000])  # CASES.md F, all three steps


# --- CASES.md G: criminal thresholds by date -------------------------------------------

def test_case_g_thresholds():
    assert xl_tsd.criminal_tier(400000, D(2019, 6, 1)) == ""  # CASES.md G: 2004 regime, 500,000
    assert xl_tsd.criminal_tier(400000, D(2021, 6, 1)) == "情节严重"  # CASES.md G: 2020 regime, 300,000
    assert xl_tsd.criminal_tier(120000, D(2025, 6, 1), True) == "情节严重"  # CASES.md G: repeat, 100,000
    assert xl_tsd.criminal_tier(120000, D(2025, 6, 1)) == ""  # not a repeat offender: 300,000 applies
    # the repeat threshold does not exist before 2025-04-26 (DOMAIN §6)
    assert xl_tsd.criminal_tier(120000, D(2024, 6, 1), True) == ""
    assert xl_tsd.criminal_loss(2, 100000, 250000) == pytest.approx(250000)  # CASES.md G: license fee floor


def test_criminal_tier_boundaries():
    # 法释〔2025〕5号: 300,000 serious, 3,000,000 especially serious, "以上" includes the figure (DOMAIN §6)
    assert xl_tsd.criminal_tier(299_999.99, D(2025, 5, 1)) == ""
    assert xl_tsd.criminal_tier(3_000_000, D(2025, 5, 1)) == "情节特别严重"
    assert xl_tsd.criminal_tier(2_999_999, D(2025, 5, 1)) == "情节严重"
    # 2020 regime: 2,500,000 especially serious (法释〔2020〕10号 Art. 4)
    assert xl_tsd.criminal_tier(2_500_000, D(2025, 4, 25)) == "情节特别严重"


# --- CASES.md H: profit split and AHP --------------------------------------------------

def test_case_h_profit_split():
    assert xl_tsd.profit_split("三分法") == pytest.approx(1 / 3)  # CASES.md H
    assert xl_tsd.royalty_to_split(0.05, 0.20) == pytest.approx(0.25)  # CASES.md H


def test_case_h_ahp():
    m = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    # about {0.637; 0.258; 0.105} (CASES.md H)
    assert xl_tsd.ahp_weights(m) == pytest.approx([0.637, 0.258, 0.105], abs=5e-4)
    # CR about 0.033, Saaty RI(3) = 0.58 (CASES.md H)
    assert xl_tsd.ahp_cr(m) == pytest.approx(0.033, abs=5e-4)


def test_ahp_consistent_matrix():
    # a perfectly consistent matrix (a_ij = w_i / w_j) gives back w and CR = 0 (hand calculation)
    w = np.array([0.5, 0.3, 0.2])
    m = w[:, None] / w[None, :]
    assert xl_tsd.ahp_weights(m) == pytest.approx(w)
    assert xl_tsd.ahp_cr(m) == pytest.approx(0.0, abs=1e-9)
    assert xl_tsd.ahp_cr([[1, 2], [0.5, 1]]) == 0.0  # n <= 2 is always consistent (RI = 0)


# --- other methods, hand calculations ---------------------------------------------------

def test_points_share():
    # (1 + 2) / (1 + 2 + 1) = 0.75 (hand calculation); blank rows ignored (template has 50 rows)
    assert xl_tsd.points_share([1, 2, 1, None], [True, "是", "否", None]) == pytest.approx(0.75)
    # 2-D column ranges as Excel gives them
    assert xl_tsd.points_share([[1], [3]], [[1], [0]]) == pytest.approx(0.25)


def test_effective_contrib():
    assert xl_tsd.effective_contrib(0.08, False) == 0.08  # DOMAIN §3: no exception -> rate
    assert xl_tsd.effective_contrib(0.08, True) == 1.0  # core or decisive -> whole profit
    assert xl_tsd.effective_contrib(0.08, "否", "否", "是") == 1.0  # malice + lost trade -> whole profit


def test_license_fee_loss():
    # 300,000 over 3 years, 2 years infringed: 200,000; multiple 3: 600,000 (hand calculation)
    assert xl_tsd.license_fee_loss(300_000, 3, 2) == pytest.approx(200_000)
    assert xl_tsd.license_fee_loss(300_000, 3, 2, 3) == pytest.approx(600_000)


def test_income_value():
    # 100,000 / 1.1 + 100,000 / 1.21 = 173,553.72 (hand calculation)
    assert xl_tsd.income_value(100_000, 2, 0.10) == pytest.approx(173_553.719, abs=0.01)
    # 2.5 years: + 0.5 x 100,000 / 1.1^2.5 = 173,553.72 + 39,405.82 (hand calculation)
    assert xl_tsd.income_value(100_000, 2.5, 0.10) == pytest.approx(173_553.719 + 50_000 / 1.1 ** 2.5, abs=0.01)
    assert xl_tsd.income_value(100_000, 2.5, 0) == pytest.approx(250_000)  # no discounting


def test_criminal_loss_scenarios():
    # 法释〔2025〕5号 Art. 18 as summarised in DOMAIN §6
    assert xl_tsd.criminal_loss(2, 400_000, 250_000) == pytest.approx(400_000)  # lost profit above the floor
    assert xl_tsd.criminal_loss(2, None, 250_000) == pytest.approx(250_000)  # floor alone
    assert xl_tsd.criminal_loss(4, 90_000) == pytest.approx(90_000)
    assert xl_tsd.criminal_loss(5, commercial_value=252_000) == pytest.approx(252_000)  # seed 000 dev cost


def test_tsd_rule_versions():
    assert xl_tsd.tsd_rule("statutory_cap", D(2018, 6, 1)) == 3_000_000  # AUCL 2017 Art. 17
    assert xl_tsd.tsd_rule("statutory_cap", D(2019, 4, 23)) == 5_000_000  # AUCL 2019 Art. 17
    assert xl_tsd.tsd_rule("punitive_max", D(2026, 1, 1)) == 5  # AUCL 2025 Art. 22
    assert xl_tsd.tsd_rule("punitive_min") == 1
    assert xl_tsd.tsd_rule("punitive_from") == D(2019, 4, 23)  # DOMAIN §1
    assert xl_tsd.tsd_rule("criminal_serious", D(2020, 9, 13)) == 500_000  # 法释〔2004〕19号
    assert xl_tsd.tsd_rule("criminal_serious", D(2020, 9, 14)) == 300_000  # 法释〔2020〕10号
    assert xl_tsd.tsd_rule("criminal_especially_serious", D(2025, 4, 26)) == 3_000_000  # 法释〔2025〕5号
    assert xl_tsd.tsd_rule("measure_order", D(2025, 10, 14)) == "ordered"  # AUCL 2019
    # AUCL 2025 Art. 22 para. 3 dropped the order: "按照其因被侵权所受到的实际损失或者侵权人因侵权所获得的利益确定"
    assert xl_tsd.tsd_rule("measure_order", D(2025, 10, 15)) == "elective"
    # 法释〔2025〕5号 Art. 18 para. 2 keeps two steps of the cascade; 法释〔2020〕10号 Art. 5 para. 2 had three
    assert xl_tsd.tsd_rule("criminal_lost_profit_steps", D(2025, 4, 25)) == 3
    assert xl_tsd.tsd_rule("criminal_lost_profit_steps", D(2025, 4, 26)) == 2
    # 法释〔2020〕10号 Art. 5 para. 1 item 6: consideration only; 法释〔2025〕5号 Art. 19 adds the profit from use
    assert xl_tsd.tsd_rule("criminal_illegal_gains_basis", D(2025, 4, 25)) == "consideration"
    assert xl_tsd.tsd_rule("criminal_illegal_gains_basis", D(2025, 4, 26)) == "consideration or profit from use"
    # 法释〔2026〕7号 Art. 8 para. 2 (in force 2026-05-01): "参照权利许可使用费", the multiple dropped
    assert xl_tsd.tsd_rule("punitive_license_base", D(2026, 4, 30)) == "multiple"
    assert xl_tsd.tsd_rule("punitive_license_base", D(2026, 5, 1)) == "reference"
    # Criminal Law Amendment XI item 22 (2021-03-01): 3 to 10 years, was 3 to 7 (Criminal Law 1997 Art. 219)
    assert xl_tsd.tsd_rule("criminal_max_sentence", D(2021, 2, 28)) == 7
    assert xl_tsd.tsd_rule("criminal_max_sentence", D(2021, 3, 1)) == 10


def test_explain_and_version():
    text = xl_tsd.tsd_explain("tech_contrib_rate", "en")
    assert "s1 × s2 × s3 × s4" in text and "1590" in text
    assert "技术贡献率" in xl_tsd.tsd_explain("TECH_CONTRIB_RATE")  # default language zh
    assert xl_tsd.tsd_version() == xl_tsd.__version__


def test_dates_in_every_form():
    # 2019-04-23 is Excel serial 43578 (Excel DATE(2019,4,23))
    forms = [D(2019, 4, 23), dt.datetime(2019, 4, 23, 15, 30), 43578, 43578.0, "2019-04-23", "2019年4月23日"]
    for f in forms:
        assert xl_tsd.punitive_available(f) is True, f
    assert xl_tsd.punitive_available(43577) is False  # 2019-04-22
