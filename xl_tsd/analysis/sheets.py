"""The Sensitivity and Scenarios sheets: the analysis's results written into the case's workbook.

Results are values (each computed by the engine from the workbook's own
formulas, :mod:`.run`); what stays a formula is the link to the workbook's
checks: each sheet shows the master check and whether its results are
current: the fingerprint of the inputs now (``Inputs_Fingerprint``) equals the
one recorded when the results were computed (``Sens_Fingerprint``). Change an
input in Excel and it turns FALSE with "sensitivity results are stale: rerun
xl-tsd sensitivity", and the master check with it (``Check_Sensitivity_Current``
of the Checks sheet). A copy whose record was lost (``xl-tsd upgrade`` does not
carry it) shows FALSE here while the master check, which passes when nothing is
recorded, stays TRUE.

Charts are Excel's own (openpyxl): the tornado a clustered bar chart of the
change at the low and at the high value, overlapped, largest swing on top; the
Monte-Carlo histogram a column chart of the counts per bin, no gaps.
"""
from __future__ import annotations

import numpy as np
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from .._version import __version__
from ..template import layout as L
from ..template.builder import STYLE_CHECK, STYLE_FORMULA
from . import spec as S
from .monte_carlo import PERCENTILES

__all__ = ["SENSITIVITY", "SCENARIOS", "STALE_EN", "STALE_ZH", "write_sheets"]

SENSITIVITY, SCENARIOS = "Sensitivity", "Scenarios"
STALE_EN = "sensitivity results are stale: rerun xl-tsd sensitivity"
STALE_ZH = "敏感性分析结果已过时（输入已改变）：请重新运行 xl-tsd sensitivity"
_TITLE = Font(size=16, bold=True, color="1F4E78")
_HEAD = Font(bold=True, color="FFFFFF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E78")
_SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
_BASE_FILL = PatternFill("solid", fgColor="FFEB9C")
_FAIL_FONT = Font(color="C00000", italic=True)
_MONEY, _SHARE = "#,##0.00", "0.00%"
_FORMATS = {"share": _SHARE, "margin": _SHARE, "money": _MONEY, "price": _MONEY, "units": "#,##0",
            "years": "0.00", "multiplier": "0.00", "factor": "0.00", "weight": "0.00"}
_OUTPUT_LABEL = {"Headline_Amount": ("主要结论金额", "Headline amount"), "Total_Award": ("判赔总额", "Total award"),
                 "Econ_Loss": ("经济损失", "Economic loss"), "Econ_Base": ("补偿性赔偿", "Compensatory amount"),
                 "Econ_Punitive": ("含倍数的赔偿额", "Amount with multipliers"),
                 "Crim_Amount": ("定罪量刑数额", "Amount for the tier"), "Crim_Loss": ("刑事损失数额", "Criminal loss"),
                 "Contrib_Applied": ("适用的贡献率", "Rate applied")}


def _head(ws, row: int, texts, first_col: int = 1) -> None:
    for j, text in enumerate(texts):
        c = ws.cell(row, first_col + j, text)
        c.font, c.fill = _HEAD, _HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")


def _section(ws, row: int, zh: str, en: str, last_col: int = 12) -> int:
    ws.cell(row, 1, zh).font = Font(bold=True)
    ws.cell(row, 2, en).font = Font(bold=True)
    for c in range(1, last_col + 1):
        ws.cell(row, c).fill = _SECTION_FILL
    return row + 1


def _value(cell, v, fmt: str = _MONEY):
    """A result into a cell: a number with its format, a bool, or the text the engine gave (never NaN)."""
    if isinstance(v, (float, np.floating)) and not np.isfinite(v):
        cell.value = "不适用 n/a"
        cell.font = _FAIL_FONT
        return cell
    if isinstance(v, np.generic):
        v = v.item()
    cell.value = v
    if isinstance(v, bool):
        cell.number_format = '"TRUE";"TRUE";"FALSE"'  # a boolean shown as TRUE/FALSE by every viewer
    elif isinstance(v, (int, float)):
        cell.number_format = fmt
    elif isinstance(v, str) and v.startswith("#"):
        cell.font = _FAIL_FONT
    return cell


