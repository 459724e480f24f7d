"""Standard modules into a workbook's VBA project, on any OS, with pyOpenVBA.

:func:`embed_udf_modules` is the template build's VBA step: it puts the
generated ``xlwings_udfs`` wrapper module (:func:`xl_tsd.excel.vba_udfs.bas_text`)
and the Function Wizard module (:func:`xl_tsd.excel.vba_wizard.wizard_module`) into
the project, so the workbook's functions work on open with no "Import
Functions" and no "Trust access to the VBA project object model".

What a written project looks like (checked after every write):

- Every module, reference and project property not named is kept: the
  ``dir`` stream's information and references records are re-emitted
  verbatim, untouched module streams are copied as they were.
- The project is source-only. ``_VBA_PROJECT`` is the 7-byte header with
  version 0xFFFF and no performance cache, so Excel ignores every compiled
  cache in the file and compiles each module from its source on open
  ([MS-OVBA] 1.6, 2.3.4.1); the written modules carry no compiled code
  (module offset 0); no ``__SRP_`` stream is left. pyOpenVBA writes the
  header's undefined last two bytes as 0x0000, as LibreOffice does.
- The output is a function of the input: pyOpenVBA copies every other ZIP
  entry with its date and compression, and gives new CFB entries zero
  timestamps and CLSIDs. The template's freshness test relies on this.

pyOpenVBA is used through its public API except for one private call,
``ExcelFile._get_cfb()``, to tidy two streams before it saves (see
:func:`_prepare_streams`); the dependency is pinned to the 6.5 series.
"""
from __future__ import annotations

__all__ = ["module_text", "set_standard_modules", "udf_modules", "embed_udf_modules",
           "SOURCE_ONLY_HEADER"]

import zipfile
from collections.abc import Mapping

from .._atomic import atomic_path, same_file

#: ``_VBA_PROJECT`` of a source-only project: 0x61CC, version 0xFFFF, 0x00, reserved 0x0001.
SOURCE_ONLY_HEADER = bytes.fromhex("cc61ffff000100")


def module_text(name: str, text: str) -> str:
    """The source text VBA stores for a standard module ``name`` given as ``text``.

    This is the text of an exported ``.bas`` file as the VBA editor imports
    it: line ends become CRLF, the text ends with CRLF, and the first line is
    ``Attribute VB_Name = "<name>"`` (added when missing). Nothing else
    changes, so the stored module equals the ``.bas`` text byte for byte up
    to those two rules.

    >>> module_text("M", 'Sub A()\\nEnd Sub')
    'Attribute VB_Name = "M"\\r\\nSub A()\\r\\nEnd Sub\\r\\n'

    Raises
    ------
    ValueError
        When the text names another module in its ``Attribute VB_Name`` line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header = f'Attribute VB_Name = "{name}"'
    first = text.split("\n", 1)[0]
    if first.startswith("Attribute VB_Name"):
        if first.strip() != header:
            raise ValueError(f"module text for {name!r} starts with {first!r}")
    else:
        text = header + "\n" + text
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _encoded(name: str, text: str, code_page: int) -> None:
    """Refuse text the project's code page cannot hold (VBA would show '?')."""
    from pyopenvba.vba import encoding_for_codepage
    encoding = encoding_for_codepage(code_page)
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise ValueError(f"module {name!r}, line {line}: {text[exc.start]!r} is not in the VBA "
                         f"project's code page {code_page}") from None


def _prepare_streams(wb, adding: bool) -> None:
    """Make pyOpenVBA's output a clean, source-only project.

    - ``_VBA_PROJECT`` becomes the source-only header whatever the input held
      (an Excel-saved input has its own version and a cache; pyOpenVBA keeps
      the version and only zeroes the cache).
    - The PROJECT stream loses trailing blank lines before modules are added:
      the xlwings quickstart's stream ends with one, and pyOpenVBA appends the
      new ``[Workspace]`` lines after it, leaving a blank line inside the
      section, which the [MS-OVBA] 2.3.1 grammar does not allow.
    """
    cfb = wb._get_cfb()  # pyOpenVBA 6.5 has no public raw-stream writer
    if not _source_only(cfb.get_stream_in_storage("VBA", "_VBA_PROJECT")):
        cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", SOURCE_ONLY_HEADER)
    if adding:
        raw = cfb.get_stream("PROJECT")
        tidy = raw.rstrip(b"\r\n") + b"\r\n"
        if tidy != raw:
            cfb.write_stream("PROJECT", tidy)


