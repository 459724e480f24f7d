"""The integrity seal of a computed case workbook.

A SHA-256 fingerprint of what the figures were computed from: the case's inputs
in canonical form, the template version, the xl_tsd and xlwings versions, and
the digest of the legal table (:func:`xl_tsd.legal.table_digest`). It is
written when the workbook is computed (``calc``, ``fill``, ``batch``):

- on the Cover, as values: ``Seal_Fingerprint`` (the 64 hex digits) and
  ``Seal_Basis`` (what it covers, in words);
- in the workbook's custom document properties, ``xl_tsd_seal*``: the
  fingerprint's parts and a short digest of each input, so that
  ``xl-tsd verify`` can name the input that changed since (each property
  within the 255 characters Excel keeps of one).

Anyone recomputing the inputs of a workbook gets the same fingerprint with the
same versions and legal table; an input edited afterwards (in Excel, or by
any program) changes it.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from .._version import __version__

__all__ = ["SEAL_NAME", "BASIS_NAME", "NOT_SEALED", "PROP_PREFIX", "Seal", "canonical", "seal_of_inputs",
           "stored_seal", "Finisher", "finisher_for"]

SEAL_NAME = "Seal_Fingerprint"
BASIS_NAME = "Seal_Basis"
NOT_SEALED = "未计算 not computed yet"
PROP_PREFIX = "xl_tsd_seal"
_PROP_MAX = 255          # characters Excel keeps of a custom property's text
_NUMBER_DIGITS = 15      # significant digits of a number in the fingerprint (Excel's precision)
_INPUT_DIGITS = 12       # hex digits of each input's own digest: enough to tell a change, short to store
_CUSTOM_PART = "docProps/custom.xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


def canonical(value):
    """An input value in the one form the fingerprint hashes: numbers as numbers (1 and 1.0 alike),
    dates as ISO text, lists item by item."""
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        # to Excel's 15 significant digits: a file keeps a number at 15 to 17 (openpyxl writes 16, Excel 17)
        f = float(f"{float(value):.{_NUMBER_DIGITS}g}")
        return int(f) if f.is_integer() and abs(f) < 2 ** 53 else f
    return str(value)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _xlwings_version() -> str:
    try:
        from importlib.metadata import version
        return version("xlwings")
    except Exception:
        return "not installed"


@dataclass(frozen=True)
class Seal:
    """A fingerprint and its parts."""

    inputs: str            # SHA-256 of the canonical inputs
    template: str          # template version
    package: str           # xl_tsd version
    xlwings: str           # xlwings version
    legal: str             # SHA-256 of the legal table (xl_tsd.legal.table_digest)
    digests: dict = field(default_factory=dict, compare=False)  # input name -> short digest

    PARTS = (("inputs", "输入", "inputs"), ("template", "模板版本", "template version"),
             ("package", "xl_tsd 版本", "xl_tsd version"), ("xlwings", "xlwings 版本", "xlwings version"),
             ("legal", "法律参数表", "legal table"))

    @property
    def fingerprint(self) -> str:
        return _sha("\n".join(f"{k}={getattr(self, k)}" for k, _, _ in self.PARTS))

    def basis(self) -> str:
        """What the seal covers, in words (the Cover's ``Seal_Basis``)."""
        return (f"输入 inputs sha256:{self.inputs[:16]} · 模板 template v{self.template} · xl_tsd {self.package}"
                f" · xlwings {self.xlwings} · 法律参数表 legal table sha256:{self.legal[:16]}")

    def properties(self) -> list[tuple[str, str]]:
        """The custom document properties: the parts, then the inputs' digests in pieces of at most
        255 characters."""
        props = [(f"{PROP_PREFIX}", self.fingerprint)]
        props += [(f"{PROP_PREFIX}_{k}", getattr(self, k)) for k, _, _ in self.PARTS]
        chunk, n = "", 1
        for name, d in sorted(self.digests.items()):
            item = f"{name}={d};"
            if len(chunk) + len(item) > _PROP_MAX:
                props.append((f"{PROP_PREFIX}_in{n}", chunk))
                chunk, n = "", n + 1
            chunk += item
        if chunk:
            props.append((f"{PROP_PREFIX}_in{n}", chunk))
        return props

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> "Seal | None":
        try:
            parts = {k: props[f"{PROP_PREFIX}_{k}"] for k, _, _ in cls.PARTS}
        except KeyError:
            return None
        digests = {}
        for key in sorted((k for k in props if re.fullmatch(rf"{PROP_PREFIX}_in\d+", k)),
                          key=lambda k: int(k.rsplit("in", 1)[1])):
            for item in filter(None, props[key].split(";")):
                name, _, d = item.partition("=")
                digests[name] = d
        return cls(**parts, digests=digests)

    def differences(self, other: "Seal") -> list[str]:
        """What differs from ``other`` (the seal stored), in words naming each input changed."""
        out = []
        if self.inputs != other.inputs:
            changed = sorted(n for n in set(self.digests) | set(other.digests)
                             if self.digests.get(n) != other.digests.get(n))
            out.append("inputs changed since the seal: " + (", ".join(changed) if changed else
                                                             "(which cannot be told: no input digests stored)"))
        for k, zh, en in self.PARTS[1:]:
            if getattr(self, k) != getattr(other, k):
                out.append(f"{en} {getattr(other, k)[:16]} when sealed, {getattr(self, k)[:16]} now")
        return out


def seal_of_inputs(inputs: dict, template_version) -> Seal:
    """The seal of the inputs read from a workbook (:func:`xl_tsd.template.contract.read_inputs`)."""
    from .. import legal
    canon = {k: canonical(v) for k, v in inputs.items()}
    return Seal(_sha(_json(canon)), str(canonical(template_version)), __version__, _xlwings_version(),
                legal.table_digest(), {k: _sha(_json(v))[:_INPUT_DIGITS] for k, v in canon.items()})


def _cell_of(wb, name):
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    try:
        (sheet, ref), = list(dn.destinations)
        return wb[sheet][ref.replace("$", "").split(":")[0]]
    except Exception:
        return None


def seal_of_workbook(wb) -> Seal:
    """The seal of an openpyxl workbook built from the template, from its inputs as they are now."""
    from ..template import contract
    version = _cell_of(wb, "Template_Version")
    return seal_of_inputs(contract.read_inputs(wb), version.value if version is not None else None)


def stored_seal(wb) -> tuple[str | None, "Seal | None"]:
    """(the fingerprint on the Cover, the seal in the document properties) of a workbook; None where absent."""
    cell = _cell_of(wb, SEAL_NAME)
    shown = cell.value if cell is not None and cell.value not in (None, NOT_SEALED) else None
    props = {}
    try:
        for p in wb.custom_doc_props.props:
            if p.name.startswith(PROP_PREFIX):
                props[p.name] = str(p.value)
    except AttributeError:
        pass
    return shown, Seal.from_properties(props)


# --- writing the seal and the print finish when a workbook is computed -----------------------------------
class Finisher:
    """What :func:`xl_tsd.calc.cache.write_package` puts into a template workbook as it writes it: the seal
    (Cover cells and document properties), the print areas, the table rows not in use hidden and the header's
    case number."""

    other_parts = frozenset({_CUSTOM_PART})

    def __init__(self, seal: Seal, cells: dict, case_number, sheet_parts: dict, probe: list | None = None,
                 table_rows: dict | None = None):
        self.seal = seal
        self.cells = cells                 # (sheet, "A1") -> (t, inner XML) of the seal's Cover cells
        self.case_number = case_number
        self.sheet_part_names = set(sheet_parts.values())
        from ..template import printing
        self.period_part_names = {sheet_parts[t] for t in printing.PERIOD_SHEETS if t in sheet_parts}
        self.probe = probe or []           # (sheet, "A1") of the row blank in a period not in use
        # sheet part -> (item rows of the fixed-size tables, those not in use), printing.table_rows
        self.table_rows = {sheet_parts[t]: r for t, r in (table_rows or {}).items() if t in sheet_parts}

    def workbook_xml(self, xml: str, values: dict) -> str:
        from ..template import printing
        return printing.finish_workbook_xml(xml, values)

    def sheet_xml(self, part: str, xml: str, values: dict | None = None) -> str:
        from ..template import printing
        if part not in self.sheet_part_names:
            return xml
        wide = part in self.period_part_names and values is not None
        return printing.finish_sheet_xml(xml, self.case_number,
                                         pages_wide=printing.pages_wide(self.periods(values)) if wide else 1,
                                         rows=self.table_rows.get(part))

    def periods(self, values: dict) -> int:
        """The number of the last period in use (1 at least), from the computed values."""
        from ..template import printing
        return printing.last_period(self.probe, values)

    def other_part(self, part: str, data: bytes) -> bytes | None:
        """The new bytes of a part that is not a sheet (the custom properties), or None to keep it."""
        if part != _CUSTOM_PART:
            return None
        text = data.decode("utf-8")
        text = re.sub(rf'<property\b[^>]*\bname="{PROP_PREFIX}[^"]*"[^>]*>.*?</property>', "", text, flags=re.S)
        pids = [int(p) for p in re.findall(r'\bpid="(\d+)"', text)]
        pid = max(pids, default=1) + 1
        new = "".join(f'<property fmtid="{_FMTID}" pid="{pid + i}" name="{escape(k)}"><vt:lpwstr xmlns:vt="{_VT}">'
                      f"{escape(v)}</vt:lpwstr></property>" for i, (k, v) in enumerate(self.seal.properties()))
        end = text.rindex("</Properties>")
        return (text[:end] + new + text[end:]).encode("utf-8")


def _inline(text: str) -> tuple[str, str]:
    return "inlineStr", f"<is><t>{escape(text)}</t></is>"


def finisher_for(wb, sheet_parts: dict) -> Finisher | None:
    """The :class:`Finisher` of an openpyxl workbook holding the inputs to be computed (None for a
    workbook not built from the template: it has no seal cell)."""
    from ..template import contract
    if any(wb.defined_names.get(n) is None for n in contract.input_specs()):
        return None  # not the current template's inputs (an older version being upgraded): not sealed
    cells = {}
    for name in (SEAL_NAME, BASIS_NAME):
        dn = wb.defined_names.get(name)
        if dn is None:
            return None
        (sheet, ref), = list(dn.destinations)
        cells[(sheet, ref.replace("$", ""))] = name
    s = seal_of_workbook(wb)
    content = {k: _inline(s.fingerprint if n == SEAL_NAME else s.basis()) for k, n in cells.items()}
    case = _cell_of(wb, "Case_Number")
    from ..template import printing
    return Finisher(s, content, case.value if case is not None else None, sheet_parts, printing.probe_cells(wb),
                    printing.table_rows(wb))


def finisher_for_package(data: bytes, xml_of_workbook: str, sheet_parts: dict) -> Finisher | None:
    """:func:`finisher_for` of a workbook's bytes; None, without reading them, for a workbook without
    the seal's name."""
    if SEAL_NAME not in xml_of_workbook:
        return None

    from ..calc import safety
    wb = safety.load_workbook(data)
    return finisher_for(wb, sheet_parts)
