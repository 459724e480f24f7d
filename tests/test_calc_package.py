"""Headless calculation (issue 4): what is written, what is kept, what is refused.

The workbooks are real: an .xlsm made by ``xlwings quickstart --standalone``
(a real VBA project), charts, comments and validations added by openpyxl, an
encrypted workbook made by msoffcrypto-tool, a sheet with shared formulas as
Excel writes them.
"""
from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, NamedStyle, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from xl_tsd.calc import InputRefused, calculate, cache, safety
from xl_tsd.cli import main


def _parts(path) -> dict:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


_V = re.compile(r"<v>[^<]*</v>|<v\s*/>")
_T = re.compile(r' t="(?:str|b|e|n)"')


def _without_values(xml: bytes) -> str:
    """Sheet XML with the values and value types of formula cells taken out."""
    text = xml.decode("utf-8")
    return re.sub(r"<c\b[^>]*>(?:(?!</c>).)*<f[ >/](?:(?!</c>).)*</c>",
                  lambda m: _T.sub("", _V.sub("", m.group())), text, flags=re.S)


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory):
    """A macro workbook: xlwings' standalone quickstart, then a case sheet, a chart, names, validations."""
    d = tmp_path_factory.mktemp("xlsm")
    subprocess.run([sys.executable, "-c", "import sys; from xlwings.cli import main; "
                    "sys.argv = ['xlwings', 'quickstart', 'case', '--standalone']; main()"],
                   cwd=d, check=True, capture_output=True)
    wb = openpyxl.load_workbook(d / "case" / "case.xlsm", keep_vba=True)
    ws = wb["Sheet1"]
    ws.title = "Case"
    inputs = NamedStyle("Input", font=Font(bold=True, color="1F4E79"),
                        fill=PatternFill("solid", fgColor="FFF2CC"))
    wb.add_named_style(inputs)
    for r, (label, v) in enumerate([("s1", 1), ("s2", 0.8), ("s3", 0.4), ("s4", 0.25)], 1):
        ws.cell(r, 1, label)
        c = ws.cell(r, 2, v)
        c.style = "Input"
        c.number_format = "0.00%"
        wb.defined_names[f"SHARE_{label.upper()}"] = DefinedName(f"SHARE_{label.upper()}",
                                                                 attr_text=f"Case!$B${r}")
    ws["A6"], ws["B6"] = "rate", "=TECH_CONTRIB_RATE(SHARE_S1,SHARE_S2,SHARE_S3,SHARE_S4)"
    ws["A7"], ws["B7"] = "base", "=DAMAGES_BASE(150000,1000,0.1,B6)"
    ws["A8"], ws["B8"] = "punitive", "=PUNITIVE_TOTAL(B7,6)"
    ws["B6"].number_format = "0.00%"
    ws["B7"].number_format = "#,##0"
    ws["B6"].comment = Comment("技术贡献率 s1 x s2 x s3 x s4", "xl_tsd")
    ws.column_dimensions["A"].width = 24
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1",
                        prompt="A share between 0 and 1", showInputMessage=True)
    dv.add("B1:B4")
    ws.add_data_validation(dv)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4))
    ws.add_chart(chart, "D2")
    path = d / "case_in.xlsm"
    wb.save(path)
    return path


def test_xlsm_keeps_everything_but_gains_values(xlsm, tmp_path):
    before = _parts(xlsm)
    stat = os.stat(xlsm)
    out = tmp_path / "case_out.xlsm"
    report = calculate(xlsm, out)
    after = _parts(out)
    assert _parts(xlsm) == before and os.stat(xlsm).st_mtime_ns == stat.st_mtime_ns  # input untouched
    assert list(after) == list(before)  # the same parts, in the same order
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]  # the VBA project, byte for byte
    changed = {n for n in before if after[n] != before[n]}
    sheets = cache.sheet_parts(zipfile.ZipFile(out))
    # only the sheet with formulas changed (openpyxl already set fullCalcOnLoad in workbook.xml);
    # styles, the chart, comments, drawings, the config sheet: identical
    assert changed == {sheets["Case"]}
    assert any("chart" in n for n in after) and any("comments" in n for n in after)
    # the sheet differs only by the values of its formula cells
    assert _without_values(after[sheets["Case"]]) == _without_values(before[sheets["Case"]])
    # and what openpyxl sees: names, validations, styles, widths, comments; values cached
    a, b = openpyxl.load_workbook(out, keep_vba=True), openpyxl.load_workbook(xlsm, keep_vba=True)
    assert a.sheetnames == b.sheetnames == ["Case", "_xlwings.conf"]
    assert {n: d.attr_text for n, d in a.defined_names.items()} == {n: d.attr_text for n, d in
                                                                    b.defined_names.items()}
    wa, wb_ = a["Case"], b["Case"]
    assert [(v.sqref, v.formula1, v.formula2, v.prompt) for v in wa.data_validations.dataValidation] == \
        [(v.sqref, v.formula1, v.formula2, v.prompt) for v in wb_.data_validations.dataValidation]
    for coord in ("B1", "B4", "B6", "B7"):
        assert wa[coord].style == wb_[coord].style and wa[coord].number_format == wb_[coord].number_format
        assert wa[coord].value == wb_[coord].value  # formulas kept
    assert wa.column_dimensions["A"].width == 24
    assert wa["B6"].comment.text == "技术贡献率 s1 x s2 x s3 x s4"
    cached = openpyxl.load_workbook(out, data_only=True)["Case"]
    assert cached["B6"].value == pytest.approx(0.08)             # CASES.md A
    assert cached["B7"].value == pytest.approx(1_200_000)        # hand: 150000 x 1000 x 0.1 x 0.08
    assert cached["B8"].value == "#NUM!"                         # FUNCTIONS.md: multiplier 6
    assert report.errors[0].reason == "#NUM! multiplier must be between 1 and 5 (got 6)"


