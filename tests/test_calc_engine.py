"""The engine computes as Excel does (issue 12): ranges, legacy and array formulas, circular
references, the functions xl_tsd computes itself, and the limits on the work a workbook may ask for.

Every workbook is built here with openpyxl (or its XML edited as Excel writes it); expected values are
hand calculations or Microsoft's function documentation, as each comment says.
"""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from xl_tsd.calc import LimitExceeded, Limits, calculate
from xl_tsd.cli import main


def _values(wb, **kw):
    return calculate(wb, **kw).values


# --- ranges ------------------------------------------------------------------------------------------

def test_full_height_range_gives_the_whole_columns_total():
    """Issue 12: with A1=1, A2=A1*2, A3=10 the formulas engine gave 1 for SUM(A1:A1048576)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = 1, "=A1*2", 10
    ws["C1"] = "=SUM(A1:A1048576)"
    ws["C2"] = "=SUM(A:A)"
    ws["C3"] = "=COUNT(A1:A1048576)"
    v = _values(wb)
    assert v[("Sheet", "C1")] == v[("Sheet", "C2")] == 13.0  # hand: 1 + 2 + 10, as Excel and LibreOffice
    assert v[("Sheet", "C3")] == 3.0


def test_whole_row_array_formula_and_names_of_several_areas():
    """The constructs of xlcalculator's tests_resources_reader.xlsm on which calc crashed ("A1:1 is not a
    valid coordinate or range"): an array formula over a whole row reading a whole row of another sheet,
    a name over two areas, a name that is #REF!, an array formula over a block of another sheet."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "First"
    for c, v in enumerate(["Header 1", "Header 2", "Header 3"], 1):
        first.cell(1, c, v)
    for r in range(2, 4):
        for c in range(1, 4):
            first.cell(r, c, r * 10 + c)
    eighth = wb.create_sheet("Eighth")
    for r in range(1, 11):
        eighth.cell(r, 1, r)
        eighth.cell(r, 3, 100 * r)
    eighth["B1"] = 100
    wb.defined_names["Hundred"] = DefinedName("Hundred", attr_text="Eighth!$B$1")
    wb.defined_names["Split_range"] = DefinedName("Split_range", attr_text="Eighth!$A$1:$A$10,Eighth!$C$1:$C$10")
    wb.defined_names["Aformula"] = DefinedName("Aformula", attr_text="#REF!")
    eleventh = wb.create_sheet("Eleventh")
    eleventh["A1"] = ArrayFormula("A1:XFD1", "=First!1:1")
    sixth = wb.create_sheet("Sixth")
    sixth["A1"] = ArrayFormula("A1:C3", "=First!A1:C3")
    tenth = wb.create_sheet("Tenth")
    tenth["A1"] = "=SUM(Split_range)"
    tenth["A2"] = "=Hundred+1"
    report = calculate(wb)
    v = report.values
    assert [v[("Eleventh", c)] for c in ("A1", "B1", "C1", "D1")] == ["Header 1", "Header 2", "Header 3", 0.0]
    assert v[("Eleventh", "XFD1")] == 0.0  # an empty cell of the row shows 0 in the array
    assert v[("Sixth", "B3")] == 32.0  # First!B3: 3 x 10 + 2
    assert v[("Tenth", "A1")] == 55.0 + 5500.0  # hand: 1 + ... + 10 and 100 + ... + 1000
    assert v[("Tenth", "A2")] == 101.0


