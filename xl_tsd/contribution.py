"""The technology contribution rate (技术贡献率) and the damages base (DOMAIN §3)."""
from __future__ import annotations

import numpy as np

from . import _coerce as c
from .errors import TsdMissingError, TsdNumError, TsdValueError
from .registry import Arg, Example, register

__all__ = ["tech_contrib_rate", "points_share", "profit_split", "royalty_to_split",
           "ahp_weights", "ahp_cr", "effective_contrib", "damages_base"]

# seed 004 (its title could not be found; author, firm and publishers are verified)
_LI_DEBAO = ("李德宝（北京市集佳律师事务所）：关于侵害技术秘密纠纷案中技术贡献率计算的文章，评威某汽车案 "
             "(2023)最高法知民终1590号，集佳律师事务所网站 / IPRdaily中文网，2024")
_SHARE = "decimal 0-1"


@register(
    "TECH_CONTRIB_RATE", category="contribution", returns="number", unit=_SHARE,
    args=[Arg("s1", _SHARE, "Share of the claimed secret points that are held established",
              "主张并成立的秘点占主张的全部秘点的技术占比"),
          Arg("s2", _SHARE, "Share of all claimed points within the related technology",
              "主张的全部秘点占本案相关技术的占比"),
          Arg("s3", _SHARE, "Share of the related technology within the product's whole technology",
              "相关技术在产品全部技术中的占比"),
          Arg("s4", _SHARE, "Share of product profit earned by technology as a whole (profit split)",
              "产品利润中全部技术的贡献（利润分成率）")],
    formula="s1 × s2 × s3 × s4",
    en="Technology contribution rate of the trade secret to the product's profit.",
    zh="技术秘密对产品利润的技术贡献率。",
    basis_en="SPC (2023)最高法知民终1590号 (vehicle chassis case: 80% x 40% x 25% = 8%); "
             "SPC Interpretation on unfair competition (2007) Art. 17 by reference to patent damages.",
    basis_zh="最高人民法院(2023)最高法知民终1590号（威某汽车案，80%×40%×25%=8%）；参照专利侵权赔偿计算方法。",
    references=(_LI_DEBAO,),
    examples=(Example((1, 0.8, 0.4, 0.25), 0.08, "CASES.md A, FUNCTIONS.md"),),
)
def tech_contrib_rate(s1, s2, s3, s4):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> round(xl_tsd.tech_contrib_rate(1, 0.8, 0.4, 0.25), 10)
    0.08
    >>> xl_tsd.tech_contrib_rate([1, 0.5], 0.8, 0.4, 0.25)
    array([0.08, 0.04])
    """
    s1, s2, s3, s4 = c.broadcast(s1=c.share(s1, "s1"), s2=c.share(s2, "s2"),
                                 s3=c.share(s3, "s3"), s4=c.share(s4, "s4"))
    return c.result(s1 * s2 * s3 * s4)


@register(
    "POINTS_SHARE", category="contribution", returns="number", unit=_SHARE,
    args=[Arg("weights", "weight ≥ 0", "Weight of each claimed secret point (a column of the points table)",
              "各主张秘点的权重（秘点表一列）", whole_range=True),
          Arg("established", "TRUE/FALSE", "Whether each point was held established (same size as weights)",
              "各秘点是否被认定成立（与权重同大小）", whole_range=True)],
    formula="Σ weight(established) / Σ weight(all claimed)",
    en="Share of the claimed secret points held established, by weight (s1). Rows left blank are ignored.",
    zh="成立秘点按权重占全部主张秘点的比例（s1），空行忽略。",
    basis_en="李德宝 (2024), step 1: share of points claimed and held established (秘点技术占比).",
    basis_zh="李德宝（2024）第一步：主张并成立的秘点占全部主张秘点的技术占比。",
    references=(_LI_DEBAO,),
    examples=(Example(([1, 2, 1], [True, True, False]), 0.75, "hand calculation: (1+2)/(1+2+1)"),),
)
def points_share(weights, established):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.points_share([1, 2, 1], [True, True, "否"])
    0.75
    """
    w = c.number(weights if c.is_array(weights) else [weights], "weights", lo=0.0, optional=True).ravel()
    e = np.asarray(c.text(established, "established", optional=True) if False else
                   established if c.is_array(established) else [established], dtype=object).ravel()
    if w.size != e.size:
        raise TsdValueError("established", "the same size as weights", message=(
            f"established must be the same size as weights ({e.size} cells against {w.size})"))
    e_known = np.array([not c._missing(v) for v in e], dtype=bool)
    w_known = ~np.isnan(w)
    for i in np.flatnonzero(w_known != e_known):
        arg = "established" if w_known[i] else "weights"
        raise TsdMissingError(arg, "each point needs both a weight and established TRUE/FALSE",
                              where=f"point {i + 1}")
    used = w_known & e_known
    if not used.any():
        raise TsdMissingError("weights", "at least one secret point with a weight")
    flags = c.boolean(list(e[used]), "established")
    total = float(w[used].sum())
    if total <= 0:
        raise TsdNumError("weights", "a total above 0", total)
    return float(w[used][flags].sum()) / total


