"""What a case asks of the analysis: its ``scenarios`` and ``sensitivity`` sections, checked.

A case file (:mod:`xl_tsd.workflows.case_data`) may carry two sections beside
its inputs::

    "scenarios": [
      {"name": "权利人主张 claimant", "note": "s3 40 %, multiplier 3",
       "inputs": {"Share_S3": 0.5, "Per_Multiplier[3]": 3}},
      {"name": "被告主张 defendant", "inputs": {"Share_S2": 0.5, "Per_Benchmark": [0.03, 0.03, 0.03]}}
    ],
    "sensitivity": {
      "inputs": {"Share_S3": {"low": 0.3, "high": 0.5, "distribution": "pert"},
                 "Per_Units": {"change": 0.1}},
      "defaults": true, "change": 0.2,
      "grid": {"inputs": ["Share_S3", "Per_Benchmark"], "steps": 11},
      "draws": 10000, "seed": 13, "output": "Headline_Amount"
    }

Keys of ``inputs`` (:func:`parse_key`):

- ``Name``: a single input (``Share_S3``), or a whole table column
  (``Per_Units``); in a scenario a column takes a list, one value per row;
  in the sensitivity section a column is scaled as one (every period's units
  times the same factor) and takes ``change`` only;
- ``Name[i]``: item *i* (from 1) of a table column, e.g. ``Per_Multiplier[3]``,
  the third period's multiplier.

A sensitivity input is a number that can vary. Its range is ``low``/``high``
(values; refused outside the legal and method bounds of :func:`bounds`), or
``change`` (a fraction: ±change around the base value, clipped to those
bounds), or, by default, ±:data:`DEFAULT_CHANGE` clipped. ``defaults``
(true unless given false) adds the key inputs the case has values for
(:data:`KEY_INPUTS`) with the default range. Distributions: :data:`DISTRIBUTIONS`.

Everything is checked before anything is computed: every problem is listed
with its field path (``sensitivity.inputs.Share_S3.low``) and what is allowed,
as :class:`~xl_tsd.workflows.case_data.CaseError`. Limits: :data:`LIMITS`.
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
import re
from dataclasses import dataclass, field

from .. import legal
from ..template import layout as L

__all__ = ["LIMITS", "DISTRIBUTIONS", "DEFAULT_CHANGE", "DEFAULT_DRAWS", "DEFAULT_SEED", "DEFAULT_GRID_STEPS",
           "OUTPUTS", "KEY_INPUTS", "Variable", "Scenario", "Plan", "parse_key", "bounds", "plan_of",
           "apply_inputs", "SECTION_KEYS", "section_schemas", "default_grid", "label", "kind_of"]

#: Limits: refused above them, with the limit named. One evaluation of the template takes 3-6 ms.
LIMITS = {
    "draws": 10**5,          # Monte-Carlo draws (about 5 minutes on one core)
    "grid_steps": 101,       # values of each grid input (101 x 101 = 10,201 evaluations)
    "scenarios": 20,         # scenarios of a case
    "variables": 60,         # sensitivity inputs
    "seed": 2**63 - 1,       # the largest seed
}
#: The distributions a sensitivity input may take, between its low and high value (mode: the base value).
DISTRIBUTIONS = ("triangular", "uniform", "pert")
DEFAULT_CHANGE = 0.2         # ±20 %
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 13            # recorded on the Sensitivity sheet with every run
DEFAULT_GRID_STEPS = 11
#: The outputs an analysis may measure (numbers of the template).
OUTPUTS = ("Headline_Amount", "Total_Award", "Econ_Loss", "Econ_Base", "Econ_Punitive", "Crim_Amount",
           "Crim_Loss", "Contrib_Applied")
#: Inputs varied by default when the case gives them a number (in this order): the contribution
#: shares, the figures of each measure, expenses; the multiplier of each period per period.
KEY_INPUTS = ("Share_S2", "Share_S3", "S4_Royalty_Rate", "S4_Profit_Margin", "S4_Direct",
              "Per_Units", "Per_Price", "Per_Margin", "Per_Benchmark", "Per_Lost_Units", "Per_Own_Profit",
              "Per_Multiplier", "Lic_Fee", "Lic_Term", "License_Multiple", "License_Base_Multiple",
              "Income_Annual", "Income_Years", "Income_Discount", "RD_Cost", "Rem_Cost", "Rem_Life",
              "Rem_Attrib", "Statutory_Amount", "Exp_Lawyer", "Exp_Notary", "Exp_Appraisal", "Exp_Other",
              "Crim_Consideration", "Crim_Units", "Crim_Unit_Profit")
#: The two sections a case file may carry beside its inputs.
SECTION_KEYS = ("scenarios", "sensitivity")
#: Kinds of input a sensitivity may vary (numbers on a continuous scale).
_NUMERIC = ("share", "margin", "money", "price", "units", "years", "multiplier", "factor", "weight")
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d{1,3})\])?$")


def section_schemas() -> dict:
    """JSON Schema of the two sections (the case schema's ``scenarios`` and ``sensitivity`` properties);
    the checks a schema cannot say (names, bounds, low above high) are :func:`plan_of`'s."""
    num = {"type": "number"}
    rng = {"type": "object", "additionalProperties": False, "properties": {
        "low": {**num, "description": "lowest value (refused outside the input's legal and method bounds)"},
        "high": {**num, "description": "highest value"},
        "change": {"type": "number", "exclusiveMinimum": 0, "maximum": 10,
                   "description": "± this fraction of the base value, clipped to the bounds (0.2 = ±20 %)"},
        "distribution": {"enum": list(DISTRIBUTIONS), "description": "Monte-Carlo distribution between low "
                                                                     "and high, mode at the base value"}}}
    scenario = {"type": "object", "additionalProperties": False, "required": ["name", "inputs"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 60, "description": "e.g. 权利人主张 claimant"},
        "note": {"type": "string", "maxLength": 255, "description": "what the scenario stands for, its source"},
        "inputs": {"type": "object", "description": "inputs that differ from the base case: Name (a single "
                   "input; a table column as a list, one value per row; a table as its rows) or Name[i] "
                   "(item i of a column)"}}}
    return {
        "scenarios": {"type": "array", "maxItems": LIMITS["scenarios"], "items": scenario,
                      "description": "alternative values of some inputs, each shown beside the base case on the "
                                     "Scenarios sheet (xl-tsd sensitivity)"},
        "sensitivity": {"type": "object", "additionalProperties": False, "description":
                        "ranges of inputs for the tornado, the two-way grid and the Monte-Carlo draws "
                        "(xl-tsd sensitivity)", "properties": {
                            "inputs": {"type": "object", "additionalProperties": rng,
                                       "description": "Name or Name[i] -> its range and distribution"},
                            "defaults": {"type": "boolean", "description": "also vary the key inputs the case "
                                         "gives (default true)"},
                            "change": {"type": "number", "exclusiveMinimum": 0, "maximum": 10,
                                       "description": f"the default range, ± this fraction (default "
                                                      f"{DEFAULT_CHANGE:g})"},
                            "grid": {"type": "object", "additionalProperties": False, "properties": {
                                "inputs": {"type": "array", "minItems": 2, "maxItems": 2,
                                           "items": {"type": "string"}},
                                "steps": {"type": "integer", "minimum": 2, "maximum": LIMITS["grid_steps"]}}},
                            "draws": {"type": "integer", "minimum": 1, "maximum": LIMITS["draws"]},
                            "seed": {"type": "integer", "minimum": 0, "maximum": LIMITS["seed"]},
                            "output": {"enum": list(OUTPUTS)}}},
    }


