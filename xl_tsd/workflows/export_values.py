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
        _trace_sheet(values_wb, cells, names, values_wb, src)
        values_wb.save(tmp)
    return report


def _trace_sheet(wb, cells, names, values_wb, src: pathlib.Path) -> None:
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
    for sheet, coord, formula in cells:
        if sheet not in values_wb.sheetnames:
            continue
        funcs = functions_in(formula)
        basis = "; ".join(f"{f}: {FUNCTIONS[f].basis_zh}" for f in funcs if f in FUNCTIONS)
        value = values_wb[sheet][coord].value
        ws.append([sheet, coord, names.get((sheet, coord), ""), formula, ", ".join(funcs),
                   basis or "Excel 内置函数 built-in", value])
        row = ws.max_row
        ws.cell(row, 4).data_type = "s"  # the formula is shown as text, never evaluated
        ws.cell(row, 4).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 6).alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip("ABCDEFG", (16, 8, 24, 48, 24, 60, 18)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A5"
