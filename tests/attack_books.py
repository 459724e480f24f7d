"""Hostile workbook files (issue 10, item 5), generated into a folder: each is small to make,
and some would be large to keep (the zip bomb expands to 64 MiB).

``make(kind, folder)`` writes one and returns its path; :data:`REFUSED` maps each kind to
the words the refusal must hold.
"""
from __future__ import annotations

import io
import pathlib
import zipfile

import openpyxl


def plain_bytes() -> bytes:
    """A one-sheet workbook calling the catalogue: 1 x 0.8 x 0.4 x 0.25 = 0.08 (CASES.md A)."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, edit=None, extra=()) -> bytes:
    """The package ``data`` with ``edit(name, bytes)`` applied to each part and ``extra`` (name, bytes)
    parts appended (zipfile warns about a duplicate name but writes it)."""
    import warnings
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zi, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            body = zi.read(info)
            zo.writestr(info.filename, edit(info.filename, body) if edit else body)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, body in extra:
                zo.writestr(name, body)
    return out.getvalue()


def _sheet(edit):
    return _rezip(plain_bytes(), lambda n, b: edit(b) if n == "xl/worksheets/sheet1.xml" else b)


_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')


def junk() -> bytes:
    return b"name,amount\nA,1\n"


def encrypted() -> bytes:
    import msoffcrypto.format.ooxml as ooxml
    out = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(plain_bytes())).encrypt("secret", out)
    return out.getvalue()


def legacy_xls() -> bytes:
    # the OLE compound-file signature and header of an .xls (BIFF8) file, no encryption stream
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 482


def truncated() -> bytes:
    data = plain_bytes()
    return data[: len(data) // 2]  # the zip's central directory is gone


def corrupted_part() -> bytes:
    """The directory intact, but a part's compressed bytes damaged: only its checksum tells."""
    data = bytearray(plain_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + min(info.compress_size, 40) - 5):
        data[i] ^= 0x55
    return bytes(data)


def zip_bomb() -> bytes:
    return _rezip(plain_bytes(), extra=[("xl/media/padding.bin", b"\0" * (64 * 2**20))])  # 64 MiB of zeros


def duplicate_entry() -> bytes:
    # a second sheet1.xml after the first: calc computed from the last copy and wrote both
    second = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1"><f>PUNITIVE_TOTAL(100,6)</f></c></row></sheetData></worksheet>')
    return _rezip(plain_bytes(), extra=[("xl/worksheets/sheet1.xml", second)])


def duplicate_entry_case() -> bytes:
    # the same part name in other letters: Office part names ignore case
    return _rezip(plain_bytes(), extra=[("XL/Worksheets/Sheet1.xml", b"<worksheet/>")])


def traversal_entry() -> bytes:
    return _rezip(plain_bytes(), extra=[("../../evil.txt", b"written outside the package")])


def absolute_entry() -> bytes:
    return _rezip(plain_bytes(), extra=[("/etc/evil.xml", b"<x/>")])


def doctype_after_comment() -> bytes:
    # a comment holding "<a" before the DOCTYPE: a scan that takes the first "<a" as the root misses it
    return _sheet(lambda b: b'<?xml version="1.0"?><!-- <a --> ' + _LAUGHS.encode()
                  + b.replace(b"<f>", b"<f>&lol2;"))


def doctype_utf16_no_bom() -> bytes:
    # UTF-16 without a byte-order mark: expat reads it from the pattern of "<?xml"
    def edit(b):
        text = '<?xml version="1.0" encoding="UTF-16"?>' + _LAUGHS + b.decode("utf-8").split("?>", 1)[-1]
        return text.encode("utf-16-le")
    return _sheet(edit)


def doctype_other_encoding() -> bytes:
    # declared EBCDIC: the declaration itself is ASCII, the DOCTYPE after it is not
    def edit(b):
        return b'<?xml version="1.0" encoding="cp037"?>' + (_LAUGHS + "<worksheet/>").encode("cp037")
    return _sheet(edit)


#: kind -> (maker, words the refusal holds)
REFUSED = {
    "junk": (junk, "not a zip package"),
    "encrypted": (encrypted, "encrypted (password-protected)"),
    "legacy xls": (legacy_xls, "legacy binary file (.xls"),
    "truncated": (truncated, "damaged or truncated zip package"),
    "corrupted part": (corrupted_part, "damaged zip package (part xl/worksheets/sheet1.xml"),
    "zip bomb": (zip_bomb, "possible zip bomb"),
    "duplicate entry": (duplicate_entry, "two parts named 'xl/worksheets/sheet1.xml'"),
    "duplicate entry, other case": (duplicate_entry_case, "two parts named 'XL/Worksheets/Sheet1.xml'"),
    "traversal entry": (traversal_entry, "part named '../../evil.txt'"),
    "absolute entry": (absolute_entry, "part named '/etc/evil.xml'"),
    "doctype after a comment": (doctype_after_comment, "declares a DOCTYPE/ENTITY"),
    "doctype in UTF-16 without BOM": (doctype_utf16_no_bom, "declares a DOCTYPE/ENTITY"),
    "doctype in another encoding": (doctype_other_encoding, "declares the encoding cp037"),
}


def make(kind: str, folder, suffix: str = ".xlsx") -> pathlib.Path:
    """Write the attack ``kind`` into ``folder`` as ``attack<suffix>``; return its path."""
    path = pathlib.Path(folder) / f"attack{suffix}"
    path.write_bytes(REFUSED[kind][0]())
    return path
