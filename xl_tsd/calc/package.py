"""A workbook package read once: its sheets' parts and XML, formula cells, defined names, calcPr.

The engine never goes through openpyxl: the formula cells are found in the
sheet XML directly (each ``<f>`` element and the ``<c>`` around it), which is
what the package writer (:mod:`.cache`) needs to put the values back, and what
the formula rewriting (:mod:`.formula_text`) needs to hand the engine a copy
of the workbook it computes as Excel does. Everything here reads; nothing
writes.
"""
from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field

from . import cache

__all__ = ["Package", "SheetXml", "FormulaCell", "col_number", "col_letters", "split_coord"]

_COORD = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_LETTERS: dict = {}


def col_letters(n: int) -> str:
    s = _LETTERS.get(n)
    if s is None:
        m, s = n, ""
        while m:
            m, r = divmod(m - 1, 26)
            s = chr(65 + r) + s
        _LETTERS[n] = s
    return s


def split_coord(coord: str) -> tuple[int, int]:
    """"B7" -> (row 7, column 2)."""
    m = _COORD.match(coord)
    if m is None:
        raise ValueError(f"not a cell reference: {coord!r}")
    return int(m.group(2)), col_number(m.group(1))


def range_cells(ref: str) -> tuple[int, int, int, int]:
    """"A1:C3" -> (first row, first column, last row, last column); a cell is a 1x1 range."""
    a, _, b = ref.partition(":")
    r1, c1 = split_coord(a)
    r2, c2 = split_coord(b) if b else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


@dataclass(slots=True)
class FormulaCell:
    """One cell holding an ``<f>`` element, where it stands in the sheet XML, and the formula."""

    row: int
    col: int
    kind: str          # "" (normal), "array", "shared", "dataTable"
    text: str          # the formula as written (XML unescaped); "" for a shared formula's follower
    ref: str | None    # an array formula's range, or a shared formula's span (its master only)
    si: str | None     # a shared formula's group
    dynamic: bool      # a dynamic-array formula (spills; the cell carries cm=)
    start: int         # where the <c> element starts in the XML text
    f_start: int       # the <f> element's span
    f_end: int

    @property
    def coord(self) -> str:
        return f"{col_letters(self.col)}{self.row}"


@dataclass
class SheetXml:
    """One worksheet part: its XML text and formula cells."""

    title: str
    part: str
    xml: str
    encoding: str
    prefix: str
    formulas: list = field(default_factory=list)
    cells: int = 0           # <c> elements in the sheet
    max_row: int = 0
    max_col: int = 0


class Package:
    """A checked workbook package (:func:`~.safety.open_package`), read for the engine.

    Parameters
    ----------
    data : bytes
        The file.
    zf : zipfile.ZipFile
        The package.
    kind : str
        ".xlsx", ".xlsm", ... (from its content type).
    """

    def __init__(self, data: bytes, zf: zipfile.ZipFile, kind: str):
        self.data, self.zf, self.kind = data, zf, kind
        self.parts = cache.sheet_parts(zf)  # title -> part, in workbook order
        self.workbook_part = cache.workbook_part(zf)
        wb_xml, _ = cache._xml_text(zf.read(self.workbook_part))
        self.workbook_xml = wb_xml
        self.calc_pr = _calc_pr(wb_xml)
        pr = re.search(r"<(?:\w+:)?workbookPr\b([^>]*)>", wb_xml)
        #: The 1904 date system (Excel for Mac before 2011): serial 0 is 1904-01-01, not 1899-12-31.
        self.date1904 = bool(pr) and attrs(pr.group(1)).get("date1904", "0").lower() in ("1", "true", "on")
        self.names = _defined_names(wb_xml)
        self.sheets: dict[str, SheetXml] = {}
        for title, part in self.parts.items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            self.sheets[title] = _scan(title, part, data)

    @property
    def formula_count(self) -> int:
        return sum(len(s.formulas) for s in self.sheets.values())

    @property
    def cell_count(self) -> int:
        return sum(s.cells for s in self.sheets.values())

    @property
    def iterate(self) -> bool:
        """Whether the workbook asks for iterative calculation (File > Options > Formulas)."""
        return self.calc_pr.get("iterate", "0").lower() in ("1", "true", "on")


_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def attrs(text: str) -> dict:
    return {m.group(1).split(":")[-1]: html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(text)}


def _calc_pr(xml: str) -> dict:
    m = re.search(r"<(?:\w+:)?calcPr\b([^>]*)>", xml)
    return attrs(m.group(1)) if m else {}


def _defined_names(xml: str) -> list[tuple[str, int | None, str, bool]]:
    """(name, sheet index or None, definition, hidden) of every defined name."""
    out = []
    for m in re.finditer(r"<(?:\w+:)?definedName\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?definedName>)", xml, re.S):
        a = attrs(m.group(1))
        local = a.get("localSheetId")
        out.append((a.get("name", ""), int(local) if local not in (None, "") else None,
                    html.unescape(m.group(2) or ""), a.get("hidden", "0") in ("1", "true")))
    return out


