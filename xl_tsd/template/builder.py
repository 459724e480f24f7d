"""Building workbook/Template.xlsm from :mod:`xl_tsd.template.layout`.

:func:`build_template` is the single entry point. Its steps:

1. ``xlwings quickstart NAME --standalone`` (the installed xlwings) in a
   temporary folder: the workbook that carries the xlwings VBA module, so
   users need no add-in.
2. openpyxl (``keep_vba=True``) adds the sheets, styles, names, validations,
   charts and protection the layout declares; ``Sheet1`` becomes the Cover
   and ``_xlwings.conf`` becomes the active ``xlwings.conf`` sheet (both keep
   their VBA code names).
3. The VBA step (:func:`add_vba_modules`): where the generated UDF modules go
   into the VBA project.
4. Normalisation: ZIP entries in a fixed order with a fixed date, and fixed
   document timestamps, so that the same code gives the same bytes (the
   freshness test compares the committed template with a fresh build).

The output is written atomically (a temporary file beside it, then a rename).
The build is deterministic: run twice, it gives the same bytes.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from .. import legal
from ..registry import FUNCTIONS
from . import layout as L
from . import printing
from ..report import seal

__all__ = ["DEFAULT_PATH", "FIXED_TIME", "STYLE_INPUT", "STYLE_FORMULA", "STYLE_CHECK", "UDF_MODULES",
           "NameInfo", "build_template", "build_workbook", "name_catalogue", "quickstart_workbook",
           "add_vba_modules", "normalise"]

#: Where the committed template lives in a checkout.
DEFAULT_PATH = pathlib.Path(__file__).resolve().parents[2] / "workbook" / "Template.xlsm"
#: Every timestamp the build writes (ZIP entries, document properties).
FIXED_TIME = _dt.datetime(2025, 1, 1, 0, 0, 0)
#: The named cell styles: inputs, formulas, checks.
STYLE_INPUT, STYLE_FORMULA, STYLE_CHECK = "TSD Input", "TSD Formula", "TSD Check"
#: The module xlwings imports for the UDFs (``udfs/tsd.py``).
UDF_MODULES = "udfs.tsd"
#: xlwings.conf PYTHONPATH: the folder above the workbook's folder (the checkout's root when the
#: workbook sits in workbook/). xlwings adds the workbook's own folder, and does not resolve relative
#: entries against it, hence the formula; without a saved path (or outside Excel) it is blank.
CONF_PYTHONPATH = '=IFERROR(LEFT(CELL("filename",A1),FIND("[",CELL("filename",A1))-1)&"..","")'

_PERIOD_COL = 6          # column F: period 1 (value column E holds single values and totals)
_VALUE_COL = "E"
_FORMATS = {"money": "#,##0.00", "share": "0.00%", "ratio": "0.000", "years": "0.00", "multiplier": "0.00",
            "count": "0", "bool": "General", "text": "General", "date": "yyyy-mm-dd"}
_WIDTHS = {"A": 24, "B": 34, "C": 11, "D": 44, "E": 16}
_PERIOD_WIDTH = 13
#: The number format of the TRUE/FALSE cells that are coloured by a condition. Excel shows a boolean as
#: TRUE/FALSE whatever the format; LibreOffice 7.4 crashes exporting to PDF a print area holding a
#: conditionally formatted boolean in its own BOOLEAN format, not in this one (seen with 7.4.7.2).
BOOL_FORMAT = '"TRUE";"TRUE";"FALSE"'
_SUMMARY_VALUE_WIDTH = 40  # the Summary's value column also shows texts (the measure chosen, citations)
_TEXT_ROW_HEIGHT = 48      # four lines of a computed text in that column
_CHECK_MESSAGE_WIDTH = 130  # the Checks sheet's message column
_CHART_CM = 8              # height of a chart
_SIDE_CHART_CM = 13         # two charts side by side on the Summary
_CHART_ROWS = 17           # rows a chart covers (rows of 15 points: 0.53 cm), and one between
_THIN = Side(style="thin", color="BFBFBF")
_HEAD_FILL = PatternFill("solid", fgColor="1F4E78")
_SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
_BAD = PatternFill("solid", bgColor="FFC7CE")
_GOOD = PatternFill("solid", bgColor="C6EFCE")
_WARN = PatternFill("solid", bgColor="FFEB9C")
_UNVERIFIED_FILL = PatternFill("solid", fgColor="FFEB9C")  # a legal row not confirmed against its source
_TOKEN = re.compile(r"\[([A-Za-z_][A-Za-z0-9_]*)\]")
_FUNC = re.compile(r"\b([A-Z][A-Z0-9_.]*)\(")


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------
def build_template(path: str | pathlib.Path = DEFAULT_PATH) -> pathlib.Path:
    """Build the case template at ``path`` (default ``workbook/Template.xlsm``).

    Parameters
    ----------
    path : str or pathlib.Path
        Where to write the ``.xlsm``; written atomically.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    path = pathlib.Path(path)
    with tempfile.TemporaryDirectory(prefix="xl_tsd_template_") as tmp:
        base = quickstart_workbook(tmp)
        wb = openpyxl.load_workbook(base, keep_vba=True)
        build_workbook(wb)
        raw, with_vba = pathlib.Path(tmp) / "raw.xlsm", pathlib.Path(tmp) / "vba.xlsm"
        wb.save(raw)
        add_vba_modules(raw, with_vba)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(fd)
        try:
            normalise(with_vba, pathlib.Path(part))
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(part, 0o666 & ~umask)  # mkstemp makes it private; a workbook is an ordinary file
            os.replace(part, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part)
    return path


def quickstart_workbook(folder: str | pathlib.Path, name: str = "tsd") -> pathlib.Path:
    """Run ``xlwings quickstart NAME --standalone`` in ``folder``; the path of its ``.xlsm``."""
    subprocess.run([sys.executable, "-c", "import sys, xlwings.cli; sys.exit(xlwings.cli.main())",
                    "quickstart", name, "--standalone"], cwd=folder, check=True, capture_output=True)
    return pathlib.Path(folder) / name / f"{name}.xlsm"


def add_vba_modules(xlsm_in: pathlib.Path, xlsm_out: pathlib.Path) -> None:
    """The VBA step of the build: ``xlsm_in`` with the generated modules in its VBA project, to ``xlsm_out``.

    Adds ``xlwings_udfs`` and the Function Wizard module ``xl_tsd_wizard``
    (issue 7); see :func:`xl_tsd.excel.vba_project.embed_udf_modules`.
    """
    from ..excel.vba_project import embed_udf_modules
    embed_udf_modules(xlsm_in, xlsm_out)


