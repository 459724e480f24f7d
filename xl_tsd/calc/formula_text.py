"""The engine's copy of a formula: what formualizer must be given to compute it as Excel does.

formualizer evaluates every formula the dynamic-array way (Excel 365 typed
in today). A workbook keeps two kinds of formulas, and Excel computes each
its own way:

- a plain ``<f>`` (no array metadata) is a *legacy* formula: where one
  value is expected and a range is given, Excel takes the cell of the range
  in the formula's own row or column (implicit intersection): ``=A:A*2`` in
  row 5 is ``A5*2``, ``=Price*Qty`` with names over columns is row by row.
  Excel 365 writes such a formula without metadata only when the legacy
  reading gives its own answer, and shows it with ``@`` where the
  intersection happens. The engine's copy carries that ``@``;
- an array formula (``t="array"``, Ctrl+Shift+Enter, or a dynamic array)
  is computed as an array and fitted to its range: one value fills it, a row
  or column repeats, cells beyond the result are #N/A. The engine's copy is
  ``XLTSD.FIT((formula), rows, cols, key)`` in its first cell, which keeps the
  fitted array, and ``XLTSD.AT(first cell, key, i, j)`` in the others.

A catalogue call that leaves an argument out (``=LOST_PROFIT(,50,3000,20)``)
passes "not known" in Excel (xlwings gives ``None``); formualizer passes 0,
so the engine's copy holds :data:`~.functions.OMITTED` there.

Where a range counts as "one value expected" is each function's parameter
kind, as Excel registers it: *value* (intersected), *reference* (a range
given as such is taken whole; an expression in it is computed value by
value) or *array* (the whole argument is computed as an array: SUMPRODUCT,
LOOKUP's vectors, INDEX's array). Functions not listed take references, which
leaves formualizer's reading unchanged. Only formulas that hold a range, a
name over a range, an array constant or a catalogue call with a missing
argument are looked at; each distinct formula shape is worked out once.
"""
from __future__ import annotations

import re

import formualizer as fz

from ..registry import FUNCTIONS
from .functions import FIT, LIFT, OMITTED

__all__ = ["Rewriter"]

# --- parameter kinds (V value, R reference, A array) by function ---------------------------------

_V_FUNCTIONS = """ABS ACOS ACOSH ASIN ASINH ATAN ATAN2 ATANH BASE BIN2DEC BIN2HEX BIN2OCT CEILING CEILING.MATH
CHAR CLEAN CODE COMBIN COMBINA CONCATENATE CONVERT COS COSH COT COTH CSC CSCH DATE DATEDIF DATEVALUE DAY DAYS
DAYS360 DB DDB DEC2BIN DEC2HEX DEC2OCT DECIMAL DEGREES DOLLAR EDATE EFFECT EOMONTH EVEN EXACT EXP FACT FACTDOUBLE
FIND FINDB FIXED FLOOR FLOOR.MATH FV HEX2BIN HEX2DEC HEX2OCT HOUR IPMT ISBLANK ISERR ISERROR ISEVEN ISLOGICAL ISNA
ISNONTEXT ISNUMBER ISODD ISOWEEKNUM ISTEXT LEFT LEFTB LEN LENB LN LOG LOG10 LOWER MID MIDB MINUTE MOD MONTH MROUND
NOMINAL NOT NPER OCT2BIN OCT2DEC OCT2HEX ODD PMT POWER PPMT PROPER PV QUOTIENT RADIANS RATE REPLACE REPT RIGHT
RIGHTB ROMAN ROUND ROUNDDOWN ROUNDUP SEARCH SEARCHB SEC SECH SECOND SIGN SIN SINH SLN SQRT SQRTPI SUBSTITUTE SYD
TAN TANH TEXT TIME TIMEVALUE TRIM TRUNC UNICHAR UNICODE UPPER VALUE VDB WEEKDAY WEEKNUM YEAR YEARFRAC INT
IFERROR IFNA ISFORMULA NUMBERVALUE""".split()