def test_recalc_on_open_by_kind_or_as_asked(xlsm, tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    made, src = tmp_path / "made.xlsx", tmp_path / "a.xlsx"
    wb.save(made)  # openpyxl writes <calcPr calcId="124519" fullCalcOnLoad="1"/>
    # as Excel writes it: a calcPr without fullCalcOnLoad
    _rewrite(made, src, "xl/workbook.xml", lambda d: d.replace(b' fullCalcOnLoad="1"', b""))

    def calc_pr(path):
        # "<x a="1" />" (ElementTree) or "<x a="1"/>" (lxml, when installed): the same element
        return re.sub(r"\s*/>$", " />", re.search(r"<calcPr[^>]*>", _parts(path)["xl/workbook.xml"].decode()).group())

    calculate(src, tmp_path / "on.xlsx", recalc_on_open=True)
    assert calc_pr(tmp_path / "on.xlsx") == '<calcPr calcId="124519" fullCalcOnLoad="1" />'
    # an .xlsx by default keeps its values: Excel cannot compute the catalogue in it
    calculate(made, tmp_path / "off.xlsx")
    assert calc_pr(tmp_path / "off.xlsx") == f'<calcPr calcId="{cache.KEEP_VALUES_CALC_ID}" />'
    # a macro workbook, which can carry the xlwings functions, recalculates by default
    calculate(xlsm, tmp_path / "m.xlsm")
    assert calc_pr(tmp_path / "m.xlsm") == '<calcPr calcId="124519" fullCalcOnLoad="1" />'  # as it was
    calculate(xlsm, tmp_path / "m_off.xlsm", recalc_on_open=False)
    assert calc_pr(tmp_path / "m_off.xlsm") == f'<calcPr calcId="{cache.KEEP_VALUES_CALC_ID}" />'
    result = CliRunner().invoke(main, ["calc", str(made), "-o", str(tmp_path / "cli.xlsx"), "--recalc-on-open"])
    assert result.exit_code == 0 and 'fullCalcOnLoad="1"' in calc_pr(tmp_path / "cli.xlsx")


def test_workbook_xml_patch():
    assert cache.patch_workbook("<workbook><sheets/><definedNames/><extLst/></workbook>", True) == \
        '<workbook><sheets/><definedNames/><calcPr fullCalcOnLoad="1"/><extLst/></workbook>'
    assert cache.patch_workbook("<x:workbook><x:sheets/></x:workbook>", False) == \
        f'<x:workbook><x:sheets/><x:calcPr calcId="{cache.KEEP_VALUES_CALC_ID}"/></x:workbook>'
    assert cache.patch_workbook('<workbook><calcPr calcId="1" fullCalcOnLoad="1" /></workbook>', False) == \
        f'<workbook><calcPr calcId="{cache.KEEP_VALUES_CALC_ID}" /></workbook>'
    same = '<workbook><calcPr fullCalcOnLoad="true"/></workbook>'
    assert cache.patch_workbook(same, True) is same


def test_sheet_xml_patch_adds_missing_array_cells():
    xml = ('<worksheet xmlns="m"><sheetData><row r="1" spans="1:2"><c r="A1"><f>1</f><v>0</v></c></row>'
           '<row r="3"><c r="B3"><f t="array" ref="B3:B5">X()</f></c></row><row r="6"/></sheetData></worksheet>')
    got = cache.patch_sheet(xml, {"A1": 1.5, "B1": "a<b", "B3": 0.5, "B4": True, "B5": 2.0})
    assert got == ('<worksheet xmlns="m"><sheetData><row r="1"><c r="A1"><f>1</f><v>1.5</v></c>'
                   '<c r="B1" t="str"><v>a&lt;b</v></c></row><row r="3"><c r="B3"><f t="array" ref="B3:B5">X()'
                   '</f><v>0.5</v></c></row><row r="4"><c r="B4" t="b"><v>1</v></c></row><row r="5"><c r="B5">'
                   '<v>2</v></c></row><row r="6"/></sheetData></worksheet>')


def _rewrite(src, dst, part, edit):
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for i in zi.infolist():
            data = zi.read(i)
            zo.writestr(i, edit(data) if i.filename == part else data)


def test_excel_shared_formulas_and_prefixed_xml(tmp_path):
    """Formulas as Excel stores a filled-down column (shared), in XML with a namespace prefix."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 4):
        ws[f"A{r}"] = r
        ws[f"B{r}"] = "=A1*2"  # replaced below by one shared formula
    src, tmp = tmp_path / "in.xlsx", tmp_path / "plain.xlsx"
    wb.save(tmp)

    def excelify(data):
        x = data.decode()
        x = x.replace("<f>A1*2</f>", '<f t="shared" ref="B1:B3" si="0">A1*2</f>', 1)
        x = x.replace("<f>A1*2</f>", '<f t="shared" si="0"/>')
        x = x.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace("</worksheet>", "</x:worksheet>")
        return re.sub(r"<(/?)(?!x:|\?)([A-Za-z]+)", r"<\1x:\2", x).encode()

    _rewrite(tmp, src, "xl/worksheets/sheet1.xml", excelify)
    out = tmp_path / "out.xlsx"
    report = calculate(src, out)
    assert [report.values[("Sheet", f"B{r}")] for r in (1, 2, 3)] == [2.0, 4.0, 6.0]  # hand: 2 x A
    xml = _parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert '<x:c r="B2"><x:f t="shared" si="0"/><x:v>4</x:v></x:c>' in xml
    cached = openpyxl.load_workbook(out, data_only=True).active
    assert [cached[f"B{r}"].value for r in (1, 2, 3)] == [2, 4, 6]


def test_parts_openpyxl_would_drop_survive(tmp_path):
    """An openpyxl round trip drops xlwings Lite's web extension and dynamic-array metadata
    (checked: load_workbook + save loses both); calc copies every part it does not edit."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=AWARD_TOTAL(250000,15000,500000)"
    plain, src, out = tmp_path / "plain.xlsx", tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb.save(plain)
    extra = {
        "xl/webextensions/webextension1.xml":
            b'<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/'
            b'2010/11" id="{1}"><we:properties><we:property name="main.py" value="&quot;x = 1&quot;"/>'
            b'</we:properties></we:webextension>',
        "xl/metadata.xml": b'<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                           b'<metadataTypes count="1"><metadataType name="XLDAPR"/></metadataTypes></metadata>',
    }
    with zipfile.ZipFile(plain) as zi, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zo:
        for i in zi.infolist():
            data = zi.read(i)
            if i.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/webextensions/webextension1.xml" '
                                    b'ContentType="application/vnd.ms-office.webextension+xml"/><Override '
                                    b'PartName="/xl/metadata.xml" ContentType="application/vnd.openxmlformats-'
                                    b'officedocument.spreadsheetml.sheetMetadata+xml"/></Types>')
            zo.writestr(i, data)
        for name, data in extra.items():
            zo.writestr(name, data)
    calculate(src, out)
    after = _parts(out)
    for name, data in extra.items():
        assert after[name] == data
    assert after["[Content_Types].xml"] == _parts(src)["[Content_Types].xml"]
    assert openpyxl.load_workbook(out, data_only=True).active["A1"].value == 265000  # CASES.md C