def normalise(src: pathlib.Path, dst: pathlib.Path) -> None:
    """Copy the package ``src`` to ``dst`` with fixed entry order, dates and document timestamps."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(src) as zin:
        names = zin.namelist()
        order = sorted(names, key=lambda n: (n != "[Content_Types].xml", n))
        with zipfile.ZipFile(dst, "w") as zout:
            for name in order:
                data = zin.read(name)
                if name == "docProps/core.xml":
                    data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                                  lambda m: m.group(1) + stamp.encode() + m.group(3), data)
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                zout.writestr(info, data)


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NameInfo:
    """A defined name of the template: what it refers to and what it holds."""

    name: str
    ref: str
    role: str  # input, table column, table row, input matrix, output, per-period output, check, list...
    zh: str
    en: str
    unit: str = ""


def build_workbook(wb: openpyxl.Workbook) -> list[NameInfo]:
    """Turn xlwings' quickstart workbook (loaded with ``keep_vba=True``) into the template, in place.

    Returns the catalogue of the defined names it created, in sheet order.
    """
    builder = _Builder(wb)
    builder.run()
    props = wb.properties
    props.creator = props.lastModifiedBy = "xl_tsd"
    props.title = "商业秘密侵权损害赔偿计算模板 Trade-secret damages case template"
    props.created = props.modified = FIXED_TIME
    # the part the seal's document properties go into when the workbook is computed (xl_tsd.report.seal)
    from openpyxl.packaging.custom import StringProperty
    if not any(p.name == seal.PROP_PREFIX for p in wb.custom_doc_props.props):
        wb.custom_doc_props.append(StringProperty(name=seal.PROP_PREFIX, value=seal.NOT_SEALED))
    return builder.catalogue


def name_catalogue() -> list[NameInfo]:
    """Every defined name of the template with its role and labels (builds one in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="xl_tsd_names_") as tmp:
        return build_workbook(openpyxl.load_workbook(quickstart_workbook(tmp), keep_vba=True))


def _styles(wb) -> None:
    border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    wb.add_named_style(NamedStyle(
        STYLE_INPUT, font=Font(name="Calibri", size=11, color="0000CC"),
        fill=PatternFill("solid", fgColor="FFF2CC"), border=border, alignment=Alignment(vertical="top"),
        protection=Protection(locked=False)))
    wb.add_named_style(NamedStyle(STYLE_FORMULA, font=Font(name="Calibri", size=11, color="000000"),
                                  border=border, alignment=Alignment(vertical="top"),
                                  protection=Protection(locked=True)))
    wb.add_named_style(NamedStyle(STYLE_CHECK, font=Font(name="Calibri", size=11, bold=True), border=border,
                                  alignment=Alignment(horizontal="center", vertical="top"),
                                  protection=Protection(locked=True)))