#: Rules of thumb for the technology's share of profit (seed 004): name -> share.
PROFIT_SPLITS = {"三分法": 1.0 / 3.0, "thirds": 1.0 / 3.0, "three-factor": 1.0 / 3.0,
                 "四分法": 0.25, "quarters": 0.25, "four-factor": 0.25}


@register(
    "PROFIT_SPLIT", category="contribution", returns="number", unit=_SHARE,
    args=[Arg("method", "text", "三分法/thirds (capital, labour, technology) or 四分法/quarters (plus management)",
              "三分法（资金、劳动、技术）或四分法（另加管理）")],
    formula="三分法 = 1/3; 四分法 = 1/4",
    en="Technology's share of product profit by the three- or four-factor rule of thumb (s4).",
    zh="按三分法或四分法确定的技术利润分成率（s4）。",
    basis_en="Valuation practice for patent and know-how profit split (李德宝 2024, part three); "
             "the vehicle case used 25%.",
    basis_zh="专利及技术秘密利润分成的评估实务经验数据（李德宝，2024）；威某汽车案采用25%。",
    references=(_LI_DEBAO,),
    examples=(Example(("四分法",), 0.25, "FUNCTIONS.md"),
              Example(("三分法",), 1.0 / 3.0, "CASES.md H")),
)
def profit_split(method):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.profit_split("四分法")
    0.25
    >>> round(xl_tsd.profit_split("thirds"), 4)
    0.3333
    """
    m = c.text(method, "method")

    def one(name, where=None):
        v = PROFIT_SPLITS.get(name.lower())
        if v is None:
            raise TsdValueError("method", '"三分法"/"thirds" or "四分法"/"quarters"', name, where=where)
        return v
    if isinstance(m, str):
        return one(m)
    return np.array([one(v, c.position(i, m.shape)) for i, v in enumerate(m.flat)]).reshape(m.shape)


@register(
    "ROYALTY_TO_SPLIT", category="contribution", returns="number", unit=_SHARE,
    args=[Arg("royalty_rate", "decimal of sales", "Royalty rate on sales of a comparable license",
              "可比许可的销售额提成率"),
          Arg("profit_margin", "decimal of sales", "Profit margin on the same sales", "同一销售额的利润率")],
    formula="royalty_rate / profit_margin",
    en="Profit split implied by a royalty rate on sales (s4); #NUM! above 100% or for a margin of 0 or less.",
    zh="由销售额提成率换算的利润分成率（s4）。",
    basis_en="Valuation practice: royalty on sales / profit margin = share of profit (李德宝 2024).",
    basis_zh="评估实务：销售提成率 ÷ 销售利润率 = 利润分成率（李德宝，2024）。",
    references=(_LI_DEBAO,),
    examples=(Example((0.05, 0.20), 0.25, "CASES.md H"),),
)
def royalty_to_split(royalty_rate, profit_margin):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.royalty_to_split(0.05, 0.20)
    0.25
    """
    r = c.share(royalty_rate, "royalty_rate")
    m = c.number(profit_margin, "profit_margin", lo=0.0, hi=1.0, lo_open=True, error=TsdNumError)
    r, m = c.broadcast(royalty_rate=r, profit_margin=m)
    split = r / m
    if np.any(split > 1.0):
        bad = split if np.ndim(split) == 0 else split.flat[int(np.flatnonzero(split > 1)[0])]
        raise TsdNumError("royalty_rate", "at most profit_margin (a split above 100%)", float(bad),
                          message=f"royalty_rate / profit_margin must be at most 1 (got {float(bad):.4g})")
    return c.result(split)


