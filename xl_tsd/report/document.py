"""``xl-tsd report``: the expert's report (Word, python-docx) made from a computed case workbook.

The structure follows 中国资产评估协会《资产评估专家指引第15号——知识产权侵权损害评估》
(中评协〔2023〕21号) as far as a calculation can fill it (:data:`SECTIONS`): the
case and the scope; the methods considered and the one selected, with the legal
basis; the inputs (with a column left for the expert's evidence references);
the derivation of every headline figure; the contribution chain; the measures
side by side; punitive damages by period; the claim cap and expenses; the
criminal loss and tier; sensitivity and scenarios (when the workbook has them);
the checks; the limits (what the court decides); an appendix with the legal
table in force and its sources, and the integrity seal with the figures
``xl-tsd verify`` compares.

Every figure is read from the workbook's computed values (the workbook is
computed headlessly first if it never was); the figures are PNG images drawn
from the same values (:mod:`.charts`). Chinese first; ``lang="en"`` writes
English only, ``"both"`` both.
"""
from __future__ import annotations

import datetime as _dt
import io
import pathlib
import re
from dataclasses import dataclass, field

from .. import legal
from .._version import __version__
from ..registry import FUNCTIONS
from ..template import layout as L
from . import formatting as F

__all__ = ["SECTIONS", "ReportResult", "write_report", "read_report", "GUIDELINE", "LANGS"]

GUIDELINE = ("中国资产评估协会《资产评估专家指引第15号——知识产权侵权损害评估》（中评协〔2023〕21号）",
             "China Appraisal Society, Expert Guideline No. 15 for Asset Appraisal: Appraisal of Damages from "
             "Intellectual Property Infringement (中评协〔2023〕21号)")
LANGS = ("zh", "en", "both")

#: The sections in order: key -> (Chinese heading, English heading).
SECTIONS = {
    "case": ("一、案件与计算范围", "1. The case and the scope of the calculation"),
    "methods": ("二、计算方法的考虑与选择", "2. Methods considered and the one selected"),
    "inputs": ("三、输入数据", "3. Inputs"),
    "derivation": ("四、主要数字的推导过程", "4. Derivation of the headline figures"),
    "chain": ("五、技术贡献率", "5. Technology contribution rate"),
    "measures": ("六、各计算方法对比", "6. Measures side by side"),
    "punitive": ("七、分期惩罚性赔偿", "7. Punitive damages by period"),
    "cap": ("八、诉请上限与合理开支", "8. Claim cap and reasonable expenses"),
    "criminal": ("九、刑事损失数额与量刑档次", "9. Criminal loss and sentencing tier"),
    "analysis": ("十、敏感性分析与情景分析", "10. Sensitivity and scenarios"),
    "checks": ("十一、校验", "11. Checks"),
    "limits": ("十二、计算的局限：由法院裁判的事项", "12. Limits: what the court decides"),
    "legal": ("附录一、所适用的法律参数及其来源", "Appendix 1. The legal table in force and its sources"),
    "seal": ("附录二、完整性印记与核验数据", "Appendix 2. Integrity seal and verification data"),
}

#: The headline figures derived in section 4, in order.
DERIVED = ("Contrib_Rate", "Contrib_Applied", "Measure_Lost_Profit", "Measure_Infringer_Gain", "Measure_License_Fee",
           "Value_Cost", "Value_Income", "Measure_Commercial_Value", "Measure_Statutory", "Econ_Base",
           "Econ_Punitive", "Econ_Remedial", "Econ_Loss", "Expenses_Total", "Total_Award", "Crim_Loss",
           "Crim_Illegal_Gains", "Crim_Amount", "Crim_Tier")
#: The header of the verification table (read back by :func:`read_report`).
VERIFY_HEAD = ("名称 Name", "数值 Value")
SEAL_LABEL = "完整性印记 Integrity seal (SHA-256): "
_SEAL_RE = re.compile(re.escape(SEAL_LABEL) + r"([0-9a-f]{64})")
_NAME = re.compile(r"(?<![A-Za-z0-9_.\"])([A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+)(?![A-Za-z0-9_(])")
_ANALYSIS_SHEETS = ("Sensitivity", "Scenarios")
_MAX_ANALYSIS_ROWS = 60   # rows of a Sensitivity/Scenarios sheet shown in the report
_PICTURE_CM = 16


@dataclass
class ReportResult:
    output: pathlib.Path
    pdf: pathlib.Path | None = None
    figures: int = 0
    warnings: list = field(default_factory=list)
    fingerprint: str | None = None
    computed: bool = False


