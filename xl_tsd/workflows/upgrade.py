"""Moving a workbook built from an older template version into the current template.

:func:`upgrade` reads OLD (never writing it), writes its inputs into a copy of
the current template by defined name, carries over the sheets the user
added, computes the result and writes NEW atomically. The report says what
moved and lists, by name and with values, everything that found no home.

Which of OLD's defined names are inputs
---------------------------------------
Cell positions change between template versions; names and the input style
do not. A workbook-level name of OLD is taken as an input when

1. the current layout declares it as an input (:func:`~xl_tsd.template.contract.input_specs`), or
2. it refers to cells on a template sheet that are all input cells: they
   carry the template's named input style (``TSD Input``), or they are
   unlocked on a protected sheet (the template locks everything but its
   inputs);

except a name of the second kind that wholly contains another input's cells
with more besides (a table or group name such as ``Periods`` or
``Intent_Factors``: its cells move through its columns' names). Inputs of the
first kind are moved; the others have no home in the current template and are
reported with their non-blank values. Input cells on template sheets that no
input name covers (a name deleted by hand) are reported by address, with the
row's labels.

Which sheets are the user's
---------------------------
The template sheets are the sheets the current template has (by title); NEW
has the current template's own. Every other sheet of OLD is the user's and is
carried over, with the workbook-level names that point only into carried
sheets. A carried sheet that holds cells in the template's named styles may be
a sheet of the older template: it is carried all the same (nothing is
dropped) with a warning. Content typed onto template sheets outside the input
cells is reported by address, not carried (the layout it sat in has changed);
so are names that point at template cells by address, and what the copier
cannot carry (charts, pictures, shapes, pivot tables, VBA modules of OLD's own).
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import pathlib
import re
import tempfile
import time
from copy import copy
from dataclasses import dataclass, field

import openpyxl
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from .._atomic import check_output, same_file
from ..template import contract
from ..template import layout as L
from .sheet_copy import copy_sheet

__all__ = ["upgrade", "UpgradeReport", "UpgradeError", "Value", "VERSION_NAME", "input_cell"]

#: The defined name that holds the template version of a workbook.
VERSION_NAME = "Template_Version"
#: The xlwings settings sheet (key in column A, value in column B).
CONF_SHEET = "xlwings.conf"
#: The template's named cell styles (see :mod:`xl_tsd.template.builder`).
STYLE_INPUT, TEMPLATE_STYLES = "TSD Input", frozenset({"TSD Input", "TSD Formula", "TSD Check"})
_INJECTION = ("=", "+", "-", "@")
#: Relationship types of a sheet part that are carried over (or harmless to lose).
_CARRIED_PARTS = {"table": None, "comments": None, "hyperlink": None, "printerSettings": None,
                  "vmlDrawing": None}
_PART_WHAT = {
    "drawing": "drawing layer (pictures, charts, shapes, text boxes)",
    "pivotTable": "pivot table (its cells' last values are carried)",
    "oleObject": "embedded object",
    "ctrlProp": "form control",
    "slicer": "slicer",
    "timeline": "timeline",
    "threadedComment": "threaded comments (carried as plain notes)",
}


class UpgradeError(ValueError):
    """The upgrade was refused; nothing was written."""


@dataclass(frozen=True)
class Value:
    """A value of OLD: where it was and, for a table or matrix, which item.

    ``item`` is ``""`` for a single input, ``"3"`` for item 3 of a table
    column, ``"2,3"`` for row 2, column 3 of a matrix.
    """

    name: str | None
    item: str
    cell: str
    value: object
    label: str = ""

    def __str__(self) -> str:
        where = self.name or self.label
        if not where:
            return f"OLD {self.cell}: {_show(self.value)}"
        where += f"[{self.item}]" if self.item else ""
        return f"{where} = {_show(self.value)} (OLD {self.cell})"


@dataclass
class UpgradeReport:
    """What :func:`upgrade` did and everything that found no home.

    Attributes
    ----------
    source, output : pathlib.Path
        OLD and NEW.
    old_version : int or None
        OLD's template version (None: unknown; ``version_note`` says why).
    new_version : int
        The current template's version.
    moved : dict
        Input name -> number of non-blank values moved into NEW.
    no_room : list of Value
        Non-blank values of a table column or matrix beyond the current template's room.
    removed : dict
        Input of OLD that the current template no longer has -> its non-blank values.
    removed_refs : dict
        The same inputs -> the cells their name referred to in OLD (``Inputs!E20``).
    missing : list of str
        Inputs of the current template that OLD lacks (left blank).
    unnamed : list of Value
        Input cells of OLD holding a value that no input name covers.
    formulas : list of tuple
        (Value, formula): input cells of OLD holding a formula; the value moved is the
        formula's last computed value (the formula is not carried: its references
        point into the old layout).
    off_list : list of Value
        Values moved that are not among the current template's choices for the input.
    template_edits : list of Value
        Content typed onto template sheets outside the input cells (not carried).
    user_sheets : list of str
        Sheets carried over.
    user_names : list of str
        Workbook-level names of the user's carried over.
    settings : list of str
        xlwings settings of OLD that differ from the template's, carried (``key = value``).
    not_carried : list of str
        Everything else not carried, one line each.
    warnings : list of str
        Things carried that may need a look (e.g. a formula on a user sheet that
        points at a template cell by address).
    calc : xl_tsd.calc.CalcReport
        The engine's report on NEW.
    """

    source: pathlib.Path
    output: pathlib.Path
    old_version: int | None
    new_version: int
    version_note: str = ""
    moved: dict = field(default_factory=dict)
    no_room: list = field(default_factory=list)
    removed: dict = field(default_factory=dict)
    removed_refs: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    unnamed: list = field(default_factory=list)
    formulas: list = field(default_factory=list)
    off_list: list = field(default_factory=list)
    template_edits: list = field(default_factory=list)
    user_sheets: list = field(default_factory=list)
    user_names: list = field(default_factory=list)
    settings: list = field(default_factory=list)
    not_carried: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    calc: object = None
    seconds: float = 0.0

    @property
    def homeless(self) -> list:
        """Every non-blank value of OLD that NEW does not hold (removed, no room, unnamed)."""
        return [v for vals in self.removed.values() for v in vals] + self.no_room + self.unnamed

    @property
    def everything_carried(self) -> bool:
        """True when NEW holds every input value, user sheet, part and edit of OLD (warnings aside)."""
        return not (self.homeless or self.not_carried or self.template_edits)

    def summary(self, limit: int = 50) -> str:
        """The report as text, for a person."""
        old = "unknown version" if self.old_version is None else f"version {self.old_version}"
        lines = [f"upgraded {self.source} ({old}{': ' + self.version_note if self.version_note else ''}) "
                 f"to template version {self.new_version}: {self.output}",
                 f"  {len(self.moved)} inputs moved, {sum(self.moved.values())} non-blank values"]

        def block(title, items):
            items = list(items)
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines.extend(f"  {i}" for i in items[:limit])
                if len(items) > limit:
                    lines.append(f"  ... and {len(items) - limit} more")

        block("Inputs the current template no longer has (NOT carried; values listed)",
              [f"{n} (OLD {self.removed_refs.get(n, '?')}): "
               + ("; ".join(f"{'[' + v.item + '] ' if v.item else ''}{_show(v.value)}" for v in vals) or "blank")
               for n, vals in self.removed.items()])
        block("Values with no room in the current template (NOT carried)", self.no_room)
        block("Input cells of OLD without an input name (NOT carried)", self.unnamed)
        block("Inputs of the current template that OLD lacks (left blank)", self.missing)
        block("Input cells that held a formula (its last value was moved, not the formula)",
              [f"{v} from {f}" for v, f in self.formulas])
        block("Values moved that are not among the current choices (check them)", self.off_list)
        block("Content typed onto template sheets (NOT carried)", self.template_edits)
        block("Sheets carried over", self.user_sheets)
        block("Names carried over", self.user_names)
        block(f"{CONF_SHEET} settings carried over", self.settings)
        block("Not carried", self.not_carried)
        block("Warnings", self.warnings)
        if self.calc is not None:
            lines.append(self.calc.summary())
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Reading OLD
# --------------------------------------------------------------------------------------------
def _show(v) -> str:
    if isinstance(v, _dt.datetime) and v.time() == _dt.time(0):
        v = v.date()
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    return repr(v)


def _name_grid(wb, name: str):
    """The cells (rows of cells) a workbook-level name refers to, or a reason why it refers to none."""
    dn = wb.defined_names.get(name)
    if dn is None:
        return None, "no such name"
    try:
        dests = list(dn.destinations)
    except Exception:  # a formula or constant that is not a reference
        dests = []
    if len(dests) != 1 or dests[0][0] not in wb.sheetnames:
        return None, f"refers to {dn.attr_text!r}, not one range of cells"
    title, ref = dests[0]
    try:
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    except ValueError:
        return None, f"refers to {dn.attr_text!r}, not one range of cells"
    if None in (c1, r1, c2, r2) or (c2 - c1 + 1) * (r2 - r1 + 1) > 10_000:
        return None, f"refers to {dn.attr_text!r}, a whole row or column"
    ws = wb[title]
    return [[ws.cell(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)], ""


def input_cell(cell) -> bool:
    """True for a template input cell: the named input style, or unlocked on a protected sheet."""
    return cell.style == STYLE_INPUT or (cell.protection.locked is False and bool(cell.parent.protection.sheet))


def _addr(cell) -> str:
    return f"{cell.parent.title}!{cell.coordinate}"


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_formula(cell) -> bool:
    return isinstance(cell.value, ArrayFormula) or cell.data_type == "f"


def _formula_text(cell) -> str:
    return cell.value.text if isinstance(cell.value, ArrayFormula) else str(cell.value)


def _version(wb) -> tuple[int | None, str]:
    dn = wb.defined_names.get(VERSION_NAME)
    if dn is None:
        return None, f"no {VERSION_NAME} name"
    grid, why = _name_grid(wb, VERSION_NAME)
    raw = grid[0][0].value if grid else dn.attr_text
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None, f"{VERSION_NAME} holds {raw!r}" if grid else f"{VERSION_NAME} {why}"
    if not number.is_integer():
        return None, f"{VERSION_NAME} holds {raw!r}"
    return int(number), ""


def _labels(cell) -> str:
    """The text labels at the left of an input cell's row (the template puts them in columns A-B)."""
    ws = cell.parent
    parts = [ws.cell(cell.row, c).value for c in (1, 2) if c < cell.column]
    return " / ".join(str(p) for p in parts if isinstance(p, str) and p.strip())


