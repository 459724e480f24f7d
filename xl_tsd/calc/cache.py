"""Writing computed values into a workbook package, beside its formulas.

openpyxl cannot do this: it writes formula cells without cached values, and
a round trip through it drops what it does not model (charts and images it
did not create, dynamic-array metadata, Office.js web extensions, custom
XML). So the package is copied part by part, unchanged, except:

- each worksheet part holding formula cells: every formula cell keeps its
  ``<f>`` element and gets a ``<v>`` with the computed value and the
  matching type (``t="str"``, ``"b"``, ``"e"`` or number); cells of an
  array formula's range get their values too;
- ``workbook.xml``: ``<calcPr fullCalcOnLoad="1"/>`` (optional), so Excel
  recalculates when it opens the file.

The sheet XML is edited as text, cell element by cell element, so namespace
prefixes, attribute order, the VBA project (``vbaProject.bin``), styles,
validations, comments, drawings and everything else stay byte for byte.
"""
from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections import defaultdict

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

__all__ = ["sheet_parts", "write_package", "write_atomic", "cell_xml_value", "PreparedSheet"]

_REL_DOC = "/officeDocument"
_ATTR = r"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))"""
# characters XML cannot hold, and a carriage return (an XML reader would turn it into a line feed)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict:
    from defusedxml.ElementTree import fromstring
    d, f = posixpath.split(part)
    path = posixpath.join(d, "_rels", f + ".rels")
    try:
        root = fromstring(zf.read(path))
    except KeyError:
        return {}
    return {el.get("Id"): (el.get("Type", ""), _resolve(d, el.get("Target", ""))) for el in root
            if el.get("TargetMode") != "External"}