class _Builder:
    def __init__(self, wb):
        self.wb = wb
        self.names: dict[str, str] = {}          # defined name -> reference text
        self.items: dict[str, list] = {}         # [Token] name -> [(sheet, coord)] per item
        self.pending: list = []                  # (ws, coord, template, item index, style, fmt)
        self.checks_cells: list = []             # (ws, range) with conditional TRUE/FALSE colours
        self.warning_cells: list = []            # (ws, range) with conditional TRUE/FALSE (amber) colours
        self.used_functions: set[str] = set()
        self.catalogue: list[NameInfo] = []
        self.last_rows: dict[str, int] = {}  # sheet -> last row to print, where drawings reach below the cells

    # -- names and cells ------------------------------------------------------------------------
    def name(self, name: str, ws, ref: str, role: str, zh: str, en: str, unit: str = "") -> None:
        if name in self.names:
            raise ValueError(f"defined name {name} declared twice")
        self.names[name] = f"{quote_sheetname(ws.title)}!{_absolute(ref)}"
        self.catalogue.append(NameInfo(name, self.names[name], role, zh, en, unit))

    def formula(self, ws, coord: str, template: str, item: int | None = None, style: str = STYLE_FORMULA,
                fmt: str = "General") -> None:
        self.pending.append((ws, coord, template, item, style, fmt))
        cell = ws[coord]
        cell.style = style
        cell.number_format = fmt
        if item is not None and fmt == _FORMATS["money"]:
            # a period column is narrow: a billion-yuan figure shrinks to fit rather than print "###"
            cell.alignment = Alignment(horizontal="right", shrink_to_fit=True)

    def resolve(self, ws, template: str, item: int | None) -> str:
        def repl(m):
            sheet, coord = self.items[m.group(1)][item]
            return coord if sheet == ws.title else f"{quote_sheetname(sheet)}!{coord}"
        text = _TOKEN.sub(repl, template)
        self.used_functions.update(f for f in _FUNC.findall(text) if f in FUNCTIONS)
        return text

    def finish_formulas(self) -> None:
        for ws, coord, template, item, _style, _fmt in self.pending:
            ws[coord].value = self.resolve(ws, template, item)

    # -- sheets -----------------------------------------------------------------------------------
    def run(self) -> None:
        wb = self.wb
        _styles(wb)
        cover = wb["Sheet1"]
        cover.title = "Cover"
        conf = wb["_xlwings.conf"]
        conf.title = "xlwings.conf"
        sheets = {"Cover": cover}
        for title in ("Inputs", "Calculations", "Summary", "Checks", "Sources"):
            sheets[title] = wb.create_sheet(title)
        sheets["xlwings.conf"] = conf
        wb._sheets = [sheets[t] for t in L.SHEETS]
        for ws in wb.worksheets:
            ws.sheet_view.tabSelected = ws.title == "Cover"
        wb.active = 0

        self.sources(sheets["Sources"])
        self.inputs(sheets["Inputs"])
        self.calculations(sheets["Calculations"])
        self.checks(sheets["Checks"])
        self.summary(sheets["Summary"])
        self.cover(sheets["Cover"])
        self.conf(conf)
        self.finish_formulas()
        self.functions_used(sheets["Sources"])
        for name, ref in self.names.items():
            wb.defined_names[name] = DefinedName(name, attr_text=ref)
        for ws, ref in self.checks_cells + self.warning_cells:
            for row in ws[ref] if ":" in ref else ((ws[ref],),):
                for cell in row:
                    cell.number_format = BOOL_FORMAT
        for ws, ref in self.checks_cells:
            ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["FALSE"], fill=_BAD))
            ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["TRUE"], fill=_GOOD))
        for ws, ref in self.warning_cells:
            ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["FALSE"], fill=_WARN))
            ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["TRUE"], fill=_GOOD))
        for title in ("Cover", "Inputs", "Calculations", "Summary", "Checks", "Sources"):
            _protect(sheets[title])
            _fit_rows(sheets[title])
            _print_area(sheets[title], self.last_rows.get(title))

    # -- common pieces ----------------------------------------------------------------------------
    def header(self, ws, title: str, value_col: str = _VALUE_COL, columns=True, periods=False) -> int:
        zh, en = L.SHEETS[title]
        ws["A1"], ws["B1"] = zh, en
        for c in ("A1", "B1"):
            ws[c].font = Font(size=16, bold=True, color="1F4E78")
        ws.row_dimensions[1].height = 24
        ws["A2"], ws["B2"] = "总校验", "Master check (every check passes)"
        ws["A2"].font = ws["B2"].font = Font(bold=True)
        self.formula(ws, f"{value_col}2", f"={L.MASTER}", style=STYLE_CHECK)
        self.checks_cells.append((ws, f"{value_col}2"))
        if columns:
            heads = ("项目", "Item", "单位 Unit", "说明与依据 Note and basis", "数值 Value")
            for col, text in zip("ABCDE", heads):
                self.head_cell(ws[f"{col}3"], text)
            if periods:
                for k in range(L.PERIODS):
                    self.head_cell(ws.cell(3, _PERIOD_COL + k), f"第{k + 1}期 P{k + 1}")
        for col, width in _WIDTHS.items():
            ws.column_dimensions[col].width = width
        if periods:
            for k in range(L.PERIODS):
                ws.column_dimensions[get_column_letter(_PERIOD_COL + k)].width = _PERIOD_WIDTH
        ws.freeze_panes = "C4"
        _print_setup(ws)
        return 5

    @staticmethod
    def head_cell(cell, text) -> None:
        cell.value = text
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")

    @staticmethod
    def section(ws, row: int, zh: str, en: str, note_zh: str = "", note_en: str = "", last_col: int = 5) -> int:
        ws.cell(row, 1, zh)
        ws.cell(row, 2, en)
        if note_zh or note_en:
            ws.cell(row, 4, f"{note_zh}；{note_en}" if note_zh and note_en else note_zh or note_en)
        for c in range(1, last_col + 1):
            cell = ws.cell(row, c)
            cell.fill = _SECTION_FILL
            cell.font = Font(bold=True, italic=c == 4, color="1F4E78")
            cell.alignment = Alignment(wrap_text=c == 4, vertical="top")
        return row + 1

    @staticmethod
    def label(ws, row: int, zh: str, en: str, unit: str = "", note: str = "") -> None:
        ws.cell(row, 1, zh)
        ws.cell(row, 2, en)
        if unit:
            ws.cell(row, 3, unit)
        if note:
            ws.cell(row, 4, note).alignment = Alignment(wrap_text=True, vertical="top")
        for c in (1, 2, 3):
            ws.cell(row, c).alignment = Alignment(vertical="top", wrap_text=c < 3)

    def validation(self, ws, spec: L.Field, ref: str) -> None:
        kind = spec.spec
        vtype, op, f1, f2 = kind.validation
        prompt = _clip(f"{spec.zh}：{kind.rule_zh}。{spec.note_zh}\n{spec.en}: {kind.rule_en}. {spec.note_en}", 255)
        dv = DataValidation(type=vtype, operator=op, formula1=f1, formula2=f2, allow_blank=True,
                            showInputMessage=True, showErrorMessage=True, promptTitle=_clip(spec.zh, 32),
                            prompt=prompt, errorTitle=_clip("输入无效 Invalid entry", 32),
                            error=_clip(f"{spec.zh}：{kind.rule_zh}。\n{spec.en}: {kind.rule_en}.", 255))
        dv.add(ref)
        ws.add_data_validation(dv)

    def input_cell(self, ws, coord: str, spec: L.Field) -> None:
        cell = ws[coord]
        cell.style = STYLE_INPUT
        cell.number_format = spec.spec.number_format

    # -- Inputs -----------------------------------------------------------------------------------
    def inputs(self, ws) -> None:
        row = self.header(ws, "Inputs", periods=True)
        for sec in L.INPUT_SECTIONS:
            row = self.section(ws, row, sec.zh, sec.en, sec.note_zh, sec.note_en,
                               last_col=_PERIOD_COL + L.PERIODS - 1 if sec.across else 5)
            for item in sec.items:
                row = self.input_item(ws, row, item)
            row += 1

    def group(self, ws, row: int, group: L.Group, write_item, role: str) -> int:
        """Write a group's fields one per row with ``write_item``; name the whole block too."""
        first = row
        for f in group.fields:
            row = write_item(ws, row, f)
        self.name(group.name, ws, f"{_VALUE_COL}{first}:{_VALUE_COL}{row - 1}", role, group.zh, group.en)
        return row

    def input_item(self, ws, row: int, item) -> int:
        if isinstance(item, L.Field):
            self.label(ws, row, item.zh, item.en, item.spec.unit, _note(item))
            coord = f"{_VALUE_COL}{row}"
            self.input_cell(ws, coord, item)
            self.validation(ws, item, coord)
            self.name(item.name, ws, coord, "input", item.zh, item.en, item.spec.unit)
            return row + 1
        if isinstance(item, L.Group):
            return self.group(ws, row, item, self.input_item, "input group")
        if isinstance(item, L.Matrix):
            return self.matrix(ws, row, item)
        if isinstance(item, L.Table):
            return self.table_across(ws, row, item) if item.across else self.table_down(ws, row, item)
        raise TypeError(item)

    def matrix(self, ws, row: int, m: L.Matrix) -> int:
        self.label(ws, row, m.zh, m.en, "", f"{m.note_zh}；{m.note_en}")
        ws.cell(row, 1).font = ws.cell(row, 2).font = Font(bold=True)
        n = len(m.factors)
        for j, (zh, en) in enumerate(m.factors):
            self.head_cell(ws.cell(row, 5 + j), f"{zh} {en}")
        row += 1
        spec = L.Field(m.name, m.zh, m.en, m.kind, m.note_zh, m.note_en)
        for i, (zh, en) in enumerate(m.factors):
            self.label(ws, row + i, zh, en, spec.spec.unit)
        self.name(m.labels_name, ws, f"A{row}:A{row + n - 1}", "labels", m.zh + "因素", m.en + " factors")
        for i in range(n):
            for j in range(n):
                self.input_cell(ws, ws.cell(row + i, 5 + j).coordinate, spec)
        ref = f"E{row}:{get_column_letter(4 + n)}{row + n - 1}"
        self.validation(ws, spec, ref)
        self.name(m.name, ws, ref, "input matrix", m.zh, m.en, spec.spec.unit)
        return row + n

    def table_down(self, ws, row: int, t: L.Table) -> int:
        ws.cell(row, 1, f"{t.zh}（{t.size} 行）")
        ws.cell(row, 2, f"{t.en} ({t.size} rows)")
        if t.note_zh:
            ws.cell(row, 4, f"{t.note_zh}；{t.note_en}").alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 1).font = ws.cell(row, 2).font = Font(bold=True)
        row += 1
        self.head_cell(ws.cell(row, 1), "序号")
        self.head_cell(ws.cell(row, 2), "No.")
        for f, col in zip(t.columns, t.cols):
            self.head_cell(ws[f"{col}{row}"], f"{f.zh} {f.en}")
        row += 1
        ws.cell(row, 1, "单位")
        ws.cell(row, 2, "Unit")
        for f, col in zip(t.columns, t.cols):
            ws[f"{col}{row}"] = f.spec.unit
            ws[f"{col}{row}"].font = Font(italic=True, color="595959")
        row += 1
        first, last = row, row + t.size - 1
        for k in range(t.size):
            self.label(ws, row + k, t.item_zh.format(n=k + 1), t.item_en.format(n=k + 1))
        for f, col in zip(t.columns, t.cols):
            for k in range(t.size):
                self.input_cell(ws, f"{col}{row + k}", f)
            ref = f"{col}{first}:{col}{last}"
            self.validation(ws, f, ref)
            self.name(f.name, ws, ref, "table column", f"{t.zh}：{f.zh}", f"{t.en}: {f.en}", f.spec.unit)
            self.items[f.name] = [(ws.title, f"{col}{first + k}") for k in range(t.size)]
        self.name(t.name, ws, f"{t.cols[0]}{first}:{t.cols[-1]}{last}", "input table", t.zh, t.en)
        return last + 1

    def table_across(self, ws, row: int, t: L.Table) -> int:
        ws.cell(row, 1, f"{t.zh}（{t.size} 期）")
        ws.cell(row, 2, f"{t.en} ({t.size} periods)")
        ws.cell(row, 1).font = ws.cell(row, 2).font = Font(bold=True)
        for k in range(t.size):
            self.head_cell(ws.cell(row, _PERIOD_COL + k), t.item_zh.format(n=k + 1) + " " + t.item_en.format(n=k + 1))
        row += 1
        first = row
        c1, c2 = get_column_letter(_PERIOD_COL), get_column_letter(_PERIOD_COL + t.size - 1)
        for f in t.columns:
            self.label(ws, row, f.zh, f.en, f.spec.unit, _note(f))
            for k in range(t.size):
                self.input_cell(ws, ws.cell(row, _PERIOD_COL + k).coordinate, f)
            ref = f"{c1}{row}:{c2}{row}"
            self.validation(ws, f, ref)
            self.name(f.name, ws, ref, "table row", f"{t.zh}：{f.zh}", f"{t.en}: {f.en}", f.spec.unit)
            self.items[f.name] = [(ws.title, f"{get_column_letter(_PERIOD_COL + k)}{row}") for k in range(t.size)]
            row += 1
        self.name(t.name, ws, f"{c1}{first}:{c2}{row - 1}", "input table", t.zh, t.en)
        return row

    # -- Calculations -----------------------------------------------------------------------------
    def calculations(self, ws) -> None:
        row = self.header(ws, "Calculations", periods=True)
        for sec in L.CALC_SECTIONS:
            row = self.section(ws, row, sec.zh, sec.en, sec.note_zh, sec.note_en,
                               last_col=_PERIOD_COL + L.PERIODS - 1 if sec.across else 5)
            if sec.across:
                for k in range(L.PERIODS):
                    self.head_cell(ws.cell(row - 1, _PERIOD_COL + k), f"第{k + 1}期 P{k + 1}")
                ws.cell(row - 1, 5, "合计 Total").font = Font(bold=True, color="1F4E78")
            for item in sec.items:
                row = self.calc_item(ws, row, item)
            row += 1
        last = get_column_letter(_PERIOD_COL + L.PERIODS - 1)
        self.name("Calc_Values", ws, f"{_VALUE_COL}5:{last}{row}", "output group", "计算表全部数值",
                  "Every value of the Calculations sheet")

    def calc_item(self, ws, row: int, item) -> int:
        if isinstance(item, L.Calc):
            self.label(ws, row, item.zh, item.en, _unit(item.fmt), self.basis(item.formula, item))
            self.formula(ws, f"{_VALUE_COL}{row}", item.formula, fmt=_FORMATS[item.fmt])
            if item.name:
                self.name(item.name, ws, f"{_VALUE_COL}{row}", "output", item.zh, item.en, _unit(item.fmt))
            return row + 1
        if isinstance(item, L.Group):
            return self.group(ws, row, item, self.calc_item, "output group")
        if isinstance(item, L.PeriodCalc):
            self.label(ws, row, item.zh, item.en, _unit(item.fmt), self.basis(item.formula, item))
            for k in range(L.PERIODS):
                self.formula(ws, ws.cell(row, _PERIOD_COL + k).coordinate, item.formula, k,
                             style=STYLE_CHECK if item.fmt == "bool" else STYLE_FORMULA, fmt=_FORMATS[item.fmt])
            c1, c2 = get_column_letter(_PERIOD_COL), get_column_letter(_PERIOD_COL + L.PERIODS - 1)
            self.name(item.name, ws, f"{c1}{row}:{c2}{row}", "per-period output", item.zh, item.en, _unit(item.fmt))
            self.items[item.name] = [(ws.title, f"{get_column_letter(_PERIOD_COL + k)}{row}")
                                     for k in range(L.PERIODS)]
            if item.fmt == "bool":
                self.checks_cells.append((ws, f"{c1}{row}:{c2}{row}"))
            if item.total:
                self.formula(ws, f"{_VALUE_COL}{row}", f'=IF(COUNT({item.name})=0,"",SUM({item.name}))',
                             fmt=_FORMATS[item.fmt])
                self.name(item.total, ws, f"{_VALUE_COL}{row}", "output", item.zh + "（合计）", item.en + " (total)",
                          _unit(item.fmt))
            return row + 1
        if isinstance(item, L.ItemCalcs):
            table = next(t for t in L.tables() if t.name == item.table)
            for name, zh, en, formula, fmt, col in item.calcs:
                self.head_cell(ws.cell(row, 1), "序号")
                self.head_cell(ws.cell(row, 2), "No.")
                self.head_cell(ws.cell(row, 3), "单位 Unit")
                self.head_cell(ws.cell(row, 4), "依据 Basis")
                self.head_cell(ws[f"{col}{row}"], f"{zh} {en}")
                row += 1
                first = row
                for k in range(table.size):
                    self.label(ws, row + k, table.item_zh.format(n=k + 1), table.item_en.format(n=k + 1),
                               _unit(fmt), self.basis(formula, None) if k == 0 else "")
                    self.formula(ws, f"{col}{row + k}", formula, k, fmt=_FORMATS[fmt])
                self.name(name, ws, f"{col}{first}:{col}{first + table.size - 1}", "per-item output", zh, en, _unit(fmt))
                self.items[name] = [(ws.title, f"{col}{first + k}") for k in range(table.size)]
                row = first + table.size
            return row
        raise TypeError(item)

    def basis(self, formula: str, item) -> str:
        """The legal basis beside a figure: the registry's, for the catalogue functions it calls."""
        names = [f for f in dict.fromkeys(_FUNC.findall(formula)) if f in FUNCTIONS]
        own = f"{item.basis_zh}；{item.basis_en}" if item is not None and getattr(item, "basis_zh", "") else ""
        parts = [f"{n}：{FUNCTIONS[n].basis_zh}" for n in names if n != "TSD_RULE"]
        if "TSD_RULE" in names:
            parts.append("TSD_RULE：法律参数表（见来源表 Sources）")
        return "\n".join([own] + parts if own else parts)

    # -- Checks -----------------------------------------------------------------------------------
    def check_rows(self, ws, row: int, checks, ok: str, kind: str) -> int:
        """One row per check from ``row``: label, result (E), message (D: ``ok`` when TRUE); the next row."""
        for chk in checks:
            self.label(ws, row, chk.zh, chk.en, "TRUE/FALSE")
            self.formula(ws, f"E{row}", f"=IFERROR(({chk.formula[1:]})=TRUE,FALSE)", style=STYLE_CHECK)
            self.formula(ws, f"D{row}", f'=IF(E{row},"{ok}",{_message(chk)})')
            ws[f"D{row}"].alignment = Alignment(wrap_text=True, vertical="top")
            self.name(chk.name, ws, f"E{row}", kind, chk.zh, chk.en, "TRUE/FALSE")
            row += 1
        return row

    def total_row(self, ws, row: int, zh: str, en: str, unit: str, formula: str, name: str, kind: str,
                  fmt: str = "General") -> None:
        """A bold row under a list of checks: its label, its result in E, named ``name``."""
        self.label(ws, row, zh, en, unit)
        ws.cell(row, 1).font = ws.cell(row, 2).font = Font(bold=True)
        self.formula(ws, f"E{row}", formula, style=STYLE_CHECK, fmt=fmt)
        self.name(name, ws, f"E{row}", kind, zh, en, unit)

    def checks(self, ws) -> None:
        row = self.header(ws, "Checks", columns=False)
        _print_setup(ws, fit=True)
        ws.column_dimensions["D"].width = _CHECK_MESSAGE_WIDTH  # messages on a line or two, not five
        for col, text in zip("ABCDE", ("校验", "Check", "", "提示 Message", "结果 Result")):
            self.head_cell(ws[f"{col}3"], text)
        row = self.section(ws, row, "各项校验", "Checks", "每项为 TRUE 方通过", "each must be TRUE")
        first, row = row, self.check_rows(ws, row, L.CHECKS, "通过 OK", "check")
        self.name("Check_List", ws, f"E{first}:E{row - 1}", "check group", "各项校验", "Every check")
        self.checks_cells.append((ws, f"E{first}:E{row - 1}"))
        row += 1
        self.total_row(ws, row, "总校验", "Master check", "TRUE/FALSE", "=IFERROR(AND(Check_List)=TRUE,FALSE)",
                       L.MASTER, "check")
        self.formula(ws, f"D{row}", f'=IF(E{row},"全部通过 All checks pass","有校验未通过 A check fails")')
        self.checks_cells.append((ws, f"E{row}"))
        row += 2
        row = self.section(ws, row, "提示（不影响总校验）", "Warnings (not part of the master check)",
                           "数字成立，但读者应当知道", "the figures stand; a reader should know")
        first, row = row, self.check_rows(ws, row, L.WARNINGS, "无 none", "warning")
        self.name("Warning_List", ws, f"E{first}:E{row - 1}", "warning group", "各项提示", "Every warning")
        self.warning_cells.append((ws, f"E{first}:E{row - 1}"))
        row += 1
        self.total_row(ws, row, "提示数", "Warnings raised", "count", "=COUNTIF(Warning_List,FALSE)",
                       L.WARNINGS_COUNT, "output", fmt="0")
        row += 2
        row = self.section(ws, row, "敏感性分析的输入指纹", "Fingerprint of the inputs (sensitivity results)",
                           "xl-tsd sensitivity 记录其所用输入的指纹；输入改变后，校验“敏感性分析结果为最新”为 FALSE",
                           "xl-tsd sensitivity records the fingerprint of the inputs it used; when an input changes, "
                           "the check “Sensitivity results are current” turns FALSE")
        self.label(ws, row, "当前输入的指纹", "Fingerprint of the inputs now", "文本 text",
                   "TSD_FINGERPRINT：全部输入")
        self.formula(ws, f"E{row}", "=TSD_FINGERPRINT(" + ",".join(L.input_names()) + ")")
        self.name(L.SENS_CURRENT, ws, f"E{row}", "output", "当前输入的指纹", "Fingerprint of the inputs now", "text")
        row += 1
        self.label(ws, row, "敏感性分析所用输入的指纹", "Fingerprint the sensitivity results were computed from",
                   "文本 text", "由 xl-tsd sensitivity 写入；空白表示未运行 written by xl-tsd sensitivity; blank: no run")
        ws[f"E{row}"].style = STYLE_FORMULA
        self.name(L.SENS_RECORDED, ws, f"E{row}", "check", "敏感性分析所用输入的指纹",
                  "Fingerprint the sensitivity results were computed from", "text")

    # -- Summary ----------------------------------------------------------------------------------
    def summary(self, ws) -> None:
        row = self.header(ws, "Summary", periods=True)
        self.formula(ws, "C1", _ILLUSTRATIVE)
        ws["C1"].font = Font(bold=True, color="C00000")
        charts = {}
        for sec in L.SUMMARY_SECTIONS:
            row = self.section(ws, row, sec.zh, sec.en, sec.note_zh, sec.note_en,
                               last_col=_PERIOD_COL + L.PERIODS - 1 if sec.across else 5)
            if sec.across:
                for k in range(L.PERIODS):
                    self.head_cell(ws.cell(row - 1, _PERIOD_COL + k), f"第{k + 1}期 P{k + 1}")
            for item in sec.items:
                if isinstance(item, L.Group):
                    first = row
                    for show in item.fields:
                        row = self.show(ws, row, show)
                    charts[item.name] = (first, row - 1)
                elif isinstance(item, L.PeriodShow):
                    row = self.period_show(ws, row, item)
                else:
                    row = self.show(ws, row, item)
            row += 1
        row += 1
        ws.column_dimensions[_VALUE_COL].width = _SUMMARY_VALUE_WIDTH
        # side by side below the figures (A:C is about 13 cm wide): one band of rows, kept whole on a page
        self.chart(ws, charts["Chart_Measures"], f"A{row}", "各计算方法对比（元） Measures side by side (yuan)",
                   "#,##0", width=_SIDE_CHART_CM)
        self.chart(ws, charts["Chart_Chain"], f"D{row}", "技术贡献率链条 Contribution chain", "0%", top=1,
                   width=_SIDE_CHART_CM)
        self.last_rows[ws.title] = row + _CHART_ROWS  # the print area reaches below the charts

    def show(self, ws, row: int, s: L.Show) -> int:
        is_input = any(f.name == s.name for f in L.inputs())
        formula = s.formula or (f'=IF({s.name}="","",{s.name})' if is_input else f"={s.name}")
        note = "输入值 input" if is_input else f"见计算表 see Calculations ({s.name})"
        self.label(ws, row, s.zh, s.en, _unit(s.fmt), note)
        self.formula(ws, f"{_VALUE_COL}{row}", formula, style=STYLE_CHECK if s.fmt == "bool" else STYLE_FORMULA,
                     fmt=_FORMATS[s.fmt])
        if s.fmt == "text":  # a computed text (the measure chosen, a citation): wrapped in its column, not cut
            ws[f"{_VALUE_COL}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = _TEXT_ROW_HEIGHT
        return row + 1

    def period_show(self, ws, row: int, s: L.PeriodShow) -> int:
        self.label(ws, row, s.zh, s.en, _unit(s.fmt))
        is_input = any(c.name == s.source for t in L.tables() if isinstance(t, L.Table) for c in t.columns)
        formula = f'=IF([{s.source}]="","",[{s.source}])' if is_input else f"=[{s.source}]"
        for k in range(L.PERIODS):
            self.formula(ws, ws.cell(row, _PERIOD_COL + k).coordinate, formula, k, fmt=_FORMATS[s.fmt])
        return row + 1

    @staticmethod
    def chart(ws, rows: tuple[int, int], anchor: str, title: str, fmt: str, top: float | None = None,
              width: float = 16) -> None:
        first, last = rows
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = title
        chart.legend = None
        chart.add_data(Reference(ws, min_col=5, min_row=first, max_row=last), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.y_axis.number_format = fmt
        chart.y_axis.majorGridlines = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.scaling.orientation = "maxMin"  # first measure at the top
        chart.y_axis.scaling.min = 0
        if top is not None:
            chart.y_axis.scaling.max = top
        chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                         showPercent=False)
        chart.dataLabels.numFmt = fmt
        chart.width, chart.height = width, _CHART_CM
        ws.add_chart(chart, anchor)

    # -- Cover ------------------------------------------------------------------------------------
    def cover(self, ws) -> None:
        ws["A1"], ws["B1"] = "商业秘密侵权损害赔偿计算", "Trade-secret damages: case workbook"
        ws["A1"].font = ws["B1"].font = Font(size=16, bold=True, color="1F4E78")
        ws.row_dimensions[1].height = 24
        ws["A2"], ws["B2"] = "总校验", "Master check (every check passes)"
        ws["A2"].font = ws["B2"].font = Font(bold=True)
        self.formula(ws, "C2", f"={L.MASTER}", style=STYLE_CHECK)
        self.checks_cells.append((ws, "C2"))
        self.formula(ws, "C3", _ILLUSTRATIVE)
        ws["C3"].font = Font(bold=True, color="C00000")
        ws["A3"], ws["B3"] = "数据性质", "Nature of the figures"
        for col, width in (("A", 26), ("B", 40), ("C", 60)):
            ws.column_dimensions[col].width = width
        row = 5
        row = self.section(ws, row, "案件", "Case", last_col=3)
        for f in L.inputs()[:7]:
            ws.cell(row, 1, f.zh)
            ws.cell(row, 2, f.en)
            self.formula(ws, f"C{row}", f'=IF({f.name}="","",{f.name})', fmt=f.spec.number_format)
            ws[f"C{row}"].alignment = Alignment(horizontal="left")
            row += 1
        row += 1
        row = self.section(ws, row, "版本与结论", "Version and result", last_col=3)
        ws.cell(row, 1, "模板版本")
        ws.cell(row, 2, "Template version")
        ws.cell(row, 3, L.TEMPLATE_VERSION).alignment = Alignment(horizontal="left")
        self.name("Template_Version", ws, f"C{row}", "constant", "模板版本", "Template version")
        row += 1
        ws.cell(row, 1, "计算程序版本")
        ws.cell(row, 2, "xl_tsd version that computed it")
        self.formula(ws, f"C{row}", "=TSD_VERSION()")
        ws[f"C{row}"].alignment = Alignment(horizontal="left")
        self.name("Package_Version", ws, f"C{row}", "output", "计算程序版本", "xl_tsd version", "文本 text")
        row += 1
        ws.cell(row, 1, "主要结论金额（元）")
        ws.cell(row, 2, "Headline amount (yuan): award, or criminal loss")
        self.formula(ws, f"C{row}", "=IF(Headline_Amount=\"\",\"\",Headline_Amount)", fmt="#,##0.00")
        ws[f"C{row}"].alignment = Alignment(horizontal="left")
        row += 1
        # the integrity seal: values (not formulas) written when the workbook is computed (xl_tsd.report.seal)
        for name, zh, en in ((seal.SEAL_NAME, "完整性印记（SHA-256）", "Integrity seal (SHA-256): xl-tsd verify"),
                             (seal.BASIS_NAME, "印记涵盖", "What the seal covers")):
            ws.cell(row, 1, zh)
            ws.cell(row, 2, en)
            ws.cell(row, 3, seal.NOT_SEALED).alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
            ws.cell(row, 3).font = Font(name="Courier New", size=9)
            self.name(name, ws, f"C{row}", "output", zh, en, "文本 text")
            row += 1
        ws.row_dimensions[row - 1].height = 30
        row += 1
        row = self.section(ws, row, "目录", "Contents", last_col=3)
        for title, (zh, en) in L.SHEETS.items():
            if title == "Cover":
                continue
            ws.cell(row, 1, f"{zh}（{title}）")
            ws.cell(row, 2, en)
            ws.cell(row, 3, _SHEET_NOTES[title]).alignment = Alignment(wrap_text=True, vertical="top")
            cell = ws.cell(row, 1)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheetname(title)}!A1", display=cell.value)
            cell.font = Font(color="0563C1", underline="single")
            cell.alignment = ws.cell(row, 2).alignment = Alignment(vertical="top")
            row += 1
        row += 1
        row = self.section(ws, row, "说明", "Note", last_col=3)
        for zh, en in _COVER_NOTES:
            ws.cell(row, 1, zh).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row, 2, en).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        _print_setup(ws, fit=True)
        ws.page_setup.fitToHeight = 1

    # -- Sources ----------------------------------------------------------------------------------
    def sources(self, ws) -> None:
        ws["A1"], ws["B1"] = "来源与参数", "Sources and parameters"
        ws["A1"].font = ws["B1"].font = Font(size=16, bold=True, color="1F4E78")
        ws["A2"], ws["B2"] = "总校验", "Master check"
        ws["A2"].font = ws["B2"].font = Font(bold=True)
        self.formula(ws, "C2", f"={L.MASTER}", style=STYLE_CHECK)
        self.checks_cells.append((ws, "C2"))
        for col, width in zip("ABCDEFGHI", (28, 18, 14, 44, 24, 40, 48, 40, 30)):
            ws.column_dimensions[col].width = width
        row = 4
        row = self.section(ws, row, "一、法律参数表（xl_tsd.legal.RULES）", "1. Legal parameters (xl_tsd.legal.RULES)",
                           "公式通过 TSD_RULE(键, 日期) 读取；“未核实”的行以橙色标出，依赖它的结果在校验表提示",
                           "formulas read them with TSD_RULE(key, date); UNVERIFIED rows are orange, and figures "
                           "that depend on one are flagged on Checks", last_col=9)
        for col, text in zip("ABCDEFGHI", ("键 Key", "数值 Value", "施行日期 From", "法律文件 Instrument", "条款 Article",
                                           "含义", "Meaning", "核实 Status", "核对的公开文本 Source checked")):
            self.head_cell(ws[f"{col}{row}"], text)
        row += 1
        for r in legal.RULES:
            ws.cell(row, 1, r.key)
            cell = ws.cell(row, 2, r.value)
            if isinstance(r.value, float):
                cell.number_format = "#,##0" if r.value == int(r.value) else "#,##0.##"
            elif isinstance(r.value, _dt.date):
                cell.number_format = "yyyy-mm-dd"
            ws.cell(row, 3, r.effective_from).number_format = "yyyy-mm-dd"
            ws.cell(row, 4, legal.INSTRUMENTS[r.instrument].zh)
            ws.cell(row, 5, r.article)
            ws.cell(row, 6, r.meaning_zh)
            ws.cell(row, 7, r.meaning_en)
            ws.cell(row, 8, r.status + (f"：{r.note}" if r.note else ""))
            # the instrument's source text is in part 2, one line each: here its key, so rows stay short
            ws.cell(row, 9, f"{r.instrument}（见第二部分 see part 2）")
            for c in range(1, 10):
                ws.cell(row, c).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
                if not r.verified:
                    ws.cell(row, c).fill = _UNVERIFIED_FILL
            if not r.verified:
                ws.cell(row, 8).font = Font(bold=True, color="9C5700")
            row += 1
        row += 1
        row = self.section(ws, row, "二、法律文件", "2. Instruments", last_col=9)
        for col, text in zip("ABCD", ("简称 Key", "施行日期 From", "", "名称 Title")):
            self.head_cell(ws[f"{col}{row}"], text)
        self.head_cell(ws[f"F{row}"], "")
        self.head_cell(ws[f"G{row}"], "Title (English)")
        self.head_cell(ws[f"H{row}"], "")
        self.head_cell(ws[f"I{row}"], "核对的公开文本 Source checked")
        row += 1
        for key, ins in legal.INSTRUMENTS.items():
            ws.cell(row, 1, key)
            ws.cell(row, 2, ins.in_force).number_format = "yyyy-mm-dd"
            ws.cell(row, 4, ins.zh)
            ws.cell(row, 7, ins.en)
            ws.cell(row, 9, ins.source)
            for c in (1, 2, 4, 7, 9):
                ws.cell(row, c).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
            row += 1
        row += 1
        row = self.section(ws, row, "三、方法参数", "3. Method constants", last_col=9)
        for name, (value, zh, en, source) in L.CONSTANTS.items():
            ws.cell(row, 1, zh)
            ws.cell(row, 2, value).number_format = "0" if isinstance(value, int) else "0.00"
            ws.cell(row, 4, source)
            ws.cell(row, 7, en)
            self.name(name, ws, f"B{row}", "constant", zh, en)
            row += 1
        row += 1
        row = self.section(ws, row, "四、下拉选项", "4. Choice lists", "输入表的下拉列表取自此处",
                           "the input lists come from here", last_col=9)
        for name, (zh, en, items) in L.CHOICES.items():
            ws.cell(row, 1, zh).font = Font(bold=True)
            ws.cell(row, 2, en).font = Font(bold=True)
            ws.cell(row, 4, name).font = Font(italic=True, color="595959")
            row += 1
            for i, text in enumerate(items):
                ws.cell(row + i, 1, f"{zh} {i + 1}")
                ws.cell(row + i, 2, text)
            self.name(name, ws, f"B{row}:B{row + len(items) - 1}", "list", zh, en)
            row += len(items)
        self._functions_row = row + 1
        ws.freeze_panes = "A4"
        _print_setup(ws, fit=True)

    def functions_used(self, ws) -> None:
        """The catalogue functions this workbook calls, with formula and basis (from the registry)."""
        row = self.section(ws, self._functions_row, "五、本工作簿使用的函数", "5. Catalogue functions used here",
                           "TSD_EXPLAIN(函数名) 可在单元格中显示说明", "TSD_EXPLAIN(name) shows this in a cell",
                           last_col=9)
        for col, text in zip("ABCDEFG", ("函数 Function", "单位 Unit", "", "说明与公式", "", "依据", "Basis")):
            self.head_cell(ws[f"{col}{row}"], text)
        row += 1
        for name in [n for n in FUNCTIONS if n in self.used_functions]:
            spec = FUNCTIONS[name]
            ws.cell(row, 1, name)
            ws.cell(row, 2, spec.unit)
            ws.cell(row, 4, f"{spec.zh} {spec.en} 公式 Formula: {spec.formula}")
            ws.cell(row, 6, spec.basis_zh)
            ws.cell(row, 7, spec.basis_en)
            for c in (1, 2, 4, 6, 7):
                ws.cell(row, c).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1

    # -- xlwings.conf -----------------------------------------------------------------------------
    def conf(self, ws) -> None:
        keys = {}
        r = 1
        while ws.cell(r, 1).value not in (None, ""):
            keys[ws.cell(r, 1).value] = r
            r += 1
        for row in ws.iter_rows(min_row=r):
            for cell in row:
                cell.value = None
        ws.cell(keys["UDF Modules"], 2, UDF_MODULES)
        self.formula(ws, f"B{keys['PYTHONPATH']}", CONF_PYTHONPATH)
        ws["D1"], ws["E1"] = "总校验 Master check", None
        self.formula(ws, "E1", f"={L.MASTER}", style=STYLE_CHECK)
        self.checks_cells.append((ws, "E1"))
        for i, (zh, en) in enumerate(_CONF_NOTES):
            ws.cell(3 + 2 * i, 4, zh)
            ws.cell(4 + 2 * i, 4, en)
        ws.column_dimensions["A"].width = 20
        ws.column_dimensions["B"].width = 30
        ws.column_dimensions["D"].width = 100
        _print_setup(ws, fit=True)