def _header(ws, title_zh: str, title_en: str, res) -> int:
    ws["A1"], ws["B1"] = title_zh, title_en
    ws["A1"].font = ws["B1"].font = _TITLE
    rows = (
        ("总校验", "Master check (every check passes)", f"={L.MASTER}", "", STYLE_CHECK),
        # stricter than the Checks sheet's Check_Sensitivity_Current (TRUE with nothing recorded): these
        # results are current only if the fingerprint they were computed from is recorded and still holds
        ("结果为最新", "Results current (inputs unchanged since computed)",
         f'=IFERROR(AND({L.SENS_RECORDED}<>"",{L.SENS_RECORDED}={L.SENS_CURRENT}),FALSE)',
         f'=IF(E3,"结果为最新 current","{STALE_ZH}；{STALE_EN}")', STYLE_CHECK),
        ("计算所用输入的指纹", "Fingerprint of the inputs used", f"={L.SENS_RECORDED}", "", STYLE_FORMULA),
        ("当前输入的指纹", "Fingerprint of the inputs now", f"={L.SENS_CURRENT}", "TSD_FINGERPRINT", STYLE_FORMULA),
    )
    for i, (zh, en, formula, note, style) in enumerate(rows, 2):
        ws.cell(i, 1, zh).font = Font(bold=True)
        ws.cell(i, 2, en)
        c = ws.cell(i, 5, formula)
        c.style = style
        if note:
            ws.cell(i, 4, note).alignment = Alignment(wrap_text=True, vertical="top")
    from openpyxl.formatting.rule import CellIsRule
    for ref in ("E2", "E3"):  # green TRUE / red FALSE, as on the template's sheets
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["FALSE"],
                                                      fill=PatternFill("solid", bgColor="FFC7CE")))
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["TRUE"],
                                                      fill=PatternFill("solid", bgColor="C6EFCE")))
    ws.cell(6, 1, "计算者").font = Font(bold=True)
    ws.cell(6, 2, "Computed by")
    ws.cell(6, 5, f"xl_tsd {__version__} (xl-tsd sensitivity)")
    return 8


def _in_format(key: str, scaled: bool) -> str:
    return '"×"0.000' if scaled else _FORMATS.get(S.kind_of(key), "General")


