"""The UDF modules embedded in a real xlwings standalone workbook, read back by other readers.

The workbook is the one ``xlwings quickstart NAME --standalone`` writes with
the installed xlwings (the template's starting point). The project is read
back with oletools (olevba's parser and decompressor, independent of
pyOpenVBA, the writer) and olefile; the wizard module is run in pyOpenVBA's
VBA interpreter.
"""
from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest

with warnings.catch_warnings():  # oletools 0.60 uses pyparsing names deprecated since 3.1
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Project, decompress_stream

from xl_tsd.registry import FUNCTIONS
from xl_tsd.excel.vba_project import embed_udf_modules, module_text, set_standard_modules, udf_modules
from xl_tsd.excel.vba_udfs import VBA_MODULE_NAME, bas_text, import_functions
from xl_tsd.excel.vba_wizard import MAX_LINE, MODULE_NAME, REGISTER_PROC, unescape, wizard_module

ROOT = Path(__file__).resolve().parents[1]
#: The modules of the xlwings 0.37.8 standalone quickstart, in project order (olevba listing).
QUICKSTART_MODULES = ["ThisWorkbook", "Sheet1", "Module1", "Sheet2", "xlwings", "Dictionary"]


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("qs")
    xlwings_cli = Path(sys.executable).with_name("xlwings")
    subprocess.run([str(xlwings_cli), "quickstart", "case", "--standalone"], cwd=where, check=True,
                   capture_output=True)
    return where / "case" / "case.xlsm"


@pytest.fixture(scope="module")
def embedded(quickstart, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "case.xlsm"
    embed_udf_modules(quickstart, out)
    return out


def vba_bin(xlsm: Path) -> bytes:
    with zipfile.ZipFile(xlsm) as z:
        return z.read("xl/vbaProject.bin")


def olevba_modules(xlsm: Path) -> list:
    """olevba's parse of the project: its module records, each with the decompressed code."""
    ole = olefile.OleFileIO(io.BytesIO(vba_bin(xlsm)))
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)  # raise on any oddity
    project.parse_project_stream()
    list(project.parse_modules())
    return project.modules


def dir_stream(xlsm: Path) -> bytes:
    ole = olefile.OleFileIO(io.BytesIO(vba_bin(xlsm)))
    return bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))


def dir_before_modules(raw: bytes) -> bytes:
    """The dir stream's information and reference records: everything before PROJECTMODULES."""
    pos = 0
    while True:
        rid, size = struct.unpack_from("<HI", raw, pos)
        if rid == 0x000F:
            return raw[:pos]
        # PROJECTVERSION's size field says 4 but 6 bytes follow ([MS-OVBA] 2.3.4.2.1.11)
        pos += 6 + (6 if rid == 0x0009 else size)


def test_olevba_lists_the_quickstart_modules_then_the_two_new_ones(embedded):
    names = [m.name for m in olevba_modules(embedded)]
    assert names == QUICKSTART_MODULES + [VBA_MODULE_NAME, MODULE_NAME]


def test_udf_module_is_the_generator_output_byte_for_byte(embedded):
    """Stored text = ``bas_text()`` exactly.

    The stored form of a module is its ``.bas`` text with CRLF line ends,
    ending in CRLF, with ``Attribute VB_Name`` first (``module_text``);
    the generator already writes that form, so no byte differs.
    """
    generated = bas_text()
    assert module_text(VBA_MODULE_NAME, generated) == generated
    stored = {m.name: m.code_raw for m in olevba_modules(embedded)}
    assert stored[VBA_MODULE_NAME] == generated.encode("cp1252")
    assert stored[MODULE_NAME] == wizard_module().encode("cp1252")
    committed = ROOT / "udfs" / "xlwings_udfs.bas"
    if committed.exists():  # its own freshness test lives with the generator
        assert stored[VBA_MODULE_NAME] == committed.read_bytes()


