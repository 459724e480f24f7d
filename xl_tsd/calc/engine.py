"""Evaluation of a workbook's formulas with the ``formulas`` engine.

``formulas`` (JRC, maintained) parses each formula into a small dispatch
graph and evaluates the workbook as one graph. Parsing and compiling cost
about a millisecond per formula cell, which dominates on real workbooks, so
this module compiles each *shape* of formula once: cells whose formulas are
the same in R1C1 terms (the same formula filled down a column, or the same
template cell in every generated case) reuse one compiled function, with its
inputs renamed to the cell's own references. The renaming is checked against
what the compiled function really reads; any formula it cannot prove equal
(a position-dependent function such as ``ROW()``, a reference the scan did
not recognise) is compiled on its own, as ``formulas`` would.

The engine works on an openpyxl workbook read by ``formulas``' reader (dates
as serial numbers); it never writes anything.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import io
import logging
import re
from dataclasses import dataclass, field

import schedula as sh
from formulas import excel as _fx
from formulas.cell import CELL, Cell, CellWrapper
from formulas.excel import BOOK, ExcelModel
from formulas.functions import DSP
from formulas.ranges import Ranges
from formulas.tokens.operand import XlError

from . import functions as _functions

__all__ = ["Evaluation", "Problem", "read_book", "evaluate", "build_model", "collect", "node_name", "BOOK_NAME"]

#: The name every workbook has inside the engine, so compiled formulas are reusable across files.
BOOK_NAME = "BOOK.XLSX"

_STRING = re.compile(r'"(?:[^"]|"")*"')
# An A1 reference (cell, area, whole columns or rows), with an optional sheet. The look-arounds keep
# function names (LOG10), defined names (RATE_2) and numbers (1E5) out.
_REF = re.compile(r"""
    (?<![\w.$!'\]])
    (?P<sheet>(?:'(?:[^']|'')+'|[^\W\d][\w.]*)!)?
    (?P<ref>
        (?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?
      | (?P<cc1>\$?[A-Za-z]{1,3}):(?P<cc2>\$?[A-Za-z]{1,3})
      | (?P<rr1>\$?\d+):(?P<rr2>\$?\d+)
    )
    (?![\w.(!\[])
""", re.X)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _part(text: str | None, here: int, is_col: bool) -> str:
    if text is None:
        return ""
    absolute = text.startswith("$")
    t = text.lstrip("$")
    n = _col_number(t) if is_col else int(t)
    return f"{'C' if is_col else 'R'}{n}" if absolute else f"{'c' if is_col else 'r'}[{n - here}]"


def shape_of(formula: str, row: int, col: int) -> tuple[str, list[str]]:
    """A formula in position-free (R1C1-like) form, and its references in order.

    >>> shape_of("=A1*$B$2+Sheet2!C3", 2, 1)
    ('=r[-1]c[0]*R2C2+Sheet2!r[1]c[2]', ['A1', '$B$2', 'Sheet2!C3'])
    >>> shape_of('=LOG10(A3)&"B2"', 3, 1)[0]
    '=LOG10(r[0]c[0])&"B2"'
    """
    out, refs, pos = [], [], 0
    for s in _STRING.finditer(formula):
        _shape_part(formula[pos:s.start()], row, col, out, refs)
        out.append(s.group())
        pos = s.end()
    _shape_part(formula[pos:], row, col, out, refs)
    return "".join(out), refs


def _shape_part(text, row, col, out, refs):
    pos = 0
    for m in _REF.finditer(text):
        out.append(text[pos:m.start()])
        g = m.groupdict()
        if g["c1"]:
            s = _part(g["r1"], row, False) + _part(g["c1"], col, True)
            if g["c2"]:
                s += ":" + _part(g["r2"], row, False) + _part(g["c2"], col, True)
        elif g["cc1"]:
            s = _part(g["cc1"], col, True) + ":" + _part(g["cc2"], col, True)
        else:
            s = _part(g["rr1"], row, False) + ":" + _part(g["rr2"], row, False)
        out.append((g["sheet"] or "") + s)
        refs.append(m.group())
        pos = m.end()
    out.append(text[pos:])


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
    :class:`XlError`; a cell the engine could not reach is absent and listed
    in ``problems``. ``reasons`` holds, by (sheet, cell), the reason of each
    catalogue error raised while computing that cell.
    """

    values: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    formula_cells: int = 0
    shared: int = 0


# --- compiled-formula reuse -------------------------------------------------------------------

class _Template:
    """A compiled formula and the engine names of the references it was compiled from."""

    __slots__ = ("pipe", "names", "reason")

    def __init__(self, pipe, names, reason):
        self.pipe, self.names, self.reason = pipe, names, reason


_UNSHAREABLE = object()
#: Run compiled formulas with :class:`_FastPipe` (False: through schedula, as formulas does).
FAST = True
_TEMPLATES: collections.OrderedDict = collections.OrderedDict()
_MAX_TEMPLATES = 4096  # compiled shapes kept between calls; a few hundred for a case template


def _remember(key, value):
    _TEMPLATES[key] = value
    if len(_TEMPLATES) > _MAX_TEMPLATES:
        _TEMPLATES.popitem(last=False)


class _EmptyCell:
    """What an empty cell adds to the engine's graph: nothing."""

    output, value = None, sh.EMPTY

    @staticmethod
    def add(dsp, context=None):
        return set()


_EMPTY_CELL = _EmptyCell()
_REFS: dict = {}        # (name, definition, book) -> compiled defined name
_REF_VALUES: dict = {}  # (all names, book) -> what each name refers to


def clear_cache() -> None:
    """Forget the compiled formulas kept between calls."""
    _TEMPLATES.clear()
    _REFS.clear()
    _REF_VALUES.clear()
    _ranges.cache_clear()


@functools.lru_cache(maxsize=65536)
def _ranges(ref: str, sheet: str) -> Ranges:
    """A reference as the engine names it (read-only: the engine copies it before it fills values)."""
    return Ranges().push(ref, context={"sheet": sheet, "excel": BOOK_NAME, "directory": "",
                                       "filename": BOOK_NAME})


class _Pipe:
    """A compiled formula read with other inputs: the same function, renamed inputs."""

    def __init__(self, pipe, inputs):
        self._pipe = pipe
        self.inputs = inputs
        self.__name__ = pipe.__name__

    def __call__(self, *args):
        return self._pipe(*args)


class _Fallback(Exception):
    pass


class _FastPipe:
    """A compiled formula run as a straight list of calls.

    ``formulas`` compiles a formula into a small dispatcher and runs it through
    schedula for every evaluation, which costs more than the Excel functions
    themselves. The dispatcher of a formula is a tree of eager function calls
    (IF evaluates both branches), so its precomputed execution order can be
    replayed directly: functions called with their inputs, data filters
    applied. Anything else (a function that returns "no value", raises, or a
    node kind not seen here) runs the original dispatcher instead, so the
    result is always the one ``formulas`` gives.
    """

    _DATA = {"type", "wait_inputs", "filters", "index"}
    _FUNCTION = {"type", "inputs", "outputs", "function", "wait_inputs", "solve_cycle", "index"}

    def __init__(self, pipe):
        self.pipe, self.inputs, self.__name__ = pipe, pipe.inputs, pipe.__name__
        nodes, defaults, sol = pipe.dsp.nodes, pipe.dsp.default_values, pipe._sol
        slot, env, steps = {}, [], []

        def slot_of(k):
            if k not in slot:
                slot[k] = len(env)
                env.append(None)
            return slot[k]

        inputs = list(pipe.inputs)
        for x, _, nxt_dsp in pipe.pipe:
            v, s = x[-1]
            node = nodes[v]
            if s is not sol or nxt_dsp:
                raise _Fallback
            if node["type"] == "data":
                if not node.keys() <= self._DATA or node.get("wait_inputs"):
                    raise _Fallback
                i = slot_of(v)
                if v not in inputs and v in defaults:
                    env[i] = defaults[v]["value"]
                if node.get("filters"):
                    steps.append((False, i, tuple(node["filters"]), None))
            elif node["type"] == "function" and node.keys() <= self._FUNCTION and len(node["outputs"]) == 1:
                steps.append((True, node["function"], tuple(slot_of(k) for k in node["inputs"]),
                              slot_of(node["outputs"][0])))
            else:
                raise _Fallback
        if len(pipe.outputs) != 1 or pipe.outputs[0] not in slot:
            raise _Fallback
        self._env, self._in = env, tuple(slot_of(k) for k in inputs)
        self._steps, self._out = tuple(steps), slot[pipe.outputs[0]]

    @classmethod
    def of(cls, pipe):
        """The fast form of ``pipe``, or ``pipe`` itself when it has parts this class does not know."""
        try:
            return cls(pipe)
        except _Fallback:
            return pipe

    def __call__(self, *args):
        env = self._env.copy()
        for i, a in zip(self._in, args):
            env[i] = a
        none = sh.NONE
        try:
            for is_function, f, a, out in self._steps:
                if is_function:
                    r = f(*[env[i] for i in a])
                    if r is none:
                        raise _Fallback
                    env[out] = r
                else:
                    r = env[f]
                    for flt in a:
                        r = flt(r)
                    if r is none:
                        raise _Fallback
                    env[f] = r
        except Exception:  # the engine's own handling of the unusual case, exactly as it is
            return self.pipe(*args)
        return env[self._out]


class _Tracked(CellWrapper):
    """A cell's function that tells the recorder which cell it computes."""

    def __call__(self, *args, **kwargs):
        _functions.RECORDER.cell = self.cell_id
        return super().__call__(*args, **kwargs)


def _track(func, parse_args, cell_id):
    w = functools.update_wrapper(_Tracked(func, parse_args, lambda **kw: kw), func)
    w.cell_id = cell_id
    # a unique name: the engine's graph would otherwise search for a free one, in quadratic time
    w.__name__ = "=" + cell_id
    return w


class _Cell(Cell):
    """A formulas Cell whose function reports to the recorder."""

    def compile(self, references=None, context=None):
        if not self.func and self.builder:
            _functions.RECORDER.cell = self.output  # constant parts are computed while compiling
            # ROW(), COLUMN(), INDIRECT ... read the cell's position or the workbook; what they give is
            # computed now and kept in the compiled function, which is then this cell's alone
            nodes = self.builder.dsp.nodes
            self.positional = CELL in nodes or DSP in nodes
            pipe = self.builder.compile(references=references, context=context, **{CELL: self.range})
            self.pipe = _FastPipe.of(pipe) if FAST else pipe
            self.func = _track(self.pipe, self._args, self.output)
            self.update_inputs(references=references)
            self.builder = None
        return self

    @classmethod
    def shared(cls, crd, context, references, pipe, inputs):
        """A cell computed by an already compiled function ``pipe`` reading ``inputs``."""
        self = cls(crd, None, context=context)
        self.pipe, self.positional = None, False
        self.func = _track(_Pipe(pipe, inputs), self._args, self.output)
        self.update_inputs(references=references)
        return self


def _shareable(cell, names, references) -> bool:
    """Whether a cell's compiled function can compute other cells: it reads only the references it
    was compiled from (and defined names) and nothing about its own position."""
    pipe = cell.pipe
    if pipe is None or getattr(cell, "positional", True):
        return False
    known = set(names)
    for k, rng in pipe.inputs.items():
        if k is DSP or rng is sh.NONE or rng is None:
            return False
        if k not in known and k not in references:
            return False
    return True


class _Model(ExcelModel):
    """The engine's workbook model: records what it cannot compile and reuses compiled shapes."""

    def __init__(self, names_key, reuse=True):
        super().__init__()
        self.names_key = names_key
        self.reuse = reuse
        self.problems: list[Problem] = []
        self.where: dict = {}  # engine node name -> (sheet title, cell or range)
        self.formula_cells = 0
        self.shared = 0

    def push(self, worksheet, context):
        """As formulas does, but only the cells the sheet holds (it visits every cell of the used
        rectangle, and openpyxl creates each one it is asked for)."""
        worksheet, context = self.add_sheet(worksheet, context)
        references = self.references
        formula_references = self.formula_references(context)
        formula_ranges = self.formula_ranges(context)
        ctx = {"external_links": self.external_links(context)}
        ctx.update(context)
        cells = [self.compile_cell(c, ctx, references, formula_references)
                 for _, c in sorted(worksheet._cells.items()) if c.value is not None]
        for cell in cells:
            self.add_cell(sh.await_result(cell), ctx, formula_ranges)
        return self

    def add_references(self, book, context=None):
        """As formulas does, with each defined name compiled once per process, and the values of
        the whole set of names computed once per set."""
        from formulas.cell import Ref
        key = (self.names_key, context.get("excel"))
        if len(_REFS) > _MAX_TEMPLATES or len(_REF_VALUES) > 256:  # bounded, like the formula shapes
            _REFS.clear()
            _REF_VALUES.clear()
        refs, nodes = {}, set()
        for n in book.defined_names.values():
            if n.hidden or n.localSheetId is not None:
                continue  # the engine reads workbook-level names only (see _promote_sheet_names)
            rkey = (n.name.upper(), n.value, context.get("excel"))
            ref = _REFS.get(rkey)
            if ref is None:
                ref = _REFS[rkey] = Ref(n.name.upper(), "=%s" % n.value, context).compile(context=context)
            nodes.update(ref.add(self.dsp, context=context))
            refs[ref.output] = None
            self.cells[ref.output] = ref
        known = _REF_VALUES.get(key)
        if known is None:
            self._update_refs(nodes, refs)
            _REF_VALUES[key] = dict(refs)
        else:
            refs.update(known)
        return refs

    def compile_cell(self, cell, context, references, formula_references):
        if cell.value is None:  # an empty cell: formulas would build a cell that adds nothing
            return _EMPTY_CELL
        if cell.data_type != "f":
            # as formulas does, but numbers unrounded: it rounds them to 15 decimals (1e-16 would be 0),
            # while Excel computes with the stored double
            return self._compile_cell(formula_references.get(cell.coordinate, cell.coordinate), cell.value,
                                      context, cell.data_type != "s", references)
        self.formula_cells += 1
        crd = cell.coordinate
        val = cell.value
        sheet = cell.parent.title
        text = str(val if isinstance(val, str) else getattr(val, "text", val))
        try:
            if crd in formula_references or not isinstance(val, str) or not self.reuse:
                shape = text
                out = super().compile_cell(cell, context, references, formula_references)
            else:
                text = val[1:] if val[:2] == "==" else val
                shape, refs = shape_of(text, cell.row, cell.column)
                out = self._compile_shared(crd, shape, refs, text, context, references)
            unknown = _unknown_functions(shape)
            if unknown:
                self.problems.append(Problem(sheet, crd, text, "function not available in the engine: "
                                             + ", ".join(unknown) + " (computed as #NAME?)"))
            if _EXTERNAL.search(_STRING.sub('""', shape)):
                self.problems.append(Problem(sheet, crd, text, "reference to another workbook: not read "
                                             "(computed as #REF!)"))
        except Exception as exc:  # a formula formulas cannot read: reported, computed as #VALUE!
            self.problems.append(Problem(sheet, crd, text, _why(exc)))
            out = _Cell(formula_references.get(crd, crd), "=#VALUE!", context=context).compile(
                references=references, context=context)
        self.where[out.output] = (sheet, out.range.ranges[0]["ref"])
        return out

    def add_book(self, book=None, context=None, data_only=False):
        # formulas would open any other workbook a formula names ('[other.xlsx]Sheet'!A1), from disk:
        # an input file must not make the tool read other files. Such references become #REF!.
        if isinstance(book, str) and book.replace("\\", "/").upper() != BOOK_NAME:
            raise PermissionError(f"external workbook {book} not read")
        return super().add_book(book, context, data_only)

    @staticmethod
    def _compile_cell(crd, val, context, check_formula, references):
        return _Cell(crd, val, context=context, check_formula=check_formula).compile(
            references=references, context=context)

    def _compile_shared(self, crd, shape, refs, text, context, references):
        key = (context["sheet"], shape, self.names_key)
        tpl = _TEMPLATES.get(key)
        if tpl is _UNSHAREABLE:
            return self._compile_cell(crd, text, context, True, references)
        ranges = [_ranges(r, context["sheet"]) for r in refs]
        names = [r.ranges[0]["name"] for r in ranges]
        if tpl is not None:
            mapping = {}
            for t, n, r in zip(tpl.names, names, ranges):
                if mapping.setdefault(t, (n, r))[0] != n:
                    break  # the template read A1 and $A$1 as one input; here they differ
            else:
                # the compiled function's own input labels, with this cell's ranges as values
                inputs = collections.OrderedDict(
                    (k, mapping[k][1] if k in mapping else rng) for k, rng in tpl.pipe.inputs.items())
                self.shared += 1
                cell = _Cell.shared(crd, context, references, tpl.pipe, inputs)
                if tpl.reason:
                    _functions.RECORDER.reasons.setdefault(cell.output, tpl.reason)
                return cell
        cell = self._compile_cell(crd, text, context, True, references)
        if _shareable(cell, names, references):
            reason = _functions.RECORDER.reasons.get(cell.output)
            _remember(key, _Template(cell.pipe, names, reason))
        elif tpl is None:
            _remember(key, _UNSHAREABLE)
        return cell


# '[other.xlsx]Sheet 1'!A1, [1]Sheet!A1 (but not a table's column, Table1[Amount])
_EXTERNAL = re.compile(r"'[^']*\[[^\]]+\][^']*'!|(?<![\w\]])\[[^\]]+\][\w.]*!")
_FUNCTION = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\s*\(")


@functools.lru_cache(maxsize=4096)
def _unknown_functions(shape: str) -> tuple[str, ...]:
    """Names called in a formula (strings removed) that the engine has no function for."""
    from formulas.functions import get_functions
    table = get_functions()
    shape = _LITERAL_INDIRECT.sub("0", shape)  # INDIRECT("B1") is read as the reference B1
    names = _FUNCTION.findall(_STRING.sub('""', shape))
    return tuple(sorted({n for n in names if n.upper() not in table
                         and n.upper().removeprefix("_XLFN.") not in _PARSER_KEYWORDS}))


_LITERAL_INDIRECT = re.compile(r'(?<![\w.])INDIRECT\(\s*"(?:[^"]|"")*"\s*\)', re.I)
_PARSER_KEYWORDS = {"LET", "LAMBDA"}  # read by formulas' parser, not in its function table


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"the engine cannot read this formula ({type(exc).__name__}{': ' + text if text else ''})"


class _NoBar:
    """A silent stand-in for tqdm's progress bar, which formulas prints while loading."""

    def __init__(self, *a, **kw):
        self.total = kw.get("total", 0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, *a):
        pass

    def refresh(self):
        pass


@contextlib.contextmanager
def _quiet():
    """No progress bar, and no log lines: what they say is in the report."""
    saved, log = _fx.tqdm, logging.getLogger("formulas")
    level = log.level
    _fx.tqdm = type("tqdm", (), {"tqdm": _NoBar})
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        _fx.tqdm = saved
        log.setLevel(level)


def read_book(data: bytes):
    """An openpyxl workbook as the engine reads it: formulas as text, dates as serials."""
    from formulas.excel.xlreader import load_workbook
    return load_workbook(io.BytesIO(data), data_only=False)


def _promote_sheet_names(book) -> list[Problem]:
    """Sheet-scoped names as workbook names (the engine knows only those), where unambiguous."""
    from openpyxl.workbook.defined_name import DefinedName
    problems, seen = [], {}
    for ws in book.worksheets:
        for name, dn in ws.defined_names.items():
            if name.startswith("_xlnm."):
                continue
            seen.setdefault(name.upper(), []).append((ws.title, dn))
    for upper, where in seen.items():
        if upper in {n.upper() for n in book.defined_names} or len(where) > 1:
            sheets = ", ".join(s for s, _ in where)
            problems.append(Problem(where[0][0], "-", f"name {where[0][1].name}",
                                    f"the sheet-level name is defined on several sheets ({sheets}) or also "
                                    f"for the workbook; the engine reads only the workbook-level one"))
            continue
        dn = where[0][1]
        book.defined_names[dn.name] = DefinedName(dn.name, attr_text=dn.attr_text)
    return problems


def _names_key(book) -> tuple:
    return tuple(sorted((n, str(d.attr_text)) for n, d in book.defined_names.items()))


def build_model(book, reuse: bool = True):
    """The engine's model of ``book`` (read by :func:`read_book`), compiled and linked, not computed.

    Returns the model, the problems found while building it, and the catalogue
    errors' reasons recorded while compiling (constant parts are computed then).
    """
    _functions.install()
    problems = _promote_sheet_names(book)
    model = _Model(_names_key(book), reuse)
    model.books[BOOK_NAME] = {BOOK: book}
    recorder = _functions.RECORDER
    recorder.reasons, recorder.cell = {}, None
    try:
        with _quiet():
            model.load(BOOK_NAME)
            model.finish()
        reasons = recorder.reasons
    finally:
        recorder.reasons, recorder.cell = None, None
    return model, problems + model.problems, reasons


def node_name(sheet: str, coord: str) -> str:
    """The engine's name of a cell's node (the model names sheets in capitals)."""
    return _ranges(coord, sheet.upper()).ranges[0]["name"]


def evaluate(book, reuse: bool = True) -> Evaluation:
    """Compute every formula cell of ``book`` (read by :func:`read_book`).

    ``reuse=False`` compiles every formula on its own, as ``formulas`` does (slower; for checks).
    """
    model, problems, reasons = build_model(book, reuse)
    recorder = _functions.RECORDER
    recorder.reasons, recorder.cell = reasons, None
    try:
        with _quiet():
            solution = model.calculate()
    finally:
        recorder.reasons, recorder.cell = None, None
    return collect(model, solution, reasons, problems, book)


def collect(model, solution, reasons, problems, book) -> Evaluation:
    """The :class:`Evaluation` of a computed model: each formula cell's value from ``solution``."""
    ev = Evaluation(problems=list(problems), formula_cells=model.formula_cells, shared=model.shared)
    from openpyxl.utils.cell import range_boundaries, get_column_letter
    for node, (sheet, ref) in model.where.items():
        r = solution.get(node)
        if node in reasons:
            ev.reasons[(sheet, ref.split(":")[0])] = reasons[node]
        if r is None:
            ev.problems.append(Problem(sheet, ref, _formula_text(book, sheet, ref),
                                       "not computed: the cell is part of a circular reference (or "
                                       "depends on a cell that could not be computed)"))
            continue
        value = r.value
        if ":" not in ref:
            ev.values[(sheet, ref)] = _plain(value[0, 0] if getattr(value, "ndim", 0) == 2 else value)
            continue
        c1, r1, c2, r2 = range_boundaries(ref)
        for i in range(r2 - r1 + 1):
            for j in range(c2 - c1 + 1):
                v = value[i, j] if i < value.shape[0] and j < value.shape[1] else _functions._ERRORS["#N/A"]
                ev.values[(sheet, f"{get_column_letter(c1 + j)}{r1 + i}")] = _plain(v)
    return ev


def _formula_text(book, sheet, ref):
    v = book[sheet][ref.split(":")[0]].value
    return v if isinstance(v, str) else getattr(v, "text", str(v))


def _plain(v):
    """An engine value as float, bool, str or XlError (an empty result reads 0, as in Excel)."""
    if isinstance(v, Ranges):
        v = v.value[0, 0]
    if v is sh.EMPTY or v is None:
        return 0.0
    if isinstance(v, XlError):
        return v
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    return str(v)