def write_sensitivity(wb, res) -> None:
    plan = res.plan
    ws = wb.create_sheet(SENSITIVITY)
    row = _header(ws, "敏感性分析", "Sensitivity", res)
    out_zh, out_en = _OUTPUT_LABEL.get(res.output, (res.output, res.output))
    for zh, en, v, fmt in (("所测输出", "Output measured", f"{out_zh} {out_en} ({res.output})", None),
                           ("基准值", "Base case value", res.base_value, _MONEY),
                           ("默认范围", "Default range", f"±{plan.change:.0%}，按法律与方法界限截取 clipped to the legal "
                                                         f"and method bounds", None)):
        ws.cell(row, 1, zh).font = Font(bold=True)
        ws.cell(row, 2, en)
        _value(ws.cell(row, 5), v, fmt or "General")
        row += 1
    row += 1

    # --- 1. tornado ---
    row = _section(ws, row, "一、龙卷风图（单因素敏感性）", "1. Tornado: one input at a time, the others at base")
    ws.cell(row, 1, "每个输入取低值与高值，其余为基准值；按摆幅由大到小排列。整列输入（如各期销量）按同一比例缩放，显示为倍数 ×。")
    ws.cell(row, 6, "Each input at its low and high value, the others at base; sorted by swing. A whole column "
                    "(every period's units) is scaled as one, shown as a factor ×.")
    row += 1
    heads = ("输入 Input", "名称 Name", "低值 Low", "基准 Base", "高值 High", "范围依据 Range basis",
             f"低值时 {out_en} at low", f"高值时 {out_en} at high", "低值变动 Change at low",
             "高值变动 Change at high", "摆幅 Swing", "校验 Checks (low / high)")
    _head(ws, row, heads)
    first = row + 1
    for r in res.tornado:
        row += 1
        zh, en = S.label(r.key)
        ws.cell(row, 1, r.key)
        ws.cell(row, 2, f"{zh} {en}").alignment = Alignment(wrap_text=True, vertical="top")
        fmt = _in_format(r.key, r.scaled)
        for col, v in ((3, r.low), (4, r.base), (5, r.high)):
            _value(ws.cell(row, col), v, fmt)
        ws.cell(row, 6, r.basis).alignment = Alignment(wrap_text=True, vertical="top")
        _value(ws.cell(row, 7), r.at_low)
        _value(ws.cell(row, 8), r.at_high)
        _value(ws.cell(row, 9), r.at_low - r.base_value)
        _value(ws.cell(row, 10), r.at_high - r.base_value)
        _value(ws.cell(row, 11), r.swing)
        ok = "TRUE / TRUE" if r.check_low and r.check_high else \
            f"{str(r.check_low).upper()} / {str(r.check_high).upper()}: 有校验未通过 a check fails"
        c = ws.cell(row, 12, ok)
        if not (r.check_low and r.check_high):
            c.font = _FAIL_FONT
    last = row
    if res.tornado:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "clustered", 100
        chart.title = f"龙卷风图 Tornado: {out_en} − base (元 yuan)"
        chart.add_data(Reference(ws, min_col=9, max_col=10, min_row=first - 1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # largest swing on top
        chart.x_axis.tickLblPos = "low"  # the input names at the left edge, clear of the bars
        chart.legend.position = "b"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.y_axis.number_format = "#,##0"
        chart.y_axis.majorGridlines = None
        chart.width, chart.height = 18, max(7.0, 0.6 * len(res.tornado) + 3)
        ws.add_chart(chart, f"N{first - 1}")
    row += 2

    # --- 2. grid ---
    g = res.grid
    row = _section(ws, row, "二、双因素表", "2. Two-way grid")
    if g is None:
        ws.cell(row, 1, "不足两个可变输入，无双因素表 fewer than two inputs vary: no grid")
        row += 2
    else:
        rz, re_ = S.label(g.rows)
        cz, ce = S.label(g.cols)
        rv, cv = res.plan.variable(g.rows), res.plan.variable(g.cols)
        ws.cell(row, 1, f"行 rows: {g.rows}")
        ws.cell(row, 2, f"{rz} {re_}")
        row += 1
        ws.cell(row, 1, f"列 columns: {g.cols}")
        ws.cell(row, 2, f"{cz} {ce}")
        row += 1
        ws.cell(row, 1, f"{out_zh}，其余输入为基准值；黄色为基准单元格（基准情形）")
        ws.cell(row, 6, f"{out_en}, every other input at base; the yellow cell is the base case")
        row += 1
        ws.cell(row, 1, f"{g.rows} \\ {g.cols}").font = Font(bold=True)
        for j, x in enumerate(g.col_values):
            c = _value(ws.cell(row, 2 + j), x, _in_format(g.cols, cv.scaled))
            c.font, c.fill = _HEAD, _HEAD_FILL
        for i, y in enumerate(g.row_values):
            row += 1
            c = _value(ws.cell(row, 1), y, _in_format(g.rows, rv.scaled))
            c.font, c.fill = _HEAD, _HEAD_FILL
            for j in range(len(g.col_values)):
                c = _value(ws.cell(row, 2 + j), g.values[i, j])
                if not g.checks[i, j]:
                    c.font = _FAIL_FONT
                if (i, j) == (g.base_row, g.base_col):
                    c.fill, c.font = _BASE_FILL, Font(bold=True)
                    c.comment = Comment("基准 base case", "xl_tsd")
        fails = int((~g.checks).sum())
        row += 1
        ws.cell(row, 1, f"总校验未通过的单元格（红色斜体）：{fails} cells where the master check fails (red italic)")
        row += 2

    # --- 3. Monte Carlo ---
    mc = res.monte_carlo
    row = _section(ws, row, "三、蒙特卡洛模拟", "3. Monte Carlo")
    if mc is None:
        ws.cell(row, 1, "无可变输入 no input varies")
        return
    ws.cell(row, 1, "各输入在低值与高值之间独立抽样，众数为基准值；抽样不会超出法律与方法界限。")
    ws.cell(row, 6, "Each input drawn independently between its low and high value, mode at base; a draw cannot "
                    "leave the legal and method bounds.")
    row += 1
    for zh, en, v, fmt in (("抽样次数", "Draws", mc.draws, "#,##0"), ("随机数种子", "Seed (numpy default_rng)",
                                                                     mc.seed, "0"),
                           ("输出为数值的抽样", "Draws with a number", mc.computed, "#,##0"),
                           ("总校验未通过的抽样", "Draws where the master check fails", mc.failed_checks, "#,##0")):
        ws.cell(row, 1, zh).font = Font(bold=True)
        ws.cell(row, 2, en)
        _value(ws.cell(row, 5), v, fmt)
        row += 1
    row += 1
    _head(ws, row, ("统计量 Statistic", "", "", "", "数值 Value"))
    stats = [("平均值", "Mean", mc.mean, _MONEY)]
    stats += [(f"P{p}", f"{p}th percentile", mc.percentiles[p], _MONEY) for p in PERCENTILES]
    stats += [("最小值", "Minimum", mc.minimum, _MONEY), ("最大值", "Maximum", mc.maximum, _MONEY)]
    claim = ("未填诉请 no claim" if mc.p_above_claim is None else mc.p_above_claim)
    stats.append(("判赔超过诉请的概率", "P(award > claim): share of draws where the claim caps the award "
                  "(Claim_Cap_Binds)", claim, _SHARE))
    for zh, en, v, fmt in stats:
        row += 1
        ws.cell(row, 1, zh).font = Font(bold=True)
        ws.cell(row, 2, en)
        _value(ws.cell(row, 5), v, fmt)
    row += 2
    _head(ws, row, ("输入 Input", "名称 Name", "分布 Distribution", "低值 Low", "众数 Mode (base)", "高值 High"))
    for v in res.plan.variables:
        row += 1
        zh, en = S.label(v.key)
        fmt = _in_format(v.key, v.scaled)
        ws.cell(row, 1, v.key)
        ws.cell(row, 2, f"{zh} {en}")
        ws.cell(row, 3, v.distribution)
        for col, x in ((4, v.low), (5, v.base), (6, v.high)):
            _value(ws.cell(row, col), x, fmt)
    row += 2
    _head(ws, row, ("直方图 Histogram: 自 from", "至 to", "抽样数 Draws"))
    first = row + 1
    for k in range(len(mc.counts)):
        row += 1
        _value(ws.cell(row, 1), float(mc.bins[k]))
        _value(ws.cell(row, 2), float(mc.bins[k + 1]))
        _value(ws.cell(row, 3), int(mc.counts[k]), "#,##0")
        ws.cell(row, 4, f"{mc.bins[k] / 1e4:,.0f}–{mc.bins[k + 1] / 1e4:,.0f} 万")
    if len(mc.counts):
        chart = BarChart()
        chart.type, chart.gapWidth = "col", 0
        chart.title = f"蒙特卡洛直方图 Histogram of {out_en} ({mc.draws:,} draws, seed {mc.seed})"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=row), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=4, min_row=first, max_row=row))
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.y_axis.majorGridlines = None
        chart.width, chart.height = 18, 8
        ws.add_chart(chart, f"H{first - 1}")


