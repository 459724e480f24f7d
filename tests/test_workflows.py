"""Regeneration workflows (issue 6): case files, fill, extract, batch, export-values."""
import json
import pathlib
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from xl_tsd.cli import main
from xl_tsd.template import layout as L
from xl_tsd.workflows.batch import SUMMARY_CSV, SUMMARY_XLSX, batch
from xl_tsd.workflows.case_data import CaseError, load_case, validate_case
from xl_tsd.workflows.export_values import TRACE_SHEET, export_values
from xl_tsd.workflows.fill import extract, fill, write_case

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASES = ROOT / "examples" / "cases"
VEHICLE = CASES / "vehicle_chassis.json"
META = ("$comment", "$schema", "scenarios", "sensitivity")  # not inputs: xl-tsd sensitivity's sections


def _inputs_only(case: dict) -> dict:
    return {k: v for k, v in case.items() if k not in META}


@pytest.fixture(scope="module")
def vehicle_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("fill") / "vehicle.xlsm"
    return fill(VEHICLE, out), out


# --- fill and extract ----------------------------------------------------------------------

def test_fill_then_extract_gives_the_same_case(vehicle_book, tmp_path):
    rep, out = vehicle_book
    case = load_case(VEHICLE)
    assert extract(out) == _inputs_only(case)
    # and through the files, JSON and YAML
    for name in ("back.json", "back.yaml"):
        write_case(extract(out), tmp_path / name)
        assert load_case(tmp_path / name) == _inputs_only(case)


def test_filled_vehicle_case_is_computed(vehicle_book):
    rep, out = vehicle_book
    # total 50,740,000: 4,320,000 + 16,800,000 + 27,200,000 + expenses 2,420,000
    # (xl_tsd/workflows/worked_example.py, hand calculation; CASES.md A chain 0.08)
    assert rep.headline["Total_Award"] == pytest.approx(50_740_000)
    assert rep.headline["Contrib_Rate"] == pytest.approx(0.08)
    assert rep.master_check is True and rep.errors == []
    values = openpyxl.load_workbook(out, data_only=True)
    dn = values.defined_names["Total_Award"]
    (sheet, ref), = list(dn.destinations)
    assert values[sheet][ref.replace("$", "")].value == pytest.approx(50_740_000)  # cached, opens with numbers
    assert any("vbaProject" in n for n in zipfile.ZipFile(out).namelist())  # still a macro workbook


@pytest.mark.parametrize("path", sorted(CASES.iterdir()), ids=lambda p: p.name)
def test_each_example_case_fills_clean(path, tmp_path):
    rep = fill(path, tmp_path / "out.xlsm")
    assert rep.errors == [], rep.errors
    assert rep.master_check is True


def test_fill_never_overwrites_unless_asked(vehicle_book, tmp_path):
    out = tmp_path / "exists.xlsm"
    out.write_bytes(b"user's file")
    with pytest.raises(FileExistsError):
        fill(VEHICLE, out)
    assert out.read_bytes() == b"user's file"
    with pytest.raises(CaseError, match="xlsm"):
        fill(VEHICLE, tmp_path / "x.xlsx")


# --- bad case data: every problem listed, nothing written ------------------------------------