_ILLUSTRATIVE = (f'=IF({L._ifyes("Case_Illustrative")},"示例数据，非真实案件数据 — '
                 f'ILLUSTRATIVE FIGURES, not case data","")')

_SHEET_NOTES = {
    "Inputs": "案件数据：黄色单元格为输入 / case data: yellow cells are inputs",
    "Calculations": "每个数字调用目录函数或简短公式，旁列单位与依据 / every figure, its unit and its basis",
    "Summary": "各方法对比、判赔、刑事、图表 / measures side by side, award, criminal, charts",
    "Checks": "各项校验与总校验 / each check and the master check",
    "Sources": "法律参数表、法律文件、选项与所用函数 / legal parameters, instruments, lists, functions",
    "xlwings.conf": "Python 解释器与 UDF 模块设置 / Python interpreter and UDF module settings",
}

_COVER_NOTES = (
    ("本工作簿按法律规定的各种方法计算并并列展示结果，每个数字可追溯至输入、方法与依据。",
     "The workbook computes every method the law allows and shows them side by side; each figure traces to "
     "its inputs, method and legal basis."),
    ("选用何种计算方法、是否适用惩罚性赔偿及倍数、法定赔偿的具体数额、合理开支的认定，均属法院依法裁量（酌定），"
     "本工作簿不作决定。", "Which measure applies, whether and how far to multiply, the amount of statutory "
     "damages and which expenses are reasonable are for the court's discretion; the workbook does not decide them."),
    ("黄色单元格为输入，其余单元格受保护（无密码）。公式需安装 xl_tsd 与 xlwings（见 xlwings.conf 表）。",
     "Yellow cells are inputs; the rest is protected without a password. The formulas need xl_tsd and xlwings "
     "(see the xlwings.conf sheet)."),
)

