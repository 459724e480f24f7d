"""The versioned table of legal parameters: the only place a legal figure lives.

Each row is one value of one key, in force from a date until the next row of
the same key, with the instrument and article it comes from. Functions read it
through :func:`rule` / :func:`rule_values`; the template's Sources sheet and
the docs are generated from :data:`RULES`.

Dates are the dates the instrument took effect (施行日期). Which date a case
should be looked up on (conduct, judgment) is the user's choice; see the
Notes of the functions that use the table.

Every row says whether it is ``verified``: True only where the public text named
by its instrument's ``source`` states the figure or wording at the article given.
The one unverified row, ``criminal_especially_serious_repeat`` (1,000,000 under
法释〔2025〕5号, a reading of its "相应规定标准十倍" with the repeat item), is
shown for the expert and applied by no function: CRIMINAL_TIER keeps the
ordinary 3,000,000 for everyone until it is confirmed.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np

from .errors import TsdMissingError, TsdValueError

__all__ = ["Instrument", "Rule", "RULES", "INSTRUMENTS", "rule", "rule_values", "rules_of", "keys",
           "rules_in_force", "table_digest"]

D = _dt.date


@dataclass(frozen=True)
class Instrument:
    """A statute or judicial interpretation, and the public text its rows were checked against."""

    zh: str  # Chinese title and number
    en: str  # English title
    in_force: _dt.date
    source: str  # the public text checked: title, publisher or site, date


@dataclass(frozen=True)
class Rule:
    """One legal parameter value and where it comes from.

    ``verified`` is True only where the instrument's public text (``source``) states the
    figure or wording and the article; ``note`` says what was not confirmed, where not.
    """

    key: str
    value: float | str | _dt.date
    effective_from: _dt.date
    instrument: str  # key into INSTRUMENTS
    article: str
    meaning_en: str
    meaning_zh: str
    verified: bool = False
    note: str = ""

    @property
    def source(self) -> str:
        return INSTRUMENTS[self.instrument].source

    def citation(self, lang: str = "zh") -> str:
        ins = INSTRUMENTS[self.instrument]
        return f"{ins.zh} {self.article}" if lang == "zh" else f"{ins.en}, {self.article}"

    @property
    def citation_zh(self) -> str:
        return self.citation("zh")

    @property
    def citation_en(self) -> str:
        return self.citation("en")

    @property
    def status(self) -> str:
        """``已核实 verified`` or ``未核实 unverified``, as the workbook and the docs show it."""
        return "已核实 verified" if self.verified else "未核实 unverified"


# Read in public copies of the database's text (the official site could not be reached when the table
# was built): say so where a user reads it.
_DB = "国家法律法规数据库（flk.npc.gov.cn）文本之公开副本，未与官网直接核对"

#: Instruments cited, by key. ``source``: the public text each row was checked against.
INSTRUMENTS: dict[str, Instrument] = {
    "CRIMLAW1997": Instrument("《中华人民共和国刑法》（1997年修订）", "Criminal Law (1997 revision)",
                              D(1997, 10, 1), f"《中华人民共和国刑法》（1997年3月14日修订）, {_DB}, 1997-03-14"),
    "CRIMLAW_A11": Instrument("《中华人民共和国刑法修正案（十一）》", "Criminal Law Amendment XI", D(2021, 3, 1),
                              f"《中华人民共和国刑法修正案（十一）》, {_DB}, 2020-12-26"),
    "AUCL2017": Instrument("《反不正当竞争法》（2017年修订）", "Anti-Unfair Competition Law (2017 revision)", D(2018, 1, 1),
                           f"《中华人民共和国反不正当竞争法》（2017年11月4日修订）, {_DB}, 2017-11-04"),
    "AUCL2019": Instrument("《反不正当竞争法》（2019年修正）", "Anti-Unfair Competition Law (2019 amendment)", D(2019, 4, 23),
                           f"《中华人民共和国反不正当竞争法》（2019年4月23日修正）, {_DB}, 2019-04-23"),
    "AUCL2025": Instrument("《反不正当竞争法》（2025年修订）", "Anti-Unfair Competition Law (2025 revision)", D(2025, 10, 15),
                           f"《中华人民共和国反不正当竞争法》（2025年6月27日修订，第四十一条：自2025年10月15日起施行）, "
                           f"{_DB}, 2025-06-27"),
    "CRIM2004": Instrument("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释》法释〔2004〕19号",
                           "SPC/SPP Interpretation on IP crimes, Fa Shi [2004] No. 19", D(2004, 12, 22),
                           f"法释〔2004〕19号, 最高人民法院、最高人民检察院公告, {_DB}, 2004-12-08"),
    "CRIM2020": Instrument("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（三）》法释〔2020〕10号",
                           "SPC/SPP Interpretation (III) on IP crimes, Fa Shi [2020] No. 10", D(2020, 9, 14),
                           f"法释〔2020〕10号（第十二条：自2020年9月14日起施行）, {_DB}, 2020-09-12"),
    "CRIM2025": Instrument("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件适用法律若干问题的解释》法释〔2025〕5号",
                           "SPC/SPP Interpretation on IP crimes, Fa Shi [2025] No. 5", D(2025, 4, 26),
                           f"法释〔2025〕5号（第三十一条：自2025年4月26日起施行）, {_DB}, 2025-04-24"),
    "SPC2020CIVIL": Instrument("《最高人民法院关于审理侵犯商业秘密民事案件适用法律若干问题的规定》法释〔2020〕7号",
                               "SPC Provisions on civil trade-secret cases, Fa Shi [2020] No. 7", D(2020, 9, 12),
                               f"法释〔2020〕7号（第二十九条：自2020年9月12日起施行）, {_DB}, 2020-09-10"),
    "SPC2021PUNITIVE": Instrument("《最高人民法院关于审理侵害知识产权民事案件适用惩罚性赔偿的解释》法释〔2021〕4号",
                                  "SPC Interpretation on punitive damages in IP civil cases, Fa Shi [2021] No. 4",
                                  D(2021, 3, 3), f"法释〔2021〕4号（第七条：自2021年3月3日起施行；"
                                                 f"法释〔2026〕7号第十四条自2026年5月1日起废止）, {_DB}, 2021-03-02"),
    "SPC2026PUNITIVE": Instrument("《最高人民法院关于审理侵害知识产权民事纠纷案件适用惩罚性赔偿的解释》法释〔2026〕7号",
                                  "SPC Interpretation on punitive damages in IP civil disputes, Fa Shi [2026] No. 7",
                                  D(2026, 5, 1), f"法释〔2026〕7号（第十四条：自2026年5月1日起施行）, {_DB}, 2026-04-17"),
    "TIME2001": Instrument("《最高人民法院、最高人民检察院关于适用刑事司法解释时间效力问题的规定》高检发释字〔2001〕5号",
                           "SPC/SPP Provisions on the time effect of criminal judicial interpretations, "
                           "Gao Jian Fa Shi Zi [2001] No. 5", D(2001, 12, 17),
                           f"高检发释字〔2001〕5号, 最高人民法院、最高人民检察院公告, {_DB}, 2001-12-16"),
}

_CAP_EN = "statutory damages cap where actual loss and infringer's gains are both hard to determine (yuan)"
_CAP_ZH = "实际损失、侵权获利均难以确定时法定赔偿上限（元）"
_ORDERED_EN = "actual loss first; infringer's gains only where the loss is hard to compute"
_ORDERED_ZH = "先按实际损失；实际损失难以计算的，按照侵权人因侵权所获得的利益确定"
_ELECTIVE_EN = "the actual loss or the infringer's gains, no order between them"
_ELECTIVE_ZH = "按照实际损失或者侵权人因侵权所获得的利益确定，二者无先后"
_V = True  # verified: the source's text states the figure or wording at the article given

#: The table. Keep rows of one key in date order.
RULES: tuple[Rule, ...] = (
    # --- civil: Anti-Unfair Competition Law ---------------------------------------------
    Rule("statutory_cap", 3_000_000.0, D(2018, 1, 1), "AUCL2017", "第十七条第四款", _CAP_EN, _CAP_ZH, _V,
         "“三百万元以下”"),
    Rule("statutory_cap", 5_000_000.0, D(2019, 4, 23), "AUCL2019", "第十七条第四款", _CAP_EN, _CAP_ZH, _V,
         "“五百万元以下”"),
    Rule("statutory_cap", 5_000_000.0, D(2025, 10, 15), "AUCL2025", "第二十二条第四款", _CAP_EN, _CAP_ZH, _V,
         "“五百万元以下”；援引条文改为第七条、第十条"),
    Rule("punitive_min", 1.0, D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "lowest punitive multiplier (x the base)", "惩罚性赔偿最低倍数", _V, "“一倍以上五倍以下”"),
    Rule("punitive_min", 1.0, D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "lowest punitive multiplier (x the base)", "惩罚性赔偿最低倍数", _V, "“一倍以上五倍以下”"),
    Rule("punitive_max", 5.0, D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "highest punitive multiplier (x the base)", "惩罚性赔偿最高倍数", _V, "“一倍以上五倍以下”"),
    Rule("punitive_max", 5.0, D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "highest punitive multiplier (x the base)", "惩罚性赔偿最高倍数", _V, "“一倍以上五倍以下”"),
    Rule("punitive_from", D(2019, 4, 23), D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "first day on which conduct can attract the punitive multiplier", "惩罚性赔偿适用起始日", _V,
         "2017年修订文本第十七条第三款无惩罚性赔偿规定"),
    Rule("punitive_fault", "恶意 malicious", D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "fault required for the punitive multiplier", "适用惩罚性赔偿的主观要件", _V, "“经营者恶意实施侵犯商业秘密行为”"),
    Rule("punitive_fault", "故意 intentional", D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "fault required for the punitive multiplier", "适用惩罚性赔偿的主观要件", _V, "“经营者故意实施侵犯商业秘密行为”"),
    Rule("punitive_license_base", "multiple", D(2021, 3, 3), "SPC2021PUNITIVE", "第五条第二款",
         "where loss and gains are all hard to compute, the punitive base is a multiple of the license fee",
         "实际损失、违法所得、侵权获利均难以计算的，参照许可使用费的倍数确定惩罚性赔偿基数", _V,
         "“参照该权利许可使用费的倍数合理确定”"),
    Rule("punitive_license_base", "reference", D(2026, 5, 1), "SPC2026PUNITIVE", "第八条第二款",
         "where loss and gains are all hard to compute, the punitive base is set by reference to the license fee "
         "(no multiple); the date that counts is the trial (Art. 14: pending cases)",
         "均难以计算的，参照权利许可使用费合理确定计算基数（不再有“倍数”）；按审理时适用（第十四条）", _V,
         "“参照权利许可使用费合理确定惩罚性赔偿数额的计算基数”；第八条第三款：法定赔偿数额不能作为计算基数；"
         "据一份数据库副本，使用前请与官方文本核对"),
    Rule("measure_order", "ordered", D(2018, 1, 1), "AUCL2017", "第十七条第三款", _ORDERED_EN, _ORDERED_ZH, _V,
         "“实际损失难以计算的，按照侵权人因侵权所获得的利益确定”"),
    Rule("measure_order", "ordered", D(2019, 4, 23), "AUCL2019", "第十七条第三款", _ORDERED_EN, _ORDERED_ZH, _V,
         "同上；但最高人民法院(2022)最高法知民终945号判决认为权利人有权选择实际损失或侵权获利"),
    Rule("measure_order", "elective", D(2025, 10, 15), "AUCL2025", "第二十二条第三款", _ELECTIVE_EN, _ELECTIVE_ZH, _V,
         "“按照其因被侵权所受到的实际损失或者侵权人因侵权所获得的利益确定”；条文未规定由谁选择；"
         "仅见于同一来源的数据库副本，未见独立评论印证，使用前请与官方文本核对"),
    # --- criminal: Criminal Law Art. 219 -------------------------------------------------
    Rule("criminal_statute_wording", "给权利人造成重大损失 / 造成特别严重后果", D(1997, 10, 1), "CRIMLAW1997",
         "第二百一十九条第一款",
         "the statute's words for the two tiers: heavy loss (重大损失) / especially serious consequences",
         "两档的法条表述：重大损失 / 特别严重后果", _V),
    Rule("criminal_statute_wording", "情节严重 / 情节特别严重", D(2021, 3, 1), "CRIMLAW_A11", "二十二（修改第二百一十九条）",
         "the statute's words for the two tiers: serious circumstances / especially serious circumstances",
         "两档的法条表述：情节严重 / 情节特别严重", _V, "修正案第四十八项：自2021年3月1日起施行"),
    Rule("criminal_max_sentence", 7.0, D(1997, 10, 1), "CRIMLAW1997", "第二百一十九条第一款",
         "highest fixed-term imprisonment of the upper tier (years)", "较重一档的最高有期徒刑（年）", _V,
         "“三年以上七年以下有期徒刑”"),
    Rule("criminal_max_sentence", 10.0, D(2021, 3, 1), "CRIMLAW_A11", "二十二（修改第二百一十九条）",
         "highest fixed-term imprisonment of the upper tier (years)", "较重一档的最高有期徒刑（年）", _V,
         "“三年以上十年以下有期徒刑”"),
    Rule("criminal_amount_basis", "loss", D(2004, 12, 22), "CRIM2004", "第七条",
         "what the thresholds are measured on: the right holder's loss only", "数额标准的计算对象：仅权利人损失数额", _V),
    Rule("criminal_amount_basis", "loss or illegal gains", D(2020, 9, 14), "CRIM2020", "第四条第一款第（一）项、第二款",
         "what the thresholds are measured on: the loss or the illegal gains, whichever reaches them",
         "数额标准的计算对象：损失数额或者违法所得数额", _V),
    Rule("criminal_amount_basis", "loss or illegal gains", D(2025, 4, 26), "CRIM2025", "第十七条第一款第（一）项、第（二）项",
         "what the thresholds are measured on: the loss or the illegal gains, whichever reaches them",
         "数额标准的计算对象：损失数额或者违法所得数额", _V, "损失与违法所得分列两项"),
    Rule("criminal_illegal_gains_basis", "consideration", D(2020, 9, 14), "CRIM2020", "第五条第一款第（六）项",
         "illegal gains: what was received for disclosing or licensing the secret (no units x profit rule)",
         "违法所得：因披露或者允许他人使用商业秘密而获得的财物或者其他财产性利益", _V),
    Rule("criminal_illegal_gains_basis", "consideration or profit from use", D(2025, 4, 26), "CRIM2025", "第十九条",
         "illegal gains: the consideration, or the profit from use = infringing units x reasonable profit per unit",
         "违法所得：披露、允许他人使用所获财物，或者使用所获利润（侵权产品销售量 × 每件侵权产品合理利润）", _V),
    Rule("criminal_lost_profit_steps", 3.0, D(2020, 9, 14), "CRIM2020", "第五条第二款",
         "steps of the lost-profit cascade: own lost units; infringing units x own unit profit; infringing units "
         "x infringer's unit profit", "销售利润损失的确定顺序：销售量减少总数；侵权产品销售量 × 权利人每件合理利润；"
         "侵权产品销售量 × 每件侵权产品合理利润", _V),
    Rule("criminal_lost_profit_steps", 2.0, D(2025, 4, 26), "CRIM2025", "第十八条第二款",
         "steps of the lost-profit cascade: own lost units; infringing units x own unit profit (the third step "
         "now measures illegal gains, Art. 19)", "利润损失的确定顺序：销售量减少总数；侵权产品销售量 × 权利人每件合理利润"
         "（第三步改为违法所得，第十九条）", _V),
    Rule("criminal_serious", 500_000.0, D(2004, 12, 22), "CRIM2004", "第七条第一款",
         "loss threshold for 重大损失 (yuan, at least; this text counts loss only, not illegal gains)",
         "造成重大损失的损失数额（元，以上；该解释仅以损失数额计）", _V),
    Rule("criminal_serious", 300_000.0, D(2020, 9, 14), "CRIM2020", "第四条第一款第（一）项",
         "loss or illegal gains threshold for 重大损失 (yuan, at least)", "造成重大损失的损失数额或违法所得数额（元，以上）", _V),
    Rule("criminal_serious", 300_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第一款第（一）项、第（二）项",
         "loss or illegal gains threshold for 情节严重 (yuan, at least)", "情节严重的损失数额或违法所得数额（元，以上）", _V),
    Rule("criminal_especially_serious", 2_500_000.0, D(2004, 12, 22), "CRIM2004", "第七条第二款",
         "threshold for 特别严重后果 (yuan, at least)", "造成特别严重后果的数额（元，以上）", _V),
    Rule("criminal_especially_serious", 2_500_000.0, D(2020, 9, 14), "CRIM2020", "第四条第二款",
         "threshold for 特别严重后果 (yuan, at least)", "造成特别严重后果的数额（元，以上）", _V),
    Rule("criminal_especially_serious", 3_000_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第二款",
         "threshold for 情节特别严重: 10x the serious threshold (yuan, at least)",
         "情节特别严重：情节严重标准的十倍（元，以上）", _V, "“数额达到本条前款相应规定标准十倍以上”"),
    Rule("criminal_serious_repeat", 100_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第一款第（三）项",
         "threshold for 情节严重 where punished for the same conduct within 2 years (yuan, at least)",
         "二年内受过刑事处罚或者行政处罚后再次实施的情节严重数额（元，以上）", _V),
    Rule("criminal_especially_serious_repeat", 1_000_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第二款",
         "threshold for 情节特别严重 of a repeat offender, reading “相应规定标准十倍” with item (三) "
         "(yuan, at least); not applied by CRIMINAL_TIER, shown for the expert",
         "再犯情节特别严重数额（“前款相应规定标准十倍”结合第一款第（三）项理解；CRIMINAL_TIER 不适用，仅供参考）",
         False, "条文未直接规定一百万元；为对“相应规定标准十倍”的解读，未经核实"),
    Rule("criminal_lenity", "lighter", D(2001, 12, 17), "TIME2001", "三",
         "the interpretation in force at the conduct applies, unless the later one is more lenient",
         "依照行为时的司法解释办理，但适用新的司法解释对犯罪嫌疑人、被告人有利的，适用新的司法解释", _V),
)

_BY_KEY: dict[str, tuple[Rule, ...]] = {}
for _r in RULES:
    _BY_KEY.setdefault(_r.key, ())
    _BY_KEY[_r.key] += (_r,)
_DATES = {k: np.array([np.datetime64(r.effective_from, "D") for r in rs]) for k, rs in _BY_KEY.items()}
_VALUES = {k: np.array([r.value for r in rs], dtype=float if isinstance(rs[0].value, float) else object)
           for k, rs in _BY_KEY.items()}


def rules_of(key: str) -> tuple[Rule, ...]:
    """Every row of ``key``, in date order."""
    return _check_key(key)


def keys() -> tuple[str, ...]:
    """Every rule key, in table order."""
    return tuple(_BY_KEY)


def _check_key(key: str) -> tuple[Rule, ...]:
    rows = _BY_KEY.get(key)
    if rows is None:
        raise TsdValueError("key", "one of " + ", ".join(_BY_KEY), key)
    return rows


def rule(key: str, on: _dt.date) -> Rule:
    """The row of ``key`` in force on date ``on``.

    Raises :class:`TsdMissingError` when no row of that key is in force yet.
    """
    rows = _check_key(key)
    found = None
    for r in rows:
        if r.effective_from <= on:
            found = r
    if found is None:
        raise TsdMissingError("date", message=(
            f"no rule '{key}' in force on {on.isoformat()}: the first takes effect "
            f"{rows[0].effective_from.isoformat()} ({rows[0].citation_en})"))
    return found


def rule_values(key: str, on: np.ndarray, *, strict: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised look-up: the value of ``key`` in force on each date of ``on``.

    Returns ``(values, in_force)``; where no row is in force, ``in_force`` is
    False and, if ``strict``, :class:`TsdMissingError` is raised instead.
    """
    _check_key(key)
    idx = np.searchsorted(_DATES[key], on, side="right") - 1
    in_force = idx >= 0
    if strict and not in_force.all():
        bad = on[~in_force].flat[0] if np.ndim(on) else on
        rule(key, np.datetime64(bad, "D").item())  # raises with the full message
    values = _VALUES[key][np.maximum(idx, 0)]
    return values, in_force


def rules_in_force(on: _dt.date) -> list[Rule]:
    """Every key's row in force on ``on`` (keys not yet in force are left out)."""
    out = []
    for key, rows in _BY_KEY.items():
        live = [r for r in rows if r.effective_from <= on]
        if live:
            out.append(live[-1])
    return out


def table_digest(on: _dt.date | None = None) -> str:
    """SHA-256 (hex) of the rows in force on ``on`` (of the whole table if None): key, value, date,
    instrument, article, verified. It changes whenever a figure, its source or its status changes."""
    import hashlib
    rows = RULES if on is None else rules_in_force(on)
    text = "\n".join("|".join((r.key, repr(r.value), r.effective_from.isoformat(), r.instrument, r.article,
                               str(r.verified))) for r in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