class _Old:
    """OLD, read: its workbook, inputs by kind and its sheets by role."""

    def __init__(self, data: bytes, name: str, template_titles: set, template_names: set):
        self.data, self.name = data, name
        try:  # data passed the gate (xl_tsd.calc.safety)
            self.wb = openpyxl.load_workbook(io.BytesIO(data), rich_text=True)
        except Exception as exc:  # openpyxl's reasons are technical but say where
            raise UpgradeError(f"{name}: cannot be read as a workbook ({type(exc).__name__}: {exc})") from None
        self._values_wb = None
        self.template_names = template_names
        # Sheets: the current template's (replaced by NEW's) and the rest (the user's, carried).
        self.template_sheets = [ws for ws in self.wb.worksheets if ws.title in template_titles]
        self.user_sheets = [ws for ws in self.wb.worksheets if ws.title not in template_titles]
        # A carried sheet in the template's styles is probably an older template's own sheet.
        self.styled_sheets = [ws.title for ws in self.user_sheets
                              if any(c.style in TEMPLATE_STYLES for c in ws._cells.values())]

        specs = contract.input_specs()
        names = [n for n in self.wb.defined_names if n != VERSION_NAME and not n.startswith("_xlnm.")]
        self.known: dict[str, list] = {}      # input names of the current layout -> grid
        self.unreadable: dict[str, str] = {}  # such names that refer to no cells -> why
        candidates: dict[str, list] = {}
        for n in names:
            grid, why = _name_grid(self.wb, n)
            if n in specs:
                if grid is None:
                    self.unreadable[n] = why
                else:
                    self.known[n] = grid
            elif (grid is not None and grid[0][0].parent.title in template_titles
                  and all(input_cell(c) for row in grid for c in row)):
                candidates[n] = grid
        cells = {n: {_addr(c) for row in g for c in row} for n, g in {**self.known, **candidates}.items()}
        self.blocks = {n for n in candidates
                       if any(o != n and cells[o] < cells[n] for o in cells)}
        self.removed = {n: g for n, g in candidates.items() if n not in self.blocks}
        self.covered = set().union(*(cells[n] for n in (*self.known, *self.removed)))
        self.other_names = [n for n in names if n not in specs and n not in candidates]

    def last_value(self, cell):
        """The value Excel last computed for a formula cell of OLD (None if it was never computed)."""
        if self._values_wb is None:
            self._values_wb = openpyxl.load_workbook(io.BytesIO(self.data), data_only=True)
        return self._values_wb[cell.parent.title][cell.coordinate].value

    def value(self, cell, name, item, report: UpgradeReport | None):
        """The value to move out of an input cell: text for rich text, a formula's last value."""
        v = cell.value
        if _is_formula(cell):
            last = self.last_value(cell)
            if report is not None:
                report.formulas.append((Value(name, item, _addr(cell), last), _formula_text(cell)))
            return last
        if v is not None and not isinstance(v, (str, int, float, bool, _dt.date, _dt.time, _dt.timedelta)):
            return str(v)  # rich text
        return v


