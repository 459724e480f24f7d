"""Issue 14: the report, the integrity seal and verify, a workbook that prints, money to the fen."""
from __future__ import annotations

import re
import shutil
import subprocess
import warnings
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from xl_tsd.cli import main
from xl_tsd.report import charts, document, seal
from xl_tsd.report.verify import verify
from xl_tsd.template import layout as L
from xl_tsd.template import printing
from xl_tsd.template.example import write_example

SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
# The vehicle chassis example: 4,320,000 + 16,800,000 + 27,200,000 + expenses 2,420,000
# (xl_tsd/workflows/worked_example.py, by hand) = 50,740,000, printed #,##0.00.
TOTAL_PRINTED = "50,740,000.00"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path, _ = write_example(tmp_path_factory.mktemp("example"))
    return path


@pytest.fixture(scope="module")
def report(book, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "vehicle_chassis.docx"
    res = document.write_report(book, out, lang="zh")
    return out, res


def _value(wb, name):
    (sheet, ref), = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "").split(":")[0]].value


# --- 4. small things: money to the fen, the cap not charted, the measure chosen not cut ----------------------
def test_total_award_is_rounded_to_the_fen(book):
    wb = openpyxl.load_workbook(book, data_only=True)
    assert _value(wb, "Total_Award") == 50_740_000  # exactly: 50,740,000.00000001 before (issue 14)
    assert L.MONEY_DIGITS == 2 and _value(wb, "Money_Digits") == L.MONEY_DIGITS  # the named constant
    formulas = openpyxl.load_workbook(book)
    assert "Money_Digits" in _value(formulas, "Total_Award") and ",2)" not in _value(formulas, "Total_Award")


def test_summary_csv_numbers_as_excel_shows_them():
    from xl_tsd.workflows.batch import _csv_cell
    assert _csv_cell(0.8 * 0.4 * 0.25) == 0.08  # 1 x 0.8 x 0.4 x 0.25 = 0.08000000000000002 in floats
    assert repr(_csv_cell(0.8 * 0.4 * 0.25)) == "0.08"


def test_statutory_cap_is_not_one_of_the_charted_measures(book):
    chart = zipfile.ZipFile(book).read("xl/charts/chart1.xml").decode()
    first, last = (int(x) for x in re.search(r"Summary'?!\$E\$(\d+):\$E\$(\d+)", chart).groups())
    ws = openpyxl.load_workbook(book)["Summary"]
    charted = [ws.cell(r, 2).value for r in range(first, last + 1)]
    assert charted[0] == "Lost profit" and charted[-1] == "Statutory damages (proposed)"
    assert not any("cap" in str(x).lower() for x in charted)
    assert ws.cell(last + 1, 2).value == "Statutory cap (a limit, not a measure)"  # shown, not charted