def workbook_part(zf: zipfile.ZipFile) -> str:
    """The path of the workbook part (``xl/workbook.xml`` in files Excel writes)."""
    for typ, target in _rels(zf, "").values():
        if typ.endswith(_REL_DOC):
            return target
    return "xl/workbook.xml"


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet title -> part path in the package."""
    from defusedxml.ElementTree import fromstring
    wb_part = workbook_part(zf)
    rels = _rels(zf, wb_part)
    root = fromstring(zf.read(wb_part))
    out = {}
    for el in root.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in rels:
                out[el.get("name")] = rels[rid][1]
    return out


# --- values ------------------------------------------------------------------------------------

def _text(s: str) -> str:
    s = _ESCAPED.sub(r"_x005F_\1", s[:32767])  # a literal "_x0041_" must not be read as an escape
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)


def cell_xml_value(value) -> tuple[str | None, str]:
    """The ``t`` attribute (None for a number) and the ``<v>`` text of a computed value.

    >>> cell_xml_value(0.08), cell_xml_value(3.0), cell_xml_value(True)
    ((None, '0.08'), (None, '3'), ('b', '1'))
    >>> cell_xml_value("情节严重"), cell_xml_value(float("nan"))
    (('str', '情节严重'), ('e', '#NUM!'))
    """
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, (int, float)):
        v = float(value)
        if not math.isfinite(v):
            return "e", "#NUM!"
        if v.is_integer() and abs(v) < 1e15:
            return None, str(int(v))
        return None, repr(v)
    from .functions import ExcelError
    if isinstance(value, ExcelError):
        return "e", str(value)
    return "str", _text(str(value))


# --- sheet XML ---------------------------------------------------------------------------------

class _SheetPatch:
    """Put values into the cells of one worksheet part's XML text."""

    def __init__(self, xml: str, values: dict, cells: dict | None = None):
        self.xml = xml
        self.values = dict(values)  # "A1" -> (t, text): the cell's <v>, beside its <f>
        self.cells = cells or {}  # "A1" -> (t, inner XML): the cell's whole content (an input's value)
        self.values.update(dict.fromkeys(self.cells))
        m = re.search(r"<(?:(\w+):)?worksheet\b", xml)
        self.p = (m.group(1) + ":") if m and m.group(1) else ""
        p = re.escape(self.p)
        self.row_re = re.compile(rf"<{p}row\b({_ATTR}*)\s*(?:/>|>(.*?)</{p}row>)", re.S)
        self.cell_re = re.compile(rf"<{p}c\b({_ATTR}*)\s*(?:/>|>(.*?)</{p}c>)", re.S)
        self.v_re = re.compile(rf"<{p}v\b[^>]*?(?:/>|>.*?</{p}v>)|<{p}is\b[^>]*?(?:/>|>.*?</{p}is>)", re.S)
        self.f_re = re.compile(rf"<{p}f\b[^>]*?(?:/>|>.*?</{p}f>)", re.S)
        self.done: set = set()
        self.added = 0

    @staticmethod
    def _attr(attrs: str, name: str):
        m = re.search(rf"""\s{name}\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)
        return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))

    @staticmethod
    def _set_attr(attrs: str, name: str, value):
        attrs = re.sub(rf"""\s{name}\s*=\s*(?:"[^"]*"|'[^']*')""", "", attrs)
        return attrs if value is None else f'{attrs} {name}="{value}"'

    def _content(self, coord: str, f: str) -> tuple[str | None, str]:
        """The cell's ``t`` and what goes before anything else it holds (extLst)."""
        if coord in self.cells:
            return self.cells[coord]  # an input: its value replaces formula and value
        t, text = self.values[coord]
        return t, f"{f}<{self.p}v>{text}</{self.p}v>"

    def _split(self, body: str | None) -> tuple[str, str]:
        """A cell's formula element and what else it holds besides formula and value (extLst)."""
        body = body or ""
        f = self.f_re.search(body)
        return (f.group() if f else ""), self.v_re.sub("", self.f_re.sub("", body))

    @staticmethod
    def _compose(p: str, attrs: str, t: str | None, inner: str) -> str:
        attrs = _SheetPatch._set_attr(attrs, "t", t)
        return f"<{p}c{attrs}>{inner}</{p}c>" if inner else f"<{p}c{attrs}/>"

    def _cell(self, attrs: str, body: str | None, coord: str, whole: str) -> str:
        self.done.add(coord)
        f, rest = self._split(body)
        t, inner = self._content(coord, f)
        return self._compose(self.p, attrs, t, inner + rest)

    def _new_cell(self, coord: str) -> str:
        self.done.add(coord)
        self.added += 1
        t, inner = self._content(coord, "")
        p = self.p
        ta = f' t="{t}"' if t else ""
        return f'<{p}c r="{coord}"{ta}>{inner}</{p}c>' if inner else f'<{p}c r="{coord}"{ta}/>'

    def apply(self) -> str:
        rows_wanted = defaultdict(list)
        for coord in self.values:
            col, row = coordinate_from_string(coord)
            rows_wanted[row].append((column_index_from_string(col), coord))
        self._pending = sorted(rows_wanted)  # wanted rows in order; the walk takes them from the front
        self._next = 0
        last_row = 0
        p = self.p

        def row_sub(m):
            nonlocal last_row
            attrs, body = m.group(1), m.group(2)
            r = self._attr(attrs, "r")
            row = int(r) if r else last_row + 1
            prefix = "".join(self._missing_rows(rows_wanted, last_row, row))
            last_row = row
            wanted = rows_wanted.get(row)
            if not wanted:
                return prefix + m.group()
            body = body or ""
            wanted_cols = {c: coord for c, coord in wanted}
            out, pos, last_col, before = [], 0, 0, self.added
            for cm in self.cell_re.finditer(body):
                cr = self._attr(cm.group(1), "r")
                col = column_index_from_string(coordinate_from_string(cr)[0]) if cr else last_col + 1
                out.append(body[pos:cm.start()])
                out += [self._new_cell(wanted_cols.pop(c)) for c in sorted(wanted_cols) if c < col]
                out.append(self._cell(cm.group(1), cm.group(2), wanted_cols.pop(col), cm.group())
                           if col in wanted_cols else cm.group())
                pos, last_col = cm.end(), col
            out += [self._new_cell(wanted_cols.pop(c)) for c in sorted(wanted_cols)]
            if self.added > before:  # the row's column span hint may no longer hold
                attrs = self._set_attr(attrs, "spans", None)
            out.append(body[pos:])
            return f"{prefix}<{p}row{attrs}>{''.join(out)}</{p}row>"

        q = re.escape(p)
        empty = re.search(rf"<{q}sheetData\b{_ATTR}*\s*/>", self.xml)
        if empty:
            inner = "".join(self._missing_rows(rows_wanted, 0, None))
            return self.xml[:empty.start()] + f"<{p}sheetData>{inner}</{p}sheetData>" + self.xml[empty.end():]
        sd = re.search(rf"<{q}sheetData\b{_ATTR}*\s*>(.*?)</{q}sheetData>", self.xml, re.S)
        if sd is None:
            return self.xml
        inner = self.row_re.sub(row_sub, sd.group(1))
        inner += "".join(self._missing_rows(rows_wanted, last_row, None))
        return self.xml[:sd.start(1)] + inner + self.xml[sd.end(1):]

    def _missing_rows(self, rows_wanted, after: int, before: int | None):
        """Rows with values to write that the sheet does not have (cells of an array formula)."""
        p, pending = self.p, self._pending
        while self._next < len(pending) and (before is None or pending[self._next] < before):
            row = pending[self._next]
            self._next += 1
            if row <= after:
                continue
            cells = [self._new_cell(coord) for _, coord in sorted(rows_wanted[row])]
            yield f'<{p}row r="{row}">{"".join(cells)}</{p}row>'
        if before is not None and self._next < len(pending) and pending[self._next] == before:
            self._next += 1  # the sheet has this row: the walk fills it in