# --- the workbook's declarations, by name ------------------------------------------------------------
@dataclass(frozen=True)
class _Decl:
    name: str
    zh: str
    en: str
    kind: str
    formula: str = ""
    basis_zh: str = ""
    basis_en: str = ""
    per_period: bool = False
    total_of: str | None = None  # the per-period row it totals


def _declarations() -> dict[str, _Decl]:
    out: dict[str, _Decl] = {}

    def walk(items, per_period=False):
        for it in items:
            if isinstance(it, L.Group):
                walk(it.fields, per_period)
            elif isinstance(it, L.Field):
                out.setdefault(it.name, _Decl(it.name, it.zh, it.en, it.kind if it.kind in F.FORMATS else "text",
                                              per_period=per_period))
            elif isinstance(it, L.Table):
                walk(it.columns, it.across)
            elif isinstance(it, L.Calc) and it.name:
                out[it.name] = _Decl(it.name, it.zh, it.en, it.fmt, it.formula, it.basis_zh, it.basis_en)
            elif isinstance(it, L.PeriodCalc):
                out[it.name] = _Decl(it.name, it.zh, it.en, it.fmt, it.formula, it.basis_zh, it.basis_en, True)
                if it.total:
                    out[it.total] = _Decl(it.total, f"{it.zh}（合计）", f"{it.en} (total)", it.fmt,
                                          it.formula, it.basis_zh, it.basis_en, total_of=it.name)
            elif isinstance(it, L.Show) and it.name not in out:
                out[it.name] = _Decl(it.name, it.zh, it.en, it.fmt)

    for secs in (L.INPUT_SECTIONS, L.CALC_SECTIONS, L.SUMMARY_SECTIONS):
        for s in secs:
            walk(s.items)
    return out


class _Book:
    """A computed workbook's values by defined name."""

    def __init__(self, wb):
        self.wb = wb
        self.decl = _declarations()

    def cells(self, name: str) -> list:
        dn = self.wb.defined_names.get(name)
        if dn is None:
            return []
        from openpyxl.utils.cell import range_boundaries
        (sheet, ref), = list(dn.destinations)
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        ws = self.wb[sheet]
        return [ws.cell(r, c).value for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def get(self, name: str):
        v = self.cells(name)
        return v[0] if v else None

    def has(self, name: str) -> bool:
        return self.get(name) not in (None, "")

    def kind(self, name: str) -> str:
        from .verify import kind_of
        d = self.decl.get(name)
        return d.kind if d is not None else kind_of(name)

    def shown(self, name: str) -> str:
        return F.shown(self.get(name), self.kind(name))

    def periods(self) -> int:
        starts = self.cells("Per_Start")
        return max((i + 1 for i, v in enumerate(starts) if v not in (None, "")), default=0)


# --- the document -----------------------------------------------------------------------------------------
class _Writer:
    def __init__(self, book: _Book, lang: str):
        import docx
        from docx.shared import Cm, Pt

        self.b, self.lang = book, lang
        self.doc = docx.Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.2)
        sec.top_margin = sec.bottom_margin = Cm(2.2)
        self._fonts(Pt)
        self.figures = 0
        self.warnings: list[str] = []
        self.Cm = Cm

    def _fonts(self, Pt) -> None:
        from docx.oxml.ns import qn
        for name, east, size in (("Normal", "宋体", 10.5), ("Heading 1", "黑体", 15), ("Heading 2", "黑体", 12.5),
                                 ("Title", "黑体", 20)):
            st = self.doc.styles[name]
            st.font.size = Pt(size)
            rpr = st.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = rpr.makeelement(qn("w:rFonts"), {})
                rpr.append(fonts)
            fonts.set(qn("w:eastAsia"), east)
            if name != "Normal":
                st.font.color.rgb = None

    # text in the chosen language(s)
    def t(self, zh: str, en: str, sep: str = " ") -> str:
        if self.lang == "zh":
            return zh
        if self.lang == "en":
            return en or zh
        return f"{zh}{sep}{en}" if en else zh

    def heading(self, key: str) -> None:
        zh, en = SECTIONS[key]
        self.doc.add_heading(self.t(zh, en), level=1)

    def sub(self, zh: str, en: str) -> None:
        self.doc.add_heading(self.t(zh, en), level=2)

    def para(self, zh: str, en: str = "", italic: bool = False):
        if self.lang == "both" and en:
            p = self.doc.add_paragraph(zh)
            q = self.doc.add_paragraph(en)
            for r in q.runs:
                r.italic = True
            return p
        p = self.doc.add_paragraph(self.t(zh, en))
        if italic:
            for r in p.runs:
                r.italic = True
        return p

    def table(self, head: list[str], rows: list[list[str]], widths: list[float] | None = None):
        from docx.shared import Pt
        tab = self.doc.add_table(rows=1, cols=len(head))
        tab.style = "Table Grid"
        for c, h in zip(tab.rows[0].cells, head):
            c.text = h
            for r in c.paragraphs[0].runs:
                r.bold = True
        for row in rows:
            cells = tab.add_row().cells
            for c, v in zip(cells, row):
                c.text = "" if v is None else str(v)
        for row in tab.rows:
            for c in row.cells:
                for p in c.paragraphs:
                    for r in p.runs:
                        r.font.size = Pt(9)
        if widths:  # Word reads the cells' widths, LibreOffice the grid's: both are set
            tab.autofit = False
            for col, w in zip(tab.columns, widths):
                col.width = self.Cm(w)
            for row in tab.rows:
                for c, w in zip(row.cells, widths):
                    c.width = self.Cm(w)
        self.doc.add_paragraph()
        return tab

    def picture(self, png: bytes, zh: str, en: str) -> None:
        self.doc.add_picture(io.BytesIO(png), width=self.Cm(_PICTURE_CM))
        self.figures += 1
        cap = self.doc.add_paragraph(self.t(f"图{self.figures}  {zh}", f"Figure {self.figures}. {en}"))
        for r in cap.runs:
            r.italic = True

    def chart(self, make, zh: str, en: str) -> None:
        """A figure, or where no CJK font is found a note saying so (the tables carry the figures)."""
        from .charts import NoCJKFont
        try:
            self.picture(make(), zh, en)
        except NoCJKFont as exc:
            if str(exc) not in self.warnings:
                self.warnings.append(str(exc))
            self.para(f"（图“{zh}”未生成：系统中没有中文字体，数字见上表。）",
                      f"(Figure “{en}” not drawn: no CJK font on this system; the figures are in the table above.)",
                      italic=True)

    def label(self, name: str) -> str:
        d = self.b.decl.get(name)
        return self.t(d.zh, d.en) if d is not None else name


