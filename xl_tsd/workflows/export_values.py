"""A values-only copy of a computed workbook, for a court or a client.

No macros, no formulas (each replaced by its computed value), no xlwings
config sheet, plus a "Calculation trace" sheet: every formula cell, its
formula as it was, the catalogue functions it calls with their legal basis,
and its value, so every figure stays traceable without Python or Excel.
"""
from __future__ import annotations

import datetime as _dt
import pathlib
import re
import tempfile
from dataclasses import dataclass, field

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.formula import ArrayFormula

from .._atomic import atomic_path, check_output, same_file
from .._version import __version__
from ..registry import FUNCTIONS

__all__ = ["export_values", "ExportReport", "functions_in", "TRACE_SHEET"]

TRACE_SHEET = "Calculation trace"
CONFIG_SHEET = "xlwings.conf"
_CALL = re.compile(r"(?<![A-Za-z0-9_.])((?:_xludf\.|_xlfn\.)?[A-Za-z][A-Za-z0-9_.]*)\s*\(")


@dataclass
class ExportReport:
    source: pathlib.Path
    output: pathlib.Path
    formulas: int = 0
    computed: bool = False  # True when the source had no cached values and was computed first
    dropped_sheets: list[str] = field(default_factory=list)


def functions_in(formula: str) -> list[str]:
    """Names of the functions a formula calls, upper-case, in order of first use."""
    seen: list[str] = []
    for m in _CALL.finditer(formula):
        name = m[1].upper().removeprefix("_XLUDF.").removeprefix("_XLFN.")
        if name not in seen:
            seen.append(name)
    return seen


def _formula_text(value) -> str | None:
    if isinstance(value, ArrayFormula):
        return value.text
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


def _formula_cells(wb) -> list[tuple[str, str, str]]:
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = _formula_text(cell.value)
                if text is not None:
                    out.append((ws.title, cell.coordinate, text))
    return out


def _needs_values(values_wb, cells) -> bool:
    """True for a workbook never computed: no formula cell has a cached value.

    (A computed formula may legitimately cache nothing, e.g. one that gives "".)
    """
    return all(values_wb[s][c].value is None for s, c, _ in cells)


def _names_by_cell(wb) -> dict[tuple[str, str], str]:
    out = {}
    for name, dn in wb.defined_names.items():
        try:
            for sheet, ref in dn.destinations:
                out.setdefault((sheet, ref.replace("$", "")), name)
        except Exception:  # a name that is not a plain reference (a constant or formula)
            continue
    return out


def export_values(book, out, *, overwrite: bool = False) -> ExportReport:
    """Write a values-only ``.xlsx`` copy of ``book`` to ``out``, with a calculation trace.

    Parameters
    ----------
    book : str or path
        A workbook (``.xlsx``/``.xlsm``); it passes the gate of
        :mod:`xl_tsd.calc.safety` first. If its formula cells carry no cached
        values (never computed), it is computed headlessly first.
    out : str or path
        The ``.xlsx`` to write (atomically). Never the input itself.
    overwrite : bool
        Replace ``out`` if it exists.

    Returns
    -------
    ExportReport

    Raises
    ------
    xl_tsd.calc.InputRefused
        ``book`` is not a workbook the gate lets through. Nothing is written.
    FileExistsError
        ``out`` exists and ``overwrite`` is false.

    Notes
    -----
    Numbers are written as openpyxl writes them, to 16 significant digits
    (Excel shows 15).
    """
    from ..calc import safety

    src, dst = pathlib.Path(book), pathlib.Path(out)
    if same_file(src, dst):
        raise ValueError(f"output {dst} is the input workbook: choose another file")
    if dst.suffix.lower() != ".xlsx":
        raise ValueError(f"output must be an .xlsx file (no macros), got {dst.name}")
    check_output(dst, overwrite=overwrite)
    report = ExportReport(src, dst)
    pkg = safety.read_package(src)  # the gate; both readings below are of the bytes it checked
    formulas_wb = safety.load_workbook(pkg)
    cells = _formula_cells(formulas_wb)
    report.formulas = sum(1 for s, _, _ in cells if s != CONFIG_SHEET)  # the config sheet is dropped
    with atomic_path(dst, overwrite=overwrite) as tmp:
        values_wb = safety.load_workbook(pkg, data_only=True)
        if cells and _needs_values(values_wb, cells):
            from ..calc import calculate  # headless engine: only needed for never-computed books
            with tempfile.TemporaryDirectory(prefix="xl_tsd_export_") as work:
                computed = pathlib.Path(work) / f"computed{pkg.kind}"
                calculate(pkg.data, computed)
                values_wb = safety.load_workbook(computed, data_only=True)
            report.computed = True
        names = _names_by_cell(formulas_wb)
        if CONFIG_SHEET in values_wb.sheetnames:
            del values_wb[CONFIG_SHEET]
            report.dropped_sheets.append(CONFIG_SHEET)
            for name in [n for n, dn in values_wb.defined_names.items() if CONFIG_SHEET in (dn.attr_text or "")]:
                del values_wb.defined_names[name]
        _static_check_colours(values_wb)
        _trace_sheet(values_wb, cells, names, values_wb, src)
        values_wb.save(tmp)
    return report