class _SheetSplit(_SheetPatch):
    """The walk of :class:`_SheetPatch`, done once: each wanted cell the sheet has becomes a marker."""

    MARK = "\x00"  # a character XML cannot hold

    def __init__(self, xml: str, coords):
        super().__init__(xml, dict.fromkeys(coords, (None, "")))
        self.order: list[str] = []  # the marked cells, in the order of the markers
        self.parts: dict = {}  # coord -> (attributes, formula element, rest, the cell's XML as it is)

    def _cell(self, attrs, body, coord, whole):
        f, rest = self._split(body)
        self.order.append(coord)
        self.parts[coord] = (attrs, f, rest, whole)
        return self.MARK

    def _new_cell(self, coord):
        return ""  # not in the sheet: a workbook that needs it is patched the ordinary way

    def _missing_rows(self, rows_wanted, after, before):
        return iter(())


class PreparedSheet:
    """A worksheet part split once around the cells that change, for writing many workbooks.

    :func:`patch_sheet` walks the whole sheet XML with regular expressions for
    every workbook; when many workbooks differ only in the same cells (one
    template, many cases), the walk is done here once and :meth:`patch` only
    puts the cells together. The result is :func:`patch_sheet`'s, byte for byte.
    """

    def __init__(self, data: bytes, coords):
        xml, self.encoding = _xml_text(data)
        if _SheetSplit.MARK in xml:
            raise ValueError("the sheet XML holds a NUL character")
        split = _SheetSplit(xml, coords)
        self.chunks = split.apply().split(_SheetSplit.MARK)
        self.order, self.parts, self.p = split.order, split.parts, split.p

    def patch(self, values: dict, cells: dict | None = None) -> str | None:
        """As ``patch_sheet(xml, values, cells)``; None if a cell is not one the sheet was split around."""
        cells = cells or {}
        parts = self.parts
        if any(k not in parts for k in values) or any(k not in parts for k in cells):
            return None
        p, out = self.p, [self.chunks[0]]
        for coord, chunk in zip(self.order, self.chunks[1:]):
            attrs, f, rest, whole = parts[coord]
            if coord in cells:
                t, inner = cells[coord]
                out.append(_SheetPatch._compose(p, attrs, t, inner + rest))
            elif coord in values:
                t, text = cell_xml_value(values[coord])
                out.append(_SheetPatch._compose(p, attrs, t, f"{f}<{p}v>{text}</{p}v>{rest}"))
            else:
                out.append(whole)
            out.append(chunk)
        return "".join(out)


_T_ATTR = re.compile(r"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")


def splice_values(sheet, values: dict) -> str:
    """:func:`patch_sheet` for a sheet read by :class:`~.package.Package`: the formula cells found when it
    was read are rewritten in place (their ``t`` and ``<v>``), in one pass; cells that are not formula
    cells (the rest of an array formula's range) go through :func:`patch_sheet` afterwards."""
    xml, p = sheet.xml, sheet.prefix
    c_open, v_open, v_close = f"<{p}c", f"<{p}v", f"</{p}v>"
    left = dict(values)
    out, pos = [], 0
    for f in sheet.formulas:
        coord = f.coord
        if coord not in left:
            continue
        t, text = cell_xml_value(left.pop(coord))
        tag_end = f.f_start  # the <c ...> start tag ends where the formula begins (but for whitespace)
        attrs_start = f.start + len(c_open)
        head = xml[attrs_start:tag_end].rstrip()
        head = head[:-1] if head.endswith(">") else head  # the start tag's attributes
        if t is not None or " t=" in head or "\tt=" in head:
            head = _T_ATTR.sub("", head) + (f' t="{t}"' if t is not None else "")
        out.append(xml[pos:f.start])
        out.append(f"{c_open}{head}>{xml[f.f_start:f.f_end]}<{p}v>{text}{v_close}")
        pos = f.f_end
        if xml.startswith(v_open, pos):  # the old value
            if xml.startswith("/>", pos + len(v_open)) or xml.startswith(" />", pos + len(v_open)):
                pos = xml.index(">", pos) + 1
            else:
                pos = xml.index(v_close, pos) + len(v_close)
    out.append(xml[pos:])
    text = "".join(out)
    if left:
        text = patch_sheet(text, left)
    return text


