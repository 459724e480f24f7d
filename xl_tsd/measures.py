"""Measures of the civil loss: lost profit, infringer's gains, license fee,
commercial value, remedial cost (DOMAIN §2, §4, §5)."""
from __future__ import annotations

import math

import numpy as np

from . import _coerce as c
from .errors import TsdMissingError, TsdNumError, TsdValueError
from .registry import Arg, Example, register

__all__ = ["lost_profit", "lost_profit_step", "infringer_gain", "component_profit_ok", "license_fee_loss",
           "income_value", "remedial_share"]

# seed 002
_LIU2025 = "刘明、万春花、张倩文（京师律师事务所）《商业秘密被侵犯如何定损？谈侵犯商业秘密罪中的损失数额认定问题》，2025-07-03"
_SPC2020 = "SPC Provisions on civil trade-secret cases, 法释〔2020〕7号"  # seed 003
_NAN = math.nan

#: Largest share of the whole product's profit one component may carry before it is
#: doubted: Jiangsu High Court in the 汪某 acquittal (211,664.74 of 403,664.73, seed 002).
COMPONENT_MAX_SHARE = 0.5


def _first_bad(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _cascade_masks(lu, op, iu, ip, *, always_position: bool):
    """Where the cascade's steps 1 and 2 apply (step 3 elsewhere); #N/A naming the missing volume where
    no step has its inputs (its position given for an array, or always)."""
    k1 = ~np.isnan(lu) & ~np.isnan(op)
    k2 = ~np.isnan(iu) & ~np.isnan(op)
    none = ~(k1 | k2 | (~np.isnan(iu) & ~np.isnan(ip)))
    if none.any():
        i = _first_bad(none)
        where = c.position(i, lu.shape) if always_position or lu.size > 1 else None
        _lost_profit_missing(lu.flat[i], iu.flat[i], where)
    return k1, k2


#: The arguments of the lost-profit cascade (LOST_PROFIT and LOST_PROFIT_STEP take the same).
_CASCADE_ARGS = [
    Arg("lost_units", "units", "Sales volume the holder lost because of the infringement (empty if not known)",
        "权利人因侵权减少的销售量（未知则留空）"),
    Arg("own_unit_profit", "元/unit", "Holder's reasonable profit per unit (empty if not known)",
        "权利人每件产品的合理利润（未知则留空）"),
    Arg("infringer_units", "units", "Infringer's sales volume", "侵权产品销售量", optional=True),
    Arg("infringer_unit_profit", "元/unit", "Infringer's profit per unit", "每件侵权产品的合理利润", optional=True),
]


def _cascade_inputs(lost_units, own_unit_profit, infringer_units, infringer_unit_profit):
    """The four cascade arguments checked (quantities, 0 or more; blank = not known) and broadcast."""
    return c.broadcast(
        lost_units=c.number(lost_units, "lost_units", lo=0.0, optional=True),
        own_unit_profit=c.number(own_unit_profit, "own_unit_profit", lo=0.0, optional=True),
        infringer_units=c.number(infringer_units, "infringer_units", lo=0.0, optional=True),
        infringer_unit_profit=c.number(infringer_unit_profit, "infringer_unit_profit", lo=0.0, optional=True))


@register(
    "LOST_PROFIT", category="measures", returns="number", unit="元",
    args=_CASCADE_ARGS,
    formula="lost_units × own_unit_profit; else infringer_units × own_unit_profit; "
            "else infringer_units × infringer_unit_profit",
    en="Holder's lost sales profit by the three-step cascade, using the first step whose inputs are known.",
    zh="权利人销售利润损失：按三步顺序，采用第一个输入已知的步骤。",
    basis_en="法释〔2020〕10号 Art. 5 para. 2 (three steps); 法释〔2025〕5号 Art. 18 para. 2 (the first two steps; the third now measures illegal gains, Art. 19).",
    basis_zh="法释〔2020〕10号第五条第二款（三步）；法释〔2025〕5号第十八条第二款（前两步；第三步改为违法所得，第十九条）。",
    references=(_LIU2025,),
    examples=(Example((1000, 50, 3000, 20), 50_000.0, "CASES.md F"),
              Example((None, 50, 3000, 20), 150_000.0, "CASES.md F"),
              Example((None, None, 3000, 20), 60_000.0, "CASES.md F"),
              Example((None, None, None, 20), "#N/A", "CASES.md F")),
)
def lost_profit(lost_units, own_unit_profit, infringer_units=None, infringer_unit_profit=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.lost_profit(1000, 50, 3000, 20)
    50000.0
    >>> xl_tsd.lost_profit(None, 50, 3000, 20)
    150000.0
    >>> xl_tsd.lost_profit(None, None, 3000, 20)
    60000.0
    """
    lu, op, iu, ip = _cascade_inputs(lost_units, own_unit_profit, infringer_units, infringer_unit_profit)
    if isinstance(lu, float):  # scalar fast path; the array path below is the same cascade
        if lu == lu and op == op:
            return lu * op
        if iu == iu:
            if op == op:
                return iu * op
            if ip == ip:
                return iu * ip
        _lost_profit_missing(lu, iu, None)
    k1, k2 = _cascade_masks(lu, op, iu, ip, always_position=True)
    return np.where(k1, lu * op, np.where(k2, iu * op, iu * ip))


#: What each step of the lost-profit cascade rests on (LOST_PROFIT_STEP's answer 1, 2, 3).
CASCADE_STEPS = {
    1: ("权利人减少的销量 × 权利人单位利润", "the holder's lost units × the holder's unit profit"),
    2: ("侵权产品销量 × 权利人单位利润", "the infringer's units × the holder's unit profit"),
    3: ("侵权产品销量 × 侵权产品单位利润（由侵权人数据推定）",
        "the infringer's units × the infringer's unit profit (presumed from the infringer's figures)"),
}


@register(
    "LOST_PROFIT_STEP", category="measures", returns="number", unit="1-3",
    args=_CASCADE_ARGS,
    formula="1 if lost_units and own_unit_profit are known; 2 if infringer_units and own_unit_profit; "
            "3 if infringer_units and infringer_unit_profit",
    en="Which step of the lost-profit cascade LOST_PROFIT uses: 1 and 2 rest on the holder's own unit profit, "
       "3 presumes the loss from the infringer's figures.",
    zh="LOST_PROFIT 采用的步骤：1、2 以权利人单位利润为据，3 以侵权人数据推定损失。",
    basis_en="法释〔2020〕10号 Art. 5 para. 2 (three steps); 法释〔2025〕5号 Art. 18 para. 2 keeps steps 1-2 only "
             "(step 3 now measures illegal gains, Art. 19).",
    basis_zh="法释〔2020〕10号第五条第二款（三步）；法释〔2025〕5号第十八条第二款仅前两步（第三步改为违法所得，第十九条）。",
    examples=(Example((1000, 50, 3000, 20), 1.0, "CASES.md F, first step"),
              Example((None, 50, 3000, 20), 2.0, "CASES.md F, second step"),
              Example((None, None, 3000, 20), 3.0, "CASES.md F, third step"),
              Example((None, None, None, 20), "#N/A", "CASES.md F")),
)
def lost_profit_step(lost_units, own_unit_profit, infringer_units=None, infringer_unit_profit=None):
    """
    The step tells a reader whether "lost profit" rests on the holder's figures (1, 2) or is
    presumed from the infringer's (3), where it is close to the infringer's gains.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.lost_profit_step(None, None, 3000, 20)
    3.0
    """
    lu, op, iu, ip = (np.atleast_1d(v) for v in _cascade_inputs(lost_units, own_unit_profit, infringer_units,
                                                                 infringer_unit_profit))
    k1, k2 = _cascade_masks(lu, op, iu, ip, always_position=False)
    out = np.where(k1, 1.0, np.where(k2, 2.0, 3.0))
    scalar = not any(c.is_array(v) for v in (lost_units, own_unit_profit, infringer_units, infringer_unit_profit))
    return c.result(out[0] if scalar else out)


def _lost_profit_missing(lu: float, iu: float, where: str | None):
    if lu != lu and iu != iu:
        raise TsdMissingError("lost_units", "a sales volume is needed: the holder's lost units, "
                              "or the infringer's units (infringer_units)", where=where)
    raise TsdMissingError("own_unit_profit", "a unit profit is needed: the holder's, or with "
                          "infringer_units the infringer's (infringer_unit_profit)", where=where)


@register(
    "INFRINGER_GAIN", category="measures", returns="number", unit="元",
    args=[Arg("revenue", "元", "Infringer's revenue from the infringing products", "侵权产品销售收入"),
          Arg("profit_margin", "decimal of revenue", "Infringer's profit margin (negative for a loss; empty if not known)",
              "侵权人利润率（亏损为负；未知则留空）"),
          Arg("benchmark_margin", "decimal 0-1", "Industry benchmark margin of comparable firms, same period",
              "同期同行业可比企业利润率", optional=True)],
    formula="revenue × profit_margin; if profit_margin ≤ 0 or unknown: revenue × benchmark_margin "
            "(#N/A without a benchmark)",
    en="Infringer's gains: revenue x margin; a loss-making or unknown margin falls back to an industry benchmark.",
    zh="侵权获利＝销售收入×利润率；侵权人亏损或利润率未知时，按同行业基准利润率计算。",
    basis_en="AUCL 2019 Art. 17 para. 3 / 2025 Art. 22; SPC (2023)最高法知民终1590号 "
             "(benchmark of representative NEV makers).",
    basis_zh="《反不正当竞争法》（2019）第十七条第三款/（2025）第二十二条；(2023)最高法知民终1590号（以同行业代表性企业同期利润为参考）。",
    references=(_LIU2025,),
    examples=(Example((1_000_000, 0.12), 120_000.0, "hand calculation"),
              Example((1_000_000, -0.3, 0.05), 50_000.0, "hand calculation, the benchmark rule")),
)
def infringer_gain(revenue, profit_margin, benchmark_margin=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.infringer_gain(1_000_000, 0.12)
    120000.0
    >>> xl_tsd.infringer_gain(1_000_000, -0.30, 0.05)
    50000.0
    """
    r = c.number(revenue, "revenue", lo=0.0)
    m = c.number(profit_margin, "profit_margin", hi=1.0, optional=True)
    b = c.share(benchmark_margin, "benchmark_margin", optional=True)
    r, m, b = c.broadcast(revenue=r, profit_margin=m, benchmark_margin=b)
    arr = np.atleast_1d
    ra, ma, ba = arr(r), arr(m), arr(b)
    use_bench = ~(ma > 0) & ~np.isnan(ba)  # margin <= 0 or unknown, benchmark given
    missing = np.isnan(ma) & np.isnan(ba)
    no_gain = (ma <= 0) & np.isnan(ba)  # a loss-making or break-even infringer: no gain can be measured
    if missing.any():
        raise TsdMissingError("profit_margin", "the infringer's margin, or benchmark_margin",
                              where=c.position(_first_bad(missing), ma.shape) if ma.size > 1 else None)
    if no_gain.any():
        i = _first_bad(no_gain)
        where = f" at {c.position(i, ma.shape)}" if ma.size > 1 else ""
        raise TsdMissingError("benchmark_margin", "an industry benchmark margin", message=(
            f"benchmark_margin is needed: the infringer's margin is {float(ma.flat[i]):g}{where}, and no gain "
            "can be measured from a margin of 0 or less without an industry benchmark margin"))
    out = ra * np.where(use_bench, ba, ma)
    return c.result(out if np.ndim(r) else out[0])


@register(
    "COMPONENT_PROFIT_OK", category="measures", returns="bool", unit="TRUE/FALSE",
    args=[Arg("component_profit", "元", "Profit attributed to the component or secret", "归属于部件（秘点）的利润"),
          Arg("whole_profit", "元", "Profit of the whole product", "整机（整体产品）利润"),
          Arg("max_share", "decimal 0-1", "Largest plausible share of the whole profit", "可信的最大占比",
              optional=True, default=COMPONENT_MAX_SHARE)],
    formula="component_profit ≤ max_share × whole_profit",
    en="Plausibility check: FALSE when one component is credited with more than max_share of the whole profit.",
    zh="合理性检验：部件利润超过整机利润的max_share时为FALSE。",
    basis_en="Jiangsu High People's Court, 汪某 acquittal: a crawler assembly credited with 52.4% of the "
             "machine's profit was doubted (as reported by 刘明 et al., 2025).",
    basis_zh="江苏省高级人民法院汪某宣告无罪案：履带总成利润超过整机利润50%，真实性存在合理怀疑（刘明等，2025）。",
    references=(_LIU2025,),
    examples=(Example((211664.74, 403664.73), False, "CASES.md D"),
              Example((211664.74, 403664.73, 0.6), True, "CASES.md D")),
)
def component_profit_ok(component_profit, whole_profit, max_share=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.component_profit_ok(211664.74, 403664.73)
    False
    >>> xl_tsd.component_profit_ok(211664.74, 403664.73, 0.6)
    True
    """
    cp = c.number(component_profit, "component_profit")
    wp = c.number(whole_profit, "whole_profit", lo=0.0, lo_open=True, error=TsdNumError)
    ms = c.number(COMPONENT_MAX_SHARE if max_share is None else max_share, "max_share",
                  lo=0.0, hi=1.0, lo_open=True, optional=True)
    if isinstance(ms, float) and ms != ms:
        ms = COMPONENT_MAX_SHARE
    elif isinstance(ms, np.ndarray):
        ms = np.where(np.isnan(ms), COMPONENT_MAX_SHARE, ms)
    cp, wp, ms = c.broadcast(component_profit=cp, whole_profit=wp, max_share=ms)
    return c.result(cp <= ms * wp)


@register(
    "LICENSE_FEE_LOSS", category="measures", returns="number", unit="元",
    args=[Arg("license_fee", "元", "Fee of a comparable license over its term", "可比许可在其期限内的许可费"),
          Arg("license_years", "years", "Term the fee covers", "许可费对应的许可期限"),
          Arg("infringement_years", "years", "Length of the infringement", "侵权持续期间"),
          Arg("multiple", "x", "Adjustment for the license type, scope and term of the comparable (not a punitive "
              "multiple)", "调整系数（可比许可的类型、范围、期限之差；非惩罚性赔偿倍数）", optional=True, default=1)],
    formula="license_fee × infringement_years / license_years × multiple",
    en="Reasonable license fee for the infringing period, pro-rated from a comparable license, times an adjustment "
       "for the differences of the license (type, scope, term).",
    zh="参照可比许可按侵权期间折算的合理许可使用费，乘以许可类型、范围、期限差异的调整系数。",
    basis_en="SPC 法释〔2020〕7号 Art. 20 para. 1 (the nature, content and performance of the license); 法释〔2025〕5号 "
             "Art. 18 para. 1 items 1-2 (criminal loss). A multiple of the fee as the punitive base (法释〔2021〕4号 "
             "Art. 5 para. 2) is a separate input of the template, not this argument.",
    basis_zh="法释〔2020〕7号第二十条第一款（许可的性质、内容、实际履行情况）；法释〔2025〕5号第十八条第一款第（一）、（二）项"
             "（刑事损失）。以许可费的倍数作惩罚性赔偿基数（法释〔2021〕4号第五条第二款）为模板中另一输入，非本参数。",
    references=(_SPC2020,),
    examples=(Example((300000, 3, 2), 200_000.0, "hand calculation: 300000 x 2 / 3"),
              Example((300000, 3, 2, 2), 400_000.0, "hand calculation")),
)
def license_fee_loss(license_fee, license_years, infringement_years, multiple=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.license_fee_loss(300000, 3, 2)
    200000.0
    >>> xl_tsd.license_fee_loss(300000, 3, 2, 2)
    400000.0
    """
    f = c.number(license_fee, "license_fee", lo=0.0)
    ly = c.number(license_years, "license_years", lo=0.0, lo_open=True)
    iy = c.number(infringement_years, "infringement_years", lo=0.0)
    k = c.number(multiple, "multiple", lo=0.0, lo_open=True, optional=True)
    k = np.where(np.isnan(k), 1.0, k) if isinstance(k, np.ndarray) else (1.0 if k != k else k)
    f, ly, iy, k = c.broadcast(license_fee=f, license_years=ly, infringement_years=iy, multiple=k)
    return c.result(f * iy / ly * k)


@register(
    "INCOME_VALUE", category="measures", returns="number", unit="元",
    args=[Arg("annual_income", "元/year", "Income the secret earns per year", "技术秘密每年带来的收益"),
          Arg("advantage_years", "years", "Period of competitive advantage (may be fractional)",
              "可保持竞争优势的期间（可为小数）"),
          Arg("discount_rate", "decimal per year", "Discount rate", "折现率")],
    formula="Σ_{t=1..⌊n⌋} I/(1+r)^t + (n−⌊n⌋)·I/(1+r)^n",
    en="Commercial value by the income approach: present value of the annual income over the advantage period.",
    zh="收益法商业价值：竞争优势期内各年末收益的现值（末年不足一年按比例）。",
    basis_en="SPC 法释〔2020〕7号 Art. 19 (income from implementing the secret, period of competitive advantage); "
             "法释〔2025〕5号 Art. 18 item 5 (commercial value).",
    basis_zh="法释〔2020〕7号第十九条（实施收益、可保持竞争优势的时间）；法释〔2025〕5号第十八条第（五）项。",
    references=(_SPC2020,),
    examples=(Example((100000, 2, 0), 200_000.0, "hand calculation"),
              Example((100000, 1, 0.1), 100000 / 1.1, "hand calculation: 100000 / 1.1")),
)
def income_value(annual_income, advantage_years, discount_rate):
    """
    The income of a final part-year is received at the end of the advantage
    period (t = n), pro rata.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.income_value(100000, 2.5, 0)
    250000.0
    >>> round(xl_tsd.income_value(100000, 2, 0.10), 2)
    173553.72
    """
    i = c.number(annual_income, "annual_income", lo=0.0)
    n = c.number(advantage_years, "advantage_years", lo=0.0)
    r = c.number(discount_rate, "discount_rate", lo=0.0)
    i, n, r = c.broadcast(annual_income=i, advantage_years=n, discount_rate=r)
    k = np.floor(n)
    log_v = -np.log1p(r)  # log of the discount factor 1/(1+r)
    with np.errstate(divide="ignore", invalid="ignore"):
        # (1 - v^k) / r written with expm1: no cancellation for a tiny rate
        annuity = np.where(r == 0, k, -np.expm1(k * log_v) / np.where(r == 0, 1.0, r))
    return c.result(i * (annuity + (n - k) * np.exp(n * log_v)))


#: REMEDIAL_SHARE kinds ((2022)最高法知民终945号, seed 001): restoring or rebuilding measures the infringement
#: defeated counts in full; strengthening them is apportioned.
RESTORE_KINDS = ("restore", "rebuild", "修复", "重建")
ENHANCE_KINDS = ("enhance", "strengthen", "加强")


@register(
    "REMEDIAL_SHARE", category="measures", returns="number", unit="元",
    args=[Arg("cost", "元", "Cost of the remedial measure", "补救措施费用"),
          Arg("kind", "text", '"restore"/修复/重建 (in full) or "enhance"/加强 (apportioned)',
              "修复/重建（全额）或加强（分摊）"),
          Arg("useful_life_years", "years", "Useful life of an enhancement", "加强措施的使用年限", optional=True),
          Arg("attributable_years", "years", "Years of that life attributable to the infringement",
              "归因于侵权行为的年限", optional=True)],
    formula='restore: cost; enhance: cost × min(1, attributable_years / useful_life_years)',
    en="Recoverable remedial cost: restoring defeated secrecy measures in full; strengthening them apportioned.",
    zh="可计入损失的补救费用：修复、重建保密措施全额计入；加强保密措施按归因年限分摊。",
    basis_en="SPC (2022)最高法知民终945号 (judgment of 2023-06-30); AUCL 2019 Art. 17 paras 3-4; 法释〔2020〕7号 Art. 20 para. 2; "
             "in criminal cases counted in the loss as spent (法释〔2020〕10号 Art. 5 para. 3, 法释〔2025〕5号 Art. 18 para. 3).",
    basis_zh="(2022)最高法知民终945号（2023年6月30日判决）；《反不正当竞争法》第十七条第三、四款；法释〔2020〕7号第二十条第二款；"
             "刑事案件按实际支出计入损失（法释〔2020〕10号第五条第三款；法释〔2025〕5号第十八条第三款）。",
    references=("青岛义龙机械有限公司诉贾某权侵害技术秘密纠纷案, 最高人民法院(2022)最高法知民终945号民事判决, 2023-06-30",),
    examples=(Example((151600, "enhance", 5, 2), 60_640.0, "CASES.md B"),
              Example((151600, "restore"), 151_600.0, "CASES.md B")),
)
def remedial_share(cost, kind, useful_life_years=None, attributable_years=None):
    """
    The straight-line apportionment is a method the expert shows; the SPC in
    (2022)最高法知民终945号 fixed 60,000 by discretion without stating one.

    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.remedial_share(151600, "enhance", 5, 2)
    60640.0
    >>> xl_tsd.remedial_share(151600, "修复")
    151600.0
    """
    cost_ = c.number(cost, "cost", lo=0.0)
    kind_ = c.text(kind, "kind")
    life = c.number(useful_life_years, "useful_life_years", lo=0.0, lo_open=True, optional=True)
    attr = c.number(attributable_years, "attributable_years", lo=0.0, optional=True)
    scalar = not any(isinstance(v, np.ndarray) for v in (cost_, kind_, life, attr))
    cost_, kind_, life, attr = c.broadcast(cost=cost_, kind=kind_, useful_life_years=life,
                                           attributable_years=attr)
    kinds = np.atleast_1d(kind_)
    enhance = np.empty(kinds.shape, dtype=bool)
    for i, k in enumerate(kinds.flat):
        low = k.lower()
        if low in ENHANCE_KINDS:
            enhance.flat[i] = True
        elif low in RESTORE_KINDS:
            enhance.flat[i] = False
        else:
            raise TsdValueError("kind", '"restore"/"修复"/"重建" or "enhance"/"加强"', k,
                                where=None if scalar else c.position(i, kinds.shape))
    life_a, attr_a, cost_a = np.atleast_1d(life), np.atleast_1d(attr), np.atleast_1d(cost_)
    for arg, vals in (("useful_life_years", life_a), ("attributable_years", attr_a)):
        gap = enhance & np.isnan(vals)
        if gap.any():
            raise TsdMissingError(arg, 'needed for kind "enhance"',
                                  where=None if scalar else c.position(_first_bad(gap), gap.shape))
    with np.errstate(invalid="ignore"):
        out = np.where(enhance, cost_a * np.minimum(1.0, attr_a / life_a), cost_a)
    return c.result(out[0] if scalar else out)