@dataclass(frozen=True)
class Target:
    """What a key names: a single input, a whole column (``item`` None) or one item of a column."""

    key: str
    name: str
    kind: str
    table: object = None   # the layout Table of a column
    item: int | None = None  # 1-based

    @property
    def column(self) -> bool:
        return self.table is not None and self.item is None


def _input_specs() -> dict:
    out = {}
    for f in L.inputs():
        out[f.name] = (f, None)
    for t in L.tables():
        if isinstance(t, L.Matrix):
            out[t.name] = (t, None)
        else:
            for c in t.columns:
                out[c.name] = (c, t)
    return out


def parse_key(key: str) -> Target:
    """A key of ``inputs`` as a :class:`Target`; ValueError says what is wrong with it."""
    m = _KEY.match(key) if isinstance(key, str) else None
    if not m:
        raise ValueError("not an input name: write Name or Name[i] (e.g. Share_S3, Per_Multiplier[3])")
    name, item = m.group(1), m.group(2)
    specs = _input_specs()
    if name not in specs:
        raise ValueError(f"not an input of template version {L.TEMPLATE_VERSION} (the case file's keys are; "
                         f"see schema/case.schema.json)")
    spec, table = specs[name]
    if isinstance(spec, L.Matrix):
        if item is not None:
            raise ValueError("the matrix is given as its rows, not by item")
        return Target(key, name, spec.kind)
    if item is not None:
        if table is None:
            raise ValueError(f"{name} is a single input: [i] is for a table column")
        i = int(item)
        if not 1 <= i <= table.size:
            raise ValueError(f"item {i}: the {table.en} table holds items 1 to {table.size}")
        return Target(key, name, spec.kind, table, i)
    return Target(key, name, spec.kind, table)