def patch_sheet(xml: str, values: dict, cells: dict | None = None) -> str:
    """The worksheet XML with each cell of ``values`` ("A1" -> value) holding its value.

    ``cells`` ("A1" -> (t, inner XML)) replaces the whole content of cells (inputs
    given new values): their ``t`` attribute becomes ``t`` (None: no attribute)
    and what they held (a value, a formula, an inline string) becomes ``inner``.
    """
    return _SheetPatch(xml, {k: cell_xml_value(v) for k, v in values.items()}, cells).apply()


_CALC_AFTER = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
               "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


#: A calculation-engine id above any Excel's: Excel recalculates a whole workbook on open when the
#: file's ``calcId`` is below its own engine's (MS-XLS 2.4.215, ECMA-376 calcPr), and keeps the
#: cached values otherwise.
KEEP_VALUES_CALC_ID = "999999"


def patch_workbook(xml: str, full_calc_on_load: bool) -> str:
    """workbook.xml set to recalculate on open, or to show the cached values.

    ``True``: ``<calcPr fullCalcOnLoad="1">``. ``False``: no ``fullCalcOnLoad``
    and ``calcId`` = :data:`KEEP_VALUES_CALC_ID`, so Excel opens the file with
    the values as written. An element already so is left byte for byte.
    """
    m = re.search(r"<(?:(\w+):)?workbook\b", xml)
    p = (m.group(1) + ":") if m and m.group(1) else ""
    cm = re.search(rf"<{re.escape(p)}calcPr\b({_ATTR}*)(\s*/?>)", xml)
    if cm:
        attrs = cm.group(1)
        full = _SheetPatch._attr(attrs, "fullCalcOnLoad") in ("1", "true", "on")
        if full_calc_on_load and not full:
            attrs = _SheetPatch._set_attr(attrs, "fullCalcOnLoad", "1")
        elif not full_calc_on_load:
            if full:
                attrs = _SheetPatch._set_attr(attrs, "fullCalcOnLoad", None)
            if _SheetPatch._attr(attrs, "calcId") != KEEP_VALUES_CALC_ID:
                attrs = _SheetPatch._set_attr(attrs, "calcId", KEEP_VALUES_CALC_ID)
        if attrs == cm.group(1):
            return xml
        return xml[:cm.start()] + f"<{p}calcPr{attrs}{cm.group(2)}" + xml[cm.end():]
    el = (f'<{p}calcPr fullCalcOnLoad="1"/>' if full_calc_on_load
          else f'<{p}calcPr calcId="{KEEP_VALUES_CALC_ID}"/>')
    for name in _CALC_AFTER:
        nm = re.search(rf"<{re.escape(p)}{name}\b", xml)
        if nm:
            return xml[:nm.start()] + el + xml[nm.start():]
    end = xml.rindex(f"</{p}workbook>")
    return xml[:end] + el + xml[end:]


def _xml_text(data: bytes) -> tuple[str, str]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    return data.decode("utf-8"), "utf-8"


