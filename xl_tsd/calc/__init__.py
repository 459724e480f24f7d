"""Headless calculation: compute a workbook's formulas without Excel and save the values.

:func:`calculate` reads a workbook (.xlsx, .xlsm, or an openpyxl
``Workbook``), computes every formula cell with the formualizer engine (Rust), in
which the catalogue's functions are registered from the registry, and writes
a copy in which each formula keeps its text and gains its computed value, so
that viewers, openpyxl ``data_only=True``, LibreOffice and Excel show numbers.
``xl-tsd calc IN -o OUT`` is the same from the command line.

>>> import openpyxl, tempfile, os
>>> from xl_tsd.calc import calculate
>>> wb = openpyxl.Workbook(); wb.active["A1"] = "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
>>> out = os.path.join(tempfile.mkdtemp(), "out.xlsx")
>>> report = calculate(wb, out)
>>> round(openpyxl.load_workbook(out, data_only=True).active["A1"].value, 12)
0.08
"""
from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass, field

from .limits import DEFAULT_LIMITS, LimitExceeded, Limits
from .safety import InputRefused

__all__ = ["calculate", "CalcReport", "CellError", "InputRefused", "Limits", "LimitExceeded", "DEFAULT_LIMITS",
           "Session"]


def __getattr__(name):  # the Session is imported when it is asked for
    if name == "Session":
        from .session import Session
        return Session
    raise AttributeError(name)


@dataclass(frozen=True)
class CellError:
    """A formula cell whose value is an Excel error, with the reason when the catalogue gave one."""

    sheet: str
    cell: str
    code: str
    reason: str = ""

    def __str__(self):
        if not self.reason or self.reason.startswith(self.code):
            return f"{self.sheet}!{self.cell}: {self.reason or self.code}"
        # the catalogue's error was turned into another by the rest of the formula
        return f"{self.sheet}!{self.cell}: {self.code} (from {self.reason})"


@dataclass
class CalcReport:
    """What :func:`calculate` did.

    Attributes
    ----------
    source, output : str or None
        The files read and written (None for an in-memory workbook / no output).
    formula_cells : int
        Formula cells in the workbook.
    values : dict
        (sheet title, cell) -> computed value of every formula cell (and of
        every cell of an array formula's range): float, bool, str, or the
        Excel error code as a str such as ``"#NUM!"``.
    errors : list of CellError
        Formula cells whose value is an error, with the catalogue's reason.
    problems : list of engine.Problem
        Formula cells the engine could not compute as Excel would (a formula
        it cannot read, a function it does not have, a circular reference).
    seconds : float
        Time taken, reading to writing.
    """

    source: str | None
    output: str | None
    formula_cells: int = 0
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        """True when the engine computed every formula cell."""
        return not self.problems

    def summary(self) -> str:
        lines = [f"{self.formula_cells} formula cells computed in {self.seconds:.2f} s"
                 + (f", written to {self.output}" if self.output else "")]
        if self.errors:
            lines.append(f"{len(self.errors)} cells hold an error value:")
            lines += [f"  {e}" for e in self.errors[:50]]
            if len(self.errors) > 50:
                lines.append(f"  ... and {len(self.errors) - 50} more (see the JSON report)")
        if self.problems:
            lines.append(f"{len(self.problems)} formula cells could not be computed by the engine:")
            lines += [f"  {p}" for p in self.problems[:50]]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready form (values keyed ``"Sheet!A1"``)."""
        return {
            "source": self.source, "output": self.output, "formula_cells": self.formula_cells,
            "seconds": round(self.seconds, 4), "complete": self.complete,
            "errors": [{"sheet": e.sheet, "cell": e.cell, "code": e.code, "reason": e.reason}
                       for e in self.errors],
            "problems": [{"sheet": p.sheet, "cell": p.cell, "formula": p.formula, "reason": p.reason}
                         for p in self.problems],
            "values": {f"{s}!{c}": v for (s, c), v in self.values.items()},
        }


def _read_source(src) -> tuple[bytes, str | None, str]:
    """The bytes of the workbook, its path (if any) and a name for messages."""
    if hasattr(src, "worksheets") and hasattr(src, "save"):  # an openpyxl Workbook
        buf = io.BytesIO()
        src.save(buf)
        return buf.getvalue(), None, "workbook"
    if isinstance(src, (bytes, bytearray)):
        return bytes(src), None, "workbook"
    from .safety import read_bytes
    path = os.fspath(src)
    return read_bytes(path), path, path


def _check_output(dst: str, src_path: str | None, kind: str, overwrite: bool = True) -> str:
    from .._atomic import check_output
    dst = os.fspath(dst)
    if src_path is not None and os.path.exists(dst) and os.path.samefile(dst, src_path):
        raise InputRefused(f"{dst}: the output would overwrite the input; choose another file")
    ext = os.path.splitext(dst)[1].lower()
    if ext != kind:
        raise InputRefused(f"{dst}: the workbook is a {kind} file (its content type); give the output "
                           f"the {kind} extension, or Excel will refuse to open it")
    check_output(dst, overwrite=overwrite)
    return dst


def report_of(ev, source: str | None = None) -> CalcReport:
    """The :class:`CalcReport` of an engine :class:`~.engine.Evaluation` (nothing written yet)."""
    from .functions import ExcelError
    report = CalcReport(source, None, ev.formula_cells, problems=ev.problems)
    why = {(p.sheet, p.cell): p.reason for p in ev.problems}
    for key, v in ev.values.items():
        if isinstance(v, ExcelError):
            code = str(v)
            report.errors.append(CellError(key[0], key[1], code, ev.reasons.get(key) or why.get(key, "")))
            report.values[key] = code
        else:
            report.values[key] = v
    return report


def limits_of(limits: Limits | None, given: dict) -> Limits:
    """``limits`` (default :data:`DEFAULT_LIMITS`) with the keyword arguments ``max_*`` given replaced."""
    unknown = set(given) - {"max_cells", "max_formulas", "max_range_cells", "max_seconds"}
    if unknown:
        raise TypeError(f"unknown limit {', '.join(sorted(unknown))}")
    return (limits or DEFAULT_LIMITS).updated(**given)


def engine_package(data: bytes, name: str):
    """The checked, read :class:`~.package.Package` of a workbook's bytes (or InputRefused)."""
    from . import package, safety
    zf, kind = safety.open_package(data, name)
    try:
        pkg = package.Package(data, zf, kind)
    except InputRefused:
        raise
    except Exception as exc:  # a damaged part: say where
        raise InputRefused(f"{name}: cannot be read as a workbook ({type(exc).__name__}: {exc})") from None
    missing = [t for t in pkg.parts if t not in pkg.sheets]
    if missing:
        raise InputRefused(f"{name}: cannot be read as a workbook (no part found for sheet "
                           f"{', '.join(sorted(missing))})")
    return pkg