def _base_value(case: dict, t: Target):
    """The base case's value of a target: a number or None; for a column, the list of its rows' values."""
    if t.table is None:
        return case.get(t.name)
    rows = case.get(t.table.name) or []
    col = [r.get(t.name) if isinstance(r, dict) else None for r in rows]
    if t.item is None:
        return col
    return col[t.item - 1] if t.item <= len(col) else None


def _date(v):
    return _dt.date.fromisoformat(v) if isinstance(v, str) else v


def bounds(case: dict, t: Target) -> tuple[float, float, str]:
    """(lowest, highest, why) a target's value may take: the template's validation of its kind (shares
    0-1, margins -1 to 1, amounts 0 or more), and for a punitive multiplier the legal range in force
    (:mod:`xl_tsd.legal`, ``punitive_min``/``punitive_max``) on the period's start (the conduct's end
    for the whole column), or exactly 1 before the multiplier exists (``punitive_from``)."""
    kind = L.KINDS[t.kind]
    vtype, op, f1, f2 = kind.validation
    lo, hi = -math.inf, math.inf
    if op == "between":
        lo, hi = float(f1), float(f2)
    elif op in ("greaterThanOrEqual", "greaterThan"):
        lo = float(f1)
    why = kind.rule_en
    if t.kind == "multiplier":
        on = None
        if t.item is not None and t.table is not None:
            rows = case.get(t.table.name) or []
            if t.item <= len(rows) and isinstance(rows[t.item - 1], dict):
                on = _date(rows[t.item - 1].get("Per_Start"))
        on = on or _date(case.get("Conduct_End")) or _dt.date.today()
        first = legal.rules_of("punitive_from")[0].value
        if on < first:
            return 1.0, 1.0, (f"no multiplier before {first.isoformat()} "
                              f"({legal.rules_of('punitive_from')[0].citation('en')}): exactly 1")
        r_lo, r_hi = legal.rule("punitive_min", on), legal.rule("punitive_max", on)
        lo, hi = float(r_lo.value), float(r_hi.value)
        why = f"the legal range in force on {on.isoformat()}: {lo:g} to {hi:g} ({r_hi.citation('en')})"
    return lo, hi, why


@dataclass
class Variable:
    """One input the tornado, grid and Monte Carlo vary.

    For a single cell or an item, ``low``/``base``/``high`` are values; for a whole column they are
    factors applied to every row's value (base 1).
    """

    key: str
    target: Target
    low: float
    base: float
    high: float
    distribution: str
    basis: str                      # where the range comes from (given, ±20 %, clipped to ...)
    column_base: list | None = None  # a column's base values (for a scaled column or an item)

    @property
    def scaled(self) -> bool:
        return self.target.column

    def value_text(self, x: float) -> str:
        return f"×{x:.4g}" if self.scaled else f"{x:.6g}"


@dataclass
class Scenario:
    name: str
    note: str
    inputs: dict          # key -> value, as given
    case: dict            # the base case with the scenario's inputs in place (validated)


@dataclass
class Plan:
    """Everything an analysis computes, checked: the base case, scenarios, variables, grid, draws."""

    case: dict
    scenarios: list[Scenario] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    grid: tuple[str, str] | None = None
    grid_steps: int = DEFAULT_GRID_STEPS
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    output: str = "Headline_Amount"
    change: float = DEFAULT_CHANGE
    notes: list[str] = field(default_factory=list)

    def variable(self, key: str) -> Variable:
        return next(v for v in self.variables if v.key == key)


