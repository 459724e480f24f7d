"""The defined-name contract: reading and writing a template's inputs by name.

Every input of :mod:`xl_tsd.template.layout` has a workbook-level defined
name. A single input's name refers to one cell; a table column's name to its
cells (item i is the i-th cell, whether the items run down or across); a
matrix's name to its square block (rows of lists). Code that fills or reads a
workbook goes through these names, never through cell positions.
"""
from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping

from openpyxl.utils.cell import range_boundaries

from . import layout as L

__all__ = ["input_specs", "name_cells", "write_inputs", "read_inputs"]


def input_specs() -> dict[str, object]:
    """Every input name -> its declaration (:class:`~.layout.Field`, table column or :class:`~.layout.Matrix`)."""
    out: dict[str, object] = {}
    for f in L.inputs():
        out[f.name] = f
    for t in L.tables():
        if isinstance(t, L.Matrix):
            out[t.name] = t
        else:
            for col in t.columns:
                out[col.name] = col
    return out


def name_cells(wb, name: str) -> list[list]:
    """The cells a workbook-level defined name refers to, as rows of cells."""
    dn = wb.defined_names.get(name)
    if dn is None:
        raise KeyError(f"the workbook has no defined name {name!r}")
    (title, ref), = list(dn.destinations)
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    ws = wb[title]
    return [[ws.cell(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]


def _flat(rows):
    return [c for row in rows for c in row]


def _put(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.data_type = "s"  # text, never a formula


def write_inputs(wb, data: Mapping[str, object]) -> None:
    """Write inputs into a template workbook by defined name.

    Parameters
    ----------
    wb : openpyxl.Workbook
        A workbook built from the template.
    data : mapping
        Input name -> value: a scalar for a single input, a list (item 1
        first) for a table column, a list of rows for a matrix. ``None``
        leaves a cell blank. Text is always written as text.

    Raises
    ------
    KeyError
        A name that is not an input of the template.
    ValueError
        A list longer than the table's room, or a scalar given for a table.
    """
    specs = input_specs()
    for name, value in data.items():
        if name not in specs:
            raise KeyError(f"{name!r} is not an input of the template")
        rows = name_cells(wb, name)
        spec = specs[name]
        if isinstance(spec, L.Matrix):
            for r, row_values in enumerate(value):
                for c, v in enumerate(row_values):
                    _put(rows[r][c], v)
            continue
        cells = _flat(rows)
        if len(cells) == 1:
            if isinstance(value, (list, tuple)):
                raise ValueError(f"{name} is a single input; got a list")
            _put(cells[0], value)
            continue
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{name} is a table column; give a list")
        if len(value) > len(cells):
            raise ValueError(f"{name} holds at most {len(cells)} items; got {len(value)}")
        for cell, v in zip(cells, value):
            _put(cell, v)


def _read(v):
    if isinstance(v, _dt.datetime) and v.time() == _dt.time(0):
        return v.date()
    return v


def read_inputs(wb) -> dict[str, object]:
    """Every input of a template workbook by name (trailing blank items of a column dropped)."""
    out: dict[str, object] = {}
    for name, spec in input_specs().items():
        rows = name_cells(wb, name)
        if isinstance(spec, L.Matrix):
            out[name] = [[_read(c.value) for c in row] for row in rows]
            continue
        cells = _flat(rows)
        if isinstance(spec, L.Field) and len(cells) == 1:
            out[name] = _read(cells[0].value)
            continue
        values = [_read(c.value) for c in cells]
        while values and values[-1] is None:
            values.pop()
        out[name] = values
    return out