def test_measure_chosen_is_wrapped_not_cut(book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Summary"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "Measure chosen")
    assert ws.cell(row, 5).alignment.wrap_text and ws.row_dimensions[row].height >= 30


# --- 3. print setup ------------------------------------------------------------------------------------------
def test_every_sheet_prints_landscape_one_page_wide_with_header_and_footer(book):
    wb = openpyxl.load_workbook(book)
    xml = zipfile.ZipFile(book).read("xl/worksheets/sheet1.xml").decode()
    for title in ("Cover", "Inputs", "Calculations", "Summary", "Checks", "Sources"):
        ws = wb[title]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, title
        assert "&P" in ws.oddHeader.right.text and "&N" in ws.oddHeader.right.text, title
        assert "&A" in ws.oddHeader.center.text, title
        assert f"template v{L.TEMPLATE_VERSION}" in ws.oddFooter.left.text and "xlwings" in ws.oddFooter.left.text
        assert ws.print_area, title
    # the case number put in when computed (the example's case number, CASES.md A)
    assert "(2023)最高法知民终1590号" in wb["Inputs"].oddHeader.left.text
    assert printing.CASE_LABEL in xml
    assert wb["Inputs"].print_title_rows.replace("$", "") == "1:3"


def test_print_areas_end_at_the_last_period_in_use(book):
    wb = openpyxl.load_workbook(book)
    # the example has 3 periods: columns F, G, H (the template has room for 20, F..Y)
    for title in ("Inputs", "Calculations", "Summary"):
        assert re.search(r"\$A\$1:\$H\$\d+$", wb[title].print_area), (title, wb[title].print_area)
    tpl = openpyxl.load_workbook(printing.__file__.replace("xl_tsd/template/printing.py", "workbook/Template.xlsm"))
    assert re.search(r"\$A\$1:\$Y\$\d+$", tpl["Calculations"].print_area)


def _pdf_pages(src, folder) -> int:
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(folder), str(src)], capture_output=True, timeout=300)
    pdf = folder / (src.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice could not convert {src.name}"
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@needs_soffice
def test_page_counts_with_libreoffice(book, tmp_path):
    """Issue 14's targets: the example on at most 20 pages (55 before), its court copy on at most 40
    (146 before, and LibreOffice could not export it at all)."""
    from xl_tsd.workflows.export_values import export_values
    court = tmp_path / "court.xlsx"
    export_values(book, court)
    assert _pdf_pages(book, tmp_path) <= 20
    assert _pdf_pages(court, tmp_path) <= 40


# --- 2. the seal and verify ------------------------------------------------------------------------------
def test_seal_on_the_cover_is_the_seal_of_the_inputs(book):
    wb = openpyxl.load_workbook(book)
    shown, stored = seal.stored_seal(wb)
    now = seal.seal_of_workbook(wb)
    assert re.fullmatch(r"[0-9a-f]{64}", shown) and shown == now.fingerprint == stored.fingerprint
    assert stored.digests == now.digests and "Share_S2" in stored.digests
    from xl_tsd import legal
    assert now.legal == legal.table_digest() and now.template == str(L.TEMPLATE_VERSION)
    assert all(len(v) <= 255 for _, v in now.properties())  # Excel keeps 255 characters of a property


def test_canonical_inputs():
    import datetime as dt
    assert seal.canonical(1) == seal.canonical(1.0) == 1
    assert seal.canonical(0.1 + 0.2) == 0.3  # openpyxl writes 16 digits, Excel 17: 15 are hashed
    assert seal.canonical(dt.datetime(2019, 4, 23)) == seal.canonical(dt.date(2019, 4, 23)) == "2019-04-23"


def test_verify_passes_on_a_fresh_workbook(book):
    rep = verify(book)
    assert rep.ok, rep.lines()
    assert any(f.name == "Total_Award" and f.recomputed == 50_740_000 for f in rep.findings)
    res = CliRunner().invoke(main, ["verify", str(book)])
    assert res.exit_code == 0 and res.output.strip().endswith("all agree")


def _edit_input(src, dst, name: str, old: str, new: str) -> None:
    """Change one input cell's stored value in the sheet XML, leaving every cached value as it was (an
    edit nothing recomputed)."""
    wb = openpyxl.load_workbook(src)
    (sheet, ref), = list(wb.defined_names[name].destinations)
    part = f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"
    coord = ref.replace("$", "")
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info)
            if info.filename == part:
                text = data.decode()
                m = re.search(rf'<c r="{coord}"[^>]*>.*?</c>', text)
                assert m and f"<v>{old}</v>" in m.group(0)
                text = text[:m.start()] + m.group(0).replace(f"<v>{old}</v>", f"<v>{new}</v>") + text[m.end():]
                data = text.encode()
            zo.writestr(info, data)


def test_verify_fails_naming_the_input_changed(book, report, tmp_path):
    edited = tmp_path / "edited.xlsm"
    _edit_input(book, edited, "Share_S2", "0.8", "0.7")  # s2 80 % -> 70 % (CASES.md A has 80 %)
    res = CliRunner().invoke(main, ["verify", str(edited), str(report[0])])
    assert res.exit_code == 1
    assert "inputs changed since the seal: Share_S2" in res.output
    # 50,740,000 with s2 = 0.7: the three bases scale by 7/8: (4.32 + 16.8 + 27.2) M x 7/8 + 2.42 M = 44,700,000
    assert "DIFF Total_Award" in res.output and "44,700,000.00" in res.output
    assert "DIFF Value_Cost" not in res.output  # R&D cost does not depend on s2


def test_verify_with_the_report(book, report):
    rep = verify(book, report[0])
    assert rep.ok, rep.lines()
    printed, shown = document.read_report(report[0])
    assert printed["Total_Award"] == TOTAL_PRINTED + " 元" and shown == report[1].fingerprint


