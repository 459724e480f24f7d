"""Evaluation of a workbook's formulas with formualizer (Rust), the catalogue registered.

The engine is given a copy of the package in which only what it must read
differently is changed (:mod:`.formula_text`: legacy implicit intersection,
array formulas fitted to their ranges, catalogue arguments left out); every
other byte of the user's file is left for the package writer. formualizer
loads it (names, shared formulas, cross-sheet references, the values of
external links cached in the file), evaluates it with the catalogue's Python
functions registered, and the value of every formula cell is read back.

What the engine cannot compute as Excel would is reported by cell
(:class:`Problem`): a function it does not have (#NAME?), a formula it cannot
read, a circular reference when the workbook does not ask for iterative
calculation (Excel shows 0 and warns; so does the file written here), a
what-if data table, a reference to another workbook.
"""
from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field

import formualizer as fz

from . import functions as F
from .formula_text import _CATALOGUE, Rewriter
from .limits import DEFAULT_LIMITS, LimitExceeded, Limits
from .package import Package, col_letters, col_number, range_cells

__all__ = ["Evaluation", "Problem", "Book", "evaluate"]


@dataclass
class Problem:
    """A formula cell the engine could not compute as Excel would."""

    sheet: str
    cell: str
    formula: str
    reason: str

    def __str__(self):
        return f"{self.sheet}!{self.cell}: {self.reason} ({self.formula})"


@dataclass
class Evaluation:
    """The engine's results for one workbook.

    ``values`` maps (sheet title, cell) of every formula cell (and every cell
    of an array formula's range) to its value: float, bool, str or an
    :class:`~.functions.ExcelError`. ``reasons`` holds, by (sheet, cell), the
    reason of the catalogue error a cell shows.
    """

    values: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    formula_cells: int = 0


