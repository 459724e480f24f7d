"""The batch's fast path (xl_tsd.workflows.fast_fill: the template loaded once, each case recomputing what its
inputs change) against fill()'s own way.

"The same workbook" here means, for every sheet and every cell, read by
openpyxl both with formulas (``data_only=False``) and with the cached values
(``data_only=True``): the same value (same type, same repr: floats exactly),
the same data type and the same number format; plus the same sheets in order,
the same defined names, the same VBA project bytes, the same ``calcPr``, the
same package parts, and the same report (headline, errors, problems). Bytes
differ: fill() sends the template through openpyxl, the fast path keeps its parts.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import pathlib
import re
import zipfile

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from xl_tsd.calc import cache, calculate, engine_package
from xl_tsd.calc.engine import Book
from xl_tsd.calc.package import split_coord
from xl_tsd.workflows import fast_fill
from xl_tsd.workflows.case_data import CaseError, case_to_inputs, load_case
from xl_tsd.workflows.fast_fill import fill_fast, filler_for
from xl_tsd.workflows.fill import default_template, fill

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases"
VEHICLE = CASES / "vehicle_chassis.json"


def _cells(path, data_only):
    wb = openpyxl.load_workbook(path, data_only=data_only, keep_vba=True)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    v = getattr(c.value, "text", c.value)  # an array formula: its text
                    out[(ws.title, c.coordinate)] = (type(v).__name__, repr(v), c.data_type, c.number_format)
    return wb.sheetnames, {n: d.attr_text for n, d in wb.defined_names.items()}, out


def _calc_pr(path):
    return re.findall(r"<calcPr\b[^>]*>", zipfile.ZipFile(path).read("xl/workbook.xml").decode())


def assert_same_workbook(a, b):
    for data_only in (False, True):
        sa, sb = _cells(a, data_only), _cells(b, data_only)
        assert sa[0] == sb[0] and sa[1] == sb[1]
        diffs = [(k, sa[2].get(k), sb[2].get(k)) for k in sorted(set(sa[2]) | set(sb[2]))
                 if sa[2].get(k) != sb[2].get(k)]
        assert diffs == [], diffs[:10]
    za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    assert sorted(za.namelist()) == sorted(zb.namelist())
    vba = [n for n in za.namelist() if n.endswith("vbaProject.bin")]
    assert vba and all(za.read(n) == zb.read(n) for n in vba)
    assert _calc_pr(a) == _calc_pr(b)


def assert_same_report(fast, simple):
    assert fast.headline == simple.headline
    assert [str(e) for e in fast.errors] == [str(e) for e in simple.errors]
    assert [str(p) for p in fast.problems] == [str(p) for p in simple.problems]


def _both(case, tmp_path, name, replayed=1, template=None):
    """fill() and fill_fast() of one case after another case in the same loaded template; the fast one
    must have gone through the loaded template (``replayed=0``: through fill()'s own way)."""
    filler = filler_for(template or default_template())
    assert filler is not None
    # another case first: the loaded template must not keep anything of it
    fill_fast(VEHICLE, tmp_path / f"{name}.warm.xlsm", template=template)
    before = filler.cases
    fast = fill_fast(case, tmp_path / f"{name}.fast.xlsm", template=template)
    assert filler.cases == before + replayed
    simple = fill(case, tmp_path / f"{name}.simple.xlsm", template=template)
    return fast, simple


@pytest.mark.parametrize("path", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_fast_fill_gives_fills_workbook_for_each_example(path, tmp_path):
    fast, simple = _both(path, tmp_path, path.stem)
    assert_same_report(fast, simple)
    assert_same_workbook(fast.output, simple.output)
    if path == VEHICLE:
        # 4,320,000 + 16,800,000 + 27,200,000 + expenses 2,420,000 (xl_tsd/workflows/worked_example.py, by hand)
        assert fast.headline["Total_Award"] == pytest.approx(50_740_000)


def test_fast_fill_awkward_values(tmp_path):
    """Text that looks like a formula or an error, spaces, XML characters, escapes, line ends; a
    number openpyxl writes at 16 digits; a date; blanks in a table row: as fill() writes them."""
    case = load_case(VEHICLE)
    case.update({"Case_Name": '=HYPERLINK("http://example.invalid","click")', "Case_Court": "+1+1",
                 "Case_Claimant": "-2+3", "Case_Defendant": "@SUM(1,2)", "Case_Number": "#N/A text",
                 "Case_Analyst": "  <a & b>  _x0041_ line\r\nend\t", "Claim_Amount": 0.1 + 0.2,
                 "Conduct_Start": "2018-09-02"})
    case["Periods"] = [dict(p) for p in case["Periods"]]
    case["Periods"][0]["Per_Price"] = 180000 / 7
    del case["Periods"][1]["Per_Label"]  # a blank inside the table
    case["Points"] = [dict(p) for p in case["Points"]]
    case["Points"][0]["Points_Desc"] = "=1+1"
    case["Points"][1]["Points_Desc"] = " "
    fast, simple = _both(case, tmp_path, "awkward")
    assert_same_report(fast, simple)
    assert_same_workbook(fast.output, simple.output)
    wb = openpyxl.load_workbook(fast.output)
    (sheet, ref), = list(wb.defined_names["Case_Name"].destinations)
    cell = wb[sheet][ref.replace("$", "")]
    assert cell.value == case["Case_Name"] and cell.data_type == "s"  # formula injection: text


def test_text_openpyxl_takes_for_an_error_goes_through_fill(tmp_path):
    """openpyxl stores the text "#N/A" as an error value (both ways), which the engine compiles as a
    formula: the fast path leaves such a case to fill()."""
    case = {**load_case(VEHICLE), "Case_Number": "#N/A"}
    fast, simple = _both(case, tmp_path, "na", replayed=0)
    assert_same_report(fast, simple)
    assert_same_workbook(fast.output, simple.output)
    assert [e.code for e in fast.errors] == ["#N/A"]  # the one cell showing the case number


def test_fast_fill_with_few_inputs(tmp_path):
    """A case that leaves almost everything blank: the template's own values and blanks stay."""
    case = {"template_version": load_case(VEHICLE)["template_version"], "Case_Name": "few"}
    fast, simple = _both(case, tmp_path, "few")
    assert_same_report(fast, simple)
    assert_same_workbook(fast.output, simple.output)


def test_template_values_in_input_cells_kept_or_cleared(tmp_path):
    """A template whose input cells hold values: a case that leaves one out keeps the template's value,
    a case that gives null clears it, as fill() does."""
    wb = openpyxl.load_workbook(default_template(), keep_vba=True)
    for name, value in (("Case_Name", "template's own name"), ("Claim_Amount", 123.0)):
        (sheet, ref), = list(wb.defined_names[name].destinations)
        wb[sheet][ref.replace("$", "")] = value
    tpl = tmp_path / "Template-with-values.xlsm"
    wb.save(tpl)
    case = {k: v for k, v in load_case(VEHICLE).items() if k != "Case_Name"}
    case["Claim_Amount"] = None
    fast, simple = _both(case, tmp_path, "defaults", template=tpl)
    assert_same_report(fast, simple)
    assert_same_workbook(fast.output, simple.output)
    back = openpyxl.load_workbook(fast.output)
    got = {}
    for name in ("Case_Name", "Claim_Amount"):
        (sheet, ref), = list(back.defined_names[name].destinations)
        got[name] = back[sheet][ref.replace("$", "")].value
    assert got == {"Case_Name": "template's own name", "Claim_Amount": None}


def test_fast_fill_checks_as_fill_does_and_leaves_inputs_alone(tmp_path):
    tpl = default_template()
    before = hashlib.sha256(tpl.read_bytes()).hexdigest(), hashlib.sha256(VEHICLE.read_bytes()).hexdigest()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"template_version": 1, "Share_S2": 7, "Nope": 1}), encoding="utf-8")
    with pytest.raises(CaseError) as e:
        fill_fast(bad, tmp_path / "bad.xlsm")
    assert len(e.value.problems) == 2  # the share above 1 and the unknown field, both listed
    existing = tmp_path / "exists.xlsm"
    existing.write_bytes(b"user's file")
    with pytest.raises(FileExistsError):
        fill_fast(VEHICLE, existing)
    with pytest.raises(CaseError, match="template"):
        fill_fast(VEHICLE, tpl)
    assert existing.read_bytes() == b"user's file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "exists.xlsm"]  # no temporary left
    after = hashlib.sha256(tpl.read_bytes()).hexdigest(), hashlib.sha256(VEHICLE.read_bytes()).hexdigest()
    assert after == before


