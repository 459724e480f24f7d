"""Filling many cases into one template: the template read and loaded into the engine once per process.

:func:`~.fill.fill` reads the template with openpyxl, writes the case's inputs,
saves it, and the engine reads and compiles the result again: about 0.7 s a
case, nearly all of it the same work every time. In a batch every case uses
the same template, so :class:`TemplateFiller` does that work once and, for
each case, only what depends on the case:

- the inputs are written by the same contract code as in ``fill`` into the
  template's openpyxl workbook, kept in memory (and put back after);
- each input cell that changed is written into the template's sheet XML as
  openpyxl's writer writes it: text as an inline string, never a formula
  (``=1+1`` stays text), a number at openpyxl's 16 digits, a date as its
  serial number in the cell's own date style; the engine is given what its
  reader reads from that XML;
- the template is loaded into the engine once (:class:`~xl_tsd.calc.engine.Book`);
  each case sets the input cells (those it leaves out back to the template's
  values) and the engine recomputes only what depends on them;
- the output is written as ``calc`` writes one: every part of the template
  byte for byte except the sheets (inputs and cached values) and
  ``workbook.xml`` (recalculation on open), to a temporary file renamed into place.

The workbook has the same values, cell by cell, as ``fill``'s
(``tests/test_batch_fast.py``); the difference is that the template's parts
are kept as they are instead of going through openpyxl. A case this path
cannot write exactly as ``fill`` would (an input whose style openpyxl would
change, a text openpyxl stores as an error value such as ``#N/A``, a template
whose input cells hold formulas) is filled by ``fill``'s own way.
"""
from __future__ import annotations

import copy
import io
import pathlib
import re
import time
from xml.etree.ElementTree import fromstring
from xml.sax.saxutils import escape

import openpyxl

from ..template import contract
from .case_data import case_to_inputs
from .fill import FillReport, _fill_prepared, headline, prepare

__all__ = ["TemplateFiller", "fill_fast", "filler_for", "NotFast"]

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class NotFast(Exception):
    """This template or case cannot be written exactly as ``fill`` writes it: use ``fill``."""


def _input_cells(wb) -> list:
    """Every cell of every input the template defines a name for, in contract order."""
    cells = []
    for name in contract.input_specs():
        if wb.defined_names.get(name) is None:
            continue
        for row in contract.name_cells(wb, name):
            cells.extend(row)
    return list({id(c): c for c in cells}.values())


def _preserve(text: str) -> bool:
    """Whether openpyxl's writer marks a text ``xml:space="preserve"`` (its two writers differ)."""
    from openpyxl.cell import _writer
    if _writer.write_cell is _writer.etree_write_cell:
        stripped = text.strip()
        return bool(stripped) and text != stripped
    return text != text.strip()


def cell_xml(cell) -> tuple[str | None, str]:
    """A cell's ``t`` attribute and content as openpyxl's writer writes them.

    Text is an inline string (``t="inlineStr"``), so a text beginning with
    ``=`` is never a formula; a date is its serial number (``t="n"``).

    >>> import openpyxl, datetime
    >>> ws = openpyxl.Workbook().active
    >>> ws["A1"] = "=1+1"; ws["A1"].data_type = "s"; cell_xml(ws["A1"])
    ('inlineStr', '<is><t>=1+1</t></is>')
    >>> ws["A2"] = datetime.date(2019, 4, 23); ws["A3"] = 0.1 + 0.2; cell_xml(ws["A2"]), cell_xml(ws["A3"])
    (('n', '<v>43578</v>'), ('n', '<v>0.3</v>'))
    """
    from openpyxl.cell._writer import _set_attributes
    from openpyxl.compat import safe_string

    value, attrs = _set_attributes(cell, False)
    t = attrs.get("t")
    if cell.data_type == "f" or not isinstance(value, (str, int, float, type(None))):
        raise NotFast(f"{cell.coordinate}: a formula or rich text")
    if value is None or value == "":
        return t, ""
    if cell.data_type == "s":
        space = ' xml:space="preserve"' if _preserve(value) else ""
        # a carriage return as a character reference, as openpyxl writes it with lxml: raw, XML reads it as \n
        return t, f"<is><t{space}>{escape(value, {chr(13): '&#13;'})}</t></is>"
    return t, f"<v>{escape(safe_string(value))}</v>"


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _read_back(t: str | None, inner: str, parser):
    """The value the engine reads from a cell's XML, as Excel reads it: dates as numbers, and in text the
    ``_xHHHH_`` escapes of OOXML read as their characters (openpyxl's reader leaves them)."""
    ta = f' t="{t}"' if t else ""
    got = parser.parse_cell(fromstring(f'<c xmlns="{_MAIN_NS}" r="A1"{ta}>{inner}</c>'))
    if isinstance(got["value"], str) and got["data_type"] != "s":
        # an error value (text "#N/A" is one to openpyxl): the engine compiles it as a formula
        raise NotFast(f"{got['value']!r} is read as an error value")
    v = got["value"]
    if isinstance(v, str) and "_x" in v:
        v = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), v)
    return v