def test_legacy_formulas_read_one_cell_of_a_range():
    """A plain formula (no array metadata) given a range where one value is expected takes the cell in its
    own row or column (implicit intersection; Microsoft, "Implicit intersection operator: @")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 6):
        ws.cell(r, 1, r)          # A: 1..5
        ws.cell(r, 2, 10 * r)     # B: 10..50
    wb.defined_names["Qty"] = DefinedName("Qty", attr_text="Sheet!$A$1:$A$5")
    wb.defined_names["Price"] = DefinedName("Price", attr_text="Sheet!$B$1:$B$5")
    for r in range(1, 6):
        ws.cell(r, 3, "=Qty*Price")       # row by row: r x 10 r
        ws.cell(r, 4, "=A:A*2")           # whole column, this row
    ws["E2"] = "=A1:A5"                   # the cell in row 2
    ws["E9"] = "=A1:A5"                   # no cell of A1:A5 in row 9: #VALUE!
    ws["E3"] = "=SUM(A1:A5)"              # a range where a function takes one: all of it
    ws["E4"] = "=SUMPRODUCT(A1:A5*B1:B5)"  # computed as arrays: 10 (1 + 4 + 9 + 16 + 25)
    ws["E5"] = "=IF(A1:A5>2,\"big\",\"small\")"  # the condition of row 5: A5 = 5
    v = _values(wb)
    for r in range(1, 6):
        assert v[("Sheet", f"C{r}")] == 10.0 * r * r
        assert v[("Sheet", f"D{r}")] == 2.0 * r
    assert v[("Sheet", "E2")] == 2.0
    assert v[("Sheet", "E9")] == "#VALUE!"
    assert v[("Sheet", "E3")] == 15.0
    assert v[("Sheet", "E4")] == 550.0
    assert v[("Sheet", "E5")] == "big"


def test_array_formulas_fill_their_range_as_excel_does():
    """Ctrl+Shift+Enter formulas: one value fills the range, a column repeats across, cells beyond the
    result are #N/A (Microsoft, "Guidelines and examples of array formulas")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 4):
        ws.cell(r, 1, r)
    ws["C1"] = ArrayFormula("C1:C4", "=A1:A3*2")     # 3 results in 4 cells: the 4th is #N/A
    ws["D1"] = ArrayFormula("D1:E2", "=A1:A2+1")     # a column, repeated across
    ws["F1"] = ArrayFormula("F1:F2", "=7")           # one value fills the range
    ws["G1"] = ArrayFormula("G1", "=SUM(A1:A3*A1:A3)")  # 14
    ws["H1"] = ArrayFormula("H1:H3", "=ISNUMBER(A1:A3)")  # computed cell by cell
    ws["I1"] = "=SUMPRODUCT(--ISERROR(A1:A3/(A1:A3-2)))"  # one error: A2/0
    v = _values(wb)
    assert [v[("Sheet", f"C{r}")] for r in range(1, 5)] == [2.0, 4.0, 6.0, "#N/A"]
    assert [v[("Sheet", c)] for c in ("D1", "E1", "D2", "E2")] == [2.0, 2.0, 3.0, 3.0]
    assert v[("Sheet", "F1")] == v[("Sheet", "F2")] == 7.0
    assert v[("Sheet", "G1")] == 14.0
    assert [v[("Sheet", f"H{r}")] for r in range(1, 4)] == [True, True, True]
    assert v[("Sheet", "I1")] == 1.0


def test_circular_references_iterate_when_the_workbook_asks():
    """File > Options > Formulas > Enable iterative calculation (calcPr iterate): A1 = B1/2 + 1, B1 = A1
    settles at 2 (hand: x = x/2 + 1); without it the cells are reported and show 0, as in Excel."""
    def book(iterate):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws["A1"], ws["B1"] = "=B1/2+1", "=A1"
        ws["C1"] = "=5"
        if iterate:
            wb.calculation.iterate = True
            wb.calculation.iterateCount = 100
            wb.calculation.iterateDelta = 0.000001
        return wb
    rep = calculate(book(True))
    assert rep.complete
    assert rep.values[("Sheet", "A1")] == pytest.approx(2.0, abs=1e-5)
    rep = calculate(book(False))
    assert {(p.cell, "circular" in p.reason) for p in rep.problems} == {("A1", True), ("B1", True)}
    assert rep.values[("Sheet", "A1")] == rep.values[("Sheet", "B1")] == 0.0
    assert rep.values[("Sheet", "C1")] == 5.0


# --- the catalogue in the engine ---------------------------------------------------------------------