_COLS: dict = {}


def _cat(prefix, a: str, b: str):
    """``a + prefix + b`` as str or bytes, as ``prefix`` is."""
    if isinstance(prefix, bytes):
        return a.encode() + prefix + b.encode()
    return a + prefix + b


def _cell_ref(attrs: str):
    """(row, column) from a <c> element's attributes, or None when it has no ``r``."""
    i = attrs.find(' r="')
    if i < 0:
        return None
    j = attrs.index('"', i + 4)
    ref = attrs[i + 4:j]
    k = 0
    while k < len(ref) and ref[k].isalpha():
        k += 1
    letters = ref[:k]
    col = _COLS.get(letters)
    if col is None:
        col = _COLS[letters] = col_number(letters)
    return int(ref[k:]), col


def _scan(title: str, part: str, data: bytes) -> SheetXml:
    """A sheet part read: its size (cells, used rows and columns), and its formula cells. Only a sheet
    with formulas is decoded to text (a large table of values is counted in bytes)."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    head = data[:4096].decode("utf-16" if utf16 else "utf-8", errors="ignore")
    m = re.search(r"<(?:(\w+):)?worksheet\b", head)
    p = (m.group(1) + ":") if m and m.group(1) else ""
    if utf16:
        xml, enc = cache._xml_text(data)
        blob, pb = xml, p
    else:
        xml, enc, blob, pb = "", "utf-8", data, p.encode()
    sheet = SheetXml(title, part, xml, enc, p)
    sheet.cells = blob.count(_cat(pb, "<", "c "))
    if _cat(pb, "<", "c>") in blob:
        sheet.cells += blob.count(_cat(pb, "<", "c>"))
    last = blob.rfind(_cat(pb, "<", "row "))
    if last >= 0:
        tail = blob[last:last + 200]
        rm = re.search(r'\sr="(\d+)"', tail if isinstance(tail, str) else tail.decode("utf-8", "ignore"))
        sheet.max_row = int(rm.group(1)) if rm else 0
    dim = re.search(rf'<{re.escape(p)}dimension\b[^>]*\sref="([^"]+)"', head)
    if dim:
        try:
            _, _, r2, c2 = range_cells(dim.group(1).replace("$", ""))
            sheet.max_row, sheet.max_col = max(sheet.max_row, r2), c2
        except ValueError:
            pass
    if _cat(pb, "<", "f") not in blob:
        return sheet
    f_count = blob.count(_cat(pb, "<", "f>")) + blob.count(_cat(pb, "<", "f ")) + blob.count(_cat(pb, "<", "f/>"))
    if not f_count:
        return sheet
    if not xml:
        xml = sheet.xml = data.decode("utf-8")
    q = re.escape(p)
    # a cell and its formula, the formula's first child as the schema orders them
    cell_f = re.compile(rf"<{q}c\b([^>]*)>\s*<{q}f\b([^>]*?)(/>|>([^<]*)</{q}f>)")
    out = sheet.formulas
    positions = None
    unescape = html.unescape
    max_col = sheet.max_col
    for fm in cell_f.finditer(xml):
        c_attrs = fm.group(1)
        rc = _cell_ref(c_attrs)
        if rc is None:
            positions = positions or _positions(xml, p)
            rc = positions[fm.start()]
        row, col = rc
        fa = fm.group(2)
        if fa.strip():
            a = attrs(fa)
            kind, ref, si = a.get("t", ""), a.get("ref"), a.get("si")
        else:
            kind, ref, si = "", None, None
        text = fm.group(4) or ""
        if "&" in text:
            text = unescape(text)
        out.append(FormulaCell(row, col, kind, text, ref, si, kind == "array" and ' cm="' in c_attrs,
                               fm.start(), fm.start(2) - len(p) - 2, fm.end()))
        if col > max_col:
            max_col = col
    sheet.max_col = max_col
    if len(out) != f_count:
        raise ValueError(f"sheet {title}: a formula outside a cell, or a cell whose first element is not its "
                         f"formula")
    return sheet


def _positions(xml: str, p: str) -> dict:
    """Position of every <c> element -> (row, column), for XML that leaves out ``r`` attributes."""
    out, row = {}, 0
    row_re = re.compile(rf"<{re.escape(p)}row\b([^>]*?)(/?)>")
    cell_re = re.compile(rf"<{re.escape(p)}c\b([^>]*?)(/?)>")
    rows = [(m.start(), m) for m in row_re.finditer(xml)]
    bounds = [s for s, _ in rows] + [len(xml)]
    for i, (s, m) in enumerate(rows):
        r = attrs(m.group(1)).get("r")
        row = int(r) if r else row + 1
        col = 0
        for cm in cell_re.finditer(xml, s, bounds[i + 1]):
            cr = attrs(cm.group(1)).get("r")
            col = split_coord(cr)[1] if cr else col + 1
            out[cm.start()] = (row, col)
    return out
