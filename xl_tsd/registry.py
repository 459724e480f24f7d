"""The one registry of xl_tsd functions.

Each public method is declared once, with :func:`register`, beside its code:
its Excel name, arguments (one-line docs in English and Chinese, units,
optionality, whether a whole range is one argument), category, formula, legal
basis and descriptions. Everything else reads this table: the numpydoc
docstrings (composed here), ``TSD_EXPLAIN``, the xlwings UDF wrappers and
their Function Wizard texts, the VBA module, the function reference docs, the
headless engine's function table and the template's formula checks.
"""
from __future__ import annotations

import datetime as _dt
import inspect
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Arg", "Example", "FunctionSpec", "FUNCTIONS", "CATEGORIES", "register", "get"]

#: Excel Function Wizard categories, by key.
CATEGORIES = {
    "contribution": "TSD 技术贡献率 Contribution",
    "measures": "TSD 赔偿计算 Measures",
    "punitive": "TSD 惩罚性赔偿 Punitive",
    "criminal": "TSD 刑事 Criminal",
    "rules": "TSD 规则 Rules",
}


@dataclass(frozen=True)
class Arg:
    """One argument of a catalogue function.

    ``unit`` is what the number means (``元``, ``decimal 0-1``, ``years``...).
    ``whole_range`` marks an argument that takes a range as one value (the
    points table's weights, an AHP matrix); other arguments broadcast, so a
    range given for them makes the function answer an array. ``variadic``
    marks a last argument that repeats (``TSD_FINGERPRINT(values, more...)``):
    ``*more`` in Python, a ``ParamArray`` in VBA, any number of arguments in
    Excel (Excel's own limit: 255 in all).
    """

    name: str
    unit: str
    en: str
    zh: str
    optional: bool = False
    default: object = None
    whole_range: bool = False
    variadic: bool = False  # the last argument only: it takes any number of values (``*more`` in Python)

    def doc(self, lang: str = "en") -> str:
        text = self.zh if lang == "zh" else self.en
        unit = f" [{self.unit}]" if self.unit else ""
        opt = ""
        default = {True: "TRUE", False: "FALSE"}.get(self.default, self.default) if isinstance(
            self.default, bool) else self.default
        if self.optional:
            opt = (f" 可选，默认 {default}" if lang == "zh" else f" Optional, default {default}."
                   ) if self.default is not None else (" 可选，空白表示未知。" if lang == "zh"
                                                       else " Optional; empty means not known.")
        return f"{text}{unit}.{opt}" if lang == "en" else f"{text}{unit}。{opt}".rstrip()


@dataclass(frozen=True)
class Example:
    """A worked call: Python arguments and the expected answer.

    ``expected`` is a value, or an Excel error code (``"#NUM!"``) when the
    call must fail. ``source`` says where the expected value comes from.
    """

    args: tuple
    expected: object
    source: str

    def excel(self, name: str) -> str:
        """The call as an Excel formula, e.g. ``=LOST_PROFIT(,50,3000,20)``."""
        parts = [_excel_literal(a) for a in self.args]
        while parts and parts[-1] == "":
            parts.pop()
        return f"={name}({','.join(parts)})"


def _excel_literal(a: object) -> str:
    if a is None:
        return ""
    if isinstance(a, bool):
        return "TRUE" if a else "FALSE"
    if isinstance(a, str):
        return '"' + a.replace('"', '""') + '"'
    if isinstance(a, _dt.date):
        return f"DATE({a.year},{a.month},{a.day})"
    if isinstance(a, (list, tuple)):
        rows = a if a and isinstance(a[0], (list, tuple)) else [a]
        return "{" + ";".join(",".join(_excel_literal(v) for v in r) for r in rows) + "}"
    if isinstance(a, float) and a.is_integer():
        return str(int(a))
    return repr(a) if isinstance(a, float) else str(a)