def test_an_omitted_argument_is_not_known_not_zero():
    """=LOST_PROFIT(,50,3000,20): the lost units are not known, so the method falls back to the
    infringer's sales (CASES.md F: 3000 x 50 = 150,000); 0 lost units would give 0."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=LOST_PROFIT(,50,3000,20)"
    ws["A2"] = "=LOST_PROFIT(0,50,3000,20)"
    ws["A3"] = "=IF(TRUE,LOST_PROFIT(,50,3000,20))"  # inside another function too
    ws["A4"] = "=_xludf.LOST_PROFIT(,50,3000,20)"    # as Excel saves a function it did not know
    v = _values(wb)
    assert v[("Sheet", "A1")] == v[("Sheet", "A3")] == v[("Sheet", "A4")] == 150_000.0
    assert v[("Sheet", "A2")] == 0.0


def test_catalogue_errors_are_excel_errors_with_their_reason():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=PUNITIVE_TOTAL(100,6)"                 # FUNCTIONS.md: multiplier 6 -> #NUM!
    ws["A2"] = "=TECH_CONTRIB_RATE(1.2,0.8,0.4,0.25)"   # FUNCTIONS.md: a share above 1 -> #VALUE!
    ws["A3"] = "=LOST_PROFIT(,,,20)"                    # CASES.md F: nothing to compute from -> #N/A
    ws["A4"] = "=A1+1"                                  # Excel's propagation: the code, no reason of its own
    rep = calculate(wb)
    got = {e.cell: (e.code, e.reason) for e in rep.errors}
    assert got["A1"] == ("#NUM!", "#NUM! multiplier must be between 1 and 5 (got 6)")
    assert got["A2"][0] == "#VALUE!" and got["A2"][1].startswith("#VALUE! s1 must be between 0 and 1")
    assert got["A3"][0] == "#N/A" and got["A3"][1].startswith("#N/A ")
    assert got["A4"] == ("#NUM!", "")


# --- functions xl_tsd computes itself ----------------------------------------------------------------

@pytest.mark.parametrize("formula, want", [
    ("=DEC2BIN(9,4)", "1001"),                # Microsoft DEC2BIN
    ("=DEC2BIN(-100)", "1110011100"),         # Microsoft DEC2BIN: ten bits, two's complement
    ("=DEC2BIN(-25,3)", "1111100111"),        # places is not used for a negative number
    ("=DEC2BIN(512)", "#NUM!"),               # Microsoft: -512 to 511
    ("=DEC2BIN(TRUE)", "#VALUE!"),            # a logical value is not a number here
    ("=DEC2HEX(-54)", "FFFFFFFFCA"),          # Microsoft DEC2HEX
    ("=HEX2DEC(\"FFFFFFFF5B\")", -165.0),     # Microsoft HEX2DEC
    ("=BIN2DEC(1100100)", 100.0),             # Microsoft BIN2DEC
    ("=OCT2BIN(3,3)", "011"),                 # Microsoft OCT2BIN
    ("=HEX2BIN(\"FFFFFFFE00\")", "1000000000"),  # Microsoft HEX2BIN
    ("=CONVERT(1,\"Yg\",\"g\")", 1e24),       # a yotta-gram (formulas' CONVERT knows the prefixes)
    ("=CONVERT(68,\"F\",\"C\")", 20.0),       # Microsoft CONVERT
])
def test_functions_computed_as_excel_does(formula, want):
    wb = openpyxl.Workbook()
    wb.active["A1"] = formula
    got = _values(wb)[("Sheet", "A1")]
    assert got == (pytest.approx(want) if isinstance(want, float) else want)


# --- limits ------------------------------------------------------------------------------------------

def _many_formulas(n):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, n + 1):
        ws.cell(r, 1, r)
        ws.cell(r, 2, f"=A{r}*2+SUM($A$1:A{r})")
    return wb


@pytest.mark.parametrize("limit, value, words", [
    ("max_cells", 10, "cells"),
    ("max_formulas", 10, "formulas"),
    ("max_range_cells", 5, "reads the range"),
])
def test_each_limit_refuses_with_one_line_naming_it(limit, value, words, tmp_path):
    src, out = tmp_path / "big.xlsx", tmp_path / "out.xlsx"
    _many_formulas(20).save(src)
    with pytest.raises(LimitExceeded) as e:
        calculate(src, out, **{limit: value})
    text = str(e.value)
    option = "--" + limit.replace("_", "-")
    assert "\n" not in text and words in text and option in text and f"{limit}=" in text
    assert not out.exists()
    result = CliRunner().invoke(main, ["calc", str(src), "-o", str(out), option, str(value)])
    assert result.exit_code == 1 and option in result.output and not out.exists()
    assert calculate(src, out, **{limit: 10_000}).complete  # raised, it computes


def test_the_time_limit_stops_the_engine(tmp_path):
    wb = _many_formulas(3000)  # SUM over growing ranges: about 4.5 million cell reads
    with pytest.raises(LimitExceeded, match=r"longer than 1e-06 s.*--max-seconds"):
        calculate(wb, max_seconds=1e-6)


def test_limits_are_checked():
    with pytest.raises(ValueError, match="max_cells"):
        Limits(max_cells=0)
    with pytest.raises(TypeError, match="unknown limit"):
        calculate(openpyxl.Workbook(), max_bytes=1)


def test_a_whole_sheet_reference_is_refused_with_its_cell(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=SUM(B1:XFD1048576)"
    with pytest.raises(LimitExceeded, match=r"Sheet!A1 reads the range B1:XFD1048576 of 17,178,820,608 cells"):
        calculate(wb)


def test_written_package_is_a_valid_zip_with_unchanged_parts_copied(tmp_path):
    """Parts nothing changes are copied as they are, compressed bytes included."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    data = wb.create_sheet("Data")
    for r in range(1, 200):
        data.cell(r, 1, r)
    src, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    wb.save(src)
    calculate(src, out)
    zi, zo = zipfile.ZipFile(src), zipfile.ZipFile(out)
    assert zo.testzip() is None and zi.namelist() == zo.namelist()
    raw = {i.filename: (i.CRC, i.compress_size) for i in zi.infolist()}
    same = [i.filename for i in zo.infolist() if raw[i.filename] == (i.CRC, i.compress_size)]
    assert "xl/worksheets/sheet2.xml" in same and "xl/styles.xml" in same
    assert openpyxl.load_workbook(io.BytesIO(out.read_bytes()), data_only=True).active["A1"].value == 2
    assert re.search(rb"<v>2</v>", zo.read("xl/worksheets/sheet1.xml"))


