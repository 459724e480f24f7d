"""Criminal Law Art. 219: the loss amount and the seriousness tier (DOMAIN §6)."""
from __future__ import annotations

import numpy as np

from . import _coerce as c
from . import legal
from .errors import TsdMissingError, TsdValueError
from .registry import Arg, Example, register

__all__ = ["criminal_loss", "criminal_tier", "criminal_tier_applied", "illegal_gains", "TIER_SERIOUS",
           "TIER_ESPECIALLY_SERIOUS"]

TIER_SERIOUS = "情节严重"
TIER_ESPECIALLY_SERIOUS = "情节特别严重"
# seed 002 quotes 2020 Interpretation III Arts 4-5
_LIU2025 = "刘明、万春花、张倩文（京师律师事务所）《商业秘密被侵犯如何定损？谈侵犯商业秘密罪中的损失数额认定问题》，2025-07-03"


@register(
    "CRIMINAL_LOSS", category="criminal", returns="number", unit="元",
    args=[Arg("scenario", "1-5", "1 acquired not used; 2 improper means then used; 3 breach of confidentiality; "
              "4 third party who knew; 5 made public or destroyed",
              "1 获取未使用；2 不正当获取后使用；3 违约披露使用；4 明知仍获取使用；5 公开或灭失"),
          Arg("lost_profit", "元", "Holder's lost sales profit", "权利人销售利润损失", optional=True),
          Arg("license_fee", "元", "Reasonable license fee", "合理许可使用费", optional=True),
          Arg("commercial_value", "元", "Commercial value of the secret", "商业秘密的商业价值", optional=True),
          Arg("remedial_cost", "元", "Remedial costs, counted in the loss as spent", "补救费用（按实际支出计入损失）", optional=True)],
    formula="1: license_fee; 2: max(lost_profit, license_fee); 3, 4: lost_profit; 5: commercial_value; "
            "then + remedial_cost",
    en="Loss amount in a trade-secret crime for scenario 1-5, plus the remedial costs.",
    zh="侵犯商业秘密罪损失数额（情形1至5），加补救费用。",
    basis_en="法释〔2025〕5号 Art. 18 para. 1 items 1-5 and para. 3 (remedial costs \"应当计入\"); the same structure in "
             "法释〔2020〕10号 Art. 5 paras. 1 and 3.",
    basis_zh="法释〔2025〕5号第十八条第一款第（一）至（五）项、第三款（补救费用“应当计入”）；法释〔2020〕10号第五条第一、三款同一结构。",
    references=(_LIU2025,),
    examples=(Example((1, None, 8580000), 8_580_000.0, "CASES.md E"),
              Example((2, 100000, 250000), 250_000.0, "CASES.md G: license fee floor")),
)
def criminal_loss(scenario, lost_profit=None, license_fee=None, commercial_value=None, remedial_cost=None):
    """
    In scenario 2 the license fee is the floor: with the lost profit unknown,
    the loss is the license fee.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.criminal_loss(1, None, 8580000)
    8580000.0
    >>> xl_tsd.criminal_loss(2, 100000, 250000)
    250000.0
    >>> xl_tsd.criminal_loss(3, 400000, remedial_cost=151600)
    551600.0
    """
    s = c.number(scenario, "scenario")
    lp = c.number(lost_profit, "lost_profit", lo=0.0, optional=True)
    lf = c.number(license_fee, "license_fee", lo=0.0, optional=True)
    cv = c.number(commercial_value, "commercial_value", lo=0.0, optional=True)
    rc = c.number(remedial_cost, "remedial_cost", lo=0.0, optional=True)
    scalar = not any(isinstance(v, np.ndarray) for v in (s, lp, lf, cv, rc))
    s, lp, lf, cv, rc = (np.atleast_1d(v) for v in c.broadcast(
        scenario=s, lost_profit=lp, license_fee=lf, commercial_value=cv, remedial_cost=rc))
    where = (lambda i: None) if scalar else (lambda i: c.position(i, s.shape))
    bad = ~np.isin(s, (1.0, 2.0, 3.0, 4.0, 5.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise TsdValueError("scenario", "1, 2, 3, 4 or 5 (法释〔2025〕5号 Art. 18)", float(s.flat[i]), where=where(i))
    need = {
        "license_fee": ((s == 1) & np.isnan(lf), "scenario 1 (acquired, not used) is valued at the license fee"),
        "lost_profit": (((s == 3) | (s == 4)) & np.isnan(lp), "scenarios 3 and 4 are valued at the lost profit"),
        "commercial_value": ((s == 5) & np.isnan(cv), "scenario 5 (made public or destroyed) is valued at "
                             "the commercial value"),
    }
    both = (s == 2) & np.isnan(lp) & np.isnan(lf)
    if both.any():
        raise TsdMissingError("lost_profit", "scenario 2 needs the lost profit or the license fee (its floor)",
                              where=where(int(np.flatnonzero(both)[0])))
    for arg, (gap, why) in need.items():
        if gap.any():
            raise TsdMissingError(arg, why, where=where(int(np.flatnonzero(gap)[0])))
    loss = np.select([s == 1, s == 2, s == 5], [lf, np.fmax(lp, lf), cv], default=lp)
    out = loss + np.nan_to_num(rc, nan=0.0)
    return c.result(out[0] if scalar else out)


@register(
    "CRIMINAL_TIER", category="criminal", returns="text", unit="text",
    args=[Arg("amount", "元", "Loss or illegal gains", "损失数额或违法所得数额"),
          Arg("date", "date", "Date whose interpretation applies (usually the conduct date)",
              "适用其时司法解释的日期（通常为行为日）"),
          Arg("repeat_offender", "TRUE/FALSE", "Punished (criminally or administratively) for the same within 2 years",
              "二年内因同类行为受过刑事处罚或行政处罚", optional=True, default=False)],
    formula='"情节特别严重" if amount ≥ criminal_especially_serious; "情节严重" if amount ≥ criminal_serious '
            '(criminal_serious_repeat for a repeat offender where in force); else ""',
    en="Seriousness tier of a trade-secret crime under the interpretation in force on date: \"\", 情节严重 or 情节特别严重.",
    zh="按该日施行的司法解释判断侵犯商业秘密罪的情节：空、情节严重或情节特别严重。",
    basis_en="Criminal Law Art. 219; 法释〔2004〕19号 Art. 7; 法释〔2020〕10号 Art. 4; 法释〔2025〕5号 Art. 17.",
    basis_zh="《刑法》第二百一十九条；法释〔2004〕19号第七条；法释〔2020〕10号第四条；法释〔2025〕5号第十七条。",
    references=(_LIU2025,
                "最高人民法院、最高人民检察院《关于适用刑事司法解释时间效力问题的规定》（高检发释字〔2001〕5号）第三项"),
    rules=("criminal_serious", "criminal_especially_serious", "criminal_serious_repeat", "criminal_statute_wording"),
    examples=(Example((300000, legal.D(2025, 5, 1)), TIER_SERIOUS, "FUNCTIONS.md"),
              Example((8580000, legal.D(2021, 1, 1)), TIER_ESPECIALLY_SERIOUS, "CASES.md E"),
              Example((400000, legal.D(2019, 6, 1)), "", "CASES.md G: 2004 threshold 500,000"),
              Example((120000, legal.D(2025, 6, 1), True), TIER_SERIOUS, "CASES.md G: repeat within 2 years")),
)
def criminal_tier(amount, date, repeat_offender=None):
    """
    Before 2021-03-01 Art. 219 spoke of 重大损失 and 特别严重后果; they map to
    the two tiers. Which date to use is a legal question: by 高检发释字〔2001〕5号
    item 三 conduct is judged under the interpretation in force when it took
    place, unless a newer one is more favourable to the defendant, so compare
    the tier on both dates. The 2004 text counts loss only, not illegal gains.

    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.criminal_tier(300000, datetime.date(2025, 5, 1))
    '情节严重'
    >>> xl_tsd.criminal_tier(400000, datetime.date(2019, 6, 1))
    ''
    """
    a = c.number(amount, "amount", lo=0.0)
    d = c.date(date, "date")
    rep = c.boolean(repeat_offender, "repeat_offender", optional=True)
    on = np.asarray(d, dtype="datetime64[D]") if isinstance(d, np.ndarray) else np.datetime64(d, "D")
    a, on, rep = c.broadcast(amount=a, date=on, repeat_offender=rep)
    serious, _ = legal.rule_values("criminal_serious", on)
    special, _ = legal.rule_values("criminal_especially_serious", on)
    repeat_thr, repeat_in_force = legal.rule_values("criminal_serious_repeat", on, strict=False)
    threshold = np.where(np.logical_and(rep, repeat_in_force), repeat_thr, serious)
    tier = np.where(a >= special, TIER_ESPECIALLY_SERIOUS, np.where(a >= threshold, TIER_SERIOUS, ""))
    return c.result(tier.astype(object) if tier.ndim else tier)


@register(
    "ILLEGAL_GAINS", category="criminal", returns="number", unit="元",
    args=[Arg("consideration", "元", "Money or property received for disclosing or licensing the secret",
              "因披露、允许他人使用商业秘密而获得的财物或者其他财产性利益", optional=True),
          Arg("units", "units", "Infringing units sold", "侵权产品销售量", optional=True),
          Arg("unit_profit", "元/unit", "Reasonable profit per infringing unit", "每件侵权产品的合理利润", optional=True)],
    formula="consideration if known; else units × unit_profit",
    en="Illegal gains (违法所得) of a trade-secret crime: the consideration received for disclosure or license, "
       "else infringing units x profit per unit.",
    zh="侵犯商业秘密罪的违法所得数额：披露、允许他人使用所获财物；否则为侵权产品销售量×每件合理利润。",
    basis_en="法释〔2020〕10号 (Interpretation III) Art. 5 para. 1 item 6: the consideration only; 法释〔2025〕5号 "
             "Art. 19 (from 2025-04-26): the consideration, or the profit from use = infringing units x reasonable "
             "profit per unit. A threshold is met by the loss or the illegal gains (法释〔2020〕10号 Art. 4; "
             "法释〔2025〕5号 Art. 17 para. 1 items 1-2).",
    basis_zh="法释〔2020〕10号第五条第一款第（六）项（仅披露、允许他人使用所获财物）；法释〔2025〕5号第十九条（2025年4月26日起："
             "或使用所获利润，按侵权产品销售量乘以每件侵权产品的合理利润）。损失数额或者违法所得数额达到标准即可"
             "（法释〔2020〕10号第四条；法释〔2025〕5号第十七条第一款第（一）、（二）项）。",
    rules=("criminal_illegal_gains_basis", "criminal_amount_basis"),
    examples=(Example((None, 1000, 50), 50_000.0, "FUNCTIONS.md: 1,000 units x 50"),
              Example((82000,), 82_000.0, "CASES.md E: 82,000 paid to the employee (hand)"),
              Example((82000, 1000, 50), 82_000.0, "hand: the consideration comes first"),
              Example((None, 1000), "#N/A", "hand: units without a unit profit")),
)
def illegal_gains(consideration=None, units=None, unit_profit=None):
    """
    Notes
    -----
    The units leg (profit from use) has a text only from 2025-04-26
    (法释〔2025〕5号 Art. 19); under 法释〔2020〕10号 illegal gains are the
    consideration alone (rule ``criminal_illegal_gains_basis``). The function
    takes no date: the template warns (Warn_Crim_Gains_Units) where the units
    leg is used for conduct judged under the earlier text.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.illegal_gains(None, 1000, 50)
    50000.0
    >>> xl_tsd.illegal_gains(82000)
    82000.0
    """
    con = c.number(consideration, "consideration", lo=0.0, optional=True)
    u = c.number(units, "units", lo=0.0, optional=True)
    p = c.number(unit_profit, "unit_profit", lo=0.0, optional=True)
    scalar = not any(isinstance(v, np.ndarray) for v in (con, u, p))
    con, u, p = (np.atleast_1d(v) for v in c.broadcast(consideration=con, units=u, unit_profit=p))
    where = (lambda i: None) if scalar else (lambda i: c.position(i, con.shape))
    no_con = np.isnan(con)
    gap = no_con & np.isnan(u)
    if gap.any():
        raise TsdMissingError("consideration", "the consideration received, or the infringing units and the "
                              "profit per unit", where=where(int(np.flatnonzero(gap)[0])))
    gap = no_con & np.isnan(p)
    if gap.any():
        raise TsdMissingError("unit_profit", "needed with units (units × profit per unit)",
                              where=where(int(np.flatnonzero(gap)[0])))
    out = np.where(no_con, u * p, con)
    return c.result(out[0] if scalar else out)


_TIER_RANK = {"": 0, TIER_SERIOUS: 1, TIER_ESPECIALLY_SERIOUS: 2}


@register(
    "CRIMINAL_TIER_APPLIED", category="criminal", returns="text", unit="text",
    args=[Arg("amount", "元", "Loss or illegal gains", "损失数额或违法所得数额"),
          Arg("conduct_date", "date", "Date of the conduct", "行为日"),
          Arg("decision_date", "date", "Date the case is decided (the interpretation then in force is compared)",
              "审判日（比较其时施行的司法解释）"),
          Arg("repeat_offender", "TRUE/FALSE", "Punished (criminally or administratively) for the same within 2 years",
              "二年内因同类行为受过刑事处罚或行政处罚", optional=True, default=False)],
    formula="CRIMINAL_TIER(amount, conduct_date) unless CRIMINAL_TIER(amount, decision_date) is a lower tier",
    en="Seriousness tier under the interpretation in force at the conduct date, unless the one in force at the "
       "decision date is more lenient to the defendant.",
    zh="按行为时施行的司法解释确定情节档次；审判时施行的司法解释对被告人更有利的，适用审判时的解释。",
    basis_en="SPC/SPP Provisions on the temporal effect of criminal judicial interpretations, 高检发释字〔2001〕5号, "
             "item 3; Criminal Law Art. 12 (the lighter law); thresholds as in CRIMINAL_TIER.",
    basis_zh="最高人民法院、最高人民检察院《关于适用刑事司法解释时间效力问题的规定》（高检发释字〔2001〕5号）第三项；"
             "《刑法》第十二条（从旧兼从轻）；数额标准同 CRIMINAL_TIER。",
    rules=("criminal_lenity", "criminal_serious", "criminal_especially_serious", "criminal_serious_repeat"),
    examples=(Example((2_700_000, legal.D(2019, 6, 1), legal.D(2025, 6, 1)), TIER_SERIOUS,
                      "hand: 2004 text 2,500,000 -> 特别严重; 2025 text 3,000,000 -> 严重, more lenient"),
              Example((400_000, legal.D(2019, 6, 1), legal.D(2021, 6, 1)), "",
                      "hand: 2004 text 500,000 -> none; the 2020 text (300,000) is harsher, not applied"),
              Example((400_000, legal.D(2021, 6, 1), legal.D(2025, 6, 1)), TIER_SERIOUS,
                      "hand: 300,000 under both texts"),
              Example((400_000, legal.D(2025, 6, 1), legal.D(2021, 6, 1)), "#VALUE!",
                      "decision before conduct")),
)
def criminal_tier_applied(amount, conduct_date, decision_date, repeat_offender=None):
    """
    Each interpretation is applied whole: its thresholds and, for a repeat offender, its
    repeat threshold where it has one. Equal tiers keep the interpretation of the conduct date.

    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.criminal_tier_applied(2_700_000, datetime.date(2019, 6, 1), datetime.date(2025, 6, 1))
    '情节严重'
    >>> xl_tsd.criminal_tier(2_700_000, datetime.date(2019, 6, 1))
    '情节特别严重'
    """
    cd = c.date(conduct_date, "conduct_date")
    dd = c.date(decision_date, "decision_date")
    c_on = np.asarray(cd, dtype="datetime64[D]")
    d_on = np.asarray(dd, dtype="datetime64[D]")
    c_on, d_on = c.broadcast(conduct_date=c_on, decision_date=d_on)
    early = np.atleast_1d(d_on < c_on)
    if early.any():
        i = int(np.flatnonzero(early)[0])
        raise TsdValueError("decision_date", "on or after conduct_date", np.atleast_1d(d_on)[i].item(),
                            where=None if np.ndim(d_on) == 0 else c.position(i, np.shape(d_on)))
    at_conduct = criminal_tier(amount, cd, repeat_offender)
    at_decision = criminal_tier(amount, dd, repeat_offender)
    if isinstance(at_conduct, str) and isinstance(at_decision, str):
        return at_decision if _TIER_RANK[at_decision] < _TIER_RANK[at_conduct] else at_conduct
    a, b = np.broadcast_arrays(np.asarray(at_conduct, dtype=object), np.asarray(at_decision, dtype=object))
    rank = np.vectorize(_TIER_RANK.get, otypes=[int])
    return np.where(rank(b) < rank(a), b, a).astype(object)