# parameter kinds by position (the last one repeats); a function absent here takes references
_KINDS: dict[str, str] = {name: "V" for name in _V_FUNCTIONS}
_KINDS.update({
    "IF": "VRR", "CHOOSE": "VR", "INDEX": "AVV", "LOOKUP": "VAA", "SUMPRODUCT": "A",
    "MMULT": "A", "MDETERM": "A", "MINVERSE": "A", "TRANSPOSE": "A", "FREQUENCY": "A",
    "SUMX2MY2": "A", "SUMX2PY2": "A", "SUMXMY2": "A", "CORREL": "A", "COVAR": "A", "COVARIANCE.P": "A",
    "COVARIANCE.S": "A", "PEARSON": "A", "RSQ": "A", "SLOPE": "A", "INTERCEPT": "A", "STEYX": "A",
    "FORECAST": "VAA", "FORECAST.LINEAR": "VAA", "TREND": "A", "GROWTH": "A", "LINEST": "A", "LOGEST": "A",
    "PROB": "A", "TTEST": "A", "T.TEST": "A", "FTEST": "A", "F.TEST": "A", "CHITEST": "A", "CHISQ.TEST": "A",
    "AGGREGATE": "VVA", "LET": "A", "LAMBDA": "A", "FILTER": "A", "SORT": "A", "SORTBY": "A", "UNIQUE": "A",
    "XLOOKUP": "VAAVVV", "XMATCH": "VAVV", "MAP": "A", "BYROW": "A", "BYCOL": "A", "REDUCE": "A", "SCAN": "A",
    "MAKEARRAY": "A", "VSTACK": "A", "HSTACK": "A", "TOCOL": "A", "TOROW": "A", "TAKE": "A", "DROP": "A",
    "EXPAND": "A", "CHOOSECOLS": "A", "CHOOSEROWS": "A", "WRAPCOLS": "A", "WRAPROWS": "A", "SEQUENCE": "A",
    "TEXTJOIN": "VVR", "CONCAT": "R", "SWITCH": "VR",
})
_KINDS.update({name: "R" for name in FUNCTIONS})  # a UDF gets the range itself (xlwings reads it whole)
_REF_OPS = {":", " ", ","}
# calls that give a range or an array whatever their arguments, and those that give back one of theirs
_ARRAY_RESULT = set("""MMULT TRANSPOSE FREQUENCY MINVERSE LINEST LOGEST TREND GROWTH SEQUENCE FILTER SORT SORTBY UNIQUE
RANDARRAY TOCOL TOROW TAKE DROP EXPAND CHOOSECOLS CHOOSEROWS VSTACK HSTACK WRAPROWS WRAPCOLS TEXTSPLIT MUNIT OFFSET
INDIRECT""".split())
# functions of single values that formualizer does not compute element by element over an array
_LIFTED = set(_V_FUNCTIONS) - {"IFERROR", "IFNA", "ISFORMULA"} | {"N", "T"}
_PASS_THROUGH = {"IF", "IFS", "CHOOSE", "SWITCH", "IFERROR", "IFNA", "XLOOKUP", "LET"}  # range, intersection and union operators keep a reference a reference

_CATALOGUE = re.compile(r"(?<![\w.])(?:_xludf\.)?(?:" + "|".join(sorted(FUNCTIONS, key=len, reverse=True))
                        + r")\s*\(", re.I)
_ONE_CELL = re.compile(r"[A-Za-z]{1,3}\d+")
_CELL_PARTS = re.compile(r"([A-Za-z]{1,3})(\d+)$")
# a reference into another workbook named by its file ('[other.xlsx]Sheet'!A1), not by a link of this one ([1])
_OTHER_FILE = re.compile(r"'?\[(?!\d+\])[^\]]+\]")
_WHOLE = re.compile(r"(?<![\w.$])\$?(?:[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\d+:\$?\d+)(?![\w(.])")
_STRING_LIT = re.compile(r'"(?:[^"]|"")*"')
_EMPTY_ARG = re.compile(r"[(,]\s*[,)]")
# cell references' row numbers and column letters: formulas that differ only there have one shape
_CELL = re.compile(r"(?<![\w.\[])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(\[])")
_ROWS = re.compile(r"(?<![\w.])(\$?)(\d+):(\$?)(\d+)(?![\w.])")


def _strip_prefix(name: str) -> str:
    n = name.upper()
    for p in ("_XLFN._XLWS.", "_XLFN.", "_XLUDF.", "_XLWS."):
        if n.startswith(p):
            return n[len(p):]
    return n


