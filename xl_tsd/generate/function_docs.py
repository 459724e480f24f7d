"""The function reference ``docs/functions.md``, generated from the registry.

Every catalogue function with its Excel call, arguments (units, Chinese and
English), result, formula, legal basis and worked examples, then the legal
parameter table of :mod:`xl_tsd.legal`. Nothing is typed here that the
registry or the legal table already holds; a test fails when the committed
file differs from :func:`functions_md`.
"""
from __future__ import annotations

import datetime as _dt
import re

from .. import legal
from ..excel import call_excel
from ..registry import CATEGORIES, FUNCTIONS, Example, FunctionSpec
from ..excel.vba_udfs import UDF_MODULE, excel_arg_name

__all__ = ["functions_md", "signature"]

_HEADER = """\
# xl_tsd function reference / 函数参考

Generated from the function registry (`xl_tsd/registry.py`) and the legal table
(`xl_tsd/legal.py`) by `xl-tsd generate`; do not edit by hand.
本文件由函数注册表与法律参数表自动生成（`xl-tsd generate`），请勿手工修改。

Each function is an Excel function under its UPPER_CASE name (xlwings UDF module `{module}`)
and a Python function under its lower-case name (`xl_tsd.tech_contrib_rate`).
每个函数在 Excel 中以大写名称调用（xlwings UDF 模块 `{module}`），在 Python 中以小写名称调用。

## Conventions / 约定

- Rates and shares are decimals (0.08 = 8 %); money is in yuan (元); dates are date cells,
  Excel serial numbers or text like `2025-05-01`.
  比率与占比为小数（0.08 即 8%）；金额单位为元；日期可为日期单元格、Excel 序列号或 `2025-05-01` 式文本。
- `[argument]` is optional. An empty cell means "not known": functions with a fallback use it,
  the others answer `#N/A` naming the argument.
  `[参数]` 为可选参数。空单元格表示"未知"：有替代算法的函数按替代算法计算，其余函数返回指明该参数的 `#N/A`。
- Booleans accept TRUE/FALSE, 1/0 and 是/否. 逻辑值可为 TRUE/FALSE、1/0 或 是/否。
- A range given where a single value is expected gives a range of results of the same shape
  (it spills). 在应填单个值处填入区域时，返回同样形状的结果区域（溢出）。
- Errors are cell text: the Excel error code, a space, the reason, e.g.
  `#NUM! multiplier must be between 1 and 5 (got 6)`. `#VALUE!` wrong type or range, `#NUM!` a
  number the law or the method does not allow, `#N/A` a required value is missing. Being text,
  they are not seen by Excel's `ISERROR`: test them with `TSD_ISERROR`.
  错误以文本形式返回：Excel 错误代码、空格、原因。此类文本不被 Excel 的 `ISERROR` 识别，请用 `TSD_ISERROR` 判断。
- An argument whose name VBA reserves, or which equals a function name, carries a trailing `_`
  in Excel (e.g. `date_`); Python keeps the catalogue name.
  参数名为 VBA 保留字或与函数同名时，在 Excel 中加后缀 `_`（如 `date_`），Python 中仍用原名。
"""


def signature(spec: FunctionSpec) -> str:
    """The Excel call with Excel argument names, optional ones in brackets.

    >>> signature(FUNCTIONS["CRIMINAL_TIER"])
    '=CRIMINAL_TIER(amount, date_, [repeat_offender])'
    """
    parts = [f"[{excel_arg_name(a.name)}]" if a.optional else f"{excel_arg_name(a.name)}..." if a.variadic
             else excel_arg_name(a.name) for a in spec.args]
    return f"={spec.name}({', '.join(parts)})"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(v) -> str:
    """A result as an Excel user reads it."""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:.6g}"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, str):
        return f'"{v}"' if not v.startswith("#") else v
    if isinstance(v, (list, tuple)):
        return "{" + "; ".join(_value(x) for x in v) + "} (column 列)"
    return str(v)


#: The tests' names for where an example's value comes from -> what a reader can look up.
_PUBLIC_SOURCES = (
    (re.compile(r"CASES\.md A"), "(2023)最高法知民终1590号"),
    (re.compile(r"CASES\.md B"), "(2022)最高法知民终945号"),
    (re.compile(r"CASES\.md C(: \(2021\)最高法知民终1687号)?"), "(2021)最高法知民终1687号"),
    (re.compile(r"CASES\.md D"), "江苏省高级人民法院汪某案（刘明等，2025）"),
    (re.compile(r"CASES\.md E"), "廖某、詹某案（刘明等，2025）"),
    (re.compile(r"CASES\.md F"), "hand calculation, 法释〔2020〕10号 Art. 5 para. 2"),
    (re.compile(r"CASES\.md G"), "法释〔2004〕19号 / 〔2020〕10号 / 〔2025〕5号"),
    (re.compile(r"CASES\.md H"), "hand calculation (Saaty)"),
    (re.compile(r"DOMAIN §1"), "AUCL 2019 Art. 17 para. 3"),
    (re.compile(r"DOMAIN §\d+"), "the method's legal basis above"),
    (re.compile(r"FUNCTIONS\.md"), "the function catalogue"),
    (re.compile(r"issue \d+"), "hand calculation"),
)