def test_a_case_the_fast_path_cannot_write_goes_through_fill(tmp_path, monkeypatch):
    def refuse(self, inputs):
        raise fast_fill.NotFast("as if openpyxl would restyle an input")
    monkeypatch.setattr(fast_fill.TemplateFiller, "_changed", refuse)
    rep = fill_fast(VEHICLE, tmp_path / "v.xlsm")
    assert rep.headline["Total_Award"] == pytest.approx(50_740_000)  # as above, by fill()'s own way


def test_prepared_sheets_write_what_patch_sheet_writes(tmp_path):
    """The sheets split once around the cells that change give patch_sheet's XML, byte for byte."""
    filler = filler_for(default_template())
    fill_fast(VEHICLE, tmp_path / "first.xlsm")  # the sheets are split after the first case
    cells = filler._changed(case_to_inputs(load_case(CASES / "security_upgrade.yaml")))
    values = filler.compute({k: fast_fill._read_back(t, x, filler._parser) for k, (t, x) in cells.items()})
    titles = {part: title for title, part in filler.parts.items()}
    assert filler.prepared and cells
    for part, prepared in filler.prepared.items():
        vals = {c: v for (s, c), v in values.values.items() if s == titles[part]}
        ins = {c: x for (s, c), x in cells.items() if s == titles[part]}
        assert prepared.patch(vals, ins) == cache.patch_sheet(filler.zf.read(part).decode(), vals, ins)
        assert prepared.patch({"XFD1048576": 1.0}) is None  # a cell it was not split around: patch_sheet's job


