"""Structure of the committed case template, workbook/Template.xlsm (issue 5), read with openpyxl."""
from __future__ import annotations

import importlib.util
import re
import zipfile

import openpyxl
import pytest
from openpyxl.formula import Tokenizer
from openpyxl.utils import FORMULAE
from openpyxl.utils.cell import range_boundaries
from oletools.olevba import VBA_Parser

from xl_tsd import legal
from xl_tsd.registry import FUNCTIONS
from xl_tsd import generate
from xl_tsd.template import DEFAULT_PATH, build_template
from xl_tsd.template import layout as L
from xl_tsd.template.builder import STYLE_CHECK, STYLE_FORMULA, STYLE_INPUT, UDF_MODULES, quickstart_workbook

SHEETS = ["Cover", "Inputs", "Calculations", "Summary", "Checks", "Sources", "xlwings.conf"]
MODEL_SHEETS = SHEETS[:-1]


@pytest.fixture(scope="module")
def wb():
    return openpyxl.load_workbook(DEFAULT_PATH, keep_vba=True)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("fresh") / "Template.xlsm")


def _formula_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield ws, cell


def _tokens(formula):
    return Tokenizer(formula).items


def _name_cells(wb, name):
    (title, ref), = list(wb.defined_names[name].destinations)
    c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
    return {(title, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}


# --- the build -------------------------------------------------------------------------------------
def test_committed_template_equals_a_fresh_build(fresh):
    """Every part of the package, timestamps included (the build fixes them), byte for byte."""
    with zipfile.ZipFile(DEFAULT_PATH) as old, zipfile.ZipFile(fresh) as new:
        assert old.namelist() == new.namelist()
        stale = [n for n in old.namelist() if old.read(n) != new.read(n)]
    assert not stale, f"workbook/Template.xlsm is stale in {stale}: rebuild it with `xl-tsd template`"


def test_vba_project_keeps_every_quickstart_module(tmp_path, wb):
    """The xlwings module (and the rest of the standalone workbook's project) is inside, unchanged."""
    assert wb.vba_archive is not None
    quick = quickstart_workbook(tmp_path)

    def modules(path):
        parser = VBA_Parser(str(path))
        try:
            return {name: code for _f, _s, name, code in parser.extract_macros()}
        finally:
            parser.close()
    ours, theirs = modules(DEFAULT_PATH), modules(quick)
    assert "xlwings.bas" in theirs
    for name, code in theirs.items():
        assert ours.get(name) == code, name
    with zipfile.ZipFile(DEFAULT_PATH) as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_sheets_in_order_and_nothing_hidden(wb):
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert ws.sheet_state == "visible"
        assert not any(d.hidden for d in ws.row_dimensions.values()), ws.title
        assert not any(d.hidden for d in ws.column_dimensions.values()), ws.title


def test_xlwings_conf_sheet(wb):
    ws = wb["xlwings.conf"]
    keys = {}
    r = 1
    while ws.cell(r, 1).value:
        keys[ws.cell(r, 1).value] = ws.cell(r, 2).value
        r += 1
    assert r > 6  # one block from A1
    assert {"Interpreter_Win", "PYTHONPATH", "UDF Modules"} <= set(keys)
    assert keys["UDF Modules"] == UDF_MODULES == "udfs.tsd"
    assert importlib.util.find_spec(UDF_MODULES) is not None
    assert 'CELL("filename"' in keys["PYTHONPATH"]  # the folder above the workbook's


# --- inputs ------------------------------------------------------------------------------------------
def test_every_input_cell_is_named_validated_styled_and_unlocked(wb):
    named = set()
    for name in wb.defined_names:
        named |= _name_cells(wb, name)
    inputs = 0
    for ws in wb.worksheets:
        validated = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        validated[(r, c)] = dv
        for row in ws.iter_rows():
            for cell in row:
                if cell.style != STYLE_INPUT:
                    assert cell.protection.locked or ws.title == "xlwings.conf", (ws.title, cell.coordinate)
                    continue
                inputs += 1
                where = (ws.title, cell.coordinate)
                assert ws.title == "Inputs", where
                assert (ws.title, cell.row, cell.column) in named, where
                dv = validated.get((cell.row, cell.column))
                assert dv is not None and dv.showInputMessage and dv.prompt, where
                assert not cell.protection.locked, where
                assert cell.value is None, where  # the empty template ships empty
    # 51 single inputs + 50 points x 4 + 20 periods x 11 + 5 licences x 4 + 10 R&D x 2 + 10 remedial x 5 + 4x4
    # 62 single inputs (51 of version 1 + 11 of version 2: Claim_Includes_Expenses, Loss_Hard_To_Compute,
    # License_Base_Multiple, Crim_Decision_Date, Crim_Consideration, Crim_Units, Crim_Unit_Profit,
    # Intent_Settled_Repeat, Intent_Hidden_Control, Intent_Other, Serious_Other),
    # 200 points cells, 220 period cells, 20 licenses, 20 R&D, 50 remedial, 16 AHP
    assert inputs == 62 + 200 + 220 + 20 + 20 + 50 + 16


def test_every_input_name_covers_only_input_cells(wb):
    for spec in [*L.inputs(), *L.tables()]:
        names = [spec.name] + ([c.name for c in spec.columns] if isinstance(spec, L.Table) else [])
        for name in names:
            for title, r, c in _name_cells(wb, name):
                assert wb[title].cell(r, c).style == STYLE_INPUT, (name, r, c)


def test_room_for_periods_and_points(wb):
    assert len(_name_cells(wb, "Per_Start")) >= 20
    assert len(_name_cells(wb, "Points_Weight")) >= 50


# --- formulas ----------------------------------------------------------------------------------------
def test_every_formula_cell_has_the_formula_or_check_style(wb):
    for ws, cell in _formula_cells(wb):
        assert cell.style in (STYLE_FORMULA, STYLE_CHECK), (ws.title, cell.coordinate, cell.style)


def test_no_numeric_literal_but_0_1_100(wb):
    for ws, cell in _formula_cells(wb):
        for t in _tokens(cell.value):
            if t.type == "OPERAND" and t.subtype == "NUMBER":
                assert float(t.value) in (0.0, 1.0, 100.0), (ws.title, cell.coordinate, cell.value)


def test_text_in_formulas_fits_excel(wb):
    """Excel refuses a formula with a text constant over 255 characters (the check messages are long)."""
    for ws, cell in _formula_cells(wb):
        assert len(cell.value) <= 8192, (ws.title, cell.coordinate)
        for t in _tokens(cell.value):
            if t.type == "OPERAND" and t.subtype == "TEXT":
                assert len(t.value) - 2 <= 255, (ws.title, cell.coordinate, t.value)


def test_every_function_is_excel_builtin_or_catalogue(wb):
    used = set()
    for ws, cell in _formula_cells(wb):
        for t in _tokens(cell.value):
            if t.type == "FUNC" and t.subtype == "OPEN":
                name = t.value[:-1].upper()
                assert name in FUNCTIONS or name in FORMULAE, (ws.title, cell.coordinate, name)
                used.add(name)
    # the template exercises the catalogue's methods (TSD_EXPLAIN and TSD_ISERROR are for users)
    assert set(FUNCTIONS) - used <= {"TSD_EXPLAIN", "TSD_ISERROR"}


def test_every_reference_resolves(wb):
    """No #REF!, no unknown name, no reference to a missing sheet."""
    names = {n.upper() for n in wb.defined_names}
    for ws, cell in _formula_cells(wb):
        assert "#REF!" not in cell.value, (ws.title, cell.coordinate)
        for t in _tokens(cell.value):
            if t.type != "OPERAND" or t.subtype != "RANGE":
                continue
            if "!" in t.value:
                sheet, ref = t.value.rsplit("!", 1)
                assert sheet.strip("'").replace("''", "'") in wb.sheetnames, (ws.title, cell.coordinate, t.value)
                range_boundaries(ref.replace("$", ""))
            elif t.value.upper() not in names:
                range_boundaries(t.value.replace("$", ""))  # a plain cell reference, or it raises


def test_defined_names_are_workbook_level_and_resolve(wb):
    for ws in wb.worksheets:
        assert not ws.defined_names, ws.title  # the engine reads workbook-level names only
    for name, dn in wb.defined_names.items():
        assert "#REF!" not in dn.attr_text
        (title, ref), = list(dn.destinations)
        assert title in wb.sheetnames, name
        c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
        assert c2 <= 16384 and r2 <= 1048576
        # a name must not read as a cell reference (RATE1, TAX2025) or as a function (AHP_WEIGHTS)
        assert not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", name), name
        assert name.upper() not in FUNCTIONS and name.upper() not in FORMULAE, name


def test_headline_outputs_are_named_formulas(wb):
    for name in L.HEADLINE_OUTPUTS:
        (title, ref), = list(wb.defined_names[name].destinations)
        assert str(wb[title][ref.replace("$", "")].value).startswith("="), name


def test_template_version_on_cover(wb):
    (title, ref), = list(wb.defined_names["Template_Version"].destinations)
    assert title == "Cover"
    assert wb[title][ref.replace("$", "")].value == L.TEMPLATE_VERSION
    assert any(c.value == "=TSD_VERSION()" for _ws, c in _formula_cells(wb) if _ws.title == "Cover")


# --- presentation ------------------------------------------------------------------------------------
def test_master_check_on_every_sheet(wb):
    for ws in wb.worksheets:
        assert any(c.value == f"={L.MASTER}" for _ws, c in _formula_cells(wb) if _ws is ws), ws.title


def test_every_check_has_a_message(wb):
    ws = wb["Checks"]
    for chk in (*L.CHECKS, *L.WARNINGS):
        (_t, ref), = list(wb.defined_names[chk.name].destinations)
        row = int(re.sub(r"\D", "", ref))
        assert ws.cell(row, 5).value.startswith("=IFERROR("), chk.name
        shown = ws.cell(row, 4).value.replace('"&"', "")  # literals are split at 250 characters
        for text in (chk.fail_zh, chk.fail_en):
            # "{Name}" in a message is the cell of that name, joined into the text ("&Name&")
            for i, piece in enumerate(re.split(r"\{(\w+)\}", text)):
                assert (f"&{piece}&" if i % 2 else piece) in shown, (chk.name, piece)


def test_bilingual_label_on_every_row_with_a_value(wb):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for title in ("Inputs", "Calculations", "Summary", "Checks"):
        ws = wb[title]
        for row in ws.iter_rows(min_row=4):
            if not any(c.style in (STYLE_INPUT, STYLE_FORMULA, STYLE_CHECK) for c in row):
                continue
            zh, en = row[0].value, row[1].value
            assert zh and cjk.search(zh), (title, row[0].row)
            assert en and re.search(r"[A-Za-z]", en), (title, row[0].row)


def test_protection_without_password_freeze_and_widths(wb):
    for title in MODEL_SHEETS:
        ws = wb[title]
        assert ws.protection.sheet, title
        assert ws.protection.password is None and ws.protection.hashValue is None, title
        assert ws.column_dimensions["A"].width and ws.column_dimensions["B"].width
    for title in ("Inputs", "Calculations", "Summary", "Checks", "Sources"):
        assert wb[title].freeze_panes, title


def test_number_formats(wb):
    def fmt(name):
        (title, ref), = list(wb.defined_names[name].destinations)
        return wb[title][ref.split(":")[0].replace("$", "")].number_format
    assert fmt("Claim_Amount") == fmt("Total_Award") == "#,##0.00"  # yuan, thousands separators
    assert fmt("Share_S2") == fmt("Contrib_Rate") == "0.00%"
    assert fmt("Conduct_Start") == "yyyy-mm-dd"


def test_two_native_bar_charts_on_summary(wb):
    charts = wb["Summary"]._charts
    assert len(charts) == 2 and all(c.tagname == "barChart" for c in charts)


def test_sources_lists_every_legal_rule(wb):
    ws = wb["Sources"]
    rows = {(ws.cell(r, 1).value, ws.cell(r, 3).value.date() if ws.cell(r, 3).is_date else None)
            for r in range(1, ws.max_row + 1)}
    for rule in legal.RULES:
        assert (rule.key, rule.effective_from) in rows, rule


def test_docs_names_list_is_fresh(wb):
    assert "docs/template.md" not in generate.stale(), "docs/template.md is stale: run `xl-tsd generate`"
    text = (generate.ROOT / "docs" / "template.md").read_text(encoding="utf-8")
    for name in wb.defined_names:
        assert f"`{name}`" in text, name
