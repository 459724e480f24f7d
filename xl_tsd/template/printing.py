"""How the case workbook prints: page setup declared once, and finished when the workbook is computed.

The builder (:func:`page_setup`) gives every sheet A4 landscape, fit to one page
wide, the title rows repeated, and a header and footer naming the case number,
the sheet, "page X of Y", the template and package versions. What only the
computed workbook knows is put in when it is written (:func:`finish_workbook_xml`,
:func:`finish_sheet_xml`, called by :func:`xl_tsd.calc.cache.write_package`):

- the print areas of the sheets with period columns end at the last period in
  use (the template has room for :data:`~xl_tsd.template.layout.PERIODS`;
  a case with five periods prints five columns, not twenty);
- the fixed-size tables (secret points, comparable licenses, R&D items,
  remedial measures, and the per-measure rows of Calculations) print down to
  their last item in use: the rows after it are hidden (:func:`table_rows`),
  the first row always shown; a later computation with more items shows them
  again, and a user unhides rows to type more in Excel;
- the header's case number and the footer's package version are the case's
  and the version that computed it.

Both are plain text edits of the package's XML, made the same way by
``calc``, ``fill`` and ``batch``; a workbook not built from the template is
left as it is.
"""
from __future__ import annotations

import re
from collections import defaultdict
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string, get_column_letter

from .._version import __version__
from . import layout as L

__all__ = ["PERIOD_FIRST_COL", "PERIOD_LAST_COL", "PERIOD_SHEETS", "CASE_LABEL", "NOT_ENTERED", "page_setup",
           "header_text", "footer_text", "pages_wide", "probe_cells", "last_period", "periods_in_use",
           "table_rows", "hide_rows_xml", "finish_workbook_xml", "finish_sheet_xml"]

PERIOD_FIRST_COL = 6                                   #: column F: period 1
PERIOD_LAST_COL = PERIOD_FIRST_COL + L.PERIODS - 1     #: column of the last period the template has room for
CASE_LABEL = "案号 Case no.: "                          #: in the header, before the case number
NOT_ENTERED = "（未填 not entered）"
_VERSION_LABEL = "xl_tsd "
#: The per-period row whose cells are blank in a period not in use (a formula on Calculations).
_PERIOD_PROBE = "Per_Years"
#: The sheets with a column per period.
PERIOD_SHEETS = ("Inputs", "Calculations", "Summary")
#: Width, in characters of column width, of the columns before the periods (labels, unit, note, value),
#: of a period column, and of what one A4 landscape page prints at about 90 % (so at 100 % zoom it reads).
LABEL_COLUMNS_WIDTH, PERIOD_WIDTH, PAGE_WIDTH = 130, 13, 180


def _xlwings_version() -> str:
    try:
        from importlib.metadata import version
        return version("xlwings")
    except Exception:  # not installed: the footer says so rather than guessing
        return "?"


def header_text(case_number: str | None = None) -> tuple[str, str, str]:
    """(left, centre, right) of the header: the case number, the sheet name, page X of Y."""
    return (CASE_LABEL + (case_number or NOT_ENTERED), "&A", "第 &P 页 / 共 &N 页 · page &P of &N")


def footer_text(version: str = __version__) -> tuple[str, str]:
    """(left, right) of the footer: the template and package versions; the nature of the copy."""
    return (f"模板 template v{L.TEMPLATE_VERSION} · {_VERSION_LABEL}{version} · xlwings {_xlwings_version()}",
            "商业秘密侵权损害赔偿计算 trade-secret damages")