def _period_labels(b: _Book, n: int) -> list[str]:
    labels = b.cells("Per_Label")[:n]
    return [str(v) if v not in (None, "") else f"第{i + 1}期" for i, v in enumerate(labels)]


def _names_in(formula: str) -> list[str]:
    seen = []
    for m in _NAME.finditer(re.sub(r'"[^"]*"', '""', formula)):
        if m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def _functions_in(formula: str) -> list[str]:
    from ..workflows.export_values import functions_in
    return [f for f in functions_in(re.sub(r'"[^"]*"', '""', formula)) if f in FUNCTIONS]


def _write(w: _Writer, seal_text: str | None, seal_basis: str | None) -> None:  # noqa: C901 (one document)
    b, t = w.b, w.t
    n = b.periods()
    criminal = b.get("Case_View") == L.CRIMINAL or b.has("Crim_Loss") or b.has("Crim_Amount")

    title = t("商业秘密侵权损害赔偿计算报告", "Trade-secret damages: calculation report", "\n")
    w.doc.add_heading(title, level=0)
    if b.get("Case_Illustrative") == L.YES:
        w.para("示例数据，非真实案件数据。", "Illustrative figures, not case data.")
    w.para(f"案号：{b.shown('Case_Number')}　编制人：{b.shown('Case_Analyst')}　编制日期：{b.shown('Case_Date')}",
           f"Case no.: {b.shown('Case_Number')}; prepared by {b.shown('Case_Analyst')} on {b.shown('Case_Date')}")
    w.para(f"本报告按{GUIDELINE[0]}的结构，在计算所能填写的范围内编写；数字均取自案件工作簿的计算结果。",
           f"The report follows the structure of the {GUIDELINE[1]} as far as a calculation can fill it; every "
           f"figure is the case workbook's computed value.", italic=True)

    # 1 the case and the scope
    w.heading("case")
    rows = [[w.label(f.name), b.shown(f.name)] for f in L.inputs()[:7]]
    rows += [[w.label(k), b.shown(k)] for k in ("Conduct_Start", "Conduct_End", "Case_View", "Claim_Amount")]
    w.table([t("项目", "Item"), t("内容", "Content")], rows, [6, 10.5])
    w.para("计算范围：按法律允许的各计算方法分别计算侵权损害赔偿（实际损失、侵权获利、许可使用费、商业价值、法定赔偿），"
           "并按选定的方法计算补偿性赔偿、惩罚性赔偿、诉请上限与合理开支后的判赔总额"
           + ("；并计算刑事损失数额与量刑档次" if criminal else "") + "。",
           "Scope: each measure the law allows (lost profit, the infringer's gains, license fee, commercial value, "
           "statutory damages), and under the measure selected the compensatory and punitive amounts and the "
           "award after the claim cap and the expenses" + ("; and the criminal loss and tier" if criminal else "")
           + ".")

    # 2 methods considered and selected
    w.heading("methods")
    measures = [("Measure_Lost_Profit", "LOST_PROFIT"), ("Measure_Infringer_Gain", "INFRINGER_GAIN"),
                ("Measure_License_Fee", "LICENSE_FEE_LOSS"), ("Measure_Commercial_Value", "INCOME_VALUE"),
                ("Measure_Statutory", None)]
    rows = []
    for name, fn in measures:
        basis = FUNCTIONS[fn].basis_zh if fn and w.lang != "en" else (FUNCTIONS[fn].basis_en if fn else "")
        if not fn:
            basis = t(b.decl[name].basis_zh, b.decl[name].basis_en)
        rows.append([w.label(name), b.shown(name) or t("不适用（缺少输入）", "n/a (inputs absent)"), basis])
    w.table([t("计算方法", "Measure"), t("结果", "Result"), t("法律依据", "Legal basis")], rows, [4, 3.5, 9])
    w.para(f"选用的方法：{b.shown('Measure_Choice') or '（未选）'}。方法顺序的依据：{b.shown('Measure_Order_Basis')}。",
           f"Measure selected: {b.shown('Measure_Choice') or '(none)'}. Order of the measures: "
           f"{b.shown('Measure_Order_Basis')}.")
    if b.has("Lost_Profit_Basis"):
        w.para(f"实际损失的计算依据：{b.shown('Lost_Profit_Basis')}。", f"Lost profit rests on: {b.shown('Lost_Profit_Basis')}.")
    w.para("选择理由：方法由委托方或专家在工作簿输入表中选定；法律规定的顺序由上述依据核对（见第十一部分校验）。"
           "各方法的结果并列于第六部分，供法院比较。",
           "Why: the measure is chosen on the workbook's Inputs sheet by the instructing party or the expert; the "
           "order the law sets is checked against the basis above (section 11). The measures stand side by side "
           "in section 6 for the court to compare.")

    # 3 inputs
    w.heading("inputs")
    rows = []
    for f in L.inputs():
        if b.has(f.name):
            rows.append([w.label(f.name), b.shown(f.name), f.spec.unit, ""])
    w.table([t("输入", "Input"), t("数值", "Value"), t("单位", "Unit"), t("证据来源（由专家填写）", "Source (the expert's "
             "evidence reference)")], rows, [6, 4.5, 2.5, 4])
    if n:
        w.sub("期间表", "Periods")
        cols = [c for c in next(tb for tb in L.tables() if tb.name == "Periods").columns]
        head = [t("项目", "Item")] + _period_labels(b, n)
        rows = [[w.label(c.name)] + [F.shown(v, c.kind if c.kind in F.FORMATS else "text")
                                     for v in b.cells(c.name)[:n]] for c in cols[1:]]
        w.table(head, rows)
    for tname in ("Points", "Licenses", "RD_Items", "Remedial"):
        tb = next(x for x in L.tables() if x.name == tname)
        cols = tb.columns
        data = [b.cells(c.name) for c in cols]
        used = [i for i in range(tb.size) if any(col[i] not in (None, "") for col in data if i < len(col))]
        if not used:
            continue
        w.sub(tb.zh, tb.en)
        rows = [[F.shown(data[j][i], c.kind if c.kind in F.FORMATS else "text") for j, c in enumerate(cols)] + [""]
                for i in used]
        w.table([w.label(c.name) for c in cols] + [t("证据来源", "Source")], rows)

    # 4 derivation
    w.heading("derivation")
    w.para("每个数字：公式（文字与符号）、所用输入及其数值、所调用的函数及其法律依据、结果。公式为工作簿中的原样。",
           "Each figure: the formula in words and symbols, the inputs it used with their values, the function it "
           "calls and its legal basis, the result. Formulas are as in the workbook.", italic=True)
    k = 0
    for name in DERIVED:
        if not b.has(name) or name not in b.decl:
            continue
        d = b.decl[name]
        k += 1
        w.sub(f"4.{k} {d.zh}", f"4.{k} {d.en}")
        formula = d.formula
        funcs = _functions_in(formula)
        lines = []
        if d.total_of:
            lines.append(t(f"各期“{b.decl[d.total_of].zh}”之和：Σ 各期", f"Sum over the periods of “{b.decl[d.total_of].en}”"))
        for fn in funcs:
            spec = FUNCTIONS[fn]
            lines.append(t(f"{fn}：{spec.description('zh')} 公式：{spec.formula}",
                           f"{fn}: {spec.description('en')} Formula: {spec.formula}"))
        if d.basis_zh or d.basis_en:
            lines.append(t(d.basis_zh, d.basis_en))
        for line in lines:
            w.para(line)
        w.para(t("工作簿公式：", "Workbook formula: ") + formula)
        used = [u for u in _names_in(formula) if u != name and u in b.decl]
        rows = []
        for u in used:
            du = b.decl[u]
            if du.per_period:
                vals = [F.shown(v, du.kind) for v in b.cells(u)[:n]]
                rows.append([w.label(u), "；".join(v or "—" for v in vals) + t("（各期）", " (by period)")])
            else:
                rows.append([w.label(u), b.shown(u) or t("（空白）", "(blank)")])
        if rows:
            w.table([t("所用输入", "Input used"), t("数值", "Value")], rows, [7, 9.5])
        rows = [[fn, FUNCTIONS[fn].basis_zh if w.lang != "en" else FUNCTIONS[fn].basis_en] for fn in funcs]
        if rows:
            w.table([t("函数", "Function"), t("法律依据", "Legal basis")], rows, [4, 12.5])
        p = w.para(t(f"结果：{b.shown(name)}", f"Result: {b.shown(name)}"))
        for r in p.runs:
            r.bold = True

    # 5 chain
    w.heading("chain")
    chain = [(t(b.decl[s].zh, b.decl[s].en), b.get(s)) for s in ("Contrib_S1", "Contrib_S2", "Contrib_S3",
                                                                    "Contrib_S4", "Contrib_Rate")]
    w.table([t("环节", "Step"), t("比例", "Share")], [[lab, F.percent(v)] for lab, v in chain], [10, 6.5])
    w.para(f"适用的贡献率：{b.shown('Contrib_Applied')}。技术贡献率 = s1 × s2 × s3 × s4（{FUNCTIONS['TECH_CONTRIB_RATE'].basis_zh}）",
           f"Rate applied: {b.shown('Contrib_Applied')}. Rate = s1 × s2 × s3 × s4 "
           f"({FUNCTIONS['TECH_CONTRIB_RATE'].basis_en})")
    if any(isinstance(v, (int, float)) for _, v in chain):
        from .charts import chain_chart
        w.chart(lambda: chain_chart([(b.decl[s].zh + " " + s[-2:] if s.startswith("Contrib_S") else "技术贡献率 rate",
                                      b.get(s)) for s in ("Contrib_S1", "Contrib_S2", "Contrib_S3", "Contrib_S4",
                                                          "Contrib_Rate")],
                                    "技术贡献率链条 Contribution chain"), "技术贡献率链条", "The contribution chain")

    # 6 measures side by side
    w.heading("measures")
    shows = [s for s in next(x for x in L.SUMMARY_SECTIONS[0].items if isinstance(x, L.Group)).fields]
    rows = [[t(s.zh, s.en), b.shown(s.name) or t("不适用", "n/a")] for s in shows]
    rows.append([t("法定赔偿上限（限额，非计算方法）", "Statutory cap (a limit, not a measure)"), b.shown("Statutory_Cap")])
    w.table([t("计算方法", "Measure"), t("金额", "Amount")], rows, [9, 7.5])
    w.para("前三项已乘适用的贡献率，未乘惩罚倍数；法定赔偿上限是限额，不是一种计算方法，图中以虚线表示。",
           "The first three are after the contribution rate, before any multiplier; the statutory cap is a limit, "
           "not a measure, drawn as a dashed line.")
    chosen_zh = (b.get("Measure_Choice") or "").split(" ")[0]
    if chosen_zh and chosen_zh == L.MEASURES[3].split(" ")[0]:  # commercial value: the approach chosen
        chosen_zh += f"（{(b.get('Value_Method') or '').split(' ')[0]}）"
    from .charts import measures_chart
    w.chart(lambda: measures_chart([(s.zh, b.get(s.name)) for s in shows],
                                   next((s.zh for s in shows if chosen_zh and s.zh.startswith(chosen_zh)), None),
                                   b.get("Statutory_Cap"), "各计算方法对比（元） Measures side by side (yuan)"),
            "各计算方法对比", "The measures side by side")

    # 7 punitive by period
    w.heading("punitive")
    if n:
        rows = []
        for i in range(n):
            rows.append([_period_labels(b, n)[i], F.shown(b.cells("Per_Start")[i], "date"),
                         F.shown(b.cells("Per_End")[i], "date"), F.yuan(b.cells("Per_Base")[i]),
                         F.number(b.cells("Per_K")[i]), F.yuan(b.cells("Per_Amount")[i]),
                         str(b.cells("Per_Punitive_OK")[i] or "")])
        w.table([t("期间", "Period"), t("开始", "Start"), t("结束", "End"), t("基数", "Base"), t("倍数", "Multiplier"),
                 t("赔偿额", "Damages"), t("可适用倍数", "Multiplier available")], rows)
        w.para(f"补偿性赔偿 {b.shown('Econ_Base')}；含倍数 {b.shown('Econ_Punitive')}；其中惩罚性部分 "
               f"{b.shown('Econ_Punitive_Extra')}。{FUNCTIONS['PUNITIVE_TOTAL'].basis_zh}",
               f"Compensatory {b.shown('Econ_Base')}; with multipliers {b.shown('Econ_Punitive')}; of which punitive "
               f"{b.shown('Econ_Punitive_Extra')}. {FUNCTIONS['PUNITIVE_TOTAL'].basis_en}")
        from .charts import periods_chart
        w.chart(lambda: periods_chart(_period_labels(b, n), b.cells("Per_Base")[:n], b.cells("Per_Amount")[:n],
                                      "分期基数与赔偿额 Base and damages by period"),
                "分期基数与赔偿额", "Base and damages by period")
    else:
        w.para("工作簿未填期间表，无分期计算。", "The workbook has no periods: nothing by period.")

    # 8 claim cap and expenses
    w.heading("cap")
    rows = [[w.label(x), b.shown(x)] for x in ("Econ_Loss", "Claim_Amount", "Claim_Cap_Basis", "Claim_Cap_Binds",
                                                  "Exp_Lawyer", "Exp_Notary", "Exp_Appraisal", "Exp_Other",
                                                  "Expenses_Total", "Statutory_Cap", "Total_Award") if x in b.decl]
    w.table([t("项目", "Item"), t("数值", "Value")], rows, [9, 7.5])
    w.para(f"判赔总额：{b.shown('Total_Award')}。{FUNCTIONS['AWARD_TOTAL'].basis_zh}",
           f"Total award: {b.shown('Total_Award')}. {FUNCTIONS['AWARD_TOTAL'].basis_en}")

    # 9 criminal
    w.heading("criminal")
    if criminal:
        rows = [[w.label(x), b.shown(x)] for x in ("Crim_Loss", "Crim_Illegal_Gains", "Crim_Amount",
                                                      "Crim_Serious_Line", "Crim_Especially_Line", "Crim_Tier",
                                                      "Crim_Instrument", "Crim_Statute_Wording")]
        w.table([t("项目", "Item"), t("数值", "Value")], rows, [7, 9.5])
        w.para("刑事损失数额不含民事惩罚性赔偿的倍数；是否构成犯罪及量刑由法院判决。",
               "The criminal loss carries no civil multiple; whether it is a crime and the sentence are for the court.")
    else:
        w.para("本案未作刑事视角的计算。", "The case has no criminal view.")

    # 10 sensitivity and scenarios
    w.heading("analysis")
    found = [s for s in _ANALYSIS_SHEETS if s in b.wb.sheetnames]
    if not found:
        w.para("工作簿中没有敏感性分析或情景分析的结果（可用 xl-tsd sensitivity 生成后再出具报告）。",
               "The workbook holds no sensitivity or scenario results (make them with xl-tsd sensitivity, then the "
               "report again).")
    for s in found:
        ws = b.wb[s]
        w.sub(s, s)
        rows = []
        for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, _MAX_ANALYSIS_ROWS), values_only=True):
            cells = [F.number(v) if isinstance(v, float) else ("" if v is None else str(v)) for v in row[:8]]
            if any(cells):
                rows.append(cells)
        if rows:
            w.table(rows[0], rows[1:])
        if ws.max_row > _MAX_ANALYSIS_ROWS:
            w.para(f"（仅列前 {_MAX_ANALYSIS_ROWS} 行，全部见工作簿 {s} 表。）",
                   f"(The first {_MAX_ANALYSIS_ROWS} rows; all of them on the workbook's {s} sheet.)", italic=True)

    # 11 checks
    w.heading("checks")
    rows = [[t(c.zh, c.en), F.shown(b.get(c.name), "bool")] for c in L.CHECKS]
    rows.append([t("总校验", "Master check"), F.shown(b.get(L.MASTER), "bool")])
    w.table([t("校验", "Check"), t("状态", "State")], rows, [11, 5.5])
    warn = [[t(c.zh, c.en), F.shown(b.get(c.name), "bool")] for c in L.WARNINGS]
    w.sub("提示（不影响总校验）", "Warnings (not part of the master check)")
    w.table([t("提示", "Warning"), t("状态（TRUE 为无提示）", "State (TRUE: nothing to flag)")], warn, [11, 5.5])

    # 12 limits
    w.heading("limits")
    for zh, en in (
            ("选用何种计算方法、是否适用惩罚性赔偿及其倍数、法定赔偿的具体数额、合理开支的认定，均属法院依法裁量，本报告不作决定。",
             "Which measure applies, whether and how far to multiply, the amount of statutory damages and which "
             "expenses are reasonable are for the court; this report does not decide them."),
            ("本报告的数字以工作簿的输入为前提；输入的真实性、证据的采信由法院审查认定。证据来源一栏由专家填写。",
             "The figures rest on the workbook's inputs; the truth of the inputs and the weight of the evidence are "
             "for the court. The source column is for the expert to fill."),
            ("法律参数表中标为“未核实”的参数，未经与公开文本逐条核对，引用前应核对原文（见附录一）。",
             "Legal parameters marked unverified were not checked against a public text; check the official text "
             "before relying on them (appendix 1).")):
        w.para(zh, en)

    # appendix 1: legal table: the rules in force on every date the case looks rules up on
    w.heading("legal")
    def day(v):
        return v.date() if isinstance(v, _dt.datetime) else v if isinstance(v, _dt.date) else None
    dates = sorted({d for d in [day(b.get(x)) for x in ("Conduct_Start", "Conduct_End", "Crim_Date",
                                                        "Crim_Decision_Date")]
                    + [day(v) for v in b.cells("Per_Start")[:n]] if d is not None}) or [_dt.date.today()]
    used: dict = {}
    for d in dates:
        for r in legal.rules_in_force(d):
            used[(r.key, r.effective_from)] = r
    w.para(f"案件所涉日期（{'、'.join(d.isoformat() for d in dates)}）施行的法律参数；法律参数表摘要 SHA-256："
           f"{legal.table_digest()}",
           f"The rules in force on the dates the case looks up ({', '.join(d.isoformat() for d in dates)}); "
           f"legal table digest (SHA-256): {legal.table_digest()}")
    rows = []
    for r in sorted(used.values(), key=lambda r: (legal.keys().index(r.key), r.effective_from)):
        value = r.value.isoformat() if isinstance(r.value, _dt.date) else (F.number(r.value) if isinstance(
            r.value, float) else str(r.value))
        rows.append([r.key, value, r.citation("zh") if w.lang != "en" else r.citation("en"), r.status, r.source])
    w.table([t("参数", "Key"), t("数值", "Value"), t("出处", "Citation"), t("核实状态", "Status"), t("来源", "Source")],
            rows, [3, 2.9, 4.6, 2.3, 3.7])

    # appendix 2: the seal and the figures verify reads
    w.heading("seal")
    w.para(SEAL_LABEL + (seal_text or "（工作簿未加印记 not sealed）"))
    if seal_basis:
        w.para(f"印记涵盖 What the seal covers: {seal_basis}")
    w.para(f"核验：xl-tsd verify 工作簿.xlsm 本报告.docx —— 重新计算工作簿，逐项比较下表数字与印记。报告由 xl_tsd "
           f"{__version__} 生成。",
           f"To verify: xl-tsd verify BOOK.xlsm REPORT.docx recomputes the workbook and compares each figure below "
           f"and the seal. Made by xl_tsd {__version__}.")
    from .verify import FIGURES, kind_of
    rows = [[name, F.shown(b.get(name), kind_of(name))] for name in FIGURES if b.wb.defined_names.get(name)]
    w.table(list(VERIFY_HEAD), rows, [6, 10.5])