class TemplateFiller:
    """A template read and loaded into the engine once, filled with one case after another.

    Parameters
    ----------
    template : path
        The template workbook (``.xlsm``).

    Raises
    ------
    NotFast
        The template cannot be filled this way (use :func:`~.fill.fill`).
    xl_tsd.calc.InputRefused
        The template is not a workbook calc can read.
    """

    def __init__(self, template, limits=None):
        from openpyxl.worksheet._reader import WorkSheetParser

        from ..calc import engine_package
        from ..calc.engine import Book
        from ..calc.package import split_coord

        from .fill import checked_template

        self.template = pathlib.Path(template)
        data = checked_template(self.template).data  # the bytes the gate checked
        package = engine_package(data, str(self.template))
        self.zf, self.kind, self.parts = package.zf, package.kind, package.parts
        self.wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=False)
        self.cells = _input_cells(self.wb)
        for title in {c.parent.title for c in self.cells}:
            if re.search(r"<\w+:worksheet\b", self.zf.read(self.parts[title])[:2000].decode("utf-8", "replace")):
                raise NotFast(f"sheet {title}: prefixed XML")
        self.saved = [(c._value, c.data_type, copy.copy(c._style)) for c in self.cells]
        self.book = Book(package, limits, str(self.template))
        formula_cells = {(t, coord) for t, _, _, coord in self.book.targets}
        self.keys = {}  # (sheet, "A1") -> (sheet, row, column) of every input cell
        for c in self.cells:
            key = (c.parent.title, c.coordinate)
            if key in formula_cells:
                raise NotFast(f"{key[0]}!{key[1]} holds a formula; an input must hold a value")
            self.keys[key] = (key[0], *split_coord(key[1]))
        get = self.book.wb.get_value
        self.original = {k: get(*rc) for k, rc in self.keys.items()}  # the template's own input values
        self.current = dict(self.original)
        self.cases = 0  # cases filled this way (for tests and benches)
        self._parser = WorkSheetParser(None, [], date_formats=set())  # dates as numbers, as the engine reads
        self.prepared = None  # the sheets split around the cells that change, after the first case
        self.finish = None    # the seal and print finish of the case being filled (xl_tsd.report.seal)

    def _prepare_sheets(self, values: dict) -> dict:
        """Each sheet part split once around its formula cells and input cells (:class:`~xl_tsd.calc.cache.PreparedSheet`)."""
        from ..calc import cache

        coords: dict = {}
        seal_cells = list(self.finish.cells) if self.finish is not None else []
        for sheet, coord in [*values, *((c.parent.title, c.coordinate) for c in self.cells), *seal_cells]:
            coords.setdefault(self.parts[sheet], set()).add(coord)
        return {part: cache.PreparedSheet(self.zf.read(part), cs) for part, cs in coords.items()}

    def _restore(self) -> None:
        for c, (value, data_type, style) in zip(self.cells, self.saved):
            c._value, c.data_type, c._style = value, data_type, copy.copy(style)

    def _changed(self, inputs: dict) -> dict:
        """(sheet, cell) -> (t, inner XML) of every input cell the case changes; the case's seal and print
        finish in ``self.finish``."""
        from ..report.seal import finisher_for
        self._restore()
        try:
            contract.write_inputs(self.wb, inputs)
            self.finish = finisher_for(self.wb, self.parts)
            out = {}
            for c, (value, data_type, style) in zip(self.cells, self.saved):
                if type(c._value) is type(value) and c._value == value and c.data_type == data_type:
                    continue
                if c._style != style:
                    raise NotFast(f"{c.parent.title}!{c.coordinate}: openpyxl would change its style")
                out[(c.parent.title, c.coordinate)] = cell_xml(c)
            return out
        finally:
            self._restore()

    def compute(self, values: dict):
        """The template computed with ``values`` ((sheet, "A1") -> value as the engine reads the cell) in
        its input cells, the others holding the template's own values (an Evaluation)."""
        wb, current = self.book.wb, self.current
        for key, rc in self.keys.items():
            want = values.get(key, self.original[key])
            have = current[key]
            if type(want) is not type(have) or want != have:
                wb.set_value(*rc, want)
                current[key] = want
        return self.book.compute()

    def fill(self, name: str, data: dict, out: pathlib.Path, t0: float | None = None, *,
             overwrite: bool = True) -> FillReport:
        """Write a validated case (:func:`~.fill.prepare`) to ``out``, computed; as :func:`~.fill.fill`."""
        from .._atomic import write_atomic
        from ..calc import _check_output, cache, report_of

        t0 = time.perf_counter() if t0 is None else t0
        cells = self._changed(case_to_inputs(data))
        values = {k: _read_back(t, inner, self._parser) for k, (t, inner) in cells.items()}
        dst = _check_output(str(out), None, self.kind, overwrite)  # calc's checks of an output
        ev = self.compute(values)
        self.cases += 1
        report = report_of(ev)
        if self.prepared is None:
            self.prepared = self._prepare_sheets(ev.values)
        recalc = self.kind in (".xlsm", ".xltm")  # calc's default for the kind
        finish = self.finish
        write_atomic(dst, lambda f: cache.write_package(self.zf, ev.values, f, recalc, self.parts, cells,
                                                        self.prepared, finish=finish), overwrite=overwrite)
        return FillReport(name, pathlib.Path(out), headline(report.values, self.wb), list(report.errors),
                          list(report.problems), time.perf_counter() - t0)


