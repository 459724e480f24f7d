"""Headless calculation (issue 4): the values the engine computes.

Every workbook is built here with openpyxl, computed with xl_tsd.calc, and
read back with openpyxl ``data_only=True`` where the cached value matters.
Expected values carry their source: the registry's examples (each with its
``Example.source``: CASES.md letter, FUNCTIONS.md, DOMAIN.md or a hand
calculation), a direct call of the same Python function, or a hand value.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

import xl_tsd
from xl_tsd import excel
from xl_tsd.calc import calculate
from xl_tsd.registry import FUNCTIONS


def _cached(path):
    """Cached values of every cell, as a viewer reads them: {(sheet, "A1"): value}."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(ws.title, c.coordinate): c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}


def _same(got, want):
    if isinstance(want, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
        return got == pytest.approx(want, rel=1e-12, abs=1e-12)
    return got == want and type(got) is type(want)


def test_one_cell_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
    src, out = tmp_path / "one.xlsx", tmp_path / "one.out.xlsx"
    wb.save(src)
    report = calculate(src, out)
    back = openpyxl.load_workbook(out, data_only=True).active["A1"].value
    assert back == pytest.approx(0.08, abs=1e-15)  # CASES.md A: 1 x 0.8 x 0.4 x 0.25
    assert openpyxl.load_workbook(out).active["A1"].value == "=TECH_CONTRIB_RATE(1,0.8,0.4,0.25)"
    assert report.complete and report.formula_cells == 1 and not report.errors


# --- parity: every catalogue function -------------------------------------------------------------

def _examples():
    for name, spec in FUNCTIONS.items():
        for i, ex in enumerate(spec.examples):
            yield name, i, ex


def _put(ws, row, col, value):
    """Write an example argument from (row, col); return its reference text and the value xlwings gives."""
    if value is None:
        return ws.cell(row, col).coordinate, None  # an empty cell: "not known"
    if isinstance(value, (list, tuple)):
        rows = value if value and isinstance(value[0], (list, tuple)) else [value]
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                ws.cell(row + i, col + j, v)
        last = ws.cell(row + len(rows) - 1, col + len(rows[0]) - 1).coordinate
        return f"{ws.cell(row, col).coordinate}:{last}", [list(r) for r in rows]
    ws.cell(row, col, value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return ws.cell(row, col).coordinate, value


def _direct(name, *args):
    """What the xlwings UDF (udfs.tsd, the Excel face) answers for the same cell.

    xlwings hands it every argument as a 2-D list (``ndim=2``); an error comes
    back as its text, "#CODE! reason", which the engine splits into the error
    value and the reason it reports.
    """
    import udfs.tsd
    got = getattr(udfs.tsd, name)(*[a if isinstance(a, list) else [[a]] for a in args])
    if isinstance(got, str) and got.startswith("#") and " " in got:
        return got.split(" ", 1)[0], got
    if isinstance(got, dt.datetime):  # a date: Excel stores its serial number
        return (got - dt.datetime(1899, 12, 30)).days + 0.0
    return got


def test_parity_every_catalogue_function(tmp_path):
    wb = openpyxl.Workbook()
    lit = wb.active
    lit.title = "Literals"
    args_ws = wb.create_sheet("Args")
    refs = wb.create_sheet("By reference")
    cases, row, arg_row = [], 0, 1
    for name, i, ex in _examples():
        row += 1
        lit.cell(row, 1, ex.excel(name))
        texts, vals = [], []
        for j, a in enumerate(ex.args):
            t, v = _put(args_ws, arg_row, 2 + 4 * j, a)
            texts.append(f"Args!{t}")
            vals.append(v)
        formula = f"={name}({','.join(texts)})"
        if FUNCTIONS[name].returns == "column":  # a column result: a (CSE) array formula over its cells
            n = len(ex.expected)
            refs.cell(row, 1).value = ArrayFormula(f"A{row}:A{row + n - 1}", formula)
            row += n - 1
        else:
            refs.cell(row, 1, formula)
        cases.append((name, ex, row - (len(ex.expected) - 1 if FUNCTIONS[name].returns == "column" else 0),
                      vals))
        arg_row += 4
    out = tmp_path / "parity.out.xlsx"
    report = calculate(wb, out)
    cached = _cached(out)
    assert report.complete, report.problems
    assert {name for name, *_ in cases} == set(FUNCTIONS) - {n for n, s in FUNCTIONS.items() if not s.examples}
    reasons = {(e.sheet, e.cell): e.reason for e in report.errors}
    for name, ex, r, vals in cases:
        direct = _direct(name, *vals)  # the Excel face's answer for the same arguments
        for sheet in ("Literals", "By reference"):
            cell = f"A{r}"
            got = report.values[(sheet, cell)]
            # expected: the registry example's value (its source: ex.source), and the direct call
            if isinstance(ex.expected, str) and ex.expected.startswith("#"):
                assert got == ex.expected == direct[0], (name, sheet)
                assert reasons[(sheet, cell)] == direct[1]
                assert cached[(sheet, cell)] == ex.expected
            elif FUNCTIONS[name].returns == "column":
                if sheet == "Literals":  # a plain cell shows the first value, as in Excel
                    assert got == pytest.approx(ex.expected[0], abs=5e-4)
                    continue
                col = [report.values[(sheet, f"A{r + k}")] for k in range(len(ex.expected))]
                assert col == pytest.approx(ex.expected, abs=5e-4), (name, ex.source)
                assert col == [v[0] for v in direct]
                assert [cached[(sheet, f"A{r + k}")] for k in range(len(col))] == col
            else:
                if isinstance(ex.expected, float):  # the registry's tolerance for its examples
                    assert got == pytest.approx(ex.expected, abs=5e-4), (name, sheet, got, ex.source)
                else:
                    assert _same(got, ex.expected), (name, sheet, got, ex.expected, ex.source)
                assert got == direct and type(got) is type(direct), (name, sheet, got, direct)  # exact parity
                assert _same(cached[(sheet, cell)], got) or (got == "" and cached[(sheet, cell)] in ("", None))


def test_functions_without_examples_equal_the_direct_call():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=TSD_VERSION()"
    ws["A2"] = '=TSD_EXPLAIN("PUNITIVE_TOTAL","en")'
    ws["A3"] = '=TSD_EXPLAIN("PUNITIVE_TOTAL")'
    v = calculate(wb).values
    assert v[("Sheet", "A1")] == xl_tsd.__version__  # the installed package's version
    assert v[("Sheet", "A2")] == xl_tsd.tsd_explain("PUNITIVE_TOTAL", "en")
    assert v[("Sheet", "A3")] == xl_tsd.tsd_explain("PUNITIVE_TOTAL", "zh")  # default language zh


def _case_workbook():
    """A small case: inputs with names on one sheet, calculations on another (CASES.md A)."""
    wb = openpyxl.Workbook()
    inp = wb.active
    inp.title = "Inputs"
    values = {"PRICE": 150000, "QTY": 1000, "MARGIN": 0.1, "S_1": 1, "S_2": 0.8, "S_3": 0.4, "S_4": 0.25,
              "CONDUCT": dt.date(2020, 1, 1), "MULT": 2, "EXPENSES": 15000}
    for i, (name, v) in enumerate(values.items(), 1):
        inp.cell(i, 1, name)
        inp.cell(i, 2, v)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Inputs!$B${i}")
    wb.defined_names["SHARES"] = DefinedName("SHARES", attr_text="Inputs!$B$4:$B$7")
    for i, (d, e) in enumerate([(1, 4), (2, 5), (3, 6)], 1):
        inp.cell(i, 4, d)
        inp.cell(i, 5, e)
    calc = wb.create_sheet("Calc")
    formulas = {
        "A1": "=TECH_CONTRIB_RATE(Inputs!B4,Inputs!B5,Inputs!B6,Inputs!B7)",
        "A2": "=DAMAGES_BASE(PRICE,QTY,MARGIN,A1)",
        "A3": "=IF(PUNITIVE_AVAILABLE(CONDUCT),PUNITIVE_TOTAL(A2,MULT),A2)",
        "A4": "=AWARD_TOTAL(A3,EXPENSES)",
        "A5": "=SUM(A2:A3)",
        "A6": "=SUMPRODUCT(Inputs!D1:D3,Inputs!E1:E3)",
        "A7": "=MIN(A2,A3)",
        "A8": "=MAX(A2,A3)",
        "A9": "=INDEX(Inputs!D1:D3,MATCH(5,Inputs!E1:E3,0))",
        "A10": '=IFERROR(PUNITIVE_TOTAL(A2,6),"capped")',
        "A11": "=DATE(2019,4,23)",
        "A12": '=TSD_RULE("statutory_cap",CONDUCT)',
        "A13": "=ROUND(A1*100,1)",
        "A14": "=PRODUCT(SHARES)",
        "A15": "=LOCAL_SHARE*10",
        "A16": "=Summary!B1/2",
    }
    for k, f in formulas.items():
        calc[k] = f
    # a sheet-level name: the engine reads only workbook-level ones, so calc promotes it
    calc.defined_names["LOCAL_SHARE"] = DefinedName("LOCAL_SHARE", attr_text="Inputs!$B$5")
    summ = wb.create_sheet("Summary")
    summ["B1"] = "=Calc!A4"
    return wb


def test_builtins_names_and_cross_sheet_references(tmp_path):
    src, out = tmp_path / "case.xlsx", tmp_path / "case.out.xlsx"
    _case_workbook().save(src)
    report = calculate(src, out)
    assert report.complete, report.problems
    want = {
        "A1": 0.08,              # CASES.md A
        "A2": 1_200_000.0,       # hand: 150000 x 1000 x 0.1 x 0.08
        "A3": 2_400_000.0,       # hand: conduct 2020-01-01 is after 2019-04-23 (DOMAIN §1), 2 x A2
        "A4": 2_415_000.0,       # hand: A3 + 15000 expenses, no claim cap
        "A5": 3_600_000.0,       # hand: A2 + A3
        "A6": 32.0,              # hand: 1x4 + 2x5 + 3x6
        "A7": 1_200_000.0,
        "A8": 2_400_000.0,
        "A9": 2.0,               # hand: 5 is the 2nd of E1:E3 -> D2
        "A10": "capped",         # FUNCTIONS.md: PUNITIVE_TOTAL(.., 6) is #NUM!, IFERROR catches it
        "A11": 43578.0,          # hand: 2019-04-23 is serial 43578 (1900 date system)
        "A12": 5_000_000.0,      # AUCL 2019 Art. 17 cap in force on 2020-01-01 (registry example)
        "A13": 8.0,              # hand: ROUND(8.000000000000002, 1)
        "A14": 0.08,             # hand: product of the SHARES range
        "A15": 8.0,              # hand: 0.8 x 10 through the sheet-level name
        "A16": 1_207_500.0,      # hand: Summary!B1 = Calc!A4, halved: a reference there and back
    }
    cached = _cached(out)
    for cell, value in want.items():
        assert _same(report.values[("Calc", cell)], value), cell
        assert _same(cached[("Calc", cell)], value), cell
    assert cached[("Summary", "B1")] == pytest.approx(2_415_000.0)


# --- Excel semantics ---------------------------------------------------------------------------

@pytest.mark.parametrize("formula, want", [
    ("=ROUND(1.005,2)", 1.01),        # issue 4: half away from zero on the decimal value
    ("=ROUND(0.285,2)", 0.29),        # issue 4
    ("=ROUND(2.675,2)", 2.68),        # hand: 2.675 is 2.67499999... in binary; Excel shows 2.68
    ("=ROUND(2.15,1)", 2.2),          # Microsoft ROUND documentation
    ("=ROUND(2.149,1)", 2.1),         # Microsoft ROUND documentation
    ("=ROUND(-1.475,2)", -1.48),      # Microsoft ROUND documentation
    ("=ROUND(21.5,-1)", 20.0),        # Microsoft ROUND documentation
    ("=ROUND(626.3,-3)", 1000.0),     # Microsoft ROUND documentation
    ("=ROUND(-2.5,0)", -3.0),         # hand: away from zero
    ("=ROUND(2.5,0)", 3.0),           # hand: not to even
    ("=ROUNDUP(3.2,0)", 4.0),         # Microsoft ROUNDUP documentation
    ("=ROUNDUP(-3.14159,1)", -3.2),   # Microsoft ROUNDUP documentation
    ("=ROUNDUP(1.001,2)", 1.01),      # hand
    ("=ROUNDDOWN(3.14159,3)", 3.141),  # Microsoft ROUNDDOWN documentation
    ("=ROUNDDOWN(-3.14159,1)", -3.1),  # Microsoft ROUNDDOWN documentation
    ("=ROUND(1.25,1.9)", 1.3),        # hand: digits are truncated to 1
    ("=ROUND(B9,2)", 0.0),            # hand: an empty cell is 0
    ('=ROUND("x",1)', "#VALUE!"),     # Excel: text that is not a number
])
def test_round_is_excels(formula, want):
    wb = openpyxl.Workbook()
    wb.active["A1"] = formula
    assert calculate(wb).values[("Sheet", "A1")] == want


def test_errors_are_real_excel_errors_with_reasons(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B1"] = "n/a"
    cells = {
        "A1": ("=PUNITIVE_TOTAL(100,6)", "#NUM!"),                # FUNCTIONS.md
        "A2": ("=IFERROR(PUNITIVE_TOTAL(100,6),0)", 0.0),          # IFERROR sees the error
        "A3": ("=ISERROR(PUNITIVE_TOTAL(100,6))", True),
        "A4": ("=ERROR.TYPE(PUNITIVE_TOTAL(100,6))", 6.0),          # Excel: #NUM! is error type 6
        "A5": ("=ISNA(LOST_PROFIT(,,,20))", True),                  # CASES.md F: #N/A
        "A6": ('=TECH_CONTRIB_RATE("abc",0.8,0.4,0.25)', "#VALUE!"),  # text in a number argument
        "A7": ("=TECH_CONTRIB_RATE(B1,0.8,0.4,0.25)", "#VALUE!"),   # text in the referenced cell
        "A8": ("=TECH_CONTRIB_RATE(1/0,0.8,0.4,0.25)", "#VALUE!"),  # an error argument, as the UDF reads it
        "A9": ("=A1*2", "#NUM!"),                                  # propagates like any Excel error
        "A10": ("=TSD_ISERROR(A1)", True),                         # TSD_ISERROR sees real errors too
        "A11": ("=IF(ISERROR(A1),\"check the multiplier\",A1)", "check the multiplier"),
        "A12": ("=TECH_CONTRIB_RATE(1.2,0.8,0.4,0.25)", "#VALUE!"),  # FUNCTIONS.md: s in [0, 1]
    }
    for k, (f, _) in cells.items():
        ws[k] = f
    out = tmp_path / "errors.out.xlsx"
    report = calculate(wb, out)
    cached = _cached(out)
    for k, (_, want) in cells.items():
        assert report.values[("Sheet", k)] == want, k
        assert cached[("Sheet", k)] == want, k  # openpyxl reads a cached error as its code
    reasons = {e.cell: e.reason for e in report.errors}
    assert reasons["A1"] == "#NUM! multiplier must be between 1 and 5 (got 6)"
    assert reasons["A6"] == '#VALUE! s1 must be a number (got "abc")'
    assert reasons["A7"] == '#VALUE! s1 must be a number (got "n/a")'
    assert reasons["A8"] == '#VALUE! s1 must be a number (got "#DIV/0!")'  # as the xlwings UDF says
    assert reasons["A12"].startswith("#VALUE! s1 must be between 0 and 1")
    assert set(reasons) == {"A1", "A6", "A7", "A8", "A9", "A12"}  # caught errors are not listed
    assert report.complete


def test_empty_cells_and_dates():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = 2
    ws["C1"] = dt.date(2019, 4, 23)
    ws["C2"] = dt.date(2025, 5, 1)
    ws["C3"] = dt.datetime(2019, 4, 22, 18, 0)
    cells = {
        "A1": ("=B1+1", 1.0),                        # an empty cell is 0 in arithmetic
        "A2": ("=B1*5", 0.0),
        "A3": ("=SUM(B1:B3)", 2.0),
        "A4": ('=B1&"x"', "x"),                      # ... and "" in text
        "A5": ("=B1", 0.0),                          # a reference to an empty cell shows 0
        "A6": ("=LOST_PROFIT(B1,50,3000,20)", 150000.0),  # CASES.md F: empty lost units: not known
        "A7": ("=C1", 43578.0),                      # a date is its serial number
        "A8": ("=C1+1", 43579.0),
        "A9": ("=PUNITIVE_AVAILABLE(C1)", True),     # DOMAIN §1: in force 2019-04-23
        "A10": ("=PUNITIVE_AVAILABLE(C3)", False),   # the evening before
        "A11": ("=CRIMINAL_TIER(300000,C2)", "情节严重"),  # FUNCTIONS.md
        "A12": ("=PUNITIVE_AVAILABLE(43578)", True),  # a serial typed as a number works too
        "A13": ("=YEAR(C2)", 2025.0),
    }
    for k, (f, _) in cells.items():
        ws[k] = f
    values = calculate(wb).values
    for k, (_, want) in cells.items():
        assert _same(values[("Sheet", k)], want), (k, values[("Sheet", k)])


def test_ranges_in_arrays_out():
    wb = openpyxl.Workbook()
    ws = wb.active
    for r, row in enumerate([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]], 1):
        for c, v in enumerate(row, 1):
            ws.cell(r, c, v)
    ws["E1"] = ArrayFormula("E1:E3", "=AHP_WEIGHTS(A1:C3)")
    ws["F1"] = "=AHP_CR(A1:C3)"
    ws["G1"] = ArrayFormula("G1:G2", "=TECH_CONTRIB_RATE(A1:A2,1,1,1)")  # a range for a scalar: an array
    ws["H1"] = "=SUM(E1:E3)"
    values = calculate(wb).values
    weights = [values[("Sheet", f"E{r}")] for r in (1, 2, 3)]
    assert weights == pytest.approx([0.637, 0.258, 0.105], abs=5e-4)  # CASES.md H
    assert weights == [v[0] for v in excel.call("AHP_WEIGHTS", [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])]
    assert values[("Sheet", "F1")] == pytest.approx(0.033, abs=5e-4)  # CASES.md H
    assert [values[("Sheet", "G1")], values[("Sheet", "G2")]] == pytest.approx([1.0, 1 / 3])  # hand
    assert values[("Sheet", "H1")] == pytest.approx(1.0)  # weights sum to 1 (FUNCTIONS.md)


# --- filled-down formulas, names, problems ------------------------------------------------------

def test_filled_down_formulas_are_right():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B1"] = 10
    for r in range(1, 41):
        ws[f"A{r}"] = r
        ws[f"C{r}"] = f"=A{r}*$B$1+A{r}"              # hand: 11 r
        ws[f"D{r}"] = f"=C{r}*2+$C$1"                 # hand: 22 r + 11
        ws[f"E{r}"] = f"=SUM($A$1:A{r})"              # hand: r (r + 1) / 2
        ws[f"F{r}"] = f"=IF(MOD(A{r},2)=0,\"even\",ROW())"  # ROW() is the cell's own row
    v = calculate(wb).values
    for r in range(1, 41):
        assert v[("Sheet", f"C{r}")] == 11 * r
        assert v[("Sheet", f"D{r}")] == 22 * r + 11
        assert v[("Sheet", f"E{r}")] == r * (r + 1) / 2
        assert v[("Sheet", f"F{r}")] == ("even" if r % 2 == 0 else float(r))


def test_workbooks_computed_one_after_another_keep_their_own_values():
    def book(rate, const):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws["A1"] = rate
        wb.defined_names["RATE"] = DefinedName("RATE", attr_text="Sheet!$A$1")
        wb.defined_names["CONST"] = DefinedName("CONST", attr_text=str(const))
        for r in range(2, 6):
            ws[f"B{r}"] = f"=TECH_CONTRIB_RATE(RATE,1,1,1)*{r}+CONST"
        return wb
    first = calculate(book(0.5, 1)).values
    second = calculate(book(0.25, 3)).values
    for r in range(2, 6):
        assert first[("Sheet", f"B{r}")] == 0.5 * r + 1   # hand
        assert second[("Sheet", f"B{r}")] == 0.25 * r + 3  # hand


def test_uncomputable_formulas_are_reported_and_the_rest_computed():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 5
    ws["B1"] = "=_xlfn.BYROW(A1:A2,_xlfn.LAMBDA(_xlpm.r,SUM(_xlpm.r)))"  # a function the engine lacks
    ws["B2"] = "=SUM(A1,"               # a formula the engine cannot read
    ws["B3"] = "=C3+1"                  # a circular reference (the workbook does not ask for iteration)
    ws["C3"] = "=B3+1"
    ws["B4"] = "=A1*2"
    ws["B5"] = '=INDIRECT("A1")+_xlfn.LET(_xlpm.x,2,_xlpm.x)'
    ws["B6"] = "=INDIRECT(C6)"          # a computed reference
    ws["C6"] = "A1"
    ws["B7"] = "=OFFSET(A1,0,0)+1"
    report = calculate(wb)
    where = {(p.sheet, p.cell): p.reason for p in report.problems}
    assert set(where) == {("Sheet", c) for c in ("B1", "B2", "B3", "C3")}
    assert "BYROW" in where[("Sheet", "B1")] and report.values[("Sheet", "B1")] == "#NAME?"
    assert "cannot read" in where[("Sheet", "B2")]
    assert "circular" in where[("Sheet", "B3")] and "circular" in where[("Sheet", "C3")]
    # Excel shows 0 in the cells of a circular reference when iterative calculation is off
    assert report.values[("Sheet", "B3")] == report.values[("Sheet", "C3")] == 0.0
    assert report.values[("Sheet", "B4")] == 10.0  # hand
    assert report.values[("Sheet", "B5")] == 7.0  # hand: 5 + 2
    assert report.values[("Sheet", "B6")] == 5.0  # hand: the cell C6 names
    assert report.values[("Sheet", "B7")] == 6.0  # hand: A1 + 1
    assert not report.complete


def test_other_workbooks_are_never_read(tmp_path, monkeypatch):
    other = openpyxl.Workbook()
    other.active["A1"] = 42
    other.save(tmp_path / "other.xlsx")
    monkeypatch.chdir(tmp_path)  # where the engine would look for it
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "='[other.xlsx]Sheet'!A1"
    ws["A2"] = "=A1+1"
    ws["A3"] = '="[a]b!"&1'  # text that looks like a reference is not one
    report = calculate(wb)
    assert report.values[("Sheet", "A1")] == report.values[("Sheet", "A2")] == "#REF!"
    assert report.values[("Sheet", "A3")] == "[a]b!1"
    assert [(p.cell, p.reason) for p in report.problems] == [
        ("A1", "reference to another workbook: not read (its value is the one cached in the file, or #REF!)")]