def test_verify_refuses_a_workbook_not_from_the_template(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(tmp_path / "plain.xlsx")
    res = CliRunner().invoke(main, ["verify", str(tmp_path / "plain.xlsx")])
    assert res.exit_code == 1 and "no integrity seal" in res.output


# --- 1. the report ---------------------------------------------------------------------------------------
def test_report_has_every_section_the_total_the_figures_and_the_seal(report, book):
    import docx
    out, res = report
    d = docx.Document(str(out))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for zh, _ in document.SECTIONS.values():
        assert zh in headings, zh
    text = "\n".join(p.text for p in d.paragraphs)
    text += "\n".join(c.text for t in d.tables for row in t.rows for c in row.cells)
    wb = openpyxl.load_workbook(book, data_only=True)
    assert f"{_value(wb, 'Total_Award'):,.2f}" == TOTAL_PRINTED  # as the workbook's #,##0.00 prints it
    assert TOTAL_PRINTED in text
    assert len(d.inline_shapes) >= 2 and res.figures == len(d.inline_shapes)
    assert res.fingerprint and res.fingerprint in text
    assert "已核实 verified" in text or "未核实 unverified" in text  # the legal table's status column
    assert "证据来源" in text  # the column left for the expert's evidence references


def test_report_in_english_and_both(book, tmp_path):
    import docx
    document.write_report(book, tmp_path / "en.docx", lang="en")
    document.write_report(book, tmp_path / "both.docx", lang="both")
    en = [p.text for p in docx.Document(str(tmp_path / "en.docx")).paragraphs if p.style.name == "Heading 1"]
    both = [p.text for p in docx.Document(str(tmp_path / "both.docx")).paragraphs if p.style.name == "Heading 1"]
    assert en[0] == document.SECTIONS["case"][1]
    assert both[0] == " ".join(document.SECTIONS["case"])


def test_report_never_overwrites_unasked(book, report):
    res = CliRunner().invoke(main, ["report", str(book), "-o", str(report[0])])
    assert res.exit_code == 1 and "exists" in res.output
    res = CliRunner().invoke(main, ["report", str(book), "-o", str(book)])
    assert res.exit_code == 1


def test_charts_draw_chinese_with_a_cjk_font():
    """Chinese in the figures is drawn with a font that has the glyphs: no 'missing from font' warning (what
    matplotlib says when it draws an empty box)."""
    from matplotlib.ft2font import FT2Font
    try:
        path = charts.cjk_font()
    except charts.NoCJKFont:
        pytest.skip("no CJK font on this system")
    font = FT2Font(str(path))
    assert all(font.get_char_index(ord(ch)) for ch in "技术贡献率实际损失")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.chain_chart([("s1 秘点占比", 1.0), ("技术贡献率", 0.08)], "技术贡献率链条")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_without_a_cjk_font_the_report_says_how_to_get_one(book, tmp_path, monkeypatch):
    monkeypatch.setenv(charts.FONT_ENV, str(tmp_path / "no-such-font.ttf"))
    res = CliRunner().invoke(main, ["report", str(book), "-o", str(tmp_path / "r.docx")])
    assert res.exit_code == 2 and "fonts-noto-cjk" in res.output
    assert (tmp_path / "r.docx").exists()


def test_pdf_without_libreoffice_says_how_to_get_it(book, tmp_path, monkeypatch):
    monkeypatch.setattr(document, "soffice", lambda: None)
    res = CliRunner().invoke(main, ["report", str(book), "-o", str(tmp_path / "r.docx"), "--pdf"])
    assert res.exit_code == 2 and "LibreOffice" in res.output and "apt-get install" in res.output
    assert (tmp_path / "r.docx").exists() and not (tmp_path / "r.pdf").exists()


@needs_soffice
@pytest.mark.skipif(PDFTOPPM is None, reason="poppler-utils (pdftoppm) is not installed")
def test_report_renders_to_pages_that_are_not_blank(report, tmp_path):
    from PIL import Image
    pdf = document.to_pdf(report[0], tmp_path / "r.pdf")
    subprocess.run([PDFTOPPM, "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True, timeout=300)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 5
    for page in pages:
        im = Image.open(page).convert("L")
        dark = sum(1 for px in im.getdata() if px < 128)
        assert dark > 0.002 * im.size[0] * im.size[1], page.name  # ink on every page


def test_many_periods_print_across_pages_with_the_labels_repeated(tmp_path):
    """20 monthly periods do not shrink to one unreadable page: 3 pages across, columns A:B on each."""
    import calendar
    from pathlib import Path

    from xl_tsd.workflows.case_data import load_case
    from xl_tsd.workflows.fill import fill
    # (130 + 13 n) / 180 rounded up: the labels take 130 characters, a period 13, a page 180
    assert [printing.pages_wide(n) for n in (1, 3, 4, 17, 18, 20)] == [1, 1, 2, 2, 3, 3]
    case = load_case(Path(__file__).parents[1] / "examples" / "cases" / "vehicle_chassis.json")
    first = case["Periods"][2]  # 2020, after the multiplier's start (CASES.md A)
    periods = []
    for k in range(20):  # 2019-05 .. 2020-12, within the conduct dates
        y, m = 2019 + (4 + k) // 12, (4 + k) % 12 + 1
        periods.append({**first, "Per_Label": f"{y}-{m:02d}", "Per_Start": f"{y}-{m:02d}-01",
                        "Per_End": f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]}"})
    case["Periods"] = periods
    out = tmp_path / "monthly.xlsm"
    fill(case, out)
    wb = openpyxl.load_workbook(out)
    for title in printing.PERIOD_SHEETS:
        assert wb[title].page_setup.fitToWidth == 3, title
        assert wb[title].print_title_cols.replace("$", "") == "A:B", title
        assert re.search(r"\$A\$1:\$Y\$\d+$", wb[title].print_area)  # all 20 periods, F..Y
    assert wb["Checks"].page_setup.fitToWidth == 1 and not wb["Checks"].print_title_cols


def test_fixed_tables_print_down_to_their_last_item_in_use(book):
    """The example (CASES.md A) has 3 secret points, 1 comparable license, 2 R&D items, no remedial
    measure: the rows after those are hidden (not printed), the first row of an empty table shown."""
    wb = openpyxl.load_workbook(book)

    def hidden(name):
        (title, ref), = list(wb.defined_names[name].destinations)
        first = int(re.search(r"\d+", ref).group())
        return title, [wb[title].row_dimensions[first + k].hidden for k in range(6)]
    assert hidden("Points_ID") == ("Inputs", [False] * 3 + [True] * 3)
    assert hidden("RD_Item")[1] == [False] * 2 + [True] * 4
    assert hidden("Rem_Share") == ("Calculations", [False] + [True] * 5)