# --------------------------------------------------------------------------------------------
# Moving inputs
# --------------------------------------------------------------------------------------------
def _put(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith(_INJECTION):
        cell.data_type = "s"  # text stays text, never a formula (formula injection)


def _flat(grid):
    return [c for row in grid for c in row]


def _move_input(old: _Old, new_wb, name: str, spec, report: UpgradeReport) -> None:
    src, dst = old.known[name], contract.name_cells(new_wb, name)
    moved = 0
    if isinstance(spec, L.Matrix):
        pairs = [((r, c), cell) for r, row in enumerate(src) for c, cell in enumerate(row)]
        room = {(r, c): cell for r, row in enumerate(dst) for c, cell in enumerate(row)}
        label = lambda rc: f"{rc[0] + 1},{rc[1] + 1}"  # noqa: E731
    else:
        flat_src, flat_dst = _flat(src), _flat(dst)
        pairs = list(enumerate(flat_src))
        room = dict(enumerate(flat_dst))
        single = len(flat_src) == 1 and len(flat_dst) == 1
        label = lambda i: "" if single else str(i + 1)  # noqa: E731
    choices = L.CHOICES[spec.kind][2] if getattr(spec, "kind", None) in L.CHOICES else None
    for key, cell in pairs:
        v = old.value(cell, name, label(key), report)
        if _blank(v):
            continue
        target = room.get(key)
        if target is None:
            report.no_room.append(Value(name, label(key), _addr(cell), v))
            continue
        _put(target, v)
        moved += 1
        if cell.comment is not None:
            target.comment = copy(cell.comment)
        if choices is not None and v not in choices:
            report.off_list.append(Value(name, label(key), _addr(cell), v))
    report.moved[name] = moved


def _removed_values(old: _Old, name: str) -> list:
    grid = old.removed[name]
    flat = _flat(grid)
    out = []
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            item = "" if len(flat) == 1 else (f"{r + 1},{c + 1}" if len(grid) > 1 and len(row) > 1
                                               else str(r * len(row) + c + 1))
            v = old.value(cell, name, item, None)
            if _is_formula(cell):
                v = f"{_formula_text(cell)} (last value {_show(v)})"
            if not _blank(v):
                out.append(Value(name, item, _addr(cell), v))
    return out


def _unnamed_inputs(old: _Old) -> list:
    out = []
    for ws in old.template_sheets:
        for cell in ws._cells.values():
            if _blank(cell.value) or _addr(cell) in old.covered or not input_cell(cell):
                continue
            v = f"{_formula_text(cell)}" if _is_formula(cell) else old.value(cell, None, "", None)
            out.append(Value(None, "", _addr(cell), v, _labels(cell)))
    return out


def _template_edits(old: _Old, new_wb) -> list:
    """Cells the user typed onto template sheets outside the inputs (see the module docstring)."""
    out = []
    for ws in old.template_sheets:
        if ws.title == CONF_SHEET:
            continue  # settings: carried key by key (_carry_settings)
        new_ws = new_wb[ws.title]
        known = {str(c.value) for c in new_ws._cells.values() if c.value is not None}
        for cell in ws._cells.values():
            v = cell.value
            if (_blank(v) or input_cell(cell) or cell.style in TEMPLATE_STYLES or _addr(cell) in old.covered
                    or str(v) in known):
                continue
            there = new_ws._cells.get((cell.row, cell.column))
            if there is not None and there.value is not None:
                continue
            out.append(Value(None, "", _addr(cell), _formula_text(cell) if _is_formula(cell) else v))
    return out


# --------------------------------------------------------------------------------------------
# What openpyxl does not load: found in the package
# --------------------------------------------------------------------------------------------
def package_notes(zf, sheet_titles) -> dict[str, list[str]]:
    """For each of ``sheet_titles``, the parts of its sheet the upgrade cannot carry, one line each."""
    from ..calc.cache import _rels, sheet_parts

    parts = sheet_parts(zf)
    out: dict[str, list[str]] = {}
    for title in sheet_titles:
        part = parts.get(title)
        if part is None:
            continue
        notes = []
        kinds = sorted({typ.rsplit("/", 1)[-1] for typ, _ in _rels(zf, part).values()})
        for kind in kinds:
            if kind not in _CARRIED_PARTS:
                notes.append(f"{_PART_WHAT.get(kind, kind + ' part')}: not carried")
        if b"<extLst" in zf.read(part):
            notes.append("Excel 2010+ sheet extensions (sparklines, newer conditional formats or "
                         "validations): not carried")
        if notes:
            out[title] = notes
    return out


_PROCEDURE = re.compile(r"\s*(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(?:Sub|Function|Property)\s", re.I)


def _procedures(path) -> dict[str, set]:
    """Module name -> its procedure lines (``Sub X()`` ...), read with pyOpenVBA."""
    from pyopenvba import ExcelFile
    with ExcelFile(path) as wb:
        return {m.name: {ln.strip() for ln in m.source.splitlines() if _PROCEDURE.match(ln)}
                for m in wb.vba_project().modules}


def _vba_notes(zf_old, zf_new, old_path, new_path) -> list[str]:
    """The VBA code of OLD that the template's project lacks (NEW carries the template's project)."""
    def project(zf):
        try:
            return zf.read("xl/vbaProject.bin")
        except KeyError:
            return None
    old = project(zf_old)
    if old is None or old == project(zf_new):
        return []
    try:
        before, after = _procedures(old_path), _procedures(new_path)
    except Exception as exc:  # a protected or damaged project: say what is known
        return [f"VBA project: OLD's differs from the current template's, which NEW carries; OLD's own "
                f"code (if any) is not carried (its modules could not be listed: {exc})"]
    notes = []
    for module, procs in before.items():
        if module not in after:
            notes.append(f"VBA module {module}: not in the current template; not carried"
                         + (f" (procedures: {'; '.join(sorted(procs))})" if procs else ""))
        elif procs - after[module]:
            notes.append(f"VBA module {module}: procedures the current template's lacks, not carried: "
                         + "; ".join(sorted(procs - after[module])))
    return notes


def _carry_settings(old: _Old, new_wb, report: UpgradeReport) -> None:
    """Carry the xlwings settings the user changed (e.g. Interpreter_Win), key by key."""
    if CONF_SHEET not in old.wb.sheetnames or CONF_SHEET not in new_wb.sheetnames:
        return
    src, dst = old.wb[CONF_SHEET], new_wb[CONF_SHEET]
    rows = {dst.cell(r, 1).value: r for r in range(1, dst.max_row + 1) if isinstance(dst.cell(r, 1).value, str)}
    for r in range(1, src.max_row + 1):
        key, cell = src.cell(r, 1).value, src.cell(r, 2)
        if not isinstance(key, str) or not key.strip():
            continue
        target = dst.cell(rows[key], 2) if key in rows else None
        if target is not None and (cell.value, cell.data_type) == (target.value, target.data_type):
            continue
        if target is None:
            if not _blank(cell.value):
                report.not_carried.append(f"{CONF_SHEET} setting {key} = {_show(cell.value)}: the current "
                                          f"template has no such setting")
            continue
        target.value = cell.value
        target.data_type = cell.data_type
        report.settings.append(f"{key} = {_show(cell.value)}")


_SHEET_REF = r"(?:'{q}'|{u})!"


def _address_refs(ws, template_titles) -> list[str]:
    """Formula cells of a user sheet that point at template sheets by address (names are safe)."""
    pats = [re.compile(_SHEET_REF.format(q=re.escape(t.replace("'", "''")), u=re.escape(t)), re.I)
            for t in template_titles]
    out = []
    for cell in ws._cells.values():
        if _is_formula(cell) and any(p.search(_formula_text(cell)) for p in pats):
            out.append(f"{_addr(cell)} {_formula_text(cell)}")
    return out


# --------------------------------------------------------------------------------------------
# The upgrade
# --------------------------------------------------------------------------------------------
def _default_template() -> pathlib.Path | None:
    from ..template.builder import DEFAULT_PATH
    return DEFAULT_PATH if DEFAULT_PATH.is_file() else None


def _check_paths(old: pathlib.Path, new: pathlib.Path, template: pathlib.Path | None, overwrite: bool) -> None:
    if not old.is_file():
        raise UpgradeError(f"{old}: no such file")
    if same_file(old, new):
        raise UpgradeError(f"{new}: the output would overwrite the old workbook; choose another file")
    if template is not None and same_file(template, new):
        raise UpgradeError(f"{new}: the output would overwrite the template; choose another file")
    if new.suffix.lower() != ".xlsm":
        raise UpgradeError(f"{new}: the upgraded workbook is a macro workbook; give it the .xlsm extension")
    check_output(new, overwrite=overwrite)  # the folder exists; an existing NEW only with overwrite


def upgrade(old, new, *, template=None, overwrite: bool = False) -> UpgradeReport:
    """Move the inputs of a workbook built from an older template version into the current template.

    Parameters
    ----------
    old : str or os.PathLike
        The workbook to upgrade (.xlsm or .xlsx built from the case template).
        Read only; never written.
    new : str or os.PathLike
        The upgraded workbook to write (.xlsm); written atomically, computed.
    template : str or os.PathLike, optional
        The current template (default: ``workbook/Template.xlsm`` of the
        checkout, or a fresh build when there is none). Its version must be
        this xl_tsd's :data:`~xl_tsd.template.layout.TEMPLATE_VERSION`.
    overwrite : bool
        Replace ``new`` if it exists (it is never ``old``).

    Returns
    -------
    UpgradeReport
        What moved, what was carried, and every value that found no home.

    Raises
    ------
    UpgradeError
        ``new`` is ``old`` (or the template) or not an .xlsm; ``old`` is not a
        workbook built from the case template, or comes from a newer template
        version than this one; the template given is another version.
        Nothing is written.
    FileExistsError
        ``new`` exists and ``overwrite`` is false.
    """
    from ..calc import InputRefused, calculate
    from ..calc.safety import read_package

    t0 = time.perf_counter()
    old_path, new_path = pathlib.Path(os.fspath(old)), pathlib.Path(os.fspath(new))
    tpl_path = pathlib.Path(os.fspath(template)) if template is not None else _default_template()
    _check_paths(old_path, new_path, tpl_path, overwrite)

    with tempfile.TemporaryDirectory(prefix="xl_tsd_upgrade_") as tmp:
        if tpl_path is None:
            from ..template import build_template
            tpl_path = build_template(pathlib.Path(tmp) / "Template.xlsm")
        try:  # the gate; everything below reads the bytes it checked
            old_pkg, tpl_pkg = read_package(old_path), read_package(tpl_path, f"template {tpl_path}")
        except InputRefused as exc:
            raise UpgradeError(str(exc)) from None
        data, zf_old, zf_new = old_pkg.data, old_pkg.zip, tpl_pkg.zip
        try:
            new_wb = openpyxl.load_workbook(io.BytesIO(tpl_pkg.data), keep_vba=True)
        except Exception as exc:  # openpyxl's reasons are technical but say where
            raise UpgradeError(f"template {tpl_path}: cannot be read as a workbook ({type(exc).__name__}: "
                               f"{exc})") from None
        new_version, note = _version(new_wb)
        if new_version != L.TEMPLATE_VERSION:
            raise UpgradeError(f"{tpl_path}: template version {new_version if new_version is not None else note}; "
                               f"this xl_tsd moves inputs into version {L.TEMPLATE_VERSION}")
        specs = contract.input_specs()
        template_titles = set(new_wb.sheetnames)
        old_book = _Old(data, str(old_path), template_titles, set(new_wb.defined_names))
        if not old_book.known and not old_book.removed:
            raise UpgradeError(
                f"{old_path}: not a workbook built from the xl_tsd case template: it has none of the "
                f"template's {len(specs)} input names and no cells in the template's input style")
        old_version, version_note = _version(old_book.wb)
        if old_version is not None and old_version > new_version:
            raise UpgradeError(f"{old_path}: built from template version {old_version}, newer than this "
                               f"xl_tsd's ({new_version}); upgrade xl_tsd instead")

        report = UpgradeReport(old_path, new_path, old_version, new_version, version_note)
        for name, spec in specs.items():
            if name in old_book.known:
                _move_input(old_book, new_wb, name, spec, report)
            else:
                report.missing.append(name + (f" (OLD's name {old_book.unreadable[name]})"
                                              if name in old_book.unreadable else ""))
        for name in old_book.removed:
            report.removed[name] = _removed_values(old_book, name)
            cells = _flat(old_book.removed[name])
            report.removed_refs[name] = _addr(cells[0]) + ("" if len(cells) == 1 else f":{cells[-1].coordinate}")
        report.unnamed = _unnamed_inputs(old_book)
        report.template_edits = _template_edits(old_book, new_wb)
        _carry_settings(old_book, new_wb, report)

        for title in old_book.styled_sheets:
            report.warnings.append(f"sheet {title}: has cells in the template's styles, so it may be a sheet of "
                                   f"the older template; carried as it is, but the current template does not "
                                   f"read it (delete it if it is not needed)")
        zip_notes = package_notes(zf_old, [ws.title for ws in old_book.user_sheets])
        for ws in old_book.user_sheets:
            notes = copy_sheet(ws, new_wb) + zip_notes.get(ws.title, [])
            report.user_sheets.append(ws.title)
            report.not_carried += [f"sheet {ws.title}: {n}" for n in notes]
            report.warnings += [f"{r}: refers to a template sheet by address; the layout may have moved"
                                for r in _address_refs(ws, template_titles)]
        _carry_names(old_book, new_wb, template_titles, report)
        for ws in old_book.template_sheets:
            report.not_carried += [f"name {n} (scoped to template sheet {ws.title}) = {dn.attr_text}: not carried"
                                   for n, dn in ws.defined_names.items()]
        checked = {}
        for key, pkg in (("old", old_pkg), ("template", tpl_pkg)):  # pyOpenVBA reads the checked bytes too
            checked[key] = pathlib.Path(tmp) / f"checked-{key}{pkg.kind}"
            checked[key].write_bytes(pkg.data)
        report.not_carried += _vba_notes(zf_old, zf_new, checked["old"], checked["template"])

        filled = pathlib.Path(tmp) / "upgraded.xlsm"
        new_wb.save(filled)
        try:
            report.calc = calculate(filled, new_path, overwrite=overwrite)
        except InputRefused as exc:
            raise UpgradeError(str(exc)) from None
    report.seconds = time.perf_counter() - t0
    return report


def _carry_names(old: _Old, new_wb, template_titles: set, report: UpgradeReport) -> None:
    """Carry the user's workbook-level names that point into carried sheets (or at no sheet)."""
    user_titles = {ws.title for ws in old.user_sheets}
    for n in old.other_names:
        if n in old.template_names or n in old.blocks:
            continue  # the current template's own name, or a table's (its columns moved)
        dn = old.wb.defined_names[n]
        try:
            sheets = {title for title, _ in dn.destinations}
        except Exception:
            sheets = set()
        text = dn.attr_text or ""
        mentions_template = any(t.lower() + "!" in text.lower() or f"'{t.lower()}'!" in text.lower()
                                for t in template_titles)
        if sheets <= user_titles and not mentions_template:
            new_wb.defined_names[n] = copy(dn)
            report.user_names.append(f"{n} = {text}")
        else:
            report.not_carried.append(f"name {n} = {text}: refers to template cells by address "
                                      f"(the layout may have moved); not carried")
