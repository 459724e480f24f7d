"""The gate every workbook passes before anything parses it.

Every command that opens a workbook (calc, fill's template, extract, upgrade,
export-values, and the commands to come) reads it through this module:
:func:`read_package` for the checked bytes and zip package,
:func:`load_workbook` for an openpyxl workbook made from those same bytes
(never from the file again, which could have changed).

A file is refused, with a message naming it and saying why, when it

- is not a regular file, or is larger than ``LIMITS["file_bytes"]``;
- is not an Office Open XML workbook (.xlsx, .xlsm, .xltx, .xltm): text, a
  Word or PowerPoint package, an .xlsb;
- is an encrypted (password-protected) workbook or a legacy binary file
  (.xls; both are OLE compound files);
- is a damaged or truncated zip package: every part is decompressed once and
  its checksum verified;
- declares a decompression bomb (sizes, ratios and part counts above
  :data:`LIMITS`);
- holds two parts of the same name (compared as Office compares them, ignoring
  case: which copy a reader takes is up to the reader), or a part whose name is
  absolute or climbs out of the package (``/x``, ``../x``, ``C:x``, ``a\\b``);
- has an XML part that declares a document type (``<!DOCTYPE``, the door to
  entity expansion and external entities; Office never writes one), that is
  in an encoding other than UTF-8 or UTF-16 (a declaration could hide in one),
  or whose root element does not start in its first 16 KiB.

The prolog of an XML part (what stands before its root element) is read as an
XML parser reads it: the encoding from the byte-order mark, the byte pattern of
``<?xml`` and the declaration; comments and processing instructions skipped as
wholes, so a ``<a`` inside a comment does not end the prolog. Parsing itself
then goes through defusedxml, here and in openpyxl, which uses it when it is
installed (it is a dependency).
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass

__all__ = ["InputRefused", "Package", "read_package", "load_workbook", "open_package", "check_xml", "LIMITS"]

#: Limits on a workbook, checked before it is parsed.
LIMITS = {
    "file_bytes": 512 * 2**20,        # the file itself
    "members": 10_000,                # parts in the package
    "total_bytes": 1024 * 2**20,      # all parts, uncompressed
    "member_bytes": 512 * 2**20,      # one part, uncompressed
    "ratio": 200,                     # uncompressed / compressed, for parts above ratio_from bytes
    "ratio_from": 8 * 2**20,
    "xml_prolog_bytes": 16384,        # an XML part's root element starts within this many bytes
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
_HEAD = LIMITS["xml_prolog_bytes"]
_CHUNK = 1 << 20


class InputRefused(ValueError):
    """The input is not a workbook this tool will open; the message says which file and why."""


def _refuse(name: str, why: str) -> InputRefused:
    return InputRefused(f"{name}: {why}")


# --------------------------------------------------------------------------------------------
# XML parts: the prolog, read as a parser reads it
# --------------------------------------------------------------------------------------------
_XML_WS = " \t\r\n"
_DECL_ENCODING = re.compile(r"""^<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF8 = {"utf-8", "utf8", "us-ascii", "ascii"}
_UTF16 = {"utf-16", "utf16", "utf-16le", "utf-16be", "unicode"}


