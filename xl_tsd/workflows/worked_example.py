"""The worked example: the vehicle chassis case (CASES.md A), end to end.

The contribution chain (s1 = 1, s2 = 0.80, s3 = 0.40, s4 = 0.25) is the
court's. The sales figures, margins, multiplier and claim are ILLUSTRATIVE,
made up to show the method; they are not the case's figures.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .. import contribution, criminal, measures, punitive
from ..registry import FUNCTIONS

D = _dt.date

#: Inputs of the worked example. Periods split at 2019-04-23 (punitive damages begin).
VEHICLE_CHASSIS = {
    "case_name": "威某汽车案（示例数据 / illustrative figures）",
    "s1": 1.0, "s2": 0.80, "s3": 0.40, "s4_method": "四分法",
    "periods": [  # start, end, units, unit price (元), infringer's margin, benchmark margin, multiplier
        {"start": D(2018, 9, 1), "end": D(2019, 4, 22), "units": 6_000, "unit_price": 180_000.0,
         "margin": -0.35, "benchmark": 0.05, "multiplier": 1.0},
        {"start": D(2019, 4, 23), "end": D(2019, 12, 31), "units": 12_000, "unit_price": 175_000.0,
         "margin": -0.28, "benchmark": 0.05, "multiplier": 2.0},
        {"start": D(2020, 1, 1), "end": D(2020, 12, 31), "units": 20_000, "unit_price": 170_000.0,
         "margin": -0.20, "benchmark": 0.05, "multiplier": 2.0},
    ],
    "expenses": {"lawyer": 1_500_000.0, "notary": 120_000.0, "appraisal": 800_000.0},
    "claimed": 210_000_000.0,
}


@dataclass
class Line:
    label: str
    value: object
    function: str

    def basis(self) -> str:
        return FUNCTIONS[self.function].basis_en if self.function in FUNCTIONS else ""


def run(case: dict = VEHICLE_CHASSIS) -> list[Line]:
    """Compute the example; each line names its function (and so its method and basis)."""
    lines: list[Line] = []
    s4 = contribution.profit_split(case["s4_method"])
    lines.append(Line(f"s4 profit split ({case['s4_method']})", s4, "PROFIT_SPLIT"))
    rate = contribution.tech_contrib_rate(case["s1"], case["s2"], case["s3"], s4)
    lines.append(Line("Technology contribution rate 技术贡献率", rate, "TECH_CONTRIB_RATE"))
    rate = contribution.effective_contrib(rate, False)
    lines.append(Line("Contribution rate applied (no exception holds)", rate, "EFFECTIVE_CONTRIB"))
    economic = 0.0
    for i, p in enumerate(case["periods"], 1):
        tag = f"Period {i} ({p['start']} to {p['end']})"
        revenue = p["units"] * p["unit_price"]
        gain = measures.infringer_gain(revenue, p["margin"], p["benchmark"])
        lines.append(Line(f"{tag}: infringer's gains, benchmark margin (whole product)", gain, "INFRINGER_GAIN"))
        margin = p["benchmark"] if p["margin"] <= 0 else p["margin"]
        base = contribution.damages_base(p["unit_price"], p["units"], margin, rate)
        lines.append(Line(f"{tag}: damages base 赔偿基数", base, "DAMAGES_BASE"))
        available = punitive.punitive_available(p["start"])
        lines.append(Line(f"{tag}: punitive multiplier available", available, "PUNITIVE_AVAILABLE"))
        k = p["multiplier"] if available else 1.0
        amount = punitive.punitive_total(base, k)
        lines.append(Line(f"{tag}: with multiplier {k:g}", amount, "PUNITIVE_TOTAL"))
        economic += amount
    expenses = sum(case["expenses"].values())
    total = punitive.award_total(economic, expenses, case["claimed"])
    lines.append(Line("Total award 判赔总额 (economic loss capped at claim + expenses)", total, "AWARD_TOTAL"))
    tier = criminal.criminal_tier(economic, case["periods"][-1]["start"])
    lines.append(Line("Criminal tier on the same amount (for reference)", tier or "(below threshold)",
                      "CRIMINAL_TIER"))
    return lines


def format_lines(lines: list[Line]) -> str:
    out = []
    for ln in lines:
        v = ln.value
        if isinstance(v, bool):
            shown = "TRUE" if v else "FALSE"
        elif isinstance(v, float):
            shown = f"{v:.4f}" if abs(v) <= 1 else f"{v:,.2f}"
        else:
            shown = str(v)
        out.append(f"{ln.label:<70} {shown:>18}  ={ln.function}\n    basis: {ln.basis()}")
    return "\n".join(out)