_FILLERS: dict = {}


def filler_for(template, limits=None) -> TemplateFiller | None:
    """This process's :class:`TemplateFiller` of a template file (None if it cannot be made);
    made again when the file or the limits change."""
    p = pathlib.Path(template).resolve()
    st = p.stat()
    key = (str(p), st.st_mtime_ns, st.st_size, limits)
    if key not in _FILLERS:
        _FILLERS.clear()  # one template at a time: a loaded template is tens of megabytes
        try:
            _FILLERS[key] = TemplateFiller(p, limits)
        except NotFast:
            _FILLERS[key] = None
    return _FILLERS[key]


def fill_fast(case, out, *, template=None, overwrite: bool = False, limits=None) -> FillReport:
    """:func:`~.fill.fill`, for many cases in one process: same arguments, checks and result.

    The first call in a process loads the template into the engine (a few
    hundredths of a second); each further case recomputes what its inputs change.
    """
    t0 = time.perf_counter()
    name, data, out, tpl = prepare(case, out, template, overwrite)
    filler = filler_for(tpl, limits)
    if filler is not None:
        try:
            return filler.fill(name, data, out, t0, overwrite=overwrite)
        except NotFast:
            pass
    return _fill_prepared(name, data, out, tpl, t0, overwrite, limits)