def _sniff(head: bytes) -> tuple[str | None, bytes]:
    """The encoding of an XML entity from its first bytes (XML 1.0 appendix F), and the bytes
    after any byte-order mark. None: not XML text a parser would read (a binary part)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8", head[3:]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) or head[:4] in (b"<\x00\x00\x00",
                                                                                  b"\x00\x00\x00<"):
        return "utf-32", head
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le", head[2:]
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be", head[2:]
    if head[:2] == b"<\x00":
        return "utf-16-le", head
    if head[:2] == b"\x00<":
        return "utf-16-be", head
    if head.lstrip(b" \t\r\n")[:1] == b"<":
        return "utf-8", head
    return None, head


def check_xml(data: bytes, part: str, name: str) -> None:
    """Refuse an XML part that declares a document type (entities, external references), that is
    in an encoding other than UTF-8/UTF-16, or whose root element does not start within its
    first ``LIMITS["xml_prolog_bytes"]`` bytes. A part that is not XML text (an image, the VBA
    project) passes: no XML parser reads it.
    """
    head = data[:_HEAD]
    enc, body = _sniff(head)
    if enc is None:
        return
    if enc == "utf-32":
        raise _refuse(name, f"refused: XML part {part} is in UTF-32; a workbook's XML is UTF-8 or UTF-16")
    text = body.decode(enc, errors="replace")
    m = _DECL_ENCODING.match(text)
    if m:
        declared = m[1].lower().replace("_", "-")
        family = "utf-8" if declared in _UTF8 else "utf-16" if declared in _UTF16 else None
        if family is None or not enc.startswith(family):
            raise _refuse(name, f"refused: XML part {part} declares the encoding {m[1]}; a workbook's XML is "
                                f"UTF-8 or UTF-16 (another encoding could hide a document type declaration)")
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _XML_WS:
            i += 1
        if text.startswith("<?", i):
            end, close = text.find("?>", i + 2), 2
        elif text.startswith("<!--", i):
            end, close = text.find("-->", i + 4), 3
        elif text.startswith("<!", i):
            raise _refuse(name, f"refused: XML part {part} declares a DOCTYPE/ENTITY (entity expansion or "
                                f"external entities); Excel never writes one")
        else:
            # the root element ("<" and a name), or something no parser accepts as XML: either way
            # no declaration can follow that a parser would read
            return
        if end < 0:
            if len(head) >= _HEAD:
                raise _refuse(name, f"refused: XML part {part} has no root element in its first {_HEAD} bytes")
            return  # a prolog cut short: the parser refuses the part
        i = end + close


# --------------------------------------------------------------------------------------------
# The package
# --------------------------------------------------------------------------------------------
def _bad_name(n: str) -> bool:
    if not n or "\\" in n or "\x00" in n or n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return True
    segments = n.rstrip("/").split("/")  # a trailing "/" is a folder entry
    return any(s in ("", ".", "..") for s in segments)


def _check_directory(zf: zipfile.ZipFile, name: str) -> None:
    infos = zf.infolist()
    if len(infos) > LIMITS["members"]:
        raise _refuse(name, f"refused: the package holds {len(infos)} parts (limit {LIMITS['members']})")
    total = 0
    seen: dict[str, str] = {}
    for i in infos:
        if _bad_name(i.filename):
            raise _refuse(name, f"refused: the package holds a part named {i.filename!r}, which is absolute "
                                f"or climbs out of the package; Excel never writes one")
        key = i.filename.casefold()
        if key in seen:
            raise _refuse(name, f"refused: the package holds two parts named {i.filename!r}"
                                + (f" and {seen[key]!r}" if seen[key] != i.filename else "")
                                + " (readers differ on which one counts); Excel never writes two")
        seen[key] = i.filename
        total += i.file_size
        if i.file_size > LIMITS["member_bytes"]:
            raise _refuse(name, f"refused as a possible zip bomb: part {i.filename} declares "
                                f"{i.file_size:,} bytes uncompressed (limit {LIMITS['member_bytes']:,})")
        if i.file_size > LIMITS["ratio_from"] and i.file_size > LIMITS["ratio"] * max(i.compress_size, 1):
            raise _refuse(name, f"refused as a possible zip bomb: part {i.filename} expands "
                                f"{i.file_size // max(i.compress_size, 1)}-fold (limit {LIMITS['ratio']}-fold)")
        if i.flag_bits & 0x1:
            raise _refuse(name, "refused: the package is encrypted")
    if total > LIMITS["total_bytes"]:
        raise _refuse(name, f"refused as a possible zip bomb: the parts declare {total:,} bytes uncompressed "
                            f"(limit {LIMITS['total_bytes']:,})")


def _main_type(zf: zipfile.ZipFile, name: str) -> str:
    from defusedxml.ElementTree import ParseError, fromstring
    try:
        types = zf.read("[Content_Types].xml")
    except KeyError:
        raise _refuse(name, "not an Excel workbook: a zip file without [Content_Types].xml") from None
    check_xml(types, "[Content_Types].xml", name)
    try:
        root = fromstring(types)
    except (ParseError, ValueError) as exc:
        raise _refuse(name, f"not an Excel workbook: damaged [Content_Types].xml ({exc})") from None
    for el in root:
        ct = el.get("ContentType", "")
        if ct in _WORKBOOK_TYPES:
            return ct
        if ct.startswith(_BINARY_TYPE):
            raise _refuse(name, "refused: a binary workbook (.xlsb); save it as .xlsx or .xlsm")
    raise _refuse(name, "not an Excel workbook: the package has no workbook part (is it a Word or "
                        "PowerPoint file?)")


def _check_parts(zf: zipfile.ZipFile, name: str) -> None:
    """Decompress every part once (the checksum is verified at its end) and check each XML prolog."""
    for info in zf.infolist():
        if info.is_dir():
            continue
        try:
            with zf.open(info) as f:
                head = f.read(_HEAD)
                while f.read(_CHUNK):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
            raise _refuse(name, f"not an Excel workbook: damaged zip package (part {info.filename}: "
                                f"{exc})") from None
        except NotImplementedError as exc:
            raise _refuse(name, f"refused: part {info.filename} uses a compression Excel does not ({exc})") \
                from None
        check_xml(head, info.filename, name)


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
                            ".xlsx/.xlsm workbook; save it as .xlsx or .xlsm in Excel")
    if not data.startswith(b"PK"):
        raise _refuse(name, "not an Excel workbook (.xlsx/.xlsm): not a zip package")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse(name, f"not an Excel workbook: damaged or truncated zip package ({exc})") from None
    _check_directory(zf, name)
    kind = _WORKBOOK_TYPES[_main_type(zf, name)]
    _check_parts(zf, name)
    return zf, kind


@dataclass(frozen=True)
class Package:
    """A workbook that passed the gate: its bytes, its zip package and its kind (".xlsm", ...)."""

    name: str
    data: bytes
    zip: zipfile.ZipFile
    kind: str
    path: str | None = None


def read_bytes(path, name: str | None = None) -> bytes:
    """The bytes of an input file, read at most up to the size limit; refused with a message
    when it is missing, a folder, not a regular file or too large."""
    path = os.fspath(path)
    name = name or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _refuse(name, "no such file") from None
    except OSError as exc:
        raise _refuse(name, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(name, "is a folder, not a workbook")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(name, "not a regular file (a device, pipe or socket); give a workbook file")
    if st.st_size > LIMITS["file_bytes"]:
        raise _refuse(name, f"refused: {st.st_size:,} bytes is above the {LIMITS['file_bytes']:,}-byte limit")
    try:
        with open(path, "rb") as f:
            data = f.read(LIMITS["file_bytes"] + 1)
    except OSError as exc:
        raise _refuse(name, f"cannot be read ({exc.strerror or exc})") from None
    return data


def read_package(src, name: str | None = None) -> Package:
    """Read a workbook file (or its bytes) through the gate.

    Parameters
    ----------
    src : str, os.PathLike or bytes
        The workbook file, or its bytes.
    name : str, optional
        How messages name it (default: the path, or "workbook").

    Returns
    -------
    Package

    Raises
    ------
    InputRefused
        The file is refused (see the module docstring); the message names it and says why.
    """
    if isinstance(src, (bytes, bytearray)):
        data, path = bytes(src), None
        name = name or "workbook"
    else:
        path = os.fspath(src)
        name = name or str(path)
        data = read_bytes(path, name)
    zf, kind = open_package(data, name)
    return Package(name, data, zf, kind, path)


def load_workbook(src, *, data_only: bool = False, keep_vba: bool = False, rich_text: bool = False,
                  name: str | None = None):
    """An openpyxl workbook of a file that passed the gate, made from the bytes the gate checked.

    ``src`` is a path, bytes, or a :class:`Package` already read. Keyword arguments are
    openpyxl's. What openpyxl cannot read is refused with its reason.

    Raises
    ------
    InputRefused
    """
    import openpyxl

    pkg = src if isinstance(src, Package) else read_package(src, name)
    try:
        return openpyxl.load_workbook(io.BytesIO(pkg.data), data_only=data_only, keep_vba=keep_vba,
                                      rich_text=rich_text)
    except Exception as exc:  # openpyxl's reasons are technical but say where
        raise _refuse(pkg.name, f"cannot be read as a workbook ({type(exc).__name__}: {exc})") from None