def calculate(src, dst=None, *, recalc_on_open: bool | None = None, limits: Limits | None = None,
              overwrite: bool = True, **max_) -> CalcReport:
    """Compute every formula of a workbook and save it with the values cached.

    Parameters
    ----------
    src : str, os.PathLike, bytes or openpyxl.Workbook
        The workbook: a path to an .xlsx/.xlsm file, its bytes, or an
        openpyxl workbook in memory. It is never modified.
    dst : str or os.PathLike, optional
        Where to write the computed workbook (same kind as ``src``: .xlsx or
        .xlsm). Written atomically: a temporary file beside it, then a
        rename. If omitted, nothing is written and the values are only
        returned in the report.
    recalc_on_open : bool, optional
        True: Excel recomputes every formula when it opens the file
        (``fullCalcOnLoad``). False: Excel shows the values written here until
        an input changes. By default True for a macro workbook (.xlsm/.xltm),
        the only kind that can carry the xlwings functions, and False for an
        .xlsx, where Excel cannot compute the catalogue and a recalculation
        would turn its numbers into #NAME?.
    overwrite : bool
        True (the default): replace ``dst`` if it exists. False: refuse
        (``FileExistsError``) if a file has that name, when the work starts or
        when the result is written (an exclusive create).
    limits : Limits, optional
        The work the calculation may take (:data:`DEFAULT_LIMITS`).
    max_cells, max_formulas, max_range_cells, max_seconds : optional
        One limit raised or lowered (see :class:`Limits`).

    Returns
    -------
    CalcReport

    Raises
    ------
    InputRefused
        The input is not a workbook, is encrypted, is a zip bomb, carries an
        XML document type declaration, cannot be read, or the output path is
        the input or has the wrong extension. Nothing is written.
    xl_tsd._atomic.OutputRefused
        The output's folder does not exist or cannot be written.
    LimitExceeded
        The workbook needs more work than a limit allows (an InputRefused
        whose message names the limit and the option that raises it).
    """
    from .._atomic import write_atomic
    from . import cache, engine

    t0 = time.perf_counter()
    lim = limits_of(limits, max_)
    data, src_path, name = _read_source(src)
    pkg = engine_package(data, name)
    if dst is not None:
        dst = _check_output(dst, src_path, pkg.kind, overwrite)
    ev = engine.evaluate(pkg, lim, name)

    report = report_of(ev, src_path)
    if dst is not None:
        if recalc_on_open is None:
            recalc_on_open = pkg.kind in (".xlsm", ".xltm")
        sheets = {s.part: s for s in pkg.sheets.values()}
        from ..report.seal import finisher_for_package  # a template workbook: its seal and print finish
        finish = finisher_for_package(data, pkg.zf.read(cache.workbook_part(pkg.zf)).decode("utf-8", "replace"),
                                      pkg.parts)
        write_atomic(dst, lambda f: cache.write_package(pkg.zf, ev.values, f, recalc_on_open, pkg.parts,
                                                        sheets=sheets, finish=finish), overwrite=overwrite)
        report.output = dst
    report.seconds = time.perf_counter() - t0
    return report
