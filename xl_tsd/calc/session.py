"""A workbook loaded once, recomputed for new input values: the engine behind sensitivity analysis.

:class:`Session` reads a workbook into the engine once; :meth:`Session.evaluate`
then puts values into input cells named by their defined names, recomputes
only the cells that depend on what changed, and reads named outputs. The
answers are those :func:`~xl_tsd.calc.calculate` gives for the workbook saved
with the same inputs (``tests/test_calc_session.py``).

>>> from xl_tsd.calc import Session
>>> from xl_tsd.workflows.fill import default_template
>>> s = Session(default_template())          # the empty case template
>>> s.get("Contrib_Rate")                     # nothing given yet: blank
''
>>> r = s.evaluate({"Points_Weight": [1], "Points_Established": ["是"], "Share_S2": 0.8, "Share_S3": 0.4,
...                 "S4_Method": "四分法 quarters"}, ["Contrib_Rate"])
>>> round(r["Contrib_Rate"], 12)              # CASES.md A: 1 x 0.8 x 0.4 x 0.25
0.08
>>> round(s.evaluate({"Share_S3": 0.5}, ["Contrib_Rate"])["Contrib_Rate"], 12)   # only S3 changed
0.1
"""
from __future__ import annotations

import datetime as _dt
import os
import re

from . import functions as F
from .package import range_cells

__all__ = ["Session", "NameError_"]

_EPOCH = _dt.datetime(1899, 12, 30)


class NameError_(KeyError):
    """A name the workbook does not define as a range of cells; the message names it."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def _serial(v):
    """A Python value as the engine holds a cell's value (dates as Excel serial numbers)."""
    if isinstance(v, _dt.datetime):
        return (v - _EPOCH).total_seconds() / 86400.0
    if isinstance(v, _dt.date):
        return float((v - _EPOCH.date()).days)
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if hasattr(v, "item"):  # a numpy scalar
        return _serial(v.item())
    raise TypeError(f"a cell holds a number, text, TRUE/FALSE, a date or nothing (got {type(v).__name__})")


_NAME_REF = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$")


