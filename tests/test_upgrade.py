"""xl-tsd upgrade (issue 6, item 4): an older template version's workbook moved into the current template.

The "older version" is made here from the current template, the way versions
differ: the worked example's inputs are written by name, then one input is
renamed (Share_S2 -> Share_S2_Old), one name is deleted (Case_Court), the
periods table gets a 21st unit cell (an older, larger table), the version is
set to 0, an input cell holds a formula, a note is typed onto the Inputs
sheet, the xlwings interpreter is set, a VBA module is added, and a styled
user sheet with formulas, names and a chart is added. The file is
computed (as Excel would have saved it) before the upgrade reads it.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName

from xl_tsd.calc import calculate
from xl_tsd.template import layout as L
from xl_tsd.cli import main
from xl_tsd.template import DEFAULT_PATH
from xl_tsd.template.contract import name_cells, read_inputs, write_inputs
from xl_tsd.template.example import example_inputs, library_total, write_example
from xl_tsd.excel.vba_project import set_standard_modules
from xl_tsd.workflows.upgrade import UpgradeError, Value, upgrade

USER_SHEET = "My workings"
INTERPRETER = r"C:\Users\me\venv\Scripts\python.exe"
NOTE = "checked with the client on 3 May"  # typed onto the Inputs sheet, outside the inputs


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cell(wb, name):
    (title, ref), = list(wb.defined_names[name].destinations)
    return wb[title][ref.replace("$", "").split(":")[0]]


def _old_inputs() -> dict:
    data = example_inputs()
    data["Case_Defendant"] = "=HYPERLINK(\"http://x\")"  # formula-injection text: must stay text
    data["Case_Analyst"] = None                              # replaced by a formula below
    return data


@pytest.fixture(scope="module")
def old_book(tmp_path_factory):
    """An "older version" workbook (see the module docstring), computed, and what was written."""
    folder = tmp_path_factory.mktemp("upgrade")
    wb = openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)
    data = _old_inputs()
    write_inputs(wb, data)
    where = {n: _cell(wb, n).coordinate for n in ("Share_S2", "Case_Court", "Case_Analyst")}
    # an input cell holding a formula (its last value moves, not the formula)
    _cell(wb, "Case_Analyst").value = '="Analyst"&" A"'
    # the older version: a renamed input, an input without a name, a larger periods table
    dn = wb.defined_names.pop("Share_S2")
    dn.name = "Share_S2_Old"
    wb.defined_names["Share_S2_Old"] = dn
    del wb.defined_names["Case_Court"]
    dn = wb.defined_names["Per_Units"]
    title, ref = next(iter(dn.destinations))
    first, last = ref.split(":")
    row = last.split("$")[-1]
    dn.attr_text = f"{title}!{first}:$Z${row}"
    wb[title][f"Z{row}"] = 999.0
    where["Per_Units_21"] = f"Z{row}"
    wb["Cover"]["C15"] = 0  # Template_Version
    wb["Inputs"]["AC2"] = NOTE
    # the user's sheet: styled cells, a formula on a template name, merged cells, sizes, a chart
    ws = wb.create_sheet(USER_SHEET)
    ws["A1"] = "s3 in percent"
    ws["A1"].font = Font(bold=True, color="FFC00000", size=13)
    ws["A1"].fill = PatternFill("solid", fgColor="FFFFF2CC")
    ws["B1"] = "=Share_S3*100"
    ws["B1"].number_format = "0.0"
    ws["B1"].border = Border(bottom=Side(style="double"))
    ws["A2"] = "=not a formula"
    ws["A2"].data_type = "s"
    ws["A3"] = "merged heading"
    ws["A3"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.merge_cells("A3:C3")
    ws["A5"], ws["B5"] = 1.0, 2.0
    ws.column_dimensions["A"].width = 31.5
    ws.row_dimensions[3].height = 42.0
    ws["C5"] = "=My_Factor*2"
    ws["D5"] = "=Inputs!E5"  # a template cell by address: carried, with a warning
    wb.defined_names["My_Factor"] = DefinedName("My_Factor", attr_text=f"'{USER_SHEET}'!$A$5")
    wb.defined_names["My_Award"] = DefinedName("My_Award", attr_text="Calculations!$E$78")
    ws.defined_names["Local_B"] = DefinedName("Local_B", attr_text=f"'{USER_SHEET}'!$B$5")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=5, max_col=2, max_row=5))
    ws.add_chart(chart, "E5")
    wb["xlwings.conf"]["B1"] = INTERPRETER  # the user's own Python (a setting users are told to change)
    filled, with_macro = folder / "filled.xlsm", folder / "macro.xlsm"
    wb.save(filled)
    set_standard_modules(filled, with_macro, {"My_Macros": 'Sub Hello()\r\n    MsgBox "hi"\r\nEnd Sub\r\n'})
    old = folder / "Old.xlsm"
    calculate(with_macro, old)  # cached values, as Excel saves them
    return old, data, where


@pytest.fixture(scope="module")
def upgraded(old_book):
    old, _data, _where = old_book
    before = _digest(old)
    new = old.with_name("New.xlsm")
    report = upgrade(old, new, template=DEFAULT_PATH)
    return report, before, openpyxl.load_workbook(new), openpyxl.load_workbook(new, data_only=True)


def test_every_value_with_a_home_arrives(old_book, upgraded):
    _old, data, _where = old_book
    report, _before, new, _values = upgraded
    got = read_inputs(new)
    expected = {n: v for n, v in data.items() if v is not None}
    for name in ("Share_S2", "Case_Court"):  # no home: renamed / unnamed in OLD (reported, see below)
        expected.pop(name)
    expected["Case_Analyst"] = "Analyst A"   # the formula's last value
    for name, value in expected.items():
        assert got[name] == value, name
    # spot checks, from example_inputs (CASES.md A figures) and the fixture
    assert got["Per_Units"] == [6000.0, 12000.0, 20000.0]
    assert got["Per_Start"] == [dt.date(2018, 9, 1), dt.date(2019, 4, 23), dt.date(2020, 1, 1)]
    assert got["Share_S3"] == 0.4
    assert got["Share_S2"] is None and got["Case_Court"] is None
    # formula-injection text stays text
    cell = name_cells(new, "Case_Defendant")[0][0]
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    assert report.moved["Per_Units"] == 3 and report.moved["Share_S3"] == 1


def test_values_without_a_home_are_reported_with_their_values(old_book, upgraded):
    _old, data, where = old_book
    report = upgraded[0]
    assert report.old_version == 0 and report.new_version == L.TEMPLATE_VERSION
    assert report.removed == {"Share_S2_Old": [Value("Share_S2_Old", "", f"Inputs!{where['Share_S2']}", 0.8)]}
    assert report.removed_refs == {"Share_S2_Old": f"Inputs!{where['Share_S2']}"}
    assert report.missing == ["Case_Court", "Share_S2"]
    assert [(v.cell, v.value) for v in report.unnamed] == [(f"Inputs!{where['Case_Court']}", data["Case_Court"])]
    assert "Court" in report.unnamed[0].label
    assert report.no_room == [Value("Per_Units", "21", f"Inputs!{where['Per_Units_21']}", 999.0)]
    assert [(v.name, v.value, f) for v, f in report.formulas] == [("Case_Analyst", "Analyst A", '="Analyst"&" A"')]
    assert [(v.cell, v.value) for v in report.template_edits] == [("Inputs!AC2", NOTE)]
    assert not report.everything_carried
    text = report.summary()
    for piece in ("version 0", "Share_S2_Old", "0.8", "999", "Case_Court", NOTE, "Analyst A"):
        assert piece in text, piece


def test_user_sheet_is_carried_with_formula_and_style(upgraded):
    report, _before, new, values = upgraded
    assert report.user_sheets == [USER_SHEET]
    ws, vs = new[USER_SHEET], values[USER_SHEET]
    assert new.sheetnames[-1] == USER_SHEET
    assert ws["B1"].value == "=Share_S3*100" and ws["B1"].data_type == "f"
    assert vs["B1"].value == pytest.approx(40.0)  # hand calculation: s3 0.4 x 100, computed in NEW
    assert ws["A1"].font.b and ws["A1"].font.sz == 13 and ws["A1"].font.color.rgb == "FFC00000"
    assert ws["A1"].fill.fgColor.rgb == "FFFFF2CC"
    assert ws["B1"].number_format == "0.0" and ws["B1"].border.bottom.style == "double"
    assert ws["A2"].value == "=not a formula" and ws["A2"].data_type == "s"
    assert ws["A3"].alignment.horizontal == "center" and ws["A3"].alignment.wrap_text
    assert [r.coord for r in ws.merged_cells.ranges] == ["A3:C3"]
    assert ws.column_dimensions["A"].width == 31.5 and ws.row_dimensions[3].height == 42.0
    assert (ws["A5"].value, ws["B5"].value) == (1.0, 2.0)
    # the user's names: into the user sheet carried, at a template cell by address reported
    assert new.defined_names["My_Factor"].attr_text == f"'{USER_SHEET}'!$A$5"
    assert ws.defined_names["Local_B"].attr_text == f"'{USER_SHEET}'!$B$5"
    assert vs["C5"].value == pytest.approx(2.0)  # hand calculation: A5 = 1 doubled
    assert "My_Award" not in new.defined_names
    assert any(n.startswith("name My_Award = Calculations!$E$78") for n in report.not_carried)
    assert report.warnings == [f"{USER_SHEET}!D5 =Inputs!E5: refers to a template sheet by address; "
                               f"the layout may have moved"]
    # the chart is not carried, and said so (openpyxl's object and the package's drawing part)
    assert any(USER_SHEET in n and "chart" in n for n in report.not_carried)
    assert any(USER_SHEET in n and "drawing" in n for n in report.not_carried)


def test_settings_carried_and_macros_reported(upgraded):
    report, _before, new, _values = upgraded
    assert new["xlwings.conf"]["B1"].value == INTERPRETER
    assert report.settings == [f"Interpreter_Win = {INTERPRETER!r}"]
    assert new["xlwings.conf"]["B3"].value.startswith("=IFERROR(")  # unchanged settings stay the template's
    assert "VBA module My_Macros: not in the current template; not carried (procedures: Sub Hello())" \
        in report.not_carried


def test_new_is_computed_on_the_current_template(upgraded):
    report, _before, new, values = upgraded
    assert _cell(values, "Template_Version").value == L.TEMPLATE_VERSION
    # hand calculation: 6000 x 180000 + 12000 x 175000 + 20000 x 170000 (example_inputs, CASES.md A)
    assert _cell(values, "Revenue_Total").value == pytest.approx(6_580_000_000.0)
    assert _cell(values, "Contrib_S3").value == pytest.approx(0.4)
    # s2 has no home, so the chain cannot be computed: the checks say so
    assert _cell(values, "Check_Master").value is False
    assert report.calc.output == str(report.output) and report.calc.formula_cells > 500


def test_old_is_unchanged_byte_for_byte(old_book, upgraded):
    old = old_book[0]
    assert _digest(old) == upgraded[1]
    assert not list(old.parent.glob(".*.part"))  # no temporary left beside the output


def test_new_equal_to_old_is_refused(old_book, tmp_path):
    old = old_book[0]
    before = _digest(old)
    with pytest.raises(UpgradeError, match="overwrite the old workbook"):
        upgrade(old, old, template=DEFAULT_PATH)
    with pytest.raises(UpgradeError, match="overwrite the old workbook"):
        upgrade(old, old.parent / "." / old.name, template=DEFAULT_PATH, overwrite=True)
    assert _digest(old) == before


def test_a_workbook_not_built_from_the_template_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.save(tmp_path / "plain.xlsx")
    new = tmp_path / "New.xlsm"
    with pytest.raises(UpgradeError, match="not a workbook built from the xl_tsd case template"):
        upgrade(tmp_path / "plain.xlsx", new, template=DEFAULT_PATH)
    (tmp_path / "text.xlsm").write_text("not a workbook")
    with pytest.raises(UpgradeError, match="not a zip package"):
        upgrade(tmp_path / "text.xlsm", new, template=DEFAULT_PATH)
    assert not new.exists()


def test_newer_version_existing_output_and_wrong_extension_are_refused(tmp_path):
    wb = openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)
    wb["Cover"]["C15"] = 99
    wb.save(tmp_path / "future.xlsm")
    with pytest.raises(UpgradeError, match="template version 99, newer"):
        upgrade(tmp_path / "future.xlsm", tmp_path / "New.xlsm", template=DEFAULT_PATH)
    with pytest.raises(UpgradeError, match=".xlsm extension"):
        upgrade(tmp_path / "future.xlsm", tmp_path / "New.xlsx", template=DEFAULT_PATH)
    (tmp_path / "taken.xlsm").write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        upgrade(tmp_path / "future.xlsm", tmp_path / "taken.xlsm", template=DEFAULT_PATH)
    assert (tmp_path / "taken.xlsm").read_bytes() == b"mine"
    assert not (tmp_path / "New.xlsm").exists()


def test_cli_moves_the_worked_example_without_loss(tmp_path):
    old, _ = write_example(tmp_path, template=DEFAULT_PATH)
    new = tmp_path / "upgraded.xlsm"
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(new), "--template", str(DEFAULT_PATH)])
    assert result.exit_code == 0, result.output
    assert f"version {L.TEMPLATE_VERSION}" in result.output and "inputs moved" in result.output
    values = openpyxl.load_workbook(new, data_only=True)
    # CASES.md A with the example's illustrative figures: 48,320,000 economic loss + 2,420,000 expenses
    assert _cell(values, "Total_Award").value == pytest.approx(50_740_000.0)
    assert _cell(values, "Total_Award").value == pytest.approx(library_total(), rel=1e-12)
    assert _cell(values, "Check_Master").value is True
    assert read_inputs(openpyxl.load_workbook(new)) == read_inputs(openpyxl.load_workbook(old))
    # refused: exit 1, nothing written
    again = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(old)])
    assert again.exit_code == 1 and "overwrite the old workbook" in again.output