def apply_inputs(case: dict, inputs: dict) -> dict:
    """A copy of ``case`` with ``inputs`` (scenario form: Name, Name[i], a column as a list, a table as its
    rows) in place. The caller validates the result; ValueError names a key that cannot be placed."""
    out = copy.deepcopy({k: v for k, v in case.items() if k not in SECTION_KEYS})
    tables = {t.name: t for t in L.tables()}
    for key, value in inputs.items():
        if key in tables:
            out[key] = copy.deepcopy(value)
            continue
        t = parse_key(key)
        if t.table is None:
            out[t.name] = value
            continue
        rows = out.setdefault(t.table.name, [])
        if not isinstance(rows, list):
            raise ValueError(f"the base case's {t.table.name} is not a list of rows")
        values = [(t.item, value)] if t.item is not None else None
        if values is None:
            if not isinstance(value, list):
                raise ValueError(f"{t.name} is a table column: give a list, one value per row "
                                 f"(or {t.name}[i] for one item)")
            values = list(enumerate(value, 1))
        for i, v in values:
            if i > t.table.size:
                raise ValueError(f"item {i}: the {t.table.en} table holds items 1 to {t.table.size}")
            while len(rows) < i:
                rows.append({})
            if not isinstance(rows[i - 1], dict):
                raise ValueError(f"{t.table.name}[{i}] of the base case is not an object")
            if v is None:
                rows[i - 1].pop(t.name, None)
            else:
                rows[i - 1][t.name] = v
    return out


def _tidy(x: float) -> float:
    """A computed bound to 12 significant digits (0.8 x 0.8 shows as 0.64, not 0.6400000000000001)."""
    return float(f"{x:.12g}")


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _range_of(case, t: Target, given: dict, change: float, where: str, problems: list) -> Variable | None:
    """A Variable from a key's range (or the default), or None with the problems listed."""
    base = _base_value(case, t)
    lo_b, hi_b, why = bounds(case, t) if not t.column else (None, None, "")
    dist = given.get("distribution", "triangular")
    if t.column:
        nums = [v for v in base if _num(v)]
        if not nums or all(v == 0 for v in nums):
            problems.append(f"{where}: the case gives no number in the column {t.name} to vary (give the "
                            f"{t.table.en} table's values first)")
            return None
        if "low" in given or "high" in given:
            problems.append(f"{where}: {t.name} is a whole column, scaled as one: give change (e.g. 0.2 for "
                            f"±20 %), or vary one item as {t.name}[i] with low/high")
            return None
        # the factor x keeps every row within its bounds: lo <= v*x <= hi for each v
        f_lo, f_hi = 0.0, math.inf
        for i, v in enumerate(base, 1):
            if not _num(v) or v == 0:
                continue
            it = Target(f"{t.name}[{i}]", t.name, t.kind, t.table, i)
            lo, hi, why_i = bounds(case, it)
            a, b = sorted((lo / v, hi / v)) if v > 0 else sorted((hi / v, lo / v))
            if (f_lo, f_hi) != (max(f_lo, a), min(f_hi, b)):
                why = why_i
            f_lo, f_hi = max(f_lo, a), min(f_hi, b)
        c = given.get("change", change)
        low, high = _tidy(max(1 - c, f_lo)), _tidy(min(1 + c, f_hi))
        basis = f"±{c:.0%} of each row" + ("" if (low, high) == (1 - c, 1 + c) else f", clipped: {why}")
        return Variable(t.key, t, low, 1.0, high, dist, basis, base)
    if not _num(base):
        problems.append(f"{where}: the case gives {t.key} no number (it is {'blank' if base is None else 'not a number'}); "
                        f"give it a value in the case first")
        return None
    base = float(base)
    col = _base_value(case, Target(t.name, t.name, t.kind, t.table)) if t.table is not None else None
    if not lo_b <= base <= hi_b:
        problems.append(f"{where}: the base value {base:g} is outside what is allowed ({why})")
        return None
    if "low" in given or "high" in given:
        if "change" in given:
            problems.append(f"{where}: give low and high, or change, not both")
            return None
        if "low" not in given or "high" not in given:
            problems.append(f"{where}: give both low and high")
            return None
        low, high = float(given["low"]), float(given["high"])
        bad = False
        if low > high:
            problems.append(f"{where}.low: {low:g} is above high {high:g}: low must be at most high")
            bad = True
        for k, x in (("low", low), ("high", high)):
            if not lo_b <= x <= hi_b:
                problems.append(f"{where}.{k}: {x:g} is outside what is allowed for {t.key}: {why}")
                bad = True
        if not bad and not low <= base <= high:
            problems.append(f"{where}: the base value {base:g} must lie from low {low:g} to high {high:g} "
                            f"(the base is the mode of the distribution)")
            bad = True
        return None if bad else Variable(t.key, t, low, base, high, dist, "given", col)
    c = given.get("change", change)
    a, b = sorted((_tidy(base * (1 - c)), _tidy(base * (1 + c))))
    low, high = max(a, lo_b), min(b, hi_b)
    basis = f"±{c:.0%}" + ("" if (low, high) == (a, b) else f", clipped: {why}")
    return Variable(t.key, t, low, base, high, dist, basis, col)