# --- refused inputs ------------------------------------------------------------------------------

def _plain_workbook(path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
    wb.save(path)


def _encrypted(tmp_path):
    import msoffcrypto.format.ooxml as ooxml
    plain = tmp_path / "plain.xlsx"
    _plain_workbook(plain)
    out = io.BytesIO()
    with open(plain, "rb") as f:
        ooxml.OOXMLFile(f).encrypt("secret", out)
    return out.getvalue()


def _zip_bomb(tmp_path):
    plain = tmp_path / "plain.xlsx"
    _plain_workbook(plain)
    buf = io.BytesIO()
    with zipfile.ZipFile(plain) as zi, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zo:
        for i in zi.infolist():
            zo.writestr(i, zi.read(i))
        zo.writestr("xl/media/padding.bin", b"\0" * (64 * 2**20))  # 64 MiB of zeros, ~64 KiB packed
    return buf.getvalue()


def _entities(tmp_path):
    plain, bad = tmp_path / "plain.xlsx", tmp_path / "bad.xlsx"
    _plain_workbook(plain)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    _rewrite(plain, bad, "xl/worksheets/sheet1.xml",  # openpyxl writes no XML declaration
             lambda d: laughs.encode() + d.replace(b"<f>", b"<f>&lol2;"))
    return bad.read_bytes()


def _damaged(tmp_path):
    plain, bad = tmp_path / "plain.xlsx", tmp_path / "bad.xlsx"
    _plain_workbook(plain)
    _rewrite(plain, bad, "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2])  # cut in the middle
    return bad.read_bytes()


def _word_document(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   '</Types>')
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


REFUSED = {
    "text": (lambda tmp: b"name,amount\nA,1\n", "not a zip package"),
    "encrypted": (_encrypted, "encrypted (password-protected)"),
    "zip bomb": (_zip_bomb, "possible zip bomb"),
    "xml entities": (_entities, "declares a DOCTYPE/ENTITY"),
    "word document": (_word_document, "no workbook part"),
    "damaged": (_damaged, "cannot be read as a workbook"),
}


@pytest.mark.parametrize("kind", list(REFUSED))
def test_refused_inputs(kind, tmp_path):
    make, message = REFUSED[kind]
    src = tmp_path / "input.xlsx"
    src.write_bytes(make(tmp_path))
    before = src.read_bytes()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "out.xlsx"
    with pytest.raises(InputRefused, match=re.escape(message)):
        calculate(src, out)
    result = CliRunner().invoke(main, ["calc", str(src), "-o", str(out)])
    assert result.exit_code == 1 and message in result.output and str(src) in result.output
    assert os.listdir(out_dir) == []  # no output, no temporary file
    assert src.read_bytes() == before


def test_refused_outputs(tmp_path):
    src = tmp_path / "in.xlsx"
    _plain_workbook(src)
    with pytest.raises(InputRefused, match="would overwrite the input"):
        calculate(src, src)
    with pytest.raises(InputRefused, match="give the output the .xlsx extension"):
        calculate(src, tmp_path / "out.xlsm")
    with pytest.raises(InputRefused, match="no such file"):
        calculate(tmp_path / "missing.xlsx", tmp_path / "out.xlsx")
    assert sorted(os.listdir(tmp_path)) == ["in.xlsx"]


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _plain_workbook(src)
    out.write_bytes(b"previous output")

    def fail(*a, **kw):
        raise OSError("disk full")
    monkeypatch.setattr(cache, "write_package", fail)
    with pytest.raises(OSError, match="disk full"):
        calculate(src, out)
    assert sorted(os.listdir(tmp_path)) == ["in.xlsx", "out.xlsx"]
    assert out.read_bytes() == b"previous output"  # replaced only by a complete file


def test_xml_checks_look_before_the_root_only():
    safety.check_xml(b'<?xml version="1.0"?><sst><si><t>&lt;!DOCTYPE x&gt;</t></si></sst>', "p", "f")
    with pytest.raises(InputRefused, match="DOCTYPE"):
        safety.check_xml('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x><r/>'.encode("utf-16"), "p", "f")


# --- command line ---------------------------------------------------------------------------------

def test_cli_calc_report_and_exit_codes(tmp_path):
    src, out, rep = tmp_path / "in.xlsx", tmp_path / "out.xlsx", tmp_path / "report.json"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
    ws["A2"] = "=PUNITIVE_TOTAL(100,6)"
    wb.save(src)
    result = CliRunner().invoke(main, ["calc", str(src), "-o", str(out), "--report", str(rep)])
    assert result.exit_code == 0, result.output
    assert "2 formula cells computed" in result.output
    assert "Sheet!A2: #NUM! multiplier must be between 1 and 5 (got 6)" in result.output
    data = json.loads(rep.read_text("utf-8"))
    assert data["complete"] and data["values"]["Sheet!A1"] == pytest.approx(0.08)  # CASES.md A
    assert data["errors"] == [{"sheet": "Sheet", "cell": "A2", "code": "#NUM!",
                               "reason": "#NUM! multiplier must be between 1 and 5 (got 6)"}]
    ws["A3"] = "=_xlfn.MAKEARRAY(2,2,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,_xlpm.r))"
    wb.save(src)
    result = CliRunner().invoke(main, ["calc", str(src), "-o", str(out)])
    assert result.exit_code == 1 and "exists (pass --overwrite" in result.output  # nothing replaced unasked
    result = CliRunner().invoke(main, ["calc", str(src), "-o", str(out), "--overwrite"])
    assert result.exit_code == 3  # written, but a formula could not be computed
    assert "Sheet!A3: function not available in the engine: _xlfn.MAKEARRAY" in result.output
    assert openpyxl.load_workbook(out, data_only=True).active["A1"].value == pytest.approx(0.08)