class Session:
    """A workbook in the engine, for many evaluations with different inputs.

    Parameters
    ----------
    workbook : str, os.PathLike or bytes
        The workbook (.xlsx/.xlsm), e.g. a filled case or the template.
    limits : Limits, optional; max_cells, max_formulas, max_range_cells, max_seconds : optional
        As for :func:`~xl_tsd.calc.calculate`; ``max_seconds`` bounds each evaluation.

    Raises
    ------
    InputRefused
        As :func:`~xl_tsd.calc.calculate`.

    Notes
    -----
    A name given to :meth:`set` or :meth:`evaluate` must stand for cells that
    hold values (not formulas): one cell takes one value, a range a list (a
    column or row) or a list of rows. Values are numbers, text, booleans,
    dates (``datetime.date``) or ``None`` for an empty cell, "not known".
    Outputs are read as the report reads them: float, bool, str, or the
    Excel error code (``"#NUM!"``); a range gives a list of rows.

    One process, one thread at a time: the catalogue's functions are Python.
    """

    def __init__(self, workbook, *, limits=None, **max_):
        from . import _read_source, engine_package, limits_of
        from .engine import Book

        data, path, name = _read_source(workbook)
        self.source = path
        self.package = engine_package(data, name)
        self.book = Book(self.package, limits_of(limits, max_), name)
        self._names = self._defined_names()
        self._formula_cells = {(s, r, c) for s, r, c, _ in self.book.targets}
        self._original: dict = {}  # (sheet, row, col) -> the value the workbook had, for reset()
        self._given: dict = {}     # NAME -> the rows of values last put there
        self._dirty = True
        self.evaluations = 0

    # --- names --------------------------------------------------------------------------------------

    def _defined_names(self) -> dict:
        titles = list(self.package.parts)
        out, local = {}, {}
        for name, sheet_no, text, _ in self.package.names:
            m = _NAME_REF.match(text.strip())
            if not m:
                continue
            sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
            r1, c1, r2, c2 = range_cells(m.group(3).replace("$", ""))
            if sheet_no is None:
                out[name.upper()] = (sheet, r1, c1, r2, c2)
            elif sheet_no < len(titles):
                local.setdefault(name.upper(), []).append((sheet, r1, c1, r2, c2))
        for upper, where in local.items():  # a sheet-level name defined once is as good as a workbook one
            if upper not in out and len(where) == 1:
                out[upper] = where[0]
        return out

    @property
    def names(self) -> list[str]:
        """The defined names that stand for cells, upper-case."""
        return sorted(self._names)

    def cells(self, name: str) -> tuple:
        """(sheet, first row, first column, last row, last column) of a defined name."""
        try:
            return self._names[name.upper()]
        except KeyError:
            raise NameError_(f"{name}: the workbook defines no such name over cells") from None

    # --- inputs -------------------------------------------------------------------------------------

    def set(self, values: dict) -> None:
        """Put values into input cells, by defined name (see the class's notes)."""
        wb = self.book.wb
        for name, value in values.items():
            sheet, r1, c1, r2, c2 = self.cells(name)
            shift = F.DAYS_1904 if self.package.date1904 and _is_date_any(value) else 0
            rows = [[_serial(v) - shift if shift and isinstance(v, _dt.date) else _serial(v) for v in row]
                    for row in self._shape(name, value, r2 - r1 + 1, c2 - c1 + 1)]
            before = self._given.get(name.upper())
            if before == rows:
                continue  # as it is already
            if before is not None and len(before) == len(rows) and all(len(a) == len(b) for a, b in zip(before, rows)):
                # only the block of cells that changed: writing a cell costs the engine ~10 µs (a period
                # column has 20 cells, a case fills three)
                diff = [(i, j) for i, (a, b) in enumerate(zip(before, rows)) for j in range(len(a)) if a[j] != b[j]
                        or type(a[j]) is not type(b[j])]
                i0, i1 = min(i for i, _ in diff), max(i for i, _ in diff)
                j0, j1 = min(j for _, j in diff), max(j for _, j in diff)
                if i0 == i1 and j0 == j1:
                    wb.set_value(sheet, r1 + i0, c1 + j0, rows[i0][j0])
                else:
                    wb.set_values_batch(sheet, r1 + i0, c1 + j0, [r[j0:j1 + 1] for r in rows[i0:i1 + 1]])
                self._given[name.upper()] = rows
                self._dirty = True
                continue
            for i, row in enumerate(rows):
                for j in range(len(row)):
                    key = (sheet, r1 + i, c1 + j)
                    if key not in self._original:
                        if key in self._formula_cells:
                            raise ValueError(f"{name}: {sheet}!{_coord(r1 + i, c1 + j)} holds a formula; "
                                             f"an input must be a cell that holds a value")
                        self._original[key] = wb.get_value(*key)
            if len(rows) == 1 and len(rows[0]) == 1:
                wb.set_value(sheet, r1, c1, rows[0][0])
            else:
                wb.set_values_batch(sheet, r1, c1, rows)  # one call: a range of cells at a time
            self._given[name.upper()] = rows
            self._dirty = True

    @staticmethod
    def _shape(name, value, rows, cols) -> list:
        if rows == cols == 1:
            if isinstance(value, (list, tuple)):
                flat = [v for r in value for v in (r if isinstance(r, (list, tuple)) else [r])]
                if len(flat) != 1:
                    raise ValueError(f"{name}: one cell takes one value (got {len(flat)})")
                value = flat[0]
            return [[value]]
        if not isinstance(value, (list, tuple)) and not hasattr(value, "tolist"):
            raise ValueError(f"{name}: a range of {rows} x {cols} cells takes a list (got one value)")
        value = value.tolist() if hasattr(value, "tolist") else list(value)
        if value and all(isinstance(r, (list, tuple)) for r in value):
            grid = [list(r) for r in value]
        elif rows == 1:
            grid = [value]
        elif cols == 1:
            grid = [[v] for v in value]
        else:
            raise ValueError(f"{name}: a range of {rows} x {cols} cells takes a list of rows")
        if len(grid) > rows or any(len(r) > cols for r in grid):
            raise ValueError(f"{name}: more values than the {rows} x {cols} cells it names")
        return [r + [None] * (cols - len(r)) for r in grid] + [[None] * cols] * (rows - len(grid))

    def reset(self) -> None:
        """Every input cell :meth:`set` changed back to the workbook's own value."""
        wb = self.book.wb
        for (sheet, row, col), v in self._original.items():
            wb.set_value(sheet, row, col, v if not isinstance(v, dict) else None)
        self._original.clear()
        self._given.clear()
        self._dirty = True

    # --- outputs ------------------------------------------------------------------------------------

    def get(self, name: str):
        """The value of a named cell (a list of rows for a range), after recomputing what changed."""
        return self.read([name])[name]

    def read(self, names) -> dict:
        """Values of named cells by name, after recomputing the cells that depend on what changed."""
        wb = self.book.wb
        where = {n: self.cells(n) for n in names}
        if self._dirty:
            # everything that changed, not only what the outputs need: formualizer's whole-workbook pass
            # over the changed cells is faster than its demand-driven one (2.3 against 5.8 ms on the template)
            self.book._evaluate_all()
            self._dirty = False
            self.evaluations += 1
        out = {}
        get, conv, formulas = wb.get_value, F.from_engine, self._formula_cells

        def value(s, r, c):
            v = get(s, r, c)
            if v is None and (s, r, c) not in formulas:
                return None  # an empty input cell: "not known"; a formula reading it shows 0
            return _plain(conv(v))
        for n, (s, r1, c1, r2, c2) in where.items():
            grid = [[value(s, r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            out[n] = grid[0][0] if r1 == r2 and c1 == c2 else grid
        return out

    def evaluate(self, inputs: dict, outputs) -> dict:
        """Set ``inputs`` (by name), recompute, and return ``outputs`` (names) as a dict."""
        self.set(inputs)
        return self.read(outputs)

    def calculate(self):
        """Everything computed, as :func:`~xl_tsd.calc.calculate` reports it (a :class:`CalcReport`)."""
        from . import report_of
        ev = self.book.compute()
        self._dirty = False
        return report_of(ev, self.source)

    def save(self, dst, *, recalc_on_open: bool | None = None):
        """Write the workbook with the present inputs and every formula's value, as ``calc`` writes one
        (every other part byte for byte); returns the :class:`CalcReport`."""
        from . import _check_output, cache, report_of
        from .cache import input_cells_xml
        dst = _check_output(os.fspath(dst), self.source, self.package.kind)
        ev = self.book.compute()
        self._dirty = False
        cells = input_cells_xml(self.book.wb, self._original)
        kind = self.package.kind
        recalc = kind in (".xlsm", ".xltm") if recalc_on_open is None else recalc_on_open
        cache.write_atomic(dst, lambda f: cache.write_package(self.package.zf, ev.values, f, recalc,
                                                              self.package.parts, cells))
        rep = report_of(ev, self.source)
        rep.output = dst
        return rep


def _is_date_any(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_is_date_any(v) for v in value)
    return isinstance(value, _dt.date)


def _plain(v):
    return str(v) if isinstance(v, F.ExcelError) else v


def _coord(row, col):
    from .package import col_letters
    return f"{col_letters(col)}{row}"