def write_report(book, out, *, lang: str = "zh", pdf: bool = False, overwrite: bool = False) -> ReportResult:
    """Write the report of a computed case workbook to ``out`` (``.docx``), atomically.

    Parameters
    ----------
    book : path
        A workbook built from the case template; it passes the gate of :mod:`xl_tsd.calc.safety`. One
        never computed is computed headlessly first (in memory; the file is not changed).
    out : path
        The ``.docx`` to write; never the workbook; an existing file only with ``overwrite``.
    lang : {"zh", "en", "both"}
    pdf : bool
        Also write ``out`` with ``.pdf`` through LibreOffice (:func:`to_pdf`).
    overwrite : bool

    Raises
    ------
    ValueError
        A bad ``lang``, an output that is not a ``.docx`` or is the workbook.
    xl_tsd.calc.InputRefused
        The workbook is refused by the gate.
    xl_tsd.report.verify.VerifyError
        Not a workbook built from the template.
    LibreOfficeMissing
        ``pdf`` asked for without LibreOffice (the ``.docx`` is written first).
    """
    from .._atomic import atomic_path, check_output, same_file
    from ..calc import calculate, safety
    from .seal import BASIS_NAME, SEAL_NAME, stored_seal
    from .verify import VerifyError

    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)} (got {lang!r})")
    book, out = pathlib.Path(book), pathlib.Path(out)
    if out.suffix.lower() != ".docx":
        raise ValueError(f"the report must be a .docx file (got {out.name})")
    if same_file(book, out):
        raise ValueError(f"output {out} is the workbook: choose another file")
    check_output(out, overwrite=overwrite)
    pdf_path = out.with_suffix(".pdf")
    if pdf:
        check_output(pdf_path, overwrite=overwrite)
    pkg = safety.read_package(book)
    formulas = safety.load_workbook(pkg)
    if formulas.defined_names.get("Total_Award") is None:
        raise VerifyError(f"{book}: not a workbook built from the xl_tsd case template (no Total_Award)")
    wb = safety.load_workbook(pkg, data_only=True)
    result = ReportResult(out)
    if _Book(wb).get(L.MASTER) is None:  # never computed: the master check is TRUE or FALSE once it is
        import tempfile
        with tempfile.TemporaryDirectory(prefix="xl_tsd_report_") as work:
            computed = pathlib.Path(work) / f"computed{pkg.kind}"
            calculate(pkg.data, computed)
            wb = safety.load_workbook(computed, data_only=True)
            formulas = safety.load_workbook(computed)
        result.computed = True
    shown, _ = stored_seal(formulas)
    basis_cell = _Book(formulas).get(BASIS_NAME) if formulas.defined_names.get(BASIS_NAME) else None
    result.fingerprint = shown if shown is not None and formulas.defined_names.get(SEAL_NAME) else None
    w = _Writer(_Book(wb), lang)
    _write(w, result.fingerprint, basis_cell if result.fingerprint else None)
    w.doc.core_properties.title = "商业秘密侵权损害赔偿计算报告 Trade-secret damages: calculation report"
    w.doc.core_properties.author = f"xl_tsd {__version__}"
    result.figures, result.warnings = w.figures, w.warnings
    with atomic_path(out, overwrite=overwrite) as tmp:
        w.doc.save(str(tmp))
    if pdf:
        result.pdf = to_pdf(out, pdf_path, overwrite=overwrite)
    return result