def _static_check_colours(wb) -> None:
    """The TRUE/FALSE colours of the checks as fills, not conditions: the copy's values never change, and
    LibreOffice (7.4) crashes exporting to PDF a conditionally formatted cell that holds a plain boolean."""
    from openpyxl.formatting.formatting import ConditionalFormattingList

    for ws in wb.worksheets:
        kept = ConditionalFormattingList()
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                want = {"TRUE": True, "FALSE": False}.get((rule.formula or [""])[0].upper())
                if rule.type != "cellIs" or rule.operator != "equal" or want is None or rule.dxf is None \
                        or rule.dxf.fill is None:
                    kept.add(cf.sqref, rule)
                    continue
                colour = rule.dxf.fill.bgColor.rgb if rule.dxf.fill.bgColor is not None else None
                fill = PatternFill("solid", fgColor=colour) if isinstance(colour, str) else rule.dxf.fill
                for rng in str(cf.sqref).split():
                    for row in ws[rng] if ":" in rng else ((ws[rng],),):
                        for cell in row:
                            if cell.value is want:
                                cell.fill = fill
        ws.conditional_formatting = kept


def _trace_sheet(wb, cells, names, values_wb, src: pathlib.Path) -> None:
    """The trace: every formula cell with a value first (the print area), then those whose value is blank
    (not applicable, such as the periods not in use), listed but not printed."""
    from ..template import printing

    if TRACE_SHEET in wb.sheetnames:
        del wb[TRACE_SHEET]
    ws = wb.create_sheet(TRACE_SHEET)
    ws["A1"] = "计算过程 Calculation trace"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = (f"来源 Source: {src.name} · xl_tsd {__version__} · 导出 exported "
                f"{_dt.date.today().isoformat()} · 数值为导出时的计算结果 values as computed when exported")
    head = ["工作表 Sheet", "单元格 Cell", "名称 Defined name", "公式 Formula (as it was)",
            "函数 Functions", "法律依据 Legal basis", "数值 Value"]
    ws.append([])
    ws.append(head)
    for c in ws[4]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    rows, blank = [], []
    for sheet, coord, formula in cells:
        if sheet not in values_wb.sheetnames:
            continue
        funcs = functions_in(formula)
        basis = "; ".join(f"{f}: {FUNCTIONS[f].basis_zh}" for f in funcs if f in FUNCTIONS)
        value = values_wb[sheet][coord].value
        row = [sheet, coord, names.get((sheet, coord), ""), formula, ", ".join(funcs),
               basis or "Excel 内置函数 built-in", value]
        (blank if value is None or value == "" else rows).append(row)

    def put(row):
        ws.append(row)
        r = ws.max_row
        ws.cell(r, 4).data_type = "s"  # the formula is shown as text, never evaluated
        for c in (3, 4, 5, 6, 7):
            ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")
        for c in (1, 2):
            ws.cell(r, c).alignment = Alignment(vertical="top")
        # neither Excel nor LibreOffice fits a row to wrapped text on opening: the height is set here
        lines = max(_lines(v, w) for v, w in zip(row, _TRACE_WIDTHS))
        if lines > 1:
            ws.row_dimensions[r].height = _LINE_POINTS * lines

    for row in rows:
        put(row)
    printed = ws.max_row
    if blank:
        ws.append([])
        ws.append([f"以下 {len(blank)} 个公式单元格的数值为空（不适用，如未使用的期间），不打印 / the {len(blank)} "
                   "formula cells below have a blank value (not applicable, e.g. periods not in use): listed, "
                   "not printed"])
        ws.cell(ws.max_row, 1).font = Font(bold=True, italic=True)
        for row in blank:
            put(row)
    for col, width in zip("ABCDEFG", _TRACE_WIDTHS):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
    printing.page_setup(ws, "4:4", f"A1:G{printed}")
    case = names_value(wb, "Case_Number")
    for part in (ws.oddHeader.left,):
        part.text = printing.CASE_LABEL + (str(case) if case not in (None, "") else printing.NOT_ENTERED)


#: Column widths of the trace: sheet, cell, name, formula, functions, basis, value.
_TRACE_WIDTHS = (13, 7, 20, 60, 20, 70, 22)
_LINE_POINTS = 14.5  # height of a line of 11-point text


def _lines(value, width: int) -> int:
    """Lines a value takes wrapped in a column ``width`` characters wide (wide CJK characters count two)."""
    import math
    import unicodedata
    if value is None:
        return 1
    text = value if isinstance(value, str) else str(value)
    n = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, math.ceil(n * 1.1 / max(width - 1, 1)))


def names_value(wb, name: str):
    """The value of the cell a defined name refers to (None if there is none)."""
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    try:
        (sheet, ref), = list(dn.destinations)
        return wb[sheet][ref.replace("$", "").split(":")[0]].value
    except Exception:
        return None