# '[other.xlsx]Sheet 1'!A1, [1]Sheet!A1 (but not a table's column, Table1[Amount])
_EXTERNAL = re.compile(r"'[^']*\[[^\]]+\][^']*'!|(?<![\w\]])\[[^\]]+\][\w.]*!")
_STRING = re.compile(r'"(?:[^"]|"")*"')
_STRING_NUL = re.compile(r'"(?:[^"\0]|"")*"')  # within one formula of a NUL-separated list
_FUNCTION = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\s*\(")
_KNOWN: dict = {}


def _known_function(name: str) -> bool:
    """Whether formualizer (or the catalogue) has a function: a probe formula, once per name."""
    up = name.upper()
    if up in _KNOWN:
        return _KNOWN[up]
    wb = fz.Workbook()
    wb.add_sheet("P")
    F.register(wb)
    try:
        wb.set_formula("P", 1, 1, f"={name}()")
        wb.evaluate_all()
        v = wb.get_value("P", 1, 1)
        known = not (isinstance(v, dict) and v.get("kind") == "Name")
    except Exception:
        known = False
    _KNOWN[up] = known
    return known


def _unknown_functions(text: str) -> list[str]:
    names = _FUNCTION.findall(_STRING.sub('""', text))
    return sorted({n for n in names if n.upper() not in ("_XLFN.LET", "_XLFN.LAMBDA") and not _known_function(n)})


def _multi_names(package: Package) -> set:
    """Defined names that stand for a range of more than one cell."""
    out = set()
    for name, _, text, _ in package.names:
        ref = text.strip().lstrip("=").rsplit("!", 1)[-1].replace("$", "")
        if re.fullmatch(r"[A-Za-z]{1,3}\d+:[A-Za-z]{1,3}\d+|[A-Za-z]{1,3}:[A-Za-z]{1,3}|\d+:\d+", ref):
            a, _, b = ref.partition(":")
            if a.upper() != b.upper() or not re.fullmatch(r"[A-Za-z]{1,3}\d+", a):
                out.add(name)
    return out


_REF_CHARS = frozenset("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_END = re.compile(r"\$?([A-Za-z]{1,3})?\$?(\d+)?")


def _ranges_in(blob: str):
    """(start, text, sheet or None, rows, columns or None) of each A1:B2, A:B or 1:2 reference in a
    NUL-separated list of formulas (strings taken out); rows/columns None for a whole column/row."""
    find, n = blob.find, len(blob)
    i = find(":")
    while i >= 0:
        j = i
        while j > 0 and blob[j - 1] in _REF_CHARS:
            j -= 1
        k = i + 1
        while k < n and blob[k] in _REF_CHARS:
            k += 1
        a, b = _END.fullmatch(blob, j, i), _END.fullmatch(blob, i + 1, k)
        if a and b and j < i and k > i + 1 and (j == 0 or blob[j - 1] not in "._") and (
                k == n or blob[k] not in "(._"):
            sheet = None
            if j > 0 and blob[j - 1] == "!":
                e = j - 1
                if e > 0 and blob[e - 1] == "'":
                    q = blob.rfind("'", 0, e - 1)
                    while q > 0 and blob[q - 1] == "'":  # '' inside a quoted name
                        q = blob.rfind("'", 0, q - 1)
                    sheet = blob[q + 1:e - 1].replace("''", "'")
                    j = q
                else:
                    q = e
                    while q > 0 and (blob[q - 1].isalnum() or blob[q - 1] in "._"):
                        q -= 1
                    sheet = blob[q:e]
                    j = q
            (c1, r1), (c2, r2) = a.groups(), b.groups()
            rows = abs(int(r2) - int(r1)) + 1 if r1 and r2 else None
            cols = abs(col_number(c2) - col_number(c1)) + 1 if c1 and c2 else None
            if (rows is not None or cols is not None) and ((c1 is None) == (c2 is None)) and (
                    (r1 is None) == (r2 is None)):
                yield j, blob[j:k], sheet, rows, cols
        i = find(":", k)


def _areas_names(package: Package) -> dict:
    """Defined names over several areas (Sheet!$A$1:$A$10,Sheet!$C$1:$C$10): name -> their text."""
    out = {}
    for name, local, text, _ in package.names:
        parts = [p.strip() for p in text.lstrip("=").split(",")]
        if len(parts) > 1 and local is None and all(re.fullmatch(r"(?:'(?:[^']|'')+'|[^'!,]+)!\$?[A-Za-z]{1,3}\$?\d+"
                                                                  r"(?::\$?[A-Za-z]{1,3}\$?\d+)?", p) for p in parts):
            out[name] = ",".join(parts)
    return out


def _check_limits(package: Package, limits: Limits, name: str) -> None:
    n = package.cell_count
    if n > limits.max_cells:
        raise LimitExceeded(name, f"the workbook holds {n:,} cells", "max_cells", limits.max_cells)
    n = package.formula_count
    if n > limits.max_formulas:
        raise LimitExceeded(name, f"the workbook holds {n:,} formulas", "max_formulas", limits.max_formulas)
    used = {t: (s.max_row, s.max_col) for t, s in package.sheets.items()}
    widest = max(used.values(), default=(0, 0))
    groups = [(None, [d for _, _, d, _ in package.names])]
    groups += [(t, [f.text for f in s.formulas]) for t, s in package.sheets.items()]
    for title, texts in groups:
        blob = "\0".join(texts)
        if ":" not in blob:
            continue
        blob = _STRING_NUL.sub(lambda m: '"' + "_" * (len(m.group()) - 2) + '"', blob)  # same length
        for start, text, sheet, rows, cols in _ranges_in(blob):
            target = sheet or title
            used_rows, used_cols = used.get(target, widest) if target else widest
            size = (rows or max(used_rows, 1)) * (cols or max(used_cols, 1))
            if size > limits.max_range_cells:
                k = blob.count("\0", 0, start)
                if title is None:
                    where = f"the defined name {package.names[k][0]}"
                else:
                    where = f"{title}!{package.sheets[title].formulas[k].coord}"
                raise LimitExceeded(name, f"{where} reads the range {text} of {size:,} cells",
                                    "max_range_cells", limits.max_range_cells)


class Book:
    """A workbook loaded into the engine, ready to compute (and to recompute after input changes).

    Parameters
    ----------
    package : Package
        The workbook, read (:class:`~.package.Package`).
    limits : Limits, optional
        The work it may take (:data:`~.limits.DEFAULT_LIMITS`).
    name : str
        The workbook's name for messages.

    Raises
    ------
    LimitExceeded
        The workbook is larger than a limit allows.
    """

    def __init__(self, package: Package, limits: Limits | None = None, name: str = "workbook"):
        self.package, self.limits, self.name = package, limits or DEFAULT_LIMITS, name
        _check_limits(package, self.limits, name)
        self.rewriter = Rewriter(_multi_names(package), _areas_names(package))
        self.problems: list[Problem] = []
        self.targets: list = []     # (sheet, row, col, coord) of every cell whose value is read back
        self._formula_of = None
        self.arrays: list = []      # (sheet, first row, first column, last row, last column, formula)
        self.array_values: dict = {}  # an array formula's fitted result, by its first cell
        data = self._engine_package()
        cfg = fz.EvaluationConfig()
        cfg.enable_parallel = False  # the catalogue's Python functions run one at a time anyway
        cfg.max_eval_time_ms = int(self.limits.max_seconds * 1000)
        if package.date1904:
            cfg.date_system = "1904"
        if package.iterate:  # the workbook asks for iterative calculation: Excel's settings
            cfg.cycle_policy = "iterate"
            cfg.iterate_max_iterations = int(float(package.calc_pr.get("iterateCount", 100)))
            cfg.iterate_max_change = float(package.calc_pr.get("iterateDelta", 0.001))
        else:
            cfg.cycle_detection = "runtime"  # a cycle only where it is live, as Excel finds it
        try:
            self.wb = fz.Workbook.from_bytes(data, config=fz.WorkbookConfig(mode=fz.WorkbookMode.Interactive,
                                                                            eval_config=cfg))
        except Exception as exc:
            from .safety import InputRefused
            raise InputRefused(f"{name}: cannot be read as a workbook ({type(exc).__name__}: "
                               f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
        self.wb.set_temporal_egress("serial")
        # names formualizer leaves out (a formula it cannot compute, a #REF!): reported where used
        self.omitted_names = {d.get("name", "").upper(): d.get("message", "") for d in
                              self.wb.name_import_diagnostics if d.get("name")}
        F.register(self.wb, self.array_values, package.date1904)
        self._set_arrays()

    def _set_arrays(self) -> None:
        """Array formulas: the first cell computes the array, fitted to the range, and keeps it; every
        other cell of the range reads its part (no spilling: the range is the one Excel saved)."""
        for title, r1, c1, r2, c2, text in self.arrays:
            key = f"{title}!{col_letters(c1)}{r1}"
            anchor = f"${col_letters(c1)}${r1}"
            first = "=" + self.rewriter.array(text, r2 - r1 + 1, c2 - c1 + 1, key)
            rows = []
            for i in range(r2 - r1 + 1):
                rows.append([first if (i, j) == (0, 0) else f'={F.AT}({anchor},"{_quote(key)}",{i},{j})'
                             for j in range(c2 - c1 + 1)])
            try:
                self.wb.set_formulas_batch(title, r1, c1, rows)
            except Exception:
                self.problems.append(Problem(title, key.rsplit("!", 1)[1], text, "the engine cannot read this "
                                             "array formula (computed as #VALUE!)"))
                self.wb.set_formulas_batch(title, r1, c1, [["=#VALUE!"] * len(rows[0])] * len(rows))

    # --- the engine's copy of the package ---------------------------------------------------------

    def _engine_package(self) -> bytes:
        """The package as the engine reads it: sheets with rewritten formulas, parts it does not read
        left out. The user's own file is the source when nothing needs changing."""
        pkg = self.package
        changed = {}
        targets, plain = self.targets, self.rewriter.plain
        for title, sheet in pkg.sheets.items():
            edits = []  # (start, end, replacement) in the sheet XML
            for f in sheet.formulas:
                kind = f.kind
                if kind:
                    if kind == "array" and f.ref:
                        r1, c1, r2, c2 = range_cells(f.ref)
                        self.arrays.append((title, r1, c1, r2, c2, f.text))
                        targets += [(title, r, c, f"{col_letters(c)}{r}") for r in range(r1, r2 + 1)
                                    for c in range(c1, c2 + 1)]
                        continue
                    if kind == "dataTable":
                        self.problems.append(Problem(title, f.coord, f"TABLE({f.text})", "a what-if data table: "
                                                     "not computed (the value Excel stored is kept)"))
                        continue
                targets.append((title, f.row, f.col, f"{col_letters(f.col)}{f.row}"))
                text = f.text
                if not text:
                    if kind != "shared":  # an empty formula (Excel writes <f/> for some): Excel shows 0
                        edits.append((f.f_start, f.f_end, _f_element(sheet.prefix, "0", f)))
                    continue  # a shared formula's follower: rewritten in its group's first cell
                new = plain(text)
                if new is not None:
                    edits.append((f.f_start, f.f_end, _f_element(sheet.prefix, new, f)))
            if edits:
                changed[sheet.part] = _splice(sheet.xml, edits).encode("utf-8")
        if not changed:
            return pkg.data
        return _package_bytes(pkg.zf, changed)

    @property
    def formula_of(self) -> dict:
        """(sheet, "A1") -> the formula as the user wrote it (made when first asked for)."""
        if self._formula_of is None:
            self._formula_of = {(t, f.coord): f.text for t, s in self.package.sheets.items()
                                for f in s.formulas if f.text}
        return self._formula_of

    # --- computing ------------------------------------------------------------------------------------

    def compute(self) -> Evaluation:
        """Compute every formula (what changed since the last call) and read every formula cell."""
        t0 = time.perf_counter()
        self._evaluate_all()
        ev = Evaluation(problems=list(self.problems), formula_cells=self.package.formula_count)
        get = self.wb.get_value
        values = ev.values
        circular, unreadable, other = [], [], []
        conv = F.from_engine
        for sheet, row, col, coord in self.targets:
            raw = get(sheet, row, col)
            if type(raw) is dict and raw.get("type") == "Error":
                kind = raw.get("kind")
                if kind == "Circ":
                    circular.append((sheet, coord))
                    values[(sheet, coord)] = 0.0  # what Excel shows in a circular cell
                    continue
                if kind == "Error":
                    unreadable.append((sheet, coord))
                    values[(sheet, coord)] = F.ERRORS["#VALUE!"]
                    continue
                if kind in ("Name", "Ref", "NImpl", "Cancelled"):
                    other.append((sheet, coord, kind))
            values[(sheet, coord)] = conv(raw)
        if time.perf_counter() - t0 > self.limits.max_seconds:
            raise LimitExceeded(self.name, f"computing took longer than {self.limits.max_seconds:g} s",
                                "max_seconds", self.limits.max_seconds)
        self._explain(ev, circular, unreadable, other)
        ev.reasons = self.reasons(ev.values)
        return ev

    def _evaluate_all(self) -> None:
        """formualizer's evaluation of everything that changed."""
        self._run(self.wb.evaluate_all)

    def _evaluate_cells(self, targets) -> None:
        """formualizer's evaluation of what ``targets`` [(sheet, row, column)] need, and no more."""
        self._run(lambda: self.wb.evaluate_cells(targets))

    def _run(self, evaluate) -> None:
        """Run an evaluation; a formula that stops it (a name the engine cannot resolve) is set to the
        error Excel shows for it, reported, and the evaluation run again."""
        for _ in range(50):
            try:
                evaluate()
                return
            except fz.ExcelEvaluationError as exc:
                text = str(exc)
                if "deadline" in text or "resource" in text:
                    what = ("computing took longer than" if "deadline" in text else
                            "computing did not settle within")
                    raise LimitExceeded(self.name, f"{what} {self.limits.max_seconds:g} s", "max_seconds",
                                        self.limits.max_seconds) from None
                m = re.search(r"Undefined name: (.+)$", text.splitlines()[0])
                if not m or not self._disable(m.group(1).strip(), "#NAME?"):
                    from .safety import InputRefused
                    raise InputRefused(f"{self.name}: the engine stopped: {text.splitlines()[0]}") from None
        from .safety import InputRefused
        raise InputRefused(f"{self.name}: the engine stopped on too many formulas it cannot compute")

    def _disable(self, name: str, code: str) -> bool:
        """Set every formula that names ``name`` to ``code``, reported; False if none does."""
        found = False
        for sheet, row, col, coord in self.targets:
            text = self.formula_of.get((sheet, coord)) or self.wb.get_formula(sheet, row, col) or ""
            if name.upper() in text.upper():
                self.wb.set_formula(sheet, row, col, "=" + code)
                self.problems.append(Problem(sheet, coord, text, f"the engine cannot resolve {name} "
                                                                 f"(computed as {code})"))
                found = True
        return found

    def _text(self, sheet, coord) -> str:
        text = self.formula_of.get((sheet, coord))
        if text is None:
            from .package import split_coord
            row, col = split_coord(coord)
            text = (self.wb.get_formula(sheet, row, col) or "").lstrip("=")
        return text

    def _explain(self, ev, circular, unreadable, other):
        where = {}
        for sheet, coord in circular:
            ev.problems.append(Problem(sheet, coord, self._text(sheet, coord),
                                       "circular reference: Excel shows 0 and warns (set iterative calculation "
                                       "in the workbook to compute it)"))
        for sheet, coord in unreadable:
            ev.problems.append(Problem(sheet, coord, self._text(sheet, coord),
                                       "the engine cannot read this formula (computed as #VALUE!)"))
        for sheet, coord, kind in other:
            text = self._text(sheet, coord)
            if text in where:
                reason = where[text]
            else:
                reason = None
                if _EXTERNAL.search(_STRING.sub('""', text)):
                    reason = "reference to another workbook: not read (its value is the one cached in the file, "\
                             "or #REF!)"
                elif kind == "Name":
                    unknown = _unknown_functions(text)
                    names = sorted({n for n in re.findall(r"[A-Za-z_\\][\w.\\]*", _STRING.sub('""', text))
                                    if n.upper() in self.omitted_names})
                    if unknown:
                        reason = ("function not available in the engine: " + ", ".join(unknown)
                                  + " (computed as #NAME?)")
                    elif names:
                        reason = (f"the defined name {names[0]} cannot be computed by the engine "
                                  f"({self.omitted_names[names[0].upper()].lower()}; computed as #NAME?)")
                elif kind in ("NImpl", "Cancelled"):
                    reason = "a function the engine does not implement for these arguments"
                where[text] = reason
            if reason:
                ev.problems.append(Problem(sheet, coord, text, reason))

    def reasons(self, values: dict) -> dict:
        """The catalogue's reason for each cell showing an error that a catalogue call gave: each such
        cell is computed again on its own, with the recorder listening."""
        wanted = [(k, v) for k, v in values.items() if isinstance(v, F.ExcelError)]
        if not wanted:
            return {}
        out = {}
        rec = F.RECORDER
        from .package import split_coord
        for (sheet, coord), _ in wanted:
            text = self._text(sheet, coord)
            if not text or not _CATALOGUE.search(text):
                continue
            row, col = split_coord(coord)
            engine_text = self.wb.get_formula(sheet, row, col)
            if not engine_text:
                continue  # a cell of an array formula's range: its first cell has the reason
            rec.active, rec.reasons = True, []
            try:
                self.wb.set_formula(sheet, row, col, engine_text)
                self.wb.evaluate_cell(sheet, row, col)
            except Exception:
                pass
            finally:
                rec.active = False
            if rec.reasons:
                out[(sheet, coord)] = rec.reasons[0]
        return out


def _f_element(p: str, text: str, f=None) -> str:
    from xml.sax.saxutils import escape
    attrs = ""
    if f is not None and f.kind == "shared":
        attrs = f' t="shared"' + (f' ref="{f.ref}"' if f.ref else "") + (f' si="{f.si}"' if f.si else "")
    return f"<{p}f{attrs}>{escape(text)}</{p}f>"


def _quote(text: str) -> str:
    return text.replace('"', '""')


def _splice(xml: str, edits) -> str:
    edits = sorted(edits)
    out, pos = [], 0
    for start, end, new in edits:
        if start < pos:
            continue  # inside an edit already made
        out.append(xml[pos:start])
        out.append(new)
        pos = end
    out.append(xml[pos:])
    return "".join(out)


#: Parts the engine never reads: left out of its copy (less to unzip).
_SKIP = re.compile(r"^(xl/(vbaProject\.bin|media/|drawings/|charts/|printerSettings/|embeddings/|activeX/|ctrlProps/"
                   r"|theme/|customXml/|webextensions/)|customXml/|docProps/)", re.I)


def _package_bytes(zf: zipfile.ZipFile, changed: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zo:
        for info in zf.infolist():
            name = info.filename
            if _SKIP.match(name):
                continue
            zo.writestr(name, changed[name] if name in changed else zf.read(info))
    return buf.getvalue()


def evaluate(package: Package, limits: Limits | None = None, name: str = "workbook") -> Evaluation:
    """Compute every formula cell of a workbook package."""
    return Book(package, limits, name).compute()
