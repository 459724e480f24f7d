"""The analysis of one case: scenarios, tornado, two-way grid and Monte Carlo, in that order.

:func:`analyse` takes a checked :class:`~.spec.Plan` and the case's workbook
(:func:`~.evaluate.analysis_copy`) and returns :class:`Results`; every number
in them is the workbook's own formulas computed by the engine.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..template import layout as L
from ..workflows.case_data import case_to_inputs
from . import grid as G
from . import monte_carlo as MC
from . import tornado as T
from .evaluate import Evaluator
from .spec import Plan, default_grid

__all__ = ["Results", "GridResult", "analyse", "SCENARIO_OUTPUTS"]

#: What the Scenarios sheet shows of each scenario: defined name, Chinese, English, format.
SCENARIO_OUTPUTS = (
    ("Contrib_Rate", "技术贡献率", "Contribution rate", "share"),
    ("Contrib_Applied", "适用的贡献率", "Rate applied", "share"),
    ("Measure_Lost_Profit", "实际损失", "Lost profit", "money"),
    ("Measure_Infringer_Gain", "侵权获利", "Infringer's gains", "money"),
    ("Measure_License_Fee", "许可使用费", "License fee", "money"),
    ("Measure_Commercial_Value", "商业价值", "Commercial value", "money"),
    ("Measure_Statutory", "法定赔偿（建议）", "Statutory damages (proposed)", "money"),
    ("Econ_Base", "补偿性赔偿", "Compensatory amount", "money"),
    ("Econ_Punitive_Extra", "惩罚性部分", "Punitive part", "money"),
    ("Econ_Loss", "经济损失", "Economic loss", "money"),
    ("Expenses_Total", "合理开支", "Reasonable expenses", "money"),
    ("Total_Award", "判赔总额", "Total award", "money"),
    ("Crim_Loss", "刑事损失数额", "Criminal loss", "money"),
    ("Crim_Amount", "定罪量刑数额", "Amount for the tier", "money"),
    ("Crim_Tier", "量刑档次", "Sentencing tier", "text"),
    (L.MASTER, "总校验", "Master check", "bool"),
)


@dataclass
class GridResult:
    rows: str                 # key of the input down the rows
    cols: str                 # key of the input across
    row_values: np.ndarray
    col_values: np.ndarray
    values: np.ndarray        # shape (rows, cols); NaN where the output is not a number
    checks: np.ndarray        # master check per cell
    base_row: int
    base_col: int


@dataclass
class Results:
    plan: Plan
    output: str
    base_outputs: dict
    tornado: list = field(default_factory=list)
    grid: GridResult | None = None
    monte_carlo: MC.Summary | None = None
    scenarios: list = field(default_factory=list)   # (Scenario, outputs dict)
    base_scenario: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)     # part -> seconds
    evaluations: dict = field(default_factory=dict)  # part -> evaluations

    @property
    def base_value(self) -> float:
        v = self.base_outputs.get(self.output)
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else float("nan")


def _scenario_inputs(base_case: dict, case: dict) -> dict:
    """The inputs by defined name that differ between the base case and a scenario's case (a name the
    scenario leaves blank is set blank)."""
    base, new = case_to_inputs(base_case), case_to_inputs(case)
    out = {k: v for k, v in new.items() if base.get(k) != v}
    for k in base:
        if k not in new:
            out[k] = None if not isinstance(base[k], list) else []
    return out


def analyse(plan: Plan, data: bytes, *, workers: int | None = None, limits=None, parts=("scenarios", "tornado",
            "grid", "monte_carlo")) -> Results:
    """Compute the plan on the workbook ``data`` (see :class:`~.evaluate.Evaluator` for ``workers``)."""
    outputs = list(dict.fromkeys([plan.output, "Total_Award", "Claim_Cap_Binds", L.MASTER]))
    t0 = time.perf_counter()
    ev = Evaluator(data, plan.variables, outputs, workers=workers, limits=limits)
    res = Results(plan, plan.output, dict(ev.base))
    res.seconds["load"] = time.perf_counter() - t0
    names = [n for n, *_ in SCENARIO_OUTPUTS]

    if "scenarios" in parts:
        t = time.perf_counter()
        res.base_scenario = ev.read(names)
        for sc in plan.scenarios:
            res.scenarios.append((sc, ev.scenario(_scenario_inputs(plan.case, sc.case), names)))
        res.seconds["scenarios"], res.evaluations["scenarios"] = time.perf_counter() - t, len(plan.scenarios)

    variables = plan.variables
    if "tornado" in parts and variables:
        t = time.perf_counter()
        xs = T.points(variables)
        rows = ev.run(xs)
        res.tornado = T.rows_of(variables, ev.numbers(rows, plan.output), ev.flags(rows, L.MASTER), res.base_value)
        res.seconds["tornado"], res.evaluations["tornado"] = time.perf_counter() - t, len(xs)

    if "grid" in parts and variables:
        pair = plan.grid or default_grid([r.key for r in res.tornado if np.isfinite(r.swing) and r.swing > 0])
        if pair:
            t = time.perf_counter()
            keys = [v.key for v in variables]
            a, b = keys.index(pair[0]), keys.index(pair[1])
            xs, ax, bx, ia, ib = G.points(variables, a, b, plan.grid_steps)
            rows = ev.run(xs)
            shape = (len(ax), len(bx))
            res.grid = GridResult(pair[0], pair[1], ax, bx, ev.numbers(rows, plan.output).reshape(shape),
                                  ev.flags(rows, L.MASTER).reshape(shape), ia, ib)
            res.seconds["grid"], res.evaluations["grid"] = time.perf_counter() - t, len(xs)

    if "monte_carlo" in parts and variables:
        t = time.perf_counter()
        xs = MC.sample(variables, plan.draws, plan.seed)
        rows = ev.run(xs)
        claim = plan.case.get("Claim_Amount")
        binds = ev.flags(rows, "Claim_Cap_Binds") if claim is not None else None
        res.monte_carlo = MC.summarize(ev.numbers(rows, plan.output), ev.flags(rows, L.MASTER), binds, plan.seed)
        res.seconds["monte_carlo"], res.evaluations["monte_carlo"] = time.perf_counter() - t, len(xs)
    return res
