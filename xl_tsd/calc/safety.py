"""Checks on a workbook file before anything parses it.

A file is refused, with a message saying why, when it is not an Office Open
XML workbook (.xlsx, .xlsm, .xltx, .xltm), when it is an encrypted
(password-protected) workbook or a legacy binary file (both are OLE compound
files), when its zip directory declares a decompression bomb, or when an XML
part carries a document type declaration (the door to entity expansion and
external entities; Office never writes one). Parsing itself then goes through
defusedxml, here and in openpyxl, which uses it when it is installed.
"""
from __future__ import annotations

import io
import re
import zipfile

__all__ = ["InputRefused", "open_package", "LIMITS"]

#: Limits on what a workbook may declare before it is decompressed.
LIMITS = {
    "file_bytes": 512 * 2**20,        # the file itself
    "members": 10_000,                # parts in the package
    "total_bytes": 1024 * 2**20,      # all parts, uncompressed
    "member_bytes": 512 * 2**20,      # one part, uncompressed
    "ratio": 200,                     # uncompressed / compressed, for parts above ratio_from bytes
    "ratio_from": 8 * 2**20,
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": ".xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": ".xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": ".xltx",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": ".xltm",
}
_BINARY_TYPE = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
_XML_NAME = re.compile(r"\.(xml|rels|vml)$", re.I)
_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.I)
_ROOT = re.compile(r"<[A-Za-z_]")


class InputRefused(ValueError):
    """The input is not a workbook this tool will open; the message says why."""


def _refuse(name: str, why: str) -> InputRefused:
    return InputRefused(f"{name}: {why}")


def _check_directory(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > LIMITS["members"]:
        raise _refuse(name, f"refused: the package holds {len(infos)} parts (limit {LIMITS['members']})")
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > LIMITS["member_bytes"]:
            raise _refuse(name, f"refused as a possible zip bomb: part {i.filename} declares "
                                f"{i.file_size:,} bytes uncompressed")
        if i.file_size > LIMITS["ratio_from"] and i.file_size > LIMITS["ratio"] * max(i.compress_size, 1):
            raise _refuse(name, f"refused as a possible zip bomb: part {i.filename} expands "
                                f"{i.file_size // max(i.compress_size, 1)}-fold")
        if i.flag_bits & 0x1:
            raise _refuse(name, "refused: the package is encrypted")
    if total > LIMITS["total_bytes"]:
        raise _refuse(name, f"refused as a possible zip bomb: the parts declare {total:,} bytes uncompressed "
                            f"(limit {LIMITS['total_bytes']:,})")


def _main_type(zf: zipfile.ZipFile, name: str) -> str:
    from defusedxml.ElementTree import fromstring
    try:
        types = zf.read("[Content_Types].xml")
    except KeyError:
        raise _refuse(name, "not an Excel workbook: a zip file without [Content_Types].xml") from None
    check_xml(types, "[Content_Types].xml", name)
    root = fromstring(types)
    for el in root:
        ct = el.get("ContentType", "")
        if ct in _WORKBOOK_TYPES:
            return ct
        if ct.startswith(_BINARY_TYPE):
            raise _refuse(name, "refused: a binary workbook (.xlsb); save it as .xlsx or .xlsm")
    raise _refuse(name, "not an Excel workbook: the package has no workbook part (is it a Word or "
                        "PowerPoint file?)")


_HEAD = 16384


def check_xml(data: bytes, part: str, name: str) -> None:
    """Refuse an XML part that declares a document type (entities, external references).

    A declaration can only stand before the root element, so the head of the
    part is enough; a part whose root does not start within it is refused too.
    """
    head = data[:_HEAD]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("latin-1")
    m = _ROOT.search(text)
    if _DOCTYPE.search(text[:m.start()] if m else text):
        raise _refuse(name, f"refused: XML part {part} declares a DOCTYPE/ENTITY (entity expansion or "
                            f"external entities); Excel never writes one")
    if m is None and len(head) == _HEAD:
        raise _refuse(name, f"refused: XML part {part} has no root element in its first {_HEAD} bytes")


def open_package(data: bytes, name: str = "input") -> tuple[zipfile.ZipFile, str]:
    """The workbook package in ``data``, checked; and its kind (".xlsx", ".xlsm", ...).

    Raises
    ------
    InputRefused
        With a message naming the file and the reason.
    """
    if len(data) > LIMITS["file_bytes"]:
        raise _refuse(name, f"refused: {len(data):,} bytes is above the {LIMITS['file_bytes']:,}-byte limit")
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTION_INFO in data:
            raise _refuse(name, "refused: the workbook is encrypted (password-protected); remove the "
                                "password in Excel and save again")
        raise _refuse(name, "refused: a legacy binary file (.xls or another OLE document), not an "
                            ".xlsx/.xlsm workbook")
    if not data.startswith(b"PK"):
        raise _refuse(name, "not an Excel workbook (.xlsx/.xlsm): not a zip package")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _refuse(name, f"not an Excel workbook: damaged zip package ({exc})") from None
    _check_directory(zf, name)
    kind = _WORKBOOK_TYPES[_main_type(zf, name)]
    for info in zf.infolist():
        if _XML_NAME.search(info.filename) and info.file_size:
            with zf.open(info) as f:
                check_xml(f.read(_HEAD), info.filename, name)
    return zf, kind