def set_standard_modules(xlsm_in, xlsm_out, modules: Mapping[str, str]) -> None:
    """Write ``xlsm_in`` to ``xlsm_out`` with standard modules added or replaced by name.

    Parameters
    ----------
    xlsm_in : path-like
        A macro-enabled workbook with a VBA project; never modified.
    xlsm_out : path-like
        Written atomically (a temporary file beside it, then one rename).
    modules : mapping of str to str
        Module name -> source text (``.bas`` text; see :func:`module_text`).
        A module of that name is replaced in place, a new one is appended
        after the existing modules, in the mapping's order.

    Raises
    ------
    ValueError
        When ``xlsm_out`` is ``xlsm_in``; when a name belongs to a module
        that is not a standard module (a sheet, a class); when a text does
        not fit the project's code page; when the project is signed or
        password-protected; or when the written file fails the checks
        described in this module's docstring.
    """
    from pyopenvba import ExcelFile, VBAModuleKind
    if same_file(xlsm_in, xlsm_out):
        raise ValueError(f"xlsm_out must not be the input workbook: {xlsm_out}")
    with ExcelFile(xlsm_in) as wb:
        if not wb.has_vba_project():
            raise ValueError(f"{xlsm_in}: the workbook has no VBA project")
        if wb.vba_signature().present:
            raise ValueError(f"{xlsm_in}: the VBA project is signed; changing it would void the signature")
        project = wb.vba_project()
        if project.protection is not None and project.protection.has_password:
            raise ValueError(f"{xlsm_in}: the VBA project is password-protected")
        existing = {m.name.casefold(): m for m in project.modules}
        texts = {name: module_text(name, text) for name, text in modules.items()}
        for name, text in texts.items():
            _encoded(name, text, project.code_page)
            old = existing.get(name.casefold())
            if old is not None and old.kind != VBAModuleKind.standard:
                raise ValueError(f"{xlsm_in}: {old.name!r} is not a standard module")
        _prepare_streams(wb, adding=any(n.casefold() not in existing for n in texts))
        for name, text in texts.items():
            if name.casefold() in existing:
                wb.set_module(name, text)
            else:
                project.add_module(name, text)
        with atomic_path(xlsm_out) as tmp:
            wb.save(tmp)
            _check_written(tmp, texts)


def _source_only(header: bytes) -> bool:
    # the last two bytes are undefined ([MS-OVBA] 2.3.4.1): any value will do
    return len(header) == 7 and header[:5] == SOURCE_ONLY_HEADER[:5]


def _check_written(path, texts: Mapping[str, str]) -> None:
    """Read the written file back and refuse it unless it is what the docstring promises."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import parse_vba_project
    with zipfile.ZipFile(path) as z:
        cfb = CFB.from_bytes(z.read("xl/vbaProject.bin"))
    header = cfb.get_stream_in_storage("VBA", "_VBA_PROJECT")
    problems = []
    if not _source_only(header):
        problems.append(f"_VBA_PROJECT is {header.hex()}, not a source-only header")
    if any(n.startswith("__SRP_") for n in cfb.list_streams_in_storage("VBA")):
        problems.append("a __SRP_ performance-cache stream is present")
    project = parse_vba_project(cfb)
    for name, text in texts.items():
        module = project.get_module(name)
        if module.source != text or module.text_offset != 0:
            problems.append(f"module {name!r} does not read back as written")
    problems += project.validate(cfb)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))


def udf_modules() -> dict[str, str]:
    """The modules the template carries: name -> text, generated now from the registry.

    ``xlwings_udfs`` is the text xlwings' Import Functions would write
    (:func:`xl_tsd.excel.vba_udfs.bas_text`); ``xl_tsd_wizard`` registers the
    Function Wizard help on open (:func:`xl_tsd.excel.vba_wizard.wizard_module`).
    """
    from .vba_udfs import VBA_MODULE_NAME, bas_text
    from .vba_wizard import MODULE_NAME, wizard_module
    return {VBA_MODULE_NAME: bas_text(), MODULE_NAME: wizard_module()}


def embed_udf_modules(xlsm_in, xlsm_out) -> None:
    """The template build's VBA step: ``xlsm_in`` plus :func:`udf_modules`, written to ``xlsm_out``.

    Running it on its own output replaces the two modules with their current
    text and changes nothing else.
    """
    set_standard_modules(xlsm_in, xlsm_out, udf_modules())