_CONF_NOTES = (
    ("A1 起的设置由 xlwings 读取，键名不可更改。", "xlwings reads the settings from A1 down; keep the keys as they are."),
    ("Interpreter_Win：安装了 xl_tsd 的 Python（如 C:\\Users\\me\\venv\\Scripts\\python.exe）。",
     "Interpreter_Win: the Python that has xl_tsd installed (e.g. C:\\Users\\me\\venv\\Scripts\\python.exe)."),
    ("PYTHONPATH：公式求得本工作簿上一级文件夹（仓库根目录）；工作簿放在别处时，改为仓库路径或留空（已 pip 安装时）。",
     "PYTHONPATH: a formula giving the folder above this workbook's (the checkout's root); if the workbook lives "
     "elsewhere, type the checkout's path, or leave it blank when the package is pip-installed."),
    (f"UDF Modules：{UDF_MODULES}（xl_tsd 的 Excel 函数模块），不要更改。",
     f"UDF Modules: {UDF_MODULES} (xl_tsd's Excel functions); leave it."),
)


def _message(chk: L.Check) -> str:
    """A check's failure message as a formula: text literals (each within Excel's 255 characters), with
    ``{Name}`` placeholders joined in as the named cells' values."""
    parts = re.split(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", f"{chk.fail_zh}；{chk.fail_en}")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(part)
        elif part:
            out += ['"' + part[k:k + 250].replace('"', '""') + '"' for k in range(0, len(part), 250)]
    return "&".join(out)


def quote_sheetname(title: str) -> str:
    """A sheet name as a formula writes it: quoted only when Excel needs quotes."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def _note(f: L.Field) -> str:
    if f.note_zh and f.note_en:
        return f"{f.note_zh}；{f.note_en}"
    return f.note_zh or f.note_en


def _unit(fmt: str) -> str:
    return {"money": "元 yuan", "share": "0–1", "ratio": "比值 ratio", "years": "年 years", "multiplier": "倍 x",
            "count": "序号 no.", "bool": "TRUE/FALSE", "text": "文本 text", "date": "日期 date"}[fmt]


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _absolute(ref: str) -> str:
    parts = []
    for part in ref.split(":"):
        m = re.fullmatch(r"([A-Z]+)(\d+)", part)
        parts.append(f"${m.group(1)}${m.group(2)}")
    return ":".join(parts)


def _text_width(text: str) -> int:
    """Width of text in digit widths: East Asian wide characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_rows(ws, line_height: float = 15.0) -> None:
    """Row heights for wrapped text, so that LibreOffice and Excel show every line (neither refits on open)."""
    for row in ws.iter_rows():
        lines = 1
        for cell in row:
            if not (cell.alignment and cell.alignment.wrap_text) or not isinstance(cell.value, str):
                continue
            if cell.value.startswith("="):
                text = max(re.findall(r'"([^"]*)"', cell.value) or [""], key=len)
            else:
                text = cell.value
            width = max(ws.column_dimensions[cell.column_letter].width or 10, 4)
            need = sum(max(1, math.ceil(_text_width(part) / width)) for part in text.split("\n"))
            lines = max(lines, need)
        if lines > 1 and not ws.row_dimensions[row[0].row].height:
            ws.row_dimensions[row[0].row].height = line_height * lines


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _print_setup(ws, fit: bool = False) -> None:
    """The page setup of :mod:`.printing`; the title rows repeat on the sheets with column heads."""
    printing.page_setup(ws, None if ws.title in ("Cover", "xlwings.conf") else "1:3")


def _print_area(ws, last_row: int | None = None) -> None:
    """The print area: the columns used (sheets with periods: through the last period, cut to the periods
    in use when the workbook is computed, :func:`.printing.finish_workbook_xml`) and the rows used."""
    last = max(ws.max_column, 1)
    if ws.title in ("Inputs", "Calculations", "Summary"):
        last = printing.PERIOD_LAST_COL
    ws.print_area = f"A1:{get_column_letter(last)}{max(ws.max_row, last_row or 0)}"