def _kind(func: str, i: int) -> str:
    kinds = _KINDS.get(func, "R")
    return kinds[i] if i < len(kinds) else kinds[-1]


class _Node:
    __slots__ = ("kind", "tok", "name", "args", "items", "close")

    def __init__(self, kind, tok=None):
        self.kind, self.tok = kind, tok  # kind: "func", "paren", "array", "ref", "op", "other"
        self.name, self.args, self.items, self.close = None, [], [], None


def _tree(tokens) -> list:
    """The tokens as nested expressions: a list of nodes; a function node holds one list per argument."""
    root: list = []
    stack = [(None, root)]
    for i, t in enumerate(tokens):
        tt, st = t[0], t[1]
        owner, items = stack[-1]
        if tt == "Func" and st == "Open":
            n = _Node("func", i)
            n.name = _strip_prefix(t[2][:-1].strip())
            n.args = [[]]
            items.append(n)
            stack.append((n, n.args[0]))
        elif tt in ("Paren", "Array") and st == "Open":
            n = _Node("paren" if tt == "Paren" else "array", i)
            items.append(n)
            stack.append((n, n.items))
        elif st == "Close" and tt in ("Func", "Paren", "Array"):
            if owner is None:
                raise ValueError("unbalanced")
            owner.close = i
            stack.pop()
        elif tt == "Sep" and st == "Arg" and owner is not None and owner.kind == "func":
            owner.args.append([])
            stack[-1] = (owner, owner.args[-1])
        elif tt == "Sep":
            items.append(_Node("other", i))
        elif tt == "Operand":
            items.append(_Node("ref" if st == "Range" else "other", i))
        elif tt.startswith("Op"):
            items.append(_Node("op", i))
        elif tt != "Whitespace":
            items.append(_Node("other", i))
    if len(stack) != 1:
        raise ValueError("unbalanced")
    return root