def page_setup(ws, title_rows: str | None = "1:3", print_area: str | None = None) -> None:
    """A4 landscape, one page wide (as many pages down as it takes), ``title_rows`` repeated on each
    page, the header and footer of :func:`header_text` / :func:`footer_text`."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if title_rows:
        ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    for part, text in zip((ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right), header_text()):
        part.text, part.size = text, 8
    for part, text in zip((ws.oddFooter.left, ws.oddFooter.right), footer_text()):
        part.text, part.size = text, 8


# --- finishing a computed workbook -----------------------------------------------------------------
_DEFINED = re.compile(r'(<(?:\w+:)?definedName\b[^>]*\bname="([^"]+)"[^>]*>)([^<]*)(</(?:\w+:)?definedName>)')
_REF = re.compile(r"^(.*!)\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def pages_wide(periods: int) -> int:
    """Pages across a sheet with ``periods`` period columns prints on: one while it reads at about 90 %,
    more (the label columns repeated on each) as the periods need: 3 periods on 1, 4 to 17 on 2, more on 3."""
    import math
    return max(1, math.ceil((LABEL_COLUMNS_WIDTH + PERIOD_WIDTH * periods) / PAGE_WIDTH))


def probe_cells(wb) -> list[tuple[str, str]]:
    """(sheet, "A1") of each cell of the probe row of an openpyxl workbook (empty if it has none)."""
    dn = wb.defined_names.get(_PERIOD_PROBE)
    if dn is None:
        return []
    from openpyxl.utils.cell import range_boundaries
    (sheet, ref), = list(dn.destinations)
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return [(sheet, f"{get_column_letter(c)}{r}") for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def last_period(probe: list, values: dict) -> int:
    """The number of the last period whose probe cell has a value (1 at least)."""
    return max((k for k, cell in enumerate(probe, start=1) if values.get(cell) not in (None, "")), default=1)


def periods_in_use(workbook_xml: str, values: dict) -> int | None:
    """The number of the last period in use (1 at least), read from the computed values of the probe
    row; None when the workbook has no such row (not built from the template)."""
    for m in _DEFINED.finditer(workbook_xml):
        if m.group(2) != _PERIOD_PROBE:
            continue
        ref = _REF.match(m.group(3).replace("'", ""))
        if not ref:
            return None
        sheet = ref.group(1)[:-1]
        c1, c2, row = column_index_from_string(ref.group(2)), column_index_from_string(ref.group(4)), ref.group(3)
        last = 0
        for k, col in enumerate(range(c1, c2 + 1), start=1):
            v = values.get((sheet, f"{get_column_letter(col)}{row}"))
            if v is not None and v != "":
                last = k
        return max(last, 1)
    return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def table_rows(wb) -> dict[str, tuple[frozenset, frozenset]]:
    """sheet -> (the item rows of the fixed-size tables, those of them to hide) of an openpyxl workbook
    holding a case's inputs.

    A table's items are its one-row-per-item input tables (:class:`~.layout.Table`, not across) and the
    rows of Calculations computed per item (:class:`~.layout.ItemCalcs`). An item is in use when one of
    its input cells is not blank; the rows after the last item in use are hidden, the first always
    shown (an empty table prints its first row, the basis beside it)."""
    from openpyxl.utils.cell import range_boundaries
    calcs = defaultdict(list)  # table name -> names of its per-item calculations
    for sec in L.CALC_SECTIONS:
        for it in L._walk(sec.items):
            if isinstance(it, L.ItemCalcs):
                calcs[it.table] += [c[0] for c in it.calcs]
    rows, hide = defaultdict(set), defaultdict(set)
    for t in L.tables():
        if not isinstance(t, L.Table) or t.across:
            continue
        used, places = 0, []
        for name in [c.name for c in t.columns] + calcs[t.name]:
            dn = wb.defined_names.get(name)
            if dn is None:
                return {}  # not the current template
            (sheet, ref), = list(dn.destinations)
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            if r2 - r1 + 1 != t.size or c1 != c2:
                return {}
            places.append((sheet, r1))
            if name in calcs[t.name]:
                continue
            ws = wb[sheet]
            used = max([used] + [k + 1 for k in range(t.size) if not _blank(ws.cell(r1 + k, c1).value)])
        for sheet, first in places:
            rows[sheet].update(range(first, first + t.size))
            hide[sheet].update(range(first + max(used, 1), first + t.size))
    return {sheet: (frozenset(rows[sheet]), frozenset(hide[sheet])) for sheet in rows}


def hide_rows_xml(xml: str, rows: frozenset, hide: frozenset) -> str:
    """A sheet's XML with ``hide`` hidden and the other ``rows`` shown (rows not in ``rows`` as they are)."""
    def one(m):
        r = re.search(r'\br="(\d+)"', m.group(2))
        if r is None or int(r.group(1)) not in rows:
            return m.group(0)
        attrs = re.sub(r'\shidden="[^"]*"', "", m.group(2))
        if int(r.group(1)) in hide:
            attrs += ' hidden="1"'
        return f"<{m.group(1)}{attrs}{m.group(3)}>"
    return re.sub(r"<((?:\w+:)?row)(\s[^>]*?)(/?)>", one, xml)