def _shown_input(key: str, value):
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return f"{len(value)} 行 rows"
        return "; ".join("" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value


def write_scenarios(wb, res) -> None:
    ws = wb.create_sheet(SCENARIOS)
    row = _header(ws, "情景分析", "Scenarios", res)
    scs = res.scenarios
    if not scs:
        ws.cell(row, 1, "本案未给出情景：在案件文件的 scenarios 部分列出各方主张（如 权利人主张、被告主张）")
        ws.cell(row + 1, 1, "no scenarios given: list each side's figures in the case file's scenarios section "
                            "(e.g. 权利人主张 claimant, 被告主张 defendant)")
        row += 3
    _head(ws, row, ("项目", "Item", "基准情形 Base case", *(sc.name for sc, _ in scs)))
    names_row, total_row = row, None
    row += 1
    ws.cell(row, 1, "说明").font = Font(bold=True)
    ws.cell(row, 2, "Note")
    ws.cell(row, 3, "案件文件的输入 the case file's inputs")
    for j, (sc, _) in enumerate(scs):
        ws.cell(row, 4 + j, sc.note).alignment = Alignment(wrap_text=True, vertical="top")
    if any(sc.note for sc, _ in scs):
        ws.row_dimensions[row].height = 15 * max(2, max(len(sc.note) // 14 + 1 for sc, _ in scs))
    row += 2
    row = _section(ws, row, "不同的输入", "Inputs that differ from the base case", last_col=3 + len(scs))
    keys = list(dict.fromkeys(k for sc, _ in scs for k in sc.inputs))
    for key in keys:
        zh, en = S.label(key) if key not in {t.name for t in L.tables()} else (key, key)
        ws.cell(row, 1, f"{zh}").alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 2, f"{en} ({key})")
        try:
            t = S.parse_key(key)
            base = S._base_value(res.plan.case, t)
            fmt = _FORMATS.get(t.kind, "General")
        except ValueError:
            base, fmt = res.plan.case.get(key), "General"
        _value(ws.cell(row, 3), _shown_input(key, base), fmt)
        for j, (sc, _) in enumerate(scs):
            if key in sc.inputs:
                c = _value(ws.cell(row, 4 + j), _shown_input(key, sc.inputs[key]), fmt)
                c.fill = _BASE_FILL
        row += 1
    row += 1
    row = _section(ws, row, "主要结果", "Headline outputs", last_col=3 + len(scs))
    from .run import SCENARIO_OUTPUTS
    for name, zh, en, fmt in SCENARIO_OUTPUTS:
        ws.cell(row, 1, zh)
        ws.cell(row, 2, f"{en} ({name})")
        f = {"share": _SHARE, "money": _MONEY}.get(fmt, "General")
        if name == "Total_Award":
            total_row = row
        for j, outs in enumerate([res.base_scenario, *(o for _, o in scs)]):
            v = outs.get(name)
            c = _value(ws.cell(row, 3 + j), "" if v is None else v, f)
            if name == L.MASTER and v is not True:
                c.font = _FAIL_FONT
        row += 1
    if scs:
        chart = BarChart()
        chart.type = "col"
        chart.title = "判赔总额 Total award by scenario (元 yuan)"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=3, max_col=3 + len(scs), min_row=total_row), from_rows=True,
                       titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=3, max_col=3 + len(scs), min_row=names_row))
        chart.y_axis.number_format = "#,##0"
        chart.x_axis.delete = chart.y_axis.delete = False
        chart.width, chart.height = 16, 8
        ws.add_chart(chart, f"A{row + 2}")


def write_sheets(wb, res) -> None:
    """Replace the Sensitivity and Scenarios sheets of ``wb`` (openpyxl) with ``res`` (:class:`~.run.Results`)."""
    for title in (SENSITIVITY, SCENARIOS):
        if title in wb.sheetnames:
            del wb[title]
    write_sensitivity(wb, res)
    write_scenarios(wb, res)
    for title in (SENSITIVITY, SCENARIOS):
        ws = wb[title]
        for col, width in (("A", 22), ("B", 36), ("C", 16), ("D", 16), ("E", 16), ("F", 26), ("G", 16),
                           ("H", 16), ("I", 16), ("J", 16), ("K", 16), ("L", 22)):
            ws.column_dimensions[col].width = width
        ws.sheet_view.tabSelected = False
        ws.protection.sheet = True  # as the template's own sheets: protected, no password
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