class LibreOfficeMissing(RuntimeError):
    """``--pdf`` without LibreOffice; the message says how to get it."""

    def __init__(self):
        super().__init__("LibreOffice (soffice) is not installed, so no PDF was made (the .docx is written): "
                         "install it (Debian/Ubuntu: sudo apt-get install libreoffice-writer fonts-noto-cjk; "
                         "macOS: brew install --cask libreoffice; Windows: https://www.libreoffice.org/download/), "
                         "or open the .docx in Word and save it as PDF")


_SOFFICE_SECONDS = 180  # a report converts in seconds; a hung LibreOffice is stopped after this


def soffice() -> str | None:
    import shutil
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(src, dst, *, overwrite: bool = False) -> pathlib.Path:
    """Convert a document to PDF with LibreOffice headless, atomically (a private profile, a time limit)."""
    import shutil
    import subprocess
    import tempfile

    from .._atomic import atomic_path
    exe = soffice()
    if exe is None:
        raise LibreOfficeMissing()
    src, dst = pathlib.Path(src), pathlib.Path(dst)
    with tempfile.TemporaryDirectory(prefix="xl_tsd_pdf_") as work:
        profile = pathlib.Path(work) / "profile"
        cmd = [exe, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
               "--outdir", work, str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_SOFFICE_SECONDS)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"LibreOffice did not convert {src.name} within {_SOFFICE_SECONDS} s") from None
        made = pathlib.Path(work) / (src.stem + ".pdf")
        if not made.exists():
            raise RuntimeError(f"LibreOffice could not convert {src.name}: "
                               f"{(proc.stderr or proc.stdout).strip().splitlines()[-1:] or 'no reason given'}")
        with atomic_path(dst, overwrite=overwrite) as tmp:
            shutil.copyfile(made, tmp)
    return dst


def read_report(path) -> tuple[dict[str, str], str | None]:
    """The figures (name -> value as printed) and the seal a report prints (for :mod:`.verify`).

    Raises
    ------
    ValueError
        Not a ``.docx`` python-docx can read.
    """
    import zipfile

    import docx
    path = pathlib.Path(path)
    try:
        d = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ValueError(f"{path}: cannot be read as a Word report ({type(exc).__name__}: {exc})") from None
    figures: dict[str, str] = {}
    for tab in d.tables:
        if tuple(c.text for c in tab.rows[0].cells[:2]) != VERIFY_HEAD:
            continue
        for row in tab.rows[1:]:
            cells = row.cells
            if len(cells) >= 2:
                figures[cells[0].text.strip()] = cells[1].text.strip()
    seal = None
    for p in d.paragraphs:
        m = _SEAL_RE.search(p.text)
        if m:
            seal = m.group(1)
    return figures, seal