#: Saaty's random consistency index RI by matrix order n (as tabulated in Chinese AHP texts).
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.54, 1.56, 1.58, 1.59)
#: a_ij * a_ji may differ from 1 by this much: reciprocals typed to two decimals (3 and 0.33 give 0.99;
#: 7 and 0.14 give 0.98) pass, a real asymmetry (3 and 0.5) does not.
_RECIPROCAL_TOL = 0.02
#: ... or the smaller entry may be the exact reciprocal rounded to two decimals (8 and 0.13 give 1.04).
_TWO_DECIMALS = 0.005 + 1e-9


def _ahp(matrix):
    a = c.number(matrix, "matrix", lo=0.0, lo_open=True)
    a = np.atleast_2d(a)
    n = a.shape[0]
    if a.ndim != 2 or a.shape[1] != n:
        raise TsdValueError("matrix", "a square n x n range", message=(
            f"matrix must be a square n x n range (got {a.shape[0]} x {a.shape[-1]})"))
    if n > len(SAATY_RI):
        raise TsdNumError("matrix", f"at most {len(SAATY_RI)} x {len(SAATY_RI)} (Saaty's RI table)", n)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # huge entries: non-reciprocal below
        off = np.abs(a * a.T - 1.0)
        small = np.minimum(a, a.T)
        # the smaller entry has at most two decimals and is the larger's reciprocal so rounded
        rounded = (np.abs(small - np.round(small, 2)) <= 1e-9) & (np.abs(small - 1.0 / np.maximum(a, a.T)) <= _TWO_DECIMALS)
    off = np.where(rounded, 0.0, off)
    if (off > _RECIPROCAL_TOL + 1e-9).any():  # 3 x 0.34 is 1.0200000000000002 in floating point
        i, j = np.unravel_index(int(np.argmax(off)), a.shape)
        raise TsdValueError("matrix", "reciprocal (a_ji = 1 / a_ij)", message=(
            f"matrix must be reciprocal: row {i + 1}, column {j + 1} is {a[i, j]:g} but row {j + 1}, "
            f"column {i + 1} is {a[j, i]:g} (should be {1 / max(a[i, j], 1e-300):.4g})"))
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    w = np.abs(vecs[:, k].real)
    return w / w.sum(), float(vals[k].real), n


@register(
    "AHP_WEIGHTS", category="contribution", returns="column", unit=_SHARE,
    args=[Arg("matrix", "ratio > 0", "Pairwise-comparison matrix: positive, reciprocal, n x n",
              "两两比较判断矩阵：正、互反、n×n", whole_range=True)],
    formula="principal eigenvector w of A, normalised so Σ w = 1",
    en="Factor weights by the Analytic Hierarchy Process: principal eigenvector of the comparison matrix.",
    zh="层次分析法：判断矩阵最大特征值对应特征向量（归一化）得到的因素权重。",
    basis_en="Saaty's Analytic Hierarchy Process, used in valuation to estimate the technology's profit split "
             "(贡献要素层次分析法, cited by 李德宝 2024).",
    basis_zh="层次分析法（Saaty），评估实务中用于估算技术分成率（李德宝，2024，引述）。",
    references=("T. L. Saaty, The Analytic Hierarchy Process, McGraw-Hill, 1980.", _LI_DEBAO),
    examples=(Example(([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]],), [0.637, 0.258, 0.105],
                      "CASES.md H"),),
)
def ahp_weights(matrix):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.ahp_weights([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]]).round(3)
    array([0.637, 0.258, 0.105])
    """
    return _ahp(matrix)[0]


@register(
    "AHP_CR", category="contribution", returns="number", unit="ratio",
    args=[Arg("matrix", "ratio > 0", "Pairwise-comparison matrix: positive, reciprocal, n x n",
              "两两比较判断矩阵：正、互反、n×n", whole_range=True)],
    formula="CR = ((λmax − n) / (n − 1)) / RI(n); accept when CR < 0.10",
    en="Consistency ratio of an AHP comparison matrix; the weights are accepted when it is below 0.10.",
    zh="层次分析法判断矩阵的一致性比率CR，小于0.10时通过一致性检验。",
    basis_en="Saaty's consistency ratio with the random index table RI(n).",
    basis_zh="Saaty一致性比率，随机一致性指标RI表。",
    references=("T. L. Saaty, The Analytic Hierarchy Process, McGraw-Hill, 1980.",),
    examples=(Example(([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]],), 0.033, "CASES.md H"),),
)
def ahp_cr(matrix):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> round(xl_tsd.ahp_cr([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]]), 3)
    0.033
    """
    _, lam, n = _ahp(matrix)
    if n <= 2:
        return 0.0
    return max(0.0, (lam - n) / (n - 1)) / SAATY_RI[n - 1]