def _public(source: str) -> str:
    """An example's source as a reader can look it up (the tests cite the project's own spec files)."""
    for pattern, text in _PUBLIC_SOURCES:
        source = pattern.sub(text, source)
    return source


def _example_row(spec: FunctionSpec, ex: Example) -> str:
    expected = ex.expected
    if isinstance(expected, str) and expected.startswith("#"):
        # an expected error: show the whole cell text the user sees
        expected = call_excel(spec.name, *ex.args)
    return f"| `{_cell(ex.excel(spec.name))}` | {_cell(_value(expected))} | {_cell(_public(ex.source))} |"


def _arg_row(spec: FunctionSpec, a) -> str:
    name = excel_arg_name(a.name)
    shown = f"`{name}`" if name == a.name else f"`{name}` (Python `{a.name}`)"
    if a.optional:
        shown += " optional 可选" + (f", default 默认 {_value(a.default)}" if a.default is not None else "")
    if a.whole_range:
        shown += "; a whole range 整个区域"
    return f"| {shown} | {_cell(a.unit)} | {_cell(a.zh)} | {_cell(a.en)} |"


def _function_section(spec: FunctionSpec) -> list[str]:
    lines = [f"### {spec.name}", "", spec.zh, "", spec.en, "",
             f"`{signature(spec)}` · Python `xl_tsd.{spec.python_name}` · "
             f"result 结果: {spec.unit}", ""]
    if spec.args:
        lines += ["| argument 参数 | unit 单位 | 说明 | description |", "|---|---|---|---|"]
        lines += [_arg_row(spec, a) for a in spec.args]
        lines.append("")
    lines += [f"- Formula 公式: `{spec.formula}`",
              f"- Legal basis: {spec.basis_en}",
              f"- 法律依据：{spec.basis_zh}"]
    lines += [f"- Reference 参考: {r}" for r in spec.references]
    if spec.rules:
        lines.append(f"- Rules read 读取的法律参数: {spec.rules_text('en')}")
    lines.append("")
    if spec.examples:
        lines += ["| example 示例 | result 结果 | source 来源 |", "|---|---|---|"]
        lines += [_example_row(spec, ex) for ex in spec.examples]
        lines.append("")
    return lines


def _rule_value(v) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:g}"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def _legal_section() -> list[str]:
    lines = ["## Legal parameters / 法律参数", "",
             "Read in Excel with `=TSD_RULE(key, date)`: the row of that key in force on the date; "
             "`=TSD_RULE_INFO(key, date, field)` tells its citation, source and status.",
             "在 Excel 中用 `=TSD_RULE(key, date)` 读取：该日施行的对应行；`=TSD_RULE_INFO(key, date, field)` "
             "显示其出处、来源与核实状态。", "",
             "A row is **verified** only where the public text named in its instrument's source states the figure "
             "or wording and the article; an **UNVERIFIED** row is used as the specification states it, and a "
             "workbook that depends on one shows a warning on its Checks sheet.",
             "仅当所列公开文本载明该数额或表述及条款时，该行方为“已核实”；“未核实”的行按规格说明使用，"
             "依赖该行的工作簿在校验表显示提示。", "",
             "| key 键 | value 值 | in force from 施行日 | instrument, article 出处 | status 核实 | meaning | 含义 |",
             "|---|---|---|---|---|---|---|"]
    for r in legal.RULES:
        status = "verified 已核实" if r.verified else "**UNVERIFIED 未核实**"
        if r.note:
            status += f" ({_cell(r.note)})"
        lines.append(f"| `{r.key}` | {_cell(_rule_value(r.value))} | {r.effective_from.isoformat()} | "
                     f"{r.instrument} {_cell(r.article)} | {status} | {_cell(r.meaning_en)} | "
                     f"{_cell(r.meaning_zh)} |")
    lines += ["", "### Instruments / 法律文件", "",
              "| key | 文件 | instrument | in force from 施行日 | source checked 核对文本 |",
              "|---|---|---|---|---|"]
    for key, ins in legal.INSTRUMENTS.items():
        lines.append(f"| {key} | {_cell(ins.zh)} | {_cell(ins.en)} | {ins.in_force.isoformat()} | "
                     f"{_cell(ins.source)} |")
    lines.append("")
    return lines


def functions_md() -> str:
    """The whole text of ``docs/functions.md``."""
    lines = [_HEADER.format(module=UDF_MODULE), "## Contents / 目录", ""]
    by_category = {key: [s for s in FUNCTIONS.values() if s.category == key] for key in CATEGORIES}
    for key, specs in by_category.items():
        if specs:
            names = ", ".join(f"[{s.name}](#{s.name.lower()})" for s in specs)
            lines.append(f"- {CATEGORIES[key]}: {names}")
    lines += ["- [Legal parameters / 法律参数](#legal-parameters--法律参数)", ""]
    for key, specs in by_category.items():
        if specs:
            lines += [f"## {CATEGORIES[key]}", ""]
            for spec in specs:
                lines += _function_section(spec)
    lines += _legal_section()
    return "\n".join(lines).rstrip("\n") + "\n"
