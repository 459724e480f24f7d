"""Punitive damages, the claim cap and the total award (DOMAIN §1)."""
from __future__ import annotations

import datetime as _dt

import numpy as np

from . import _coerce as c
from . import legal
from .errors import TsdNumError
from .registry import Arg, Example, register

__all__ = ["punitive_available", "punitive_total", "award_total"]

_PUNITIVE_BASIS_EN = ("AUCL 2019 Art. 17 para. 3 (恶意 malicious) / AUCL 2025 Art. 22 (故意 intentional), "
                      "in force from the dates of TSD_RULE(\"punitive_max\"); SPC 法释〔2021〕4号 Arts 5-6; "
                      "法释〔2020〕7号 Art. 28 (law at the time of the conduct).")
_PUNITIVE_BASIS_ZH = ("《反不正当竞争法》（2019）第十七条第三款（恶意）/（2025）第二十二条（故意），施行日见 TSD_RULE(\"punitive_max\")；"
                      "法释〔2021〕4号第五、六条；法释〔2020〕7号第二十八条（适用行为时的法律）。")


@register(
    "PUNITIVE_AVAILABLE", category="punitive", returns="bool", unit="TRUE/FALSE",
    args=[Arg("conduct_date", "date", "Date of the infringing conduct (a period's start)",
              "侵权行为发生日（期间起始日）")],
    formula="conduct_date ≥ TSD_RULE(\"punitive_from\")",
    en="TRUE if the AUCL in force on the conduct date provides the 1x-5x punitive multiplier.",
    zh="行为时适用的《反不正当竞争法》是否规定了1至5倍惩罚性赔偿。",
    basis_en=_PUNITIVE_BASIS_EN, basis_zh=_PUNITIVE_BASIS_ZH, rules=("punitive_from", "punitive_max"),
    examples=(Example((_dt.date(2019, 4, 22),), False, "DOMAIN §1: in force 2019-04-23"),
              Example((_dt.date(2019, 4, 23),), True, "DOMAIN §1: in force 2019-04-23")),
)
def punitive_available(conduct_date):
    """
    Continuing conduct that spans TSD_RULE("punitive_from") is split into periods, each
    looked up on its own start date (法释〔2020〕7号 Art. 28).

    Examples
    --------
    >>> import datetime, xl_tsd
    >>> xl_tsd.punitive_available(datetime.date(2018, 6, 1))
    False
    >>> xl_tsd.punitive_available(43800)  # Excel serial of 2019-12-01
    True
    """
    d = c.date(conduct_date, "conduct_date")
    on = np.asarray(d, dtype="datetime64[D]") if isinstance(d, np.ndarray) else np.datetime64(d, "D")
    _, in_force = legal.rule_values("punitive_max", on, strict=False)
    return c.result(in_force)


@register(
    "PUNITIVE_TOTAL", category="punitive", returns="number", unit="元",
    args=[Arg("base", "元", "Punitive base: actual loss or infringer's gains, excluding expenses",
              "惩罚性赔偿基数：实际损失或侵权获利，不含合理开支"),
          Arg("multiplier", "x", "Multiplier chosen for fault and seriousness, 1 to 5", "倍数（1至5倍）")],
    formula="base × multiplier, with TSD_RULE(\"punitive_min\") ≤ multiplier ≤ TSD_RULE(\"punitive_max\")",
    en="Damages with the punitive multiplier: base x multiplier (a 2x multiplier doubles the base). Expenses are added outside.",
    zh="惩罚性赔偿总额＝基数×倍数（2倍即基数的两倍），合理开支另计。",
    basis_en=_PUNITIVE_BASIS_EN, basis_zh=_PUNITIVE_BASIS_ZH, rules=("punitive_min", "punitive_max"),
    examples=(Example((100, 2), 200.0, "DOMAIN §1: 2x doubles the base"),
              Example((100, 6), "#NUM!", "FUNCTIONS.md")),
)
def punitive_total(base, multiplier):
    """
    The multiplier's range is the one in force today; it has been 1 to 5
    since punitive damages began (TSD_RULE("punitive_from")).

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.punitive_total(1_200_000, 2)
    2400000.0
    """
    today = _dt.date.today()
    lo = legal.rule("punitive_min", today).value
    hi = legal.rule("punitive_max", today).value
    b = c.number(base, "base", lo=0.0)
    k = c.number(multiplier, "multiplier", lo=lo, hi=hi, error=TsdNumError)
    b, k = c.broadcast(base=b, multiplier=k)
    return c.result(b * k)