@register(
    "EFFECTIVE_CONTRIB", category="contribution", returns="number", unit=_SHARE,
    args=[Arg("rate", _SHARE, "Technology contribution rate", "技术贡献率"),
          Arg("core_decisive", "TRUE/FALSE", "The secret or part is core or decisive to the whole product",
              "秘点或零部件在整体技术方案或产品中起核心或决定性作用"),
          Arg("books_refused", "TRUE/FALSE", "The defendant refused to produce, or falsified, its books",
              "被告无正当理由拒不提供或提供虚假账簿、资料", optional=True, default=False),
          Arg("malice_lost_trade", "TRUE/FALSE",
              "Obvious malice, few competitors, and the holder lost the trade",
              "明显恶意、经营者较少、原告因侵权丧失交易机会", optional=True, default=False)],
    formula="1 if core_decisive or books_refused or malice_lost_trade else rate",
    en="The contribution rate to apply: 1 (the whole product's profit) where an exception to the contribution rate holds, else rate.",
    zh="应适用的贡献率：存在不考虑技术贡献率的情形时为1（按整体利润计算），否则为技术贡献率。",
    basis_en="Jiangsu guideline on trade-secret crimes (2024) Part IV; SPC Provisions 法释〔2020〕7号 Art. 24; "
             "SPC (2021)最高法知民终1363号.",
    basis_zh="江苏省《办理侵犯商业秘密刑事案件的指引》第四条；法释〔2020〕7号第二十四条；(2021)最高法知民终1363号。",
    references=(_LI_DEBAO,),
    examples=(Example((0.08, False), 0.08, "DOMAIN §3"), Example((0.08, False, True), 1.0, "DOMAIN §3")),
)
def effective_contrib(rate, core_decisive, books_refused=None, malice_lost_trade=None):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.effective_contrib(0.08, "否")
    0.08
    >>> xl_tsd.effective_contrib(0.08, False, True)
    1.0
    """
    r = c.share(rate, "rate")
    a = c.boolean(core_decisive, "core_decisive")
    b = c.boolean(books_refused, "books_refused", optional=True)
    m = c.boolean(malice_lost_trade, "malice_lost_trade", optional=True)
    r, a, b, m = c.broadcast(rate=r, core_decisive=a, books_refused=b, malice_lost_trade=m)
    if isinstance(r, float):
        return 1.0 if (a or b or m) else r
    return np.where(a | b | m, 1.0, r)


@register(
    "DAMAGES_BASE", category="contribution", returns="number", unit="元",
    args=[Arg("unit_price", "元/unit", "Selling price per unit", "销售单价"),
          Arg("quantity", "units", "Units sold (holder's lost units or infringer's units)",
              "销售数量（权利人少销售数量或侵权产品销售数量）"),
          Arg("profit_margin", _SHARE, "Operating or sales profit margin", "营业利润率或销售利润率"),
          Arg("contrib_rate", _SHARE, "Technology contribution rate to apply", "适用的技术贡献率")],
    formula="unit_price × quantity × profit_margin × contrib_rate",
    en="Damages base (punitive base where punitive damages apply): price x units x margin x contribution.",
    zh="损害赔偿额（惩罚性赔偿基数）= 单价×数量×利润率×技术贡献率。",
    basis_en="AUCL 2019 Art. 17 / 2025 Art. 22; SPC 法释〔2021〕4号 Art. 5 (base excludes expenses); the formula of 李德宝 (2024).",
    basis_zh="《反不正当竞争法》（2019）第十七条/（2025）第二十二条；法释〔2021〕4号第五条（基数不含合理开支）；李德宝（2024）的公式。",
    references=(_LI_DEBAO,),
    examples=(Example((150000, 1000, 0.1, 0.08), 1_200_000.0, "hand calculation"),),
)
def damages_base(unit_price, quantity, profit_margin, contrib_rate):
    """
    Examples
    --------
    >>> import xl_tsd
    >>> xl_tsd.damages_base(150000, 1000, 0.10, 0.08)
    1200000.0
    """
    p = c.number(unit_price, "unit_price", lo=0.0)
    q = c.number(quantity, "quantity", lo=0.0)
    m = c.share(profit_margin, "profit_margin")
    r = c.share(contrib_rate, "contrib_rate")
    p, q, m, r = c.broadcast(unit_price=p, quantity=q, profit_margin=m, contrib_rate=r)
    return c.result(p * q * m * r)
