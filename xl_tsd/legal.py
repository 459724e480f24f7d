"""The versioned table of legal parameters: the only place a legal figure lives.

Each row is one value of one key, in force from a date until the next row of
the same key, with the instrument and article it comes from. Functions read it
through :func:`rule` / :func:`rule_values`; the template's Sources sheet and
the docs are generated from :data:`RULES`.

Dates are the dates the instrument took effect (施行日期). Which date a case
should be looked up on (conduct, judgment) is the user's choice; see the
Notes of the functions that use the table.

Not in the table, on purpose: an "especially serious" threshold for repeat
offenders under 法释〔2025〕5号 (whether its tenfold rule reaches the 100,000
repeat threshold could not be checked against the official text); the
ordinary 3,000,000 applies to everyone until it is.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np

from .errors import TsdMissingError, TsdValueError

__all__ = ["Rule", "RULES", "INSTRUMENTS", "rule", "rule_values", "keys", "rules_in_force"]

D = _dt.date


@dataclass(frozen=True)
class Rule:
    """One legal parameter value and where it comes from."""

    key: str
    value: float | str | _dt.date
    effective_from: _dt.date
    instrument: str  # short key into INSTRUMENTS
    article: str
    meaning_en: str
    meaning_zh: str

    @property
    def citation_zh(self) -> str:
        return f"{INSTRUMENTS[self.instrument][0]} {self.article}"

    @property
    def citation_en(self) -> str:
        return f"{INSTRUMENTS[self.instrument][1]}, {self.article}"


#: Instruments cited: key -> (Chinese title and number, English title, in force from).
INSTRUMENTS = {
    "AUCL2017": ("《反不正当竞争法》（2017年修订）", "Anti-Unfair Competition Law (2017 revision)", D(2018, 1, 1)),
    "AUCL2019": ("《反不正当竞争法》（2019年修正）", "Anti-Unfair Competition Law (2019 amendment)", D(2019, 4, 23)),
    "AUCL2025": ("《反不正当竞争法》（2025年修订）", "Anti-Unfair Competition Law (2025 revision)", D(2025, 10, 15)),
    "CRIM2004": ("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释》法释〔2004〕19号",
                 "SPC/SPP Interpretation on IP crimes, Fa Shi [2004] No. 19", D(2004, 12, 22)),
    "CRIM2020": ("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（三）》法释〔2020〕10号",
                 "SPC/SPP Interpretation (III) on IP crimes, Fa Shi [2020] No. 10", D(2020, 9, 14)),
    "CRIM2025": ("《最高人民法院、最高人民检察院关于办理侵犯知识产权刑事案件适用法律若干问题的解释》法释〔2025〕5号",
                 "SPC/SPP Interpretation on IP crimes, Fa Shi [2025] No. 5", D(2025, 4, 26)),
    "SPC2020CIVIL": ("《最高人民法院关于审理侵犯商业秘密民事案件适用法律若干问题的规定》法释〔2020〕7号",
                     "SPC Provisions on civil trade-secret cases, Fa Shi [2020] No. 7", D(2020, 9, 12)),
    "SPC2021PUNITIVE": ("《最高人民法院关于审理侵害知识产权民事案件适用惩罚性赔偿的解释》法释〔2021〕4号",
                        "SPC Interpretation on punitive damages in IP civil cases, Fa Shi [2021] No. 4",
                        D(2021, 3, 3)),
}

_CAP_EN = "statutory damages cap where actual loss and infringer's gains are both hard to determine (yuan)"
_CAP_ZH = "实际损失、侵权获利均难以确定时法定赔偿上限（元）"

#: The table. Keep rows of one key in date order.
RULES: tuple[Rule, ...] = (
    # --- civil: Anti-Unfair Competition Law ---------------------------------------------
    Rule("statutory_cap", 3_000_000.0, D(2018, 1, 1), "AUCL2017", "第十七条第四款", _CAP_EN, _CAP_ZH),
    Rule("statutory_cap", 5_000_000.0, D(2019, 4, 23), "AUCL2019", "第十七条第四款", _CAP_EN, _CAP_ZH),
    Rule("statutory_cap", 5_000_000.0, D(2025, 10, 15), "AUCL2025", "第二十二条第四款", _CAP_EN, _CAP_ZH),
    Rule("punitive_min", 1.0, D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "lowest punitive multiplier (x the base)", "惩罚性赔偿最低倍数"),
    Rule("punitive_min", 1.0, D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "lowest punitive multiplier (x the base)", "惩罚性赔偿最低倍数"),
    Rule("punitive_max", 5.0, D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "highest punitive multiplier (x the base)", "惩罚性赔偿最高倍数"),
    Rule("punitive_max", 5.0, D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "highest punitive multiplier (x the base)", "惩罚性赔偿最高倍数"),
    Rule("punitive_from", D(2019, 4, 23), D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "first day on which conduct can attract the punitive multiplier", "惩罚性赔偿适用起始日"),
    Rule("punitive_fault", "恶意 malicious", D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "fault required for the punitive multiplier", "适用惩罚性赔偿的主观要件"),
    Rule("punitive_fault", "故意 intentional", D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "fault required for the punitive multiplier", "适用惩罚性赔偿的主观要件"),
    Rule("measure_order", "ordered", D(2018, 1, 1), "AUCL2017", "第十七条第三款",
         "actual loss first; infringer's gains only where the loss is hard to compute",
         "先按实际损失；难以计算的，按侵权获利"),
    Rule("measure_order", "ordered", D(2019, 4, 23), "AUCL2019", "第十七条第三款",
         "actual loss first; infringer's gains only where the loss is hard to compute",
         "先按实际损失；难以计算的，按侵权获利"),
    Rule("measure_order", "elective", D(2025, 10, 15), "AUCL2025", "第二十二条第三款",
         "actual loss or infringer's gains, at the claimant's choice",
         "按实际损失或者侵权获利确定（权利人选择）"),
    # --- criminal: Criminal Law Art. 219 thresholds ------------------------------------
    Rule("criminal_serious", 500_000.0, D(2004, 12, 22), "CRIM2004", "第七条第一款",
         "loss threshold for 重大损失 (yuan, at least; this text counts loss only, not illegal gains)",
         "造成重大损失的损失数额（元，以上；该解释仅以损失数额计）"),
    Rule("criminal_serious", 300_000.0, D(2020, 9, 14), "CRIM2020", "第四条第一款第（一）项",
         "loss or illegal gains threshold for 重大损失 (yuan, at least)", "造成重大损失的损失数额或违法所得数额（元，以上）"),
    Rule("criminal_serious", 300_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第一款第（一）项",
         "loss or illegal gains threshold for 情节严重 (yuan, at least)", "情节严重的损失数额或违法所得数额（元，以上）"),
    Rule("criminal_especially_serious", 2_500_000.0, D(2004, 12, 22), "CRIM2004", "第七条第二款",
         "threshold for 特别严重后果 (yuan, at least)", "造成特别严重后果的数额（元，以上）"),
    Rule("criminal_especially_serious", 2_500_000.0, D(2020, 9, 14), "CRIM2020", "第四条第二款",
         "threshold for 特别严重后果 (yuan, at least)", "造成特别严重后果的数额（元，以上）"),
    Rule("criminal_especially_serious", 3_000_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第二款",
         "threshold for 情节特别严重: 10x the serious threshold (yuan, at least)",
         "情节特别严重：情节严重标准的十倍（元，以上）"),
    Rule("criminal_serious_repeat", 100_000.0, D(2025, 4, 26), "CRIM2025", "第十七条第一款第（三）项",
         "threshold for 情节严重 where punished for the same conduct within 2 years (yuan, at least)",
         "二年内受过刑事处罚或者行政处罚后再次实施的情节严重数额（元，以上）"),
)

_BY_KEY: dict[str, tuple[Rule, ...]] = {}
for _r in RULES:
    _BY_KEY.setdefault(_r.key, ())
    _BY_KEY[_r.key] += (_r,)
_DATES = {k: np.array([np.datetime64(r.effective_from, "D") for r in rs]) for k, rs in _BY_KEY.items()}
_VALUES = {k: np.array([r.value for r in rs], dtype=float if isinstance(rs[0].value, float) else object)
           for k, rs in _BY_KEY.items()}


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