def write_package(zf: zipfile.ZipFile, values: dict, out, full_calc_on_load: bool = True,
                  parts: dict | None = None, cells: dict | None = None, prepared: dict | None = None,
                  sheets: dict | None = None, finish=None) -> None:
    """Copy package ``zf`` to the binary file ``out``, with ``values`` cached in its sheets.

    ``values`` maps (sheet title, "A1") to float, bool, str or an engine error;
    ``parts`` is :func:`sheet_parts` of the package, if already known;
    ``cells`` maps (sheet title, "A1") to a new content (t, inner XML) of the
    cell, as :func:`patch_sheet` takes it; ``prepared`` maps a sheet part to
    its :class:`PreparedSheet`, used where it holds every cell to write; ``sheets`` maps a sheet part
    to its :class:`~.package.SheetXml` (the formula cells' places, found once) for :func:`splice_values`;
    ``finish`` (a :class:`xl_tsd.report.seal.Finisher`, for a workbook built from the template) adds its
    cells, and edits workbook.xml, the sheets and the other parts it names (the seal, the print areas).
    """
    if finish is not None:
        cells = {**(cells or {}), **finish.cells}
    sheets = sheets or {}
    prepared = prepared or {}
    parts = sheet_parts(zf) if parts is None else parts
    by_part = defaultdict(dict)
    for (sheet, coord), v in values.items():
        by_part[parts[sheet]][coord] = v
    cells_by_part = defaultdict(dict)
    for (sheet, coord), c in (cells or {}).items():
        cells_by_part[parts[sheet]][coord] = c
        by_part.setdefault(parts[sheet], {})
    wb_part = workbook_part(zf)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zf.infolist():
            name = info.filename
            other = None
            if finish is not None and name in finish.other_parts and name not in by_part:
                other = finish.other_part(name, zf.read(info))
            if other is None and name not in by_part and name != wb_part and _copy_raw(zo, zf, info):
                continue  # a part nothing changes: its compressed bytes as they are
            text = None
            if other is None and name in prepared and name in by_part:
                text = prepared[name].patch(by_part[name], cells_by_part.get(name))
            if other is not None:
                data = other
            elif text is not None:
                if finish is not None:
                    text = finish.sheet_xml(name, text, values)
                data = text.encode(prepared[name].encoding)
            else:
                data = zf.read(info)
                if name in by_part or name == wb_part:
                    text, enc = _xml_text(data)
                    if name == wb_part:
                        text = patch_workbook(text, full_calc_on_load)
                        if finish is not None:
                            text = finish.workbook_xml(text, values)
                    elif name in sheets and not cells_by_part.get(name):
                        text = splice_values(sheets[name], by_part[name])
                    else:
                        text = patch_sheet(text, by_part[name], cells_by_part.get(name))
                    if finish is not None and name != wb_part:
                        text = finish.sheet_xml(name, text, values)
                    data = text.encode(enc)
            zi = zipfile.ZipInfo(info.filename, info.date_time)
            zi.external_attr, zi.create_system = info.external_attr, info.create_system
            zi.compress_type = zipfile.ZIP_DEFLATED if info.compress_type != zipfile.ZIP_STORED else (
                zipfile.ZIP_STORED)
            zo.writestr(zi, data)


def _copy_raw(zo: zipfile.ZipFile, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy one entry of ``zf`` into ``zo`` without decompressing it (its local header, data and data
    descriptor byte for byte); False, with nothing written, where that cannot be done."""
    import copy
    import struct
    try:
        fp = zf.fp
        fp.seek(info.header_offset)
        head = fp.read(30)
        sig, *_, flags, _m, _t, _d, _c, _cs, _us, fn_len, ex_len = (head[:4], *struct.unpack("<5H3I2H",
                                                                                           head[4:]))
        if sig != b"PK\x03\x04" or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
            return False
        end = info.header_offset + 30 + fn_len + ex_len + info.compress_size
        if info.flag_bits & 0x08:  # sizes after the data
            fp.seek(end)
            end += 16 if fp.read(4) == b"PK\x07\x08" else 12
        fp.seek(info.header_offset)
        raw = fp.read(end - info.header_offset)
        zi = copy.copy(info)
        zo.fp.seek(zo.start_dir)
        zi.header_offset = zo.fp.tell()
        zo.fp.write(raw)
        zo.start_dir = zo.fp.tell()
        zo.filelist.append(zi)
        zo.NameToInfo[zi.filename] = zi
        zo._didModify = True
        return True
    except (AttributeError, OSError, struct.error, ValueError):
        return False


def input_cells_xml(wb, keys) -> dict:
    """(sheet, "A1") -> (t, inner XML) of the engine workbook ``wb``'s cells ``keys`` [(sheet, row, col)],
    as :func:`write_package` takes new cell contents: a number, text (an inline string, never a formula),
    TRUE/FALSE, or nothing."""
    from .package import col_letters
    out = {}
    for sheet, row, col in keys:
        v = wb.get_value(sheet, row, col)
        coord = f"{col_letters(col)}{row}"
        if v is None or v == "":
            out[(sheet, coord)] = (None, "")
        elif isinstance(v, bool):
            out[(sheet, coord)] = ("b", f"<v>{int(v)}</v>")
        elif isinstance(v, (int, float)):
            out[(sheet, coord)] = ("n", f"<v>{cell_xml_value(float(v))[1]}</v>")
        else:
            text = _text(str(v))
            space = ' xml:space="preserve"' if text != text.strip() else ""
            out[(sheet, coord)] = ("inlineStr", f"<is><t{space}>{text}</t></is>")
    return out


def write_atomic(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    Nothing is left behind if ``write`` fails (:func:`xl_tsd._atomic.atomic_path`).
    """
    from .._atomic import atomic_path
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        write(f)
