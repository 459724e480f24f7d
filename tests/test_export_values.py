"""export-values: a values-only copy with a calculation trace (issue 6, item 5)."""
import zipfile

import openpyxl
import pytest

from xl_tsd.calc import calculate
from xl_tsd.workflows.export_values import TRACE_SHEET, export_values, functions_in


@pytest.fixture
def computed(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calc"
    ws["A1"], ws["A2"], ws["A3"] = 0.8, 0.4, 0.25
    ws["B1"] = "=TECH_CONTRIB_RATE(1,A1,A2,A3)"
    ws["B2"] = "=ROUND(B1*100,1)"
    ws["B3"] = "=PUNITIVE_TOTAL(100,6)"
    ws["B4"] = '=IFERROR(B3,"bad multiplier")'
    wb.create_sheet("xlwings.conf")["A1"] = "Interpreter_Win"
    wb.defined_names["RATE"] = openpyxl.workbook.defined_name.DefinedName("RATE", attr_text="Calc!$B$1")
    src = tmp_path / "book.xlsx"
    calculate(wb, src)
    return src


def test_export_has_values_no_formulas_no_macros(computed, tmp_path):
    out = tmp_path / "court.xlsx"
    rep = export_values(computed, out)
    assert rep.formulas == 4 and not rep.computed and rep.dropped_sheets == ["xlwings.conf"]
    names = zipfile.ZipFile(out).namelist()
    assert not any("vbaProject" in n for n in names)
    wb = openpyxl.load_workbook(out)
    assert "xlwings.conf" not in wb.sheetnames
    for ws in wb.worksheets:
        if ws.title == TRACE_SHEET:
            continue
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
    calc = wb["Calc"]
    assert calc["B1"].value == pytest.approx(0.08)  # 1 x 0.8 x 0.4 x 0.25 (CASES.md A)
    assert calc["B2"].value == 8.0  # ROUND(8.000000000000002, 1) = 8 (hand calculation)
    assert calc["B3"].value == "#NUM!"  # FUNCTIONS.md: PUNITIVE_TOTAL(100, 6) is #NUM!
    assert calc["B4"].value == "bad multiplier"  # IFERROR sees the catalogue's error


def test_trace_lists_each_formula_with_basis(computed, tmp_path):
    out = tmp_path / "court.xlsx"
    export_values(computed, out)
    ws = openpyxl.load_workbook(out)[TRACE_SHEET]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=5, values_only=True)}
    b1 = rows[("Calc", "B1")]
    assert b1[2] == "RATE" and b1[3] == "=TECH_CONTRIB_RATE(1,A1,A2,A3)" and b1[4] == "TECH_CONTRIB_RATE"
    assert "1590" in b1[5]  # the vehicle case, the rate's legal basis in the registry
    assert b1[6] == pytest.approx(0.08)
    assert ws.cell(5, 4).data_type == "s"  # formulas in the trace are text
    assert rows[("Calc", "B2")][5] == "Excel 内置函数 built-in"


def test_export_computes_a_never_computed_book(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=AWARD_TOTAL(250000,15000,500000)"
    src = tmp_path / "raw.xlsx"
    wb.save(src)
    rep = export_values(src, tmp_path / "out.xlsx")
    assert rep.computed
    # AWARD_TOTAL(250000, 15000, 500000) = 265,000 (CASES.md C)
    assert openpyxl.load_workbook(tmp_path / "out.xlsx").active["A1"].value == 265000


def test_export_refuses_to_overwrite(computed, tmp_path):
    with pytest.raises(ValueError, match="is the input"):
        export_values(computed, computed)
    with pytest.raises(ValueError, match=r"\.xlsx"):
        export_values(computed, tmp_path / "x.xlsm")
    (tmp_path / "exists.xlsx").write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        export_values(computed, tmp_path / "exists.xlsx")
    assert (tmp_path / "exists.xlsx").read_bytes() == b"keep me"


def test_functions_in():
    assert functions_in("=IFERROR(_xludf.tech_contrib_rate(1,2,3,4),SUM(A1:A2))") == [
        "IFERROR", "TECH_CONTRIB_RATE", "SUM"]