def test_every_vba_stream_decompresses_and_the_project_is_source_only(embedded, quickstart):
    before = {m.name: m for m in olevba_modules(quickstart)}
    for m in olevba_modules(embedded):
        assert m.code_raw, m.name  # decompressed from its MODULEOFFSET by oletools
        if m.name in (VBA_MODULE_NAME, MODULE_NAME):
            assert m.textoffset == 0  # no compiled code before the source
        else:
            assert (m.textoffset, m.code_raw) == (before[m.name].textoffset, before[m.name].code_raw)
    assert dir_stream(embedded)
    ole = olefile.OleFileIO(io.BytesIO(vba_bin(embedded)))
    # [MS-OVBA] 2.3.4.1: 0x61CC, version 0xFFFF, 0x00, two undefined bytes, no cache
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000000")
    assert not [s for s in ole.listdir() if s[-1].startswith("__SRP_")]


def test_references_and_project_records_are_unchanged(embedded, quickstart):
    assert dir_before_modules(dir_stream(embedded)) == dir_before_modules(dir_stream(quickstart))
    from pyopenvba import ExcelFile
    with ExcelFile(embedded) as after, ExcelFile(quickstart) as before:
        assert [r.libid for r in after.references()] == [r.libid for r in before.references()]
        assert len(after.references()) == 2  # MSForms, Office: what the quickstart carries


def test_untouched_streams_are_copied_and_project_stream_only_gains_two_modules(embedded, quickstart):
    old = olefile.OleFileIO(io.BytesIO(vba_bin(quickstart)))
    new = olefile.OleFileIO(io.BytesIO(vba_bin(embedded)))
    for name in QUICKSTART_MODULES:
        assert new.openstream(f"VBA/{name}").read() == old.openstream(f"VBA/{name}").read()
    old_lines = old.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    new_lines = new.openstream("PROJECT").read().decode("cp1252").split("\r\n")
    added = [f"Module={VBA_MODULE_NAME}", f"Module={MODULE_NAME}",
             f"{VBA_MODULE_NAME}=0, 0, 0, 0, C", f"{MODULE_NAME}=0, 0, 0, 0, C"]
    assert [line for line in new_lines if line not in added] == old_lines[:-1]  # one blank line less
    assert "" not in new_lines[new_lines.index("[Workspace]"):-1]  # no blank line inside the section


def test_output_is_deterministic_and_a_rebuild_changes_nothing(embedded, quickstart, tmp_path):
    again, rebuilt = tmp_path / "again.xlsm", tmp_path / "rebuilt.xlsm"
    before = quickstart.read_bytes()
    embed_udf_modules(quickstart, again)
    embed_udf_modules(embedded, rebuilt)  # replaces both modules by the same text
    assert again.read_bytes() == embedded.read_bytes()
    assert rebuilt.read_bytes() == embedded.read_bytes()
    assert quickstart.read_bytes() == before  # the input is never written


def test_only_the_vba_part_of_the_package_changes(embedded, quickstart):
    with zipfile.ZipFile(quickstart) as a, zipfile.ZipFile(embedded) as b:
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for ia, ib in zip(a.infolist(), b.infolist()):
            same = (ia.CRC, ia.date_time, ia.compress_type) == (ib.CRC, ib.date_time, ib.compress_type)
            assert same == (ia.filename != "xl/vbaProject.bin"), ia.filename


def test_a_module_is_replaced_in_place(embedded, tmp_path):
    out = tmp_path / "replaced.xlsm"
    set_standard_modules(embedded, out, {"Module1": "Sub SampleCall()\nEnd Sub\n"})
    modules = olevba_modules(out)
    assert [m.name for m in modules] == QUICKSTART_MODULES + [VBA_MODULE_NAME, MODULE_NAME]
    code = {m.name: m.code_raw for m in modules}
    assert code["Module1"] == b'Attribute VB_Name = "Module1"\r\nSub SampleCall()\r\nEnd Sub\r\n'
    assert code[VBA_MODULE_NAME] == bas_text().encode("cp1252")


@pytest.mark.parametrize("modules, message", [
    ({"Sheet1": "Sub A()\nEnd Sub"}, "not a standard module"),
    ({"M": "' 技术\nSub A()\nEnd Sub"}, "line 2: '技' is not in the VBA project's code page 1252"),
    ({"M": 'Attribute VB_Name = "N"\nSub A()\nEnd Sub'}, "starts with"),
])
def test_bad_requests_name_the_problem_and_write_nothing(quickstart, tmp_path, modules, message):
    out = tmp_path / "bad.xlsm"
    with pytest.raises(ValueError, match=re.escape(message)):
        set_standard_modules(quickstart, out, modules)
    assert list(tmp_path.iterdir()) == []  # no output, no temporary file left