def test_bad_case_lists_every_problem_and_writes_nothing(tmp_path):
    case = json.loads(VEHICLE.read_text(encoding="utf-8"))
    case["Unknown_Input"] = 1  # unknown field
    case["Claim_Amount"] = "lots"  # wrong type
    case["Share_S2"] = 1.2  # share above 1
    case["Conduct_Start"] = "2019-02-30"  # a date that is not a date
    case["Case_View"] = "民事"  # not one of the choices
    case["Periods"] = [dict(case["Periods"][0]) for _ in range(L.PERIODS + 1)]  # more periods than room
    case["Points"] = [{"Points_Weight": 1, "Points_Established": "是"}] * (L.POINTS + 1)  # more points than room
    case["Periods"][1]["Per_Units"] = -5  # negative quantity inside a table
    case["Periods"][2]["Per_Colour"] = "red"  # unknown column
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "bad.xlsm"
    with pytest.raises(CaseError) as e:
        fill(src, out)
    text = "\n".join(e.value.problems)
    for expected in ("Unknown_Input: unknown field",
                     'Claim_Amount: must be an amount in yuan, 0 or more (got "lots")',
                     "Share_S2: must be a decimal from 0 to 1 (a percentage is fine) (got 1.2)",
                     'Conduct_Start: must be a date from 1990-01-01 to 2100-12-31 (got "2019-02-30")',
                     "Case_View: must be one of 民事 civil, 刑事 criminal",
                     f"Periods: at most {L.PERIODS} rows fit the template (got {L.PERIODS + 1})",
                     f"Points: at most {L.POINTS} rows fit the template (got {L.POINTS + 1})",
                     "Periods[2].Per_Units: must be a quantity, 0 or more (got -5)",
                     "Periods[3].Per_Colour: unknown field"):
        assert expected in text, (expected, text)
    assert len(e.value.problems) == 9
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_malformed_files_are_refused(tmp_path):
    (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("{}", encoding="utf-8")
    for name, msg in (("a.json", "not valid JSON"), ("b.yaml", "must be an object"), ("c.txt", ".json, .yaml")):
        with pytest.raises(CaseError, match=msg):
            load_case(tmp_path / name)
    with pytest.raises(CaseError, match="template version 0"):
        validate_case({"template_version": 0})


# --- formula injection -------------------------------------------------------------------------

INJECTIONS = {"Case_Name": '=HYPERLINK("http://example.invalid","click")', "Case_Court": "+1+1",
              "Case_Claimant": "-2+3", "Case_Defendant": "@SUM(1,2)"}


def test_formula_injection_lands_as_text(tmp_path):
    case = {**load_case(VEHICLE), **INJECTIONS}
    case["Points"] = [dict(p) for p in case["Points"]]
    case["Points"][0]["Points_Desc"] = "=1+1"
    out = tmp_path / "inj.xlsm"
    fill(case, out)
    for data_only in (False, True):
        wb = openpyxl.load_workbook(out, data_only=data_only)
        for name, text in {**INJECTIONS, "Points_Desc": "=1+1"}.items():
            (sheet, ref), = list(wb.defined_names[name].destinations)
            cell = wb[sheet][ref.replace("$", "").split(":")[0]]
            assert cell.value == text and cell.data_type == "s", (name, cell.value, cell.data_type)
    assert extract(out)["Case_Name"] == INJECTIONS["Case_Name"]


# --- batch ---------------------------------------------------------------------------------------

def test_batch_reports_a_broken_case_and_finishes_the_rest(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(VEHICLE, cases / "a_vehicle.json")
    case = load_case(VEHICLE)
    case["Claim_Amount"] = 1_000_000  # claim below the loss: capped, award 1,000,000 + 2,420,000
    write_case(case, cases / "b_capped.yaml")
    (cases / "c_broken.json").write_text('{"template_version": 1, "Share_S2": 7}', encoding="utf-8")
    (cases / "notes.txt").write_text("not a case", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(cases), "-o", str(out), "-j", "2"])
    assert res.exit_code == 2, res.output
    assert "FAILED c_broken.json: Share_S2: must be a decimal from 0 to 1" in res.output
    assert sorted(p.name for p in out.glob("*.xlsm")) == ["a_vehicle.xlsm", "b_capped.xlsm"]
    rows = list(openpyxl.load_workbook(out / SUMMARY_XLSX).active.iter_rows(values_only=True))
    head = rows[0]
    got = {r[0]: dict(zip(head, r)) for r in rows[1:]}
    assert got["a_vehicle.json"]["status"] == "ok"
    assert got["a_vehicle.json"]["Total_Award"] == pytest.approx(50_740_000)  # as above
    assert got["b_capped.yaml"]["Total_Award"] == pytest.approx(3_420_000)  # min(48.32M, 1M) + 2.42M
    assert got["c_broken.json"]["status"] == "FAILED" and got["c_broken.json"]["Total_Award"] is None
    assert (out / SUMMARY_CSV).read_text(encoding="utf-8-sig").splitlines()[0].startswith("case,status,error")


def test_batch_all_good_exits_zero(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(VEHICLE, cases / "v.json")
    res = batch(cases, tmp_path / "out", workers=1)
    assert not res.failed and res.results[0].headline["Check_Master"] is True


# --- export-values on a filled case ----------------------------------------------------------------

def test_export_values_of_a_filled_case(vehicle_book, tmp_path):
    _, book = vehicle_book
    out = tmp_path / "court.xlsx"
    rep = export_values(book, out)
    assert not any("vbaProject" in n for n in zipfile.ZipFile(out).namelist())
    src = openpyxl.load_workbook(book, data_only=True)
    dst = openpyxl.load_workbook(out)
    assert rep.formulas > 100
    for ws in dst.worksheets:
        if ws.title == TRACE_SHEET:
            continue
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"
                want = src[ws.title][c.coordinate].value
                if isinstance(want, float):  # openpyxl writes 16 significant digits (Excel shows 15)
                    assert c.value == pytest.approx(want, rel=1e-15), (ws.title, c.coordinate)
                else:
                    assert c.value == want, (ws.title, c.coordinate)
    trace = [r for r in dst[TRACE_SHEET].iter_rows(min_row=5, values_only=True) if r[1]]  # cell rows only
    assert len(trace) == rep.formulas
    award = next(r for r in trace if r[2] == "Total_Award")
    # 4,320,000 + 16,800,000 + 27,200,000 + expenses 2,420,000 (worked_example.py, by hand), to the fen
    assert award[6] == 50_740_000 and "AWARD_TOTAL" in award[4]
    # the values first (printed), the blank ones (periods not in use) after, outside the print area
    ws = dst[TRACE_SHEET]
    last = int(ws.print_area.rsplit("$", 1)[1])  # 'Calculation trace'!$A$1:$G$278
    printed = [r for r in ws.iter_rows(min_row=5, max_row=last, values_only=True)]
    assert printed and all(r[6] not in (None, "") for r in printed)