@register(
    "AWARD_TOTAL", category="punitive", returns="number", unit="元",
    args=[Arg("economic_loss", "元", "Economic loss (after any multiplier)", "经济损失（含惩罚性部分）"),
          Arg("expenses", "元", "Reasonable expenses to stop the infringement (lawyer, notary, appraisal)",
              "制止侵权的合理开支（律师费、公证费、鉴定费）"),
          Arg("claimed", "元", "Amount claimed (the cap): the economic loss alone, or loss and expenses together",
              "诉请数额（上限）：仅经济损失，或经济损失及合理开支合计", optional=True),
          Arg("claim_includes_expenses", "TRUE/FALSE",
              "TRUE when one figure was claimed for the loss and the expenses together",
              "诉请为“经济损失及合理开支共计”一个数额时为 TRUE", optional=True, default=False)],
    formula="min(economic_loss, claimed) + expenses; when claim_includes_expenses: "
            "min(economic_loss + expenses, claimed)",
    en="Total award: the economic loss capped at the amount claimed, plus reasonable expenses; a claim for "
       "both together caps their sum.",
    zh="判赔总额：经济损失以诉请数额为限，加合理开支；诉请为经济损失及合理开支合计的，二者之和以诉请为限。",
    basis_en="AUCL 2019 Art. 17 para. 3 / AUCL 2025 (expenses added to the damages); Civil Procedure Law "
             "Art. 13 para. 2 (disposition: no award beyond the claim). Courts award one total where one "
             "figure was claimed, e.g. (2021)辽02民初174号: \"loss including reasonable expenses, 50,000 in total\".",
    basis_zh="《反不正当竞争法》（2019）第十七条第三款及2025年修订相应条款（合理开支计入赔偿）；《民事诉讼法》第十三条第二款"
             "（处分原则：判赔不超出诉讼请求）。合计主张的，判决一并确定，如(2021)辽02民初174号“包括制止侵权行为所支付的"
             "合理开支在内的损失共计5万元”。",
    references=("大连某数据平台管理中心诉崔某某侵害技术秘密纠纷案, (2021)最高法知民终1687号 "
                "(first instance (2021)辽02民初174号)",),
    examples=(Example((250000, 15000, 500000), 265_000.0, "CASES.md C: (2021)最高法知民终1687号"),
              Example((800000, 15000, 500000), 515_000.0, "hand calculation: the claim caps the loss only"),
              Example((800000, 15000, 500000, True), 500_000.0, "FUNCTIONS.md: one claim for loss and expenses")),
)
def award_total(economic_loss, expenses, claimed=None, claim_includes_expenses=None):
    """
    An unknown claim (empty) caps nothing.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.award_total(250000, 15000, 500000)
    265000.0
    >>> xl_tsd.award_total(800000, 15000, 500000)
    515000.0
    >>> xl_tsd.award_total(800000, 15000, 500000, True)  # "经济损失及合理开支共计 500,000"
    500000.0
    """
    loss = c.number(economic_loss, "economic_loss", lo=0.0)
    exp = c.number(expenses, "expenses", lo=0.0)
    cap = c.number(claimed, "claimed", lo=0.0, optional=True)
    both = c.boolean(claim_includes_expenses, "claim_includes_expenses", optional=True)
    loss, exp, cap, both = c.broadcast(economic_loss=loss, expenses=exp, claimed=cap,
                                       claim_includes_expenses=both)
    if isinstance(loss, float):
        if both:
            total = loss + exp
            return total if cap != cap or total <= cap else cap
        return (loss if cap != cap or loss <= cap else cap) + exp
    both = np.asarray(both, dtype=bool)
    # fmin ignores an unknown (NaN) claim
    return np.where(both, np.fmin(loss + exp, cap), np.fmin(loss, cap) + exp)