def finish_workbook_xml(xml: str, values: dict) -> str:
    """workbook.xml with the print areas that reach the last period column cut to the periods in use."""
    n = periods_in_use(xml, values)
    if n is None:
        return xml
    full = get_column_letter(PERIOD_LAST_COL)
    used = get_column_letter(PERIOD_FIRST_COL + n - 1)
    wide = pages_wide(n) > 1
    cut_sheets = set()

    def cut(m):
        if m.group(2) != "_xlnm.Print_Area":
            return m.group(0)
        pattern = rf"!\$[A-Z]+\$(\d+):\${full}\$(\d+)"
        if re.search(pattern, m.group(3)):
            cut_sheets.add(_local_id(m.group(1)))
        text = re.sub(pattern, lambda r: f"!$A${r.group(1)}:${used}${r.group(2)}", m.group(3))
        return m.group(1) + text + m.group(4)

    def titles(m):  # over more than one page across, the label columns repeat on each
        if m.group(2) != "_xlnm.Print_Titles" or _local_id(m.group(1)) not in cut_sheets or "$A:$B" in m.group(3):
            return m.group(0)
        sheet = m.group(3).split("!")[0]
        return m.group(1) + f"{sheet}!$A:$B," + m.group(3) + m.group(4)
    xml = _DEFINED.sub(cut, xml)
    return _DEFINED.sub(titles, xml) if wide else xml


def _local_id(tag: str) -> str | None:
    m = re.search(r'\blocalSheetId="(\d+)"', tag)
    return m.group(1) if m else None


def _header_code(text: str) -> str:
    """Text as it stands in a header: '&' doubled (a header code otherwise), XML-escaped."""
    return escape(text.replace("&", "&&"))


def finish_sheet_xml(xml: str, case_number: str | None, version: str = __version__, pages_wide: int = 1,
                     rows: tuple[frozenset, frozenset] | None = None) -> str:
    """A sheet's XML with the header's case number and the footer's package version put in, printed
    ``pages_wide`` pages across (:func:`pages_wide`), and the table rows not in use hidden (``rows``: an
    entry of :func:`table_rows`)."""
    if rows:
        xml = hide_rows_xml(xml, *rows)
    if pages_wide > 1:
        xml = re.sub(r'(<(?:\w+:)?pageSetup\b[^>]*\bfitToWidth=")1(")', rf"\g<1>{pages_wide}\2", xml, count=1)
    m = re.search(r"<(?:\w+:)?headerFooter\b.*?</(?:\w+:)?headerFooter>", xml, flags=re.S)
    if m is None:
        return xml
    # characters may be written as references (&#26696;), as a writer with an ASCII encoding does
    hf = re.sub(r"&#(\d+);", lambda r: r.group(0) if chr(int(r.group(1))) in "<>&\"'" else chr(int(r.group(1))),
                m.group(0))
    if CASE_LABEL not in hf:
        return xml
    one_line = " ".join(str(case_number).split()) if case_number not in (None, "") else NOT_ENTERED
    hf = re.sub(re.escape(CASE_LABEL) + r"(?:[^&<]|&amp;&amp;)*", lambda _: CASE_LABEL + _header_code(one_line), hf)
    hf = re.sub(re.escape(_VERSION_LABEL) + r"[^ &<]+", lambda _: _VERSION_LABEL + escape(version), hf)
    return xml[:m.start()] + hf + xml[m.end():]