class Rewriter:
    """Rewrites the formulas of one workbook for the engine (see the module's docstring).

    Parameters
    ----------
    multi_names : set of str
        Upper-case defined names that stand for a range of more than one cell.
    """

    def __init__(self, multi_names=(), areas=None):
        self.areas = {k.upper(): v for k, v in (areas or {}).items()}  # name -> "A,B" of a name of several areas
        self.multi_names = {n.upper() for n in multi_names} | set(self.areas)
        if self.multi_names:
            alt = "|".join(re.escape(n) for n in sorted(self.multi_names, key=len, reverse=True))
            self._names = re.compile(rf"(?<![\w.!'\]])(?:{alt})(?![\w(.\[])", re.I)
        else:
            self._names = None
        self._plans: dict = {}

    # --- which formulas -------------------------------------------------------------------------

    def needs_look(self, text: str) -> bool:
        """Whether a plain formula may read differently as a legacy formula, or leaves a catalogue
        argument out; a fast test, true for more formulas than need a change."""
        if ":" in text or "{" in text or "[" in text or "'" in text:
            return True
        if self._names is not None and self._names.search(text):
            return True
        return bool(_EMPTY_ARG.search(text) and _CATALOGUE.search(text))

    def plain(self, text: str) -> str | None:
        """The engine's copy of a plain formula (without "="), or None if it is the formula itself."""
        if not self.needs_look(text):
            return None
        return self._apply(text, legacy=True)

    def array(self, text: str, rows: int, cols: int, key: str) -> str:
        """The engine's copy of an array formula over ``rows`` x ``cols`` cells (its first cell's
        formula, keeping the array under ``key``)."""
        inner = self._apply(text, legacy=False) if self.needs_look(text) else None
        key = key.replace('"', '""')
        # formualizer reads a whole row or column as far as the sheet is used; Excel reads the empty
        # cells beyond as 0: so the array is filled out with 0 there, not #N/A
        whole = 1 if _WHOLE.search(_STRING_LIT.sub('""', text)) else 0
        return f'{FIT}(({inner or text}),{rows},{cols},"{key}",{whole})'

    # --- rewriting --------------------------------------------------------------------------------

    @staticmethod
    def _shape(text: str) -> str:
        s = _CELL.sub(lambda m: f"{m.group(1)}A{m.group(3)}1", text)
        return _ROWS.sub(r"\g<1>1:\g<3>1", s)

    def _apply(self, text: str, legacy: bool) -> str | None:
        key = (self._shape(text), legacy)
        plan = self._plans.get(key)
        if plan is not None and not plan[1]:
            return None  # this shape needs no change
        try:
            tokens = [(str(t.token_type), str(t.subtype), t.value, t.start, t.end) for t in fz.tokenize("=" + text)]
        except Exception:
            return None  # formualizer cannot read it: left as it is, reported after evaluation
        if plan is None or plan[0] != len(tokens):
            try:
                plan = (len(tokens), self._plan(tokens, legacy))
            except ValueError:
                plan = (len(tokens), ())
            if len(self._plans) > 65536:
                self._plans.clear()
            self._plans[key] = plan
        edits = plan[1]
        if not edits:
            return None
        raw = ("=" + text).encode("utf-8")  # token offsets are UTF-8 byte offsets
        out, pos = [], 0
        for index, where, what in edits:
            at = tokens[index][4] if where == "after" else tokens[index][3]
            out.append(raw[pos:at])
            out.append(what.encode("utf-8"))
            pos = tokens[index][4] if where == "replace" else at
        out.append(raw[pos:])
        return b"".join(out).decode("utf-8")[1:]

    def _multi(self, tok) -> bool:
        """Whether a reference token stands for more than one cell."""
        v = tok[2]
        if "[" in v and not v.lstrip("'").startswith("["):  # a table reference: a column unless this row's
            return "#this row" not in v.lower() and "@" not in v
        ref = v.rsplit("!", 1)[-1].replace("$", "")
        if ":" in ref:
            a, _, b = ref.partition(":")
            return a.upper() != b.upper() or not _ONE_CELL.fullmatch(a)  # A:A and 1:1 are whole columns, rows
        return ref.upper() in self.multi_names

    def _plan(self, tokens, legacy: bool) -> tuple:
        edits = []
        for i, t in enumerate(tokens):
            if t[0] == "Operand" and t[1] == "Range" and _OTHER_FILE.match(t[2]):
                edits.append((i, "replace", "#REF!"))  # another workbook by file name: never read
        tree = _tree(tokens)
        if self.areas:
            self._areas(tree, tokens, edits)
        if legacy:
            self._walk(tree, "V", tokens, edits, top=True)
        else:
            self._array(tree, tokens, edits)
        self._omitted(tree, tokens, edits)
        replaced = {e[0] for e in edits if e[1] == "replace"}
        edits = [e for e in edits if e[1] == "replace" or e[0] not in replaced]
        edits.sort(key=lambda e: (tokens[e[0]][4] if e[1] == "after" else tokens[e[0]][3], e[1] != "after"))
        return tuple(edits)

    def _walk(self, items, ctx, tokens, edits, top=False):
        """Mark with "@" what is read where one value is expected: multi-cell references, array
        constants, and calls that may give a range or an array (IF over ranges, INDEX, OFFSET, ...)."""
        if ctx == "A":
            self._array(items, tokens, edits)
            return
        reference = all(n.kind in ("ref", "paren", "func", "array") or (n.kind == "op" and tokens[n.tok][2] in
                                                                        _REF_OPS) for n in items) and any(
            n.kind in ("ref", "func", "array") for n in items)
        whole = reference and ctx == "R"
        for n in items:
            if n.kind == "ref":
                if not whole and self._multi(tokens[n.tok]):
                    edits.append((n.tok, "before", "@"))
            elif n.kind == "func":
                if not whole and self._many(n, tokens):
                    edits.append((n.tok, "before", "@"))
                self._args(n, tokens, edits)
            elif n.kind == "array":
                if not whole:
                    edits.append((n.tok, "before", "@"))
            elif n.kind == "paren":
                self._walk(n.items, "R" if whole else ctx, tokens, edits)

    def _array(self, items, tokens, edits):
        """An expression computed as an array: nothing intersected, and a function of single values given
        arrays computed element by element (formualizer gives such a call one value)."""
        for n in items:
            if n.kind == "func":
                if n.name in _LIFTED and n.args and any(self._holds_many(a, tokens) or self._operates(a, tokens)
                                                        for a in n.args):
                    edits.append((n.tok, "replace", f'{LIFT}("{n.name}",'))
                for a in n.args:
                    self._array(a, tokens, edits)
            elif n.kind == "paren":
                self._array(n.items, tokens, edits)

    def _operates(self, items, tokens) -> bool:
        """Whether an argument computes over something that may be an array (an operator on a range)."""
        return any(n.kind == "op" for n in items) and self._holds_many(items, tokens)

    def _many(self, n, tokens) -> bool:
        """Whether a call may give more than one value (a range or an array)."""
        if n.name in _ARRAY_RESULT:
            return True
        spec = FUNCTIONS.get(n.name)
        if spec is not None and spec.returns == "column":
            return True
        if n.name == "INDEX":
            return self._index_many(n, tokens)
        if n.name in _PASS_THROUGH or spec is not None:
            return any(self._holds_many(a, tokens) for a in n.args)
        return False

    def _index_many(self, n, tokens) -> bool:
        """Whether INDEX gives a whole row or column: an index of 0 or left out, or one index into a
        range of several rows and columns."""
        if not n.args or not self._holds_many(n.args[0], tokens):
            return False
        def zero(arg):
            return not arg or (len(arg) == 1 and arg[0].kind == "other" and tokens[arg[0].tok][2] == "0")
        if len(n.args) == 1 or zero(n.args[1]) or (len(n.args) >= 3 and zero(n.args[2])):
            return True
        if len(n.args) == 2 and len(n.args[0]) == 1 and n.args[0][0].kind == "ref":
            ref = tokens[n.args[0][0].tok][2].rsplit("!", 1)[-1].replace("$", "")
            if ":" in ref:
                a, _, b = ref.partition(":")
                ra, rb = _CELL_PARTS.match(a), _CELL_PARTS.match(b)
                return not (ra and rb) or (ra.group(1).upper() != rb.group(1).upper() and ra.group(2) != rb.group(2))
        return False

    def _holds_many(self, items, tokens) -> bool:
        for n in items:
            if n.kind == "ref" and self._multi(tokens[n.tok]) or n.kind == "array":
                return True
            if n.kind == "func" and (self._many(n, tokens) or n.name in _LIFTED and any(
                    self._holds_many(a, tokens) for a in n.args)):
                return True
            if n.kind == "paren" and self._holds_many(n.items, tokens):
                return True
        return False

    def _args(self, n, tokens, edits):
        for i, arg in enumerate(n.args):
            self._walk(arg, _kind(n.name, i), tokens, edits)

    def _areas(self, items, tokens, edits):
        """A name of several areas given as a whole argument (SUM(Split)) becomes its areas, one argument
        each (formualizer has no union of references; Excel computes the two alike)."""
        for n in items:
            if n.kind == "func":
                for arg in n.args:
                    if len(arg) == 1 and arg[0].kind == "ref" and tokens[arg[0].tok][2].upper() in self.areas:
                        edits.append((arg[0].tok, "replace", self.areas[tokens[arg[0].tok][2].upper()]))
                    else:
                        self._areas(arg, tokens, edits)
            elif n.kind == "paren":
                self._areas(n.items, tokens, edits)

    def _omitted(self, items, tokens, edits):
        """Put OMITTED where a catalogue call leaves an argument out."""
        for n in items:
            if n.kind == "func":
                if n.name in FUNCTIONS and not (len(n.args) == 1 and not n.args[0]):
                    for i, arg in enumerate(n.args):
                        if not arg:
                            # after the "(" or the "," before it
                            at = n.tok if i == 0 else self._separator(tokens, n, i)
                            edits.append((at, "after", f'"{OMITTED}"'))
                for arg in n.args:
                    self._omitted(arg, tokens, edits)
            elif n.kind in ("paren", "array"):
                self._omitted(n.items, tokens, edits)

    @staticmethod
    def _separator(tokens, n, i):
        """The token index of the comma before argument ``i`` of function node ``n``."""
        depth, count = 0, 0
        for j in range(n.tok + 1, n.close):
            tt, st = tokens[j][0], tokens[j][1]
            if st == "Open" and tt in ("Func", "Paren", "Array"):
                depth += 1
            elif st == "Close" and tt in ("Func", "Paren", "Array"):
                depth -= 1
            elif depth == 0 and tt == "Sep" and st == "Arg":
                count += 1
                if count == i:
                    return j
        raise ValueError("argument not found")