def test_fill_and_batch_refuse_above_a_limit(tmp_path):
    import pathlib
    from xl_tsd.workflows.batch import batch
    from xl_tsd.workflows.fill import fill
    cases = pathlib.Path(__file__).resolve().parents[1] / "examples" / "cases"
    with pytest.raises(LimitExceeded, match=r"vehicle_chassis\.json \(filled into Template\.xlsm\): refused: .*"
                                            r"--max-cells"):
        fill(cases / "vehicle_chassis.json", tmp_path / "v.xlsm", limits=Limits(max_cells=10))
    assert not (tmp_path / "v.xlsm").exists()
    res = batch(cases, tmp_path / "out", workers=1, limits=Limits(max_formulas=5))
    assert res.failed == res.results and all("--max-formulas" in r.error for r in res.results)


def test_the_1904_date_system():
    """A workbook saved with the 1904 date system (Excel for Mac before 2011) counts days from
    1904-01-01: 2019-04-23 is serial 42116 there (43578 - 1462), and the catalogue still reads it as
    2019-04-23 (DOMAIN §1: punitive damages from that day)."""
    import datetime as dt
    from openpyxl.utils.datetime import CALENDAR_MAC_1904
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws["A1"] = dt.date(2019, 4, 23)
    ws["B1"] = "=A1"
    ws["C1"] = "=YEAR(A1)"
    ws["D1"] = "=DATE(2019,4,23)"
    ws["E1"] = "=PUNITIVE_AVAILABLE(A1)"
    ws["F1"] = "=PUNITIVE_AVAILABLE(A1-1)"
    v = _values(wb)
    assert [v[("Sheet", c)] for c in ("B1", "C1", "D1", "E1", "F1")] == [42116.0, 2019.0, 42116.0, True, False]