def plan_of(case: dict, source: str = "case", *, draws: int | None = None, seed: int | None = None,
            grid: tuple[str, str] | None = None, grid_steps: int | None = None) -> Plan:
    """Check a validated case's ``scenarios`` and ``sensitivity`` sections (and the command's options,
    which take precedence) and return the :class:`Plan`; :class:`CaseError` lists every problem."""
    from ..workflows.case_data import CaseError, validate_case

    problems: list[str] = []
    base = {k: v for k, v in case.items() if k not in SECTION_KEYS}
    sens = case.get("sensitivity") or {}
    plan = Plan(base)
    plan.output = sens.get("output", "Headline_Amount")
    plan.change = float(sens.get("change", DEFAULT_CHANGE))
    plan.draws = sens.get("draws", DEFAULT_DRAWS) if draws is None else draws
    plan.seed = sens.get("seed", DEFAULT_SEED) if seed is None else seed
    for what, v, top, low, given in (("draws", plan.draws, LIMITS["draws"], 1, draws),
                                     ("seed", plan.seed, LIMITS["seed"], 0, seed)):
        if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= top:
            where = f"--{what}" if given is not None else f"sensitivity.{what}"
            problems.append(f"{where}: must be a whole number from {low} to {top:,} (the limit) (got {v!r})")

    # --- scenarios ---
    names = set()
    for i, sc in enumerate(case.get("scenarios") or [], 1):
        where = f"scenarios[{i}]"
        name = sc.get("name", "")
        if name.casefold() in names:
            problems.append(f"{where}.name: {name!r} is the name of another scenario: names must differ")
        names.add(name.casefold())
        inputs = sc.get("inputs") or {}
        bad = False
        usable = {}
        for key in inputs:
            if key in {t.name for t in L.tables()}:
                usable[key] = inputs[key]
                continue
            try:
                t = parse_key(key)
            except ValueError as exc:
                problems.append(f"{where}.inputs.{key}: {exc}")
                bad = True
                continue
            if t.table is not None and t.item is None and not isinstance(inputs[key], list):
                problems.append(f"{where}.inputs.{key}: a table column: give a list, one value per row (or "
                                f"{key}[i] for one item)")
                bad = True
                continue
            usable[key] = inputs[key]
        if bad:  # the other inputs are still checked, so that every problem is listed at once
            try:
                validate_case(apply_inputs(base, usable), where)
            except CaseError as exc:
                problems += [f"{where}.inputs.{p}" for p in exc.problems]
            except ValueError as exc:
                problems.append(f"{where}.inputs: {exc}")
            continue
        try:
            merged = apply_inputs(base, inputs)
            validate_case(merged, where)
        except CaseError as exc:
            problems += [f"{where}.inputs.{p}" for p in exc.problems]
            continue
        except ValueError as exc:
            problems.append(f"{where}.inputs: {exc}")
            continue
        plan.scenarios.append(Scenario(name, sc.get("note", ""), dict(inputs), merged))

    # --- sensitivity inputs ---
    given = sens.get("inputs") or {}
    chosen: dict[str, Variable] = {}
    for key, rng in given.items():
        where = f"sensitivity.inputs.{key}"
        t = _numeric_target(key, f"{where}: ", problems, "; put its alternatives in scenarios")
        if t is None:
            continue
        v = _range_of(base, t, rng, plan.change, where, problems)
        if v is not None:
            chosen[key] = v
    if sens.get("defaults", True):
        for name in KEY_INPUTS:
            t = parse_key(name)
            if t.column:
                col = _base_value(base, t)
                if name == "Per_Multiplier":  # each period's multiplier on its own: its legal range is its own
                    for i, v in enumerate(col, 1):
                        key = f"{name}[{i}]"
                        it = parse_key(key)
                        lo, hi, _ = bounds(base, it)
                        if _num(v) and lo < hi and key not in chosen and name not in chosen:
                            _add_default(chosen, key, base, it, plan.change)
                    continue
                if any(_num(v) and v != 0 for v in col) and name not in chosen and not any(
                        k.startswith(name + "[") for k in chosen):
                    _add_default(chosen, name, base, t, plan.change)
            elif _num(base.get(name)) and base.get(name) != 0 and name not in chosen:
                _add_default(chosen, name, base, t, plan.change)
    # one cell varied twice (a column and its item) would make the draws ambiguous
    for key, v in chosen.items():
        if v.target.item is not None and v.target.name in chosen:
            problems.append(f"sensitivity.inputs.{key}: {v.target.name} (the whole column) is varied too: "
                            f"keep one")
    plan.variables = list(chosen.values())
    if len(plan.variables) > LIMITS["variables"]:
        problems.append(f"sensitivity.inputs: {len(plan.variables)} inputs vary; at most {LIMITS['variables']} "
                        f"(the limit)")

    # --- grid ---
    g = sens.get("grid") or {}
    pair = tuple(grid) if grid else tuple(g.get("inputs") or ())
    plan.grid_steps = grid_steps if grid_steps is not None else g.get("steps", DEFAULT_GRID_STEPS)
    if not isinstance(plan.grid_steps, int) or not 2 <= plan.grid_steps <= LIMITS["grid_steps"]:
        problems.append(f"sensitivity.grid.steps: must be a whole number from 2 to {LIMITS['grid_steps']} "
                        f"(the limit) (got {plan.grid_steps!r})")
    if pair:
        where = "--grid" if grid else "sensitivity.grid.inputs"
        if len(pair) != 2 or pair[0] == pair[1]:
            problems.append(f"{where}: name two different inputs")
        else:
            for key in pair:
                if key in chosen:
                    continue
                t = _numeric_target(key, f"{where}: {key}: ", problems)
                if t is None:
                    continue
                var = _range_of(base, t, {}, plan.change, f"{where}: {key}", problems)
                if var is not None:
                    plan.variables.append(var)
                    chosen[key] = var
            plan.grid = pair
    if problems:
        raise CaseError(source, problems)
    return plan