# --- the loaded workbook recomputed in place ---------------------------------------------------------

def _book(values: dict) -> bytes:
    """Inputs on one sheet (A1:A4, a defined name on A1), formulas reading them on another."""
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "In"
    b = wb.create_sheet("Out")
    wb.defined_names["RATE"] = DefinedName("RATE", attr_text="In!$A$1")
    for k, v in values.items():
        a[k] = v
    a["B1"] = 10
    b["A1"] = "=RATE*In!B1"
    b["A2"] = "=SUM(In!A1:A4)"
    b["A3"] = '=IF(ISBLANK(In!A2),"blank",In!A2&"!")'
    b["A4"] = "=COUNTA(In!A1:A4)+COUNTBLANK(In!A1:A4)*10"
    b["A5"] = "=TECH_CONTRIB_RATE(1,In!A1,0.4,0.25)"
    b["A6"] = "=IFERROR(1/In!A3,\"none\")"
    b["A7"] = "=In!A4+1"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


INPUTS = [("In", "A1"), ("In", "A2"), ("In", "A3"), ("In", "A4")]


@pytest.mark.parametrize("values", [
    {"A1": 0.8, "A2": "x", "A3": 4, "A4": dt.date(2019, 4, 23)},
    {"A1": 1.5, "A2": None, "A3": 0, "A4": None},  # a share above 1: the catalogue's #VALUE! with reason
    {"A1": None, "A2": "", "A3": "text", "A4": True},
], ids=["values", "blanks-and-error", "empty-text"])
def test_loaded_book_recomputed_equals_a_fresh_calculation(values):
    """Loaded with blank inputs, computed, then given values and computed again, it answers what
    calculate() answers for the workbook written with those values."""
    book = Book(engine_package(_book({}), "blank"))
    book.compute()
    written = _book(values)
    want = calculate(written)
    reader = openpyxl.load_workbook(io.BytesIO(written))
    for sheet, coord in INPUTS:
        v = reader[sheet][coord].value
        if isinstance(v, dt.datetime):
            v = (v - dt.datetime(1899, 12, 30)).days  # the engine holds a date as its serial number
        book.wb.set_value(sheet, *split_coord(coord), v)
    got = book.compute()
    from xl_tsd.calc import report_of
    rep = report_of(got)
    assert rep.values == want.values
    assert [str(e) for e in rep.errors] == [str(e) for e in want.errors]