@dataclass(frozen=True)
class FunctionSpec:
    """A catalogue function: everything the Excel face and the docs need."""

    name: str
    func: Callable
    args: tuple[Arg, ...]
    category: str
    returns: str  # "number", "bool", "text", "column", "any"
    unit: str
    formula: str
    basis_en: str
    basis_zh: str
    en: str
    zh: str
    references: tuple[str, ...] = ()
    examples: tuple[Example, ...] = field(default=())
    rules: tuple[str, ...] = ()  # keys of the legal table (xl_tsd.legal) the function reads

    @property
    def python_name(self) -> str:
        return self.func.__name__

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    def description(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def explain(self, lang: str = "zh") -> str:
        """One paragraph: what it computes, the formula, the legal basis, the rules it reads."""
        rules = self.rules_text(lang)
        if lang == "zh":
            return (f"{self.name}：{self.zh} 公式：{self.formula}。单位：{self.unit}。依据：{self.basis_zh}"
                    + (f" 法律参数：{rules}" if rules else ""))
        return (f"{self.name}: {self.en} Formula: {self.formula}. Unit: {self.unit}. Basis: {self.basis_en}"
                + (f" Rules read: {rules}" if rules else ""))

    def rules_text(self, lang: str = "zh") -> str:
        """The legal-table rows this function reads, each with its citation and whether it is verified."""
        if not self.rules:
            return ""
        from .legal import rules_of
        parts = []
        for key in self.rules:
            rows = rules_of(key)
            cites = "; ".join(f"{r.effective_from.isoformat()} = {_shown(r.value)}, {r.citation(lang)}"
                              f"{'' if r.verified else (' [未核实]' if lang == 'zh' else ' [UNVERIFIED]')}"
                              for r in rows)
            parts.append(f"{key} ({cites})")
        return ("；" if lang == "zh" else "; ").join(parts) + ("。" if lang == "zh" else ".")

    def wizard_text(self) -> str:
        """The Function Wizard description: at most 255 characters (Excel's limit)."""
        text = f"{self.zh} {self.en}"
        return text if len(text) <= 255 else text[:254] + "…"


def _shown(value) -> str:
    """A rule's value as a reader reads it: thousands separated, no trailing .0, dates ISO, text as it is."""
    if isinstance(value, float):
        return f"{value:,.0f}" if value == int(value) else f"{value:,}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


#: Every catalogue function by Excel name, in catalogue order.
FUNCTIONS: dict[str, FunctionSpec] = {}


def get(name: str) -> FunctionSpec:
    """The spec of a function by Excel or Python name (any case)."""
    spec = FUNCTIONS.get(str(name).strip().upper())
    if spec is None:
        from .errors import TsdValueError
        raise TsdValueError("function_name", "one of " + ", ".join(FUNCTIONS), name)
    return spec


def register(name: str, *, args: list[Arg], category: str, returns: str, unit: str,
             formula: str, basis_en: str, basis_zh: str, en: str, zh: str,
             references: tuple[str, ...] = (), examples: tuple[Example, ...] = (),
             rules: tuple[str, ...] = ()):
    """Declare a catalogue function and compose its numpydoc docstring.

    The function object is returned unchanged (no wrapper, no call overhead);
    its ``__doc__`` becomes the registry's texts followed by the function's own
    docstring (which holds the Examples section).
    """
    def deco(func: Callable) -> Callable:
        sig = inspect.signature(func).parameters
        params = list(sig)
        if params != [a.name for a in args]:
            raise TypeError(f"{name}: registry arguments {[a.name for a in args]} != {params}")
        for i, a in enumerate(args):
            var = sig[a.name].kind is inspect.Parameter.VAR_POSITIONAL
            if var != a.variadic or (a.variadic and (i != len(args) - 1 or a.optional)):
                raise TypeError(f"{name}: argument {a.name}: only the last argument may be variadic (*{a.name}), "
                                f"and it is not optional")
        spec = FunctionSpec(name, func, tuple(args), category, returns, unit, formula,
                            basis_en, basis_zh, en, zh, tuple(references), tuple(examples), tuple(rules))
        FUNCTIONS[name] = spec
        func.__doc__ = _docstring(spec, inspect.getdoc(func) or "")
        func.spec = spec
        return func
    return deco


_RETURN_TYPES = {"number": "float or ndarray", "bool": "bool or ndarray of bool",
                 "text": "str or ndarray of str", "column": "ndarray, shape (n, 1)",
                 "any": "float, str or date"}


def _docstring(spec: FunctionSpec, own: str) -> str:
    lines = [spec.en, "", spec.zh, "", "Parameters", "----------"]
    for a in spec.args:
        kind = "array_like" if a.whole_range else "float, array_like or None" if a.optional else "array_like"
        lines += [f"*{a.name} : array_like" if a.variadic else f"{a.name} : {kind}", f"    {a.doc('en')} {a.zh}。"]
    lines += ["", "Returns", "-------", _RETURN_TYPES[spec.returns],
              f"    {spec.unit}. Excel name ``{spec.name}``; category \"{spec.category_label}\".", "",
              "Notes", "-----", f"Formula: ``{spec.formula}``.", "", f"Legal basis: {spec.basis_en}",
              "", f"法律依据：{spec.basis_zh}", ""]
    if spec.rules:
        lines += [f"Rules read (xl_tsd.legal): {', '.join(spec.rules)}.", ""]
    if spec.references:
        lines += ["References", "----------"]
        lines += [f".. [{i}] {r}" for i, r in enumerate(spec.references, 1)]
        lines.append("")
    return "\n".join(lines) + "\n" + own