def _numeric_target(key: str, where: str, problems: list, hint: str = ""):
    """The parsed input ``key`` if it names a number that can vary; else a problem (``where`` leads it) and None."""
    try:
        t = parse_key(key)
    except ValueError as exc:
        problems.append(f"{where}{exc}")
        return None
    if t.kind not in _NUMERIC:
        problems.append(f"{where}{t.name} is {L.KINDS[t.kind].rule_en}, not a number that can vary{hint}")
        return None
    return t


def _add_default(chosen: dict, key: str, base: dict, t, change: float) -> None:
    """``key`` varied by the default change, where its range is not empty (a default is never a problem)."""
    var = _range_of(base, t, {}, change, key, [])
    if var is not None and var.low < var.high:
        chosen[key] = var


#: The inputs that make up the contribution rate, and the profit margins (the default grid's two axes).
RATE_INPUTS = ("Share_S2", "Share_S3", "S4_Direct", "S4_Royalty_Rate")
MARGIN_INPUTS = ("Per_Margin", "Per_Benchmark", "S4_Profit_Margin")


def default_grid(keys_by_swing: list[str]) -> tuple[str, str] | None:
    """The default grid: the contribution rate against the profit margin (issue 13), i.e. the contribution
    share and the margin input that move the headline most (``keys_by_swing``: the tornado's order, inputs
    that move it); else the two inputs that move it most."""
    share = next((k for k in keys_by_swing if k in RATE_INPUTS), None)
    margin = next((k for k in keys_by_swing if k in MARGIN_INPUTS), None)
    if share and margin:
        return share, margin
    return (keys_by_swing[0], keys_by_swing[1]) if len(keys_by_swing) >= 2 else None


def label(key: str) -> tuple[str, str]:
    """(Chinese, English) label of a key: the input's own, with the item (第2期 / P2) for ``Name[i]``."""
    try:
        t = parse_key(key)
    except ValueError:
        return key, key
    spec, table = _input_specs()[t.name]
    zh, en = spec.zh, spec.en
    if table is not None and t.item is not None:
        return f"{zh}（{table.item_zh.format(n=t.item)}）", f"{en} ({table.item_en.format(n=t.item)})"
    if table is not None:
        return f"{zh}（各行同比例）", f"{en} (every row scaled)"
    return zh, en


def kind_of(key: str) -> str:
    return parse_key(key).kind
