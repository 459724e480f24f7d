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


@dataclass
class FormulaCell:
    """One cell holding an ``<f>`` element, where it stands in the sheet XML, and the formula."""

    row: int
    col: int
    kind: str          # "" (normal), "array", "shared", "dataTable"
    text: str          # the formula as written (XML unescaped); "" for a shared formula's follower
    ref: str | None    # an array formula's range, or a shared formula's span (its master only)
    si: str | None     # a shared formula's group
    dynamic: bool      # a dynamic-array formula (spills; the cell carries cm=)
    start: int         # the <c> element's span in the XML text
    end: int
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
        self.names = _defined_names(wb_xml)
        self.sheets: dict[str, SheetXml] = {}
        for title, part in self.parts.items():
            try:
                data = zf.read(part)
            except KeyError:
                continue
            text, enc = cache._xml_text(data)
            self.sheets[title] = _scan(title, part, text, enc)

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


def _scan(title: str, part: str, xml: str, enc: str) -> SheetXml:
    m = re.search(r"<(?:(\w+):)?worksheet\b", xml)
    p = (m.group(1) + ":") if m and m.group(1) else ""
    sheet = SheetXml(title, part, xml, enc, p)
    sheet.cells = xml.count(f"<{p}c ") + xml.count(f"<{p}c>")
    last = xml.rfind(f"<{p}row ")
    if last >= 0:
        rm = re.search(r'\sr="(\d+)"', xml[last:last + 200])
        sheet.max_row = int(rm.group(1)) if rm else 0
    dim = re.search(rf'<{re.escape(p)}dimension\b[^>]*\sref="([^"]+)"', xml[:4096])
    if dim:
        try:
            _, _, r2, c2 = range_cells(dim.group(1).replace("$", ""))
            sheet.max_row, sheet.max_col = max(sheet.max_row, r2), c2
        except ValueError:
            pass
    if f"<{p}f" not in xml:
        return sheet
    f_re = re.compile(rf"<{re.escape(p)}f\b([^>]*?)(/>|>(.*?)</{re.escape(p)}f>)", re.S)
    c_open, c_close = f"<{p}c", f"</{p}c>"
    row_hint = None
    for fm in f_re.finditer(xml):
        start = xml.rfind(c_open, 0, fm.start())
        head_end = xml.index(">", start)
        c_attrs = attrs(xml[start + len(c_open):head_end])
        end = xml.find(c_close, fm.end())
        end = len(xml) if end < 0 else end + len(c_close)
        r = c_attrs.get("r")
        if r is None:
            row_hint = row_hint or _positions(xml, p)
            row, col = row_hint[start]
        else:
            row, col = split_coord(r)
        fa = attrs(fm.group(1))
        kind = fa.get("t", "")
        text = html.unescape(fm.group(3)) if fm.group(3) else ""
        sheet.formulas.append(FormulaCell(row, col, kind, text, fa.get("ref"), fa.get("si"),
                                          "cm" in c_attrs and kind == "array", start, end,
                                          fm.start(), fm.end()))
        sheet.max_col = max(sheet.max_col, col)
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
