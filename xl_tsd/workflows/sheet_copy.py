"""Copying a worksheet from one openpyxl workbook into another.

openpyxl's ``copy_worksheet`` works only inside one workbook, and a cell's
style is an index into its own workbook's style tables, so a sheet that
moves between workbooks has to be rebuilt: every cell's value (formulas as
formulas, text as text) and style objects (font, fill, border, alignment,
number format, protection, named style), merged cells, column widths and row
heights, comments, hyperlinks, validations, conditional formats, tables,
sheet-scoped names, view, print and protection settings.

What openpyxl loads but this copier does not carry (charts, pictures, pivot
tables) is returned as notes, so a caller can report it; what openpyxl does
not even load (shapes, form controls, sparklines) has to be found in the
package itself (see :func:`xl_tsd.workflows.upgrade.package_notes`).
"""
from __future__ import annotations

from copy import copy

from openpyxl.cell.cell import MergedCell
from openpyxl.styles import NamedStyle
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table

__all__ = ["copy_sheet"]


def _named_style(src_wb, dst_wb, name: str) -> bool:
    """Make the named style ``name`` exist in ``dst_wb`` (copied from ``src_wb``); False if it cannot."""
    if name in dst_wb.named_styles:
        return True
    ns = next((s for s in src_wb._named_styles if s.name == name), None)
    if ns is None:
        return False
    dst_wb.add_named_style(NamedStyle(
        name=ns.name, font=copy(ns.font), fill=copy(ns.fill), border=copy(ns.border),
        alignment=copy(ns.alignment), number_format=ns.number_format, protection=copy(ns.protection),
        builtinId=ns.builtinId, hidden=ns.hidden))
    return True


def _style(src, dst, src_wb, dst_wb) -> None:
    # The named style first: assigning it resets the cell's own formats, which are copied after.
    if src.style != "Normal" and _named_style(src_wb, dst_wb, src.style):
        dst.style = src.style
    dst.font = copy(src.font)
    dst.fill = copy(src.fill)
    dst.border = copy(src.border)
    dst.alignment = copy(src.alignment)
    dst.number_format = src.number_format
    dst.protection = copy(src.protection)


def _value(src, dst) -> None:
    v = src.value
    if isinstance(v, ArrayFormula):
        dst.value = ArrayFormula(v.ref, v.text)
    elif v is not None and not isinstance(v, (str, int, float, bool)) and hasattr(v, "__dict__"):
        dst.value = copy(v)  # rich text, data-table formulas: objects of their own
    else:
        dst.value = v
    # openpyxl guesses the type from the value; the source's type is the truth. In particular
    # text that begins with "=" stays text (never turned into a formula).
    dst.data_type = src.data_type


def _copy_table(table) -> Table:
    # copy() fails on a Table (its to_tree takes no tagname); go through its XML by hand.
    tree = table.to_tree()
    tree.attrib.pop("xmlns", None)
    return Table.from_tree(tree)


def copy_sheet(src, dst_wb, title: str | None = None) -> list[str]:
    """Copy worksheet ``src`` (of another workbook) into ``dst_wb`` as a new last sheet.

    Parameters
    ----------
    src : openpyxl.worksheet.worksheet.Worksheet
        The sheet to copy; not modified in any way that is saved.
    dst_wb : openpyxl.Workbook
        The workbook that receives the copy.
    title : str, optional
        The new sheet's title (default: the same as ``src``).

    Returns
    -------
    list of str
        What could not be carried, one line each (empty when everything was).
    """
    src_wb = src.parent
    dst = dst_wb.create_sheet(title or src.title)
    notes: list[str] = []

    for rng in src.merged_cells.ranges:
        dst.merge_cells(rng.coord)
    # Existing cells only (iter_rows would create every blank cell of the used range).
    for (r, c), cell in sorted(src._cells.items()):
        out = dst.cell(r, c)
        if cell.has_style:
            _style(cell, out, src_wb, dst_wb)
        if isinstance(cell, MergedCell):
            continue
        _value(cell, out)
        if cell.hyperlink is not None:
            out.hyperlink = copy(cell.hyperlink)
        if cell.comment is not None:
            out.comment = copy(cell.comment)

    for key, dim in src.column_dimensions.items():
        d = dst.column_dimensions[key]
        d.min, d.max = dim.min, dim.max
        d.width, d.hidden, d.bestFit = dim.width, dim.hidden, dim.bestFit
        d.outlineLevel, d.collapsed = dim.outlineLevel, dim.collapsed
    for idx, dim in src.row_dimensions.items():
        d = dst.row_dimensions[idx]
        d.height, d.hidden = dim.height, dim.hidden
        d.outlineLevel, d.collapsed = dim.outlineLevel, dim.collapsed
    dst.sheet_format = copy(src.sheet_format)

    # Rules, validations, tables and names are openpyxl objects that serialise to XML; their copy
    # (openpyxl's own __copy__) carries the differential style of a conditional format too.
    for cf in src.conditional_formatting:
        for rule in cf.rules:
            dst.conditional_formatting.add(str(cf.sqref), copy(rule))
    for dv in src.data_validations.dataValidation:
        dst.add_data_validation(copy(dv))
    for table in src.tables.values():
        try:
            dst.add_table(_copy_table(table))
        except ValueError as exc:  # a table name the receiving workbook already uses
            notes.append(f"table {table.name} ({table.ref}): not carried ({exc}); its cells are")
    for name, dn in src.defined_names.items():
        dst.defined_names[name] = copy(dn)
    if src.auto_filter.ref:
        dst.auto_filter = copy(src.auto_filter)

    dst.sheet_state = src.sheet_state
    dst.sheet_properties.tabColor = copy(src.sheet_properties.tabColor)
    dst.sheet_properties.pageSetUpPr = copy(src.sheet_properties.pageSetUpPr)
    dst.sheet_properties.outlinePr = copy(src.sheet_properties.outlinePr)
    view, new_view = src.sheet_view, dst.sheet_view
    for attr in ("showGridLines", "showRowColHeaders", "showZeros", "rightToLeft", "zoomScale"):
        setattr(new_view, attr, getattr(view, attr))
    dst.freeze_panes = src.freeze_panes
    dst.page_margins = copy(src.page_margins)
    dst.print_options = copy(src.print_options)
    dst.HeaderFooter = copy(src.HeaderFooter)
    for attr in ("orientation", "paperSize", "scale", "fitToWidth", "fitToHeight", "firstPageNumber",
                 "useFirstPageNumber", "pageOrder", "blackAndWhite", "draft"):
        setattr(dst.page_setup, attr, getattr(src.page_setup, attr))
    if src.print_area:
        dst.print_area = [r.coord for r in src._print_area.ranges]
    dst.print_title_rows = src.print_title_rows
    dst.print_title_cols = src.print_title_cols
    dst.protection = copy(src.protection)

    for what, items in (("chart", src._charts), ("picture", src._images), ("pivot table", src._pivots)):
        if items:
            notes.append(f"{len(items)} {what}{'s' if len(items) > 1 else ''}: not carried; "
                         f"copy {'them' if len(items) > 1 else 'it'} over from the old workbook by hand")
    return notes