def test_the_input_workbook_is_never_the_output(quickstart):
    with pytest.raises(ValueError, match="must not be the input"):
        embed_udf_modules(quickstart, quickstart)


def test_udf_modules_come_from_the_generators():
    assert udf_modules() == {VBA_MODULE_NAME: bas_text(), MODULE_NAME: wizard_module()}


# --- the Function Wizard module -----------------------------------------------------------

def test_wizard_literals_decode_to_what_import_functions_sends():
    """Every Register statement carries exactly xlwings' MacroOptions texts."""
    record = import_functions().macro_options
    text = wizard_module()
    statements = re.findall(r'^    Register "(\w+)", (.*?)(?=^    \S)', text, re.S | re.M)
    assert len(statements) == len(record) == len(FUNCTIONS)  # every catalogue function
    for name, rest in statements:
        # a long text continues on the next line as "..." & _ "...": join the pieces back
        rest = re.sub(r'" & _\r\n *"', "", rest)
        literals = [unescape(s) for s in re.findall(r'"([^"]*)"', rest)]
        options = record[f"'Template.xlsm'!{name}"]
        docs = options["ArgumentDescriptions"] or []
        assert literals == [options["Category"], options["Description"], *docs]
        assert rest.rstrip().endswith("Empty") == (not docs)
    assert max(len(line) for line in text.split("\r\n")) <= MAX_LINE
    assert text.isascii()


def test_wizard_procedure_runs_in_a_vba_interpreter_and_passes_the_texts(tmp_path):
    """Run the generated VBA (pyOpenVBA's interpreter) with MacroOptions swapped for a recorder.

    Checks that the module parses and runs, that ``Unescape`` restores the
    Chinese texts, and that each function gets its category, description and
    argument descriptions (none for a function without arguments).
    """
    from pyopenvba.apps.excel import ExcelApplication
    recorder = """
Public Sub RecordOptions(Macro, Description, Category, Optional ArgumentDescriptions As Variant)
    Dim r As Long, i As Long
    With ThisWorkbook.Worksheets(1)
        r = .Range("A1").Value + 2
        .Range("A1").Value = r - 1
        .Cells(r, 1).Value = Mid(Macro, 2)
        .Cells(r, 2).Value = Description
        .Cells(r, 3).Value = Category
        If Not IsMissing(ArgumentDescriptions) Then
            For i = LBound(ArgumentDescriptions) To UBound(ArgumentDescriptions)
                .Cells(r, 4 + i - LBound(ArgumentDescriptions)).Value = ArgumentDescriptions(i)
            Next i
        End If
    End With
End Sub
"""
    body = wizard_module().split("\r\n", 1)[1].replace("Application.MacroOptions ", "RecordOptions ")
    app = ExcelApplication()
    app.add_workbook()
    app.add_module(body, name=MODULE_NAME)
    app.add_module(recorder, name="Recorder")
    app.run(REGISTER_PROC)
    sheet = app.sheet(1)
    record = import_functions(workbook_name="Book1").macro_options
    assert sheet.value("A1") == len(record) == len(FUNCTIONS)
    for row in range(2, 2 + len(record)):
        macro = "'" + sheet.value(f"A{row}")
        options = record[macro]
        docs = options["ArgumentDescriptions"] or []
        got = [sheet.value(f"{col}{row}") for col in "DEFGHI"]
        assert sheet.value(f"B{row}") == options["Description"]
        assert sheet.value(f"C{row}") == options["Category"]
        assert got == docs + [None] * (6 - len(docs))


def test_committed_template_carries_the_current_modules():
    """workbook/Template.xlsm (built by ``xl-tsd template``) holds both modules as generated now."""
    template = ROOT / "workbook" / "Template.xlsm"
    modules = {m.name: m for m in olevba_modules(template)}
    assert modules[VBA_MODULE_NAME].code_raw == bas_text().encode("cp1252")
    assert modules[MODULE_NAME].code_raw == wizard_module().encode("cp1252")
    assert set(QUICKSTART_MODULES) < set(modules)
    ole = olefile.OleFileIO(io.BytesIO(vba_bin(template)))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000000")
