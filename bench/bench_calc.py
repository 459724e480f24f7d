"""Speed of headless calculation (``xl-tsd calc``) on case workbooks of ~300 and ~5,000 formula cells.

Run: ``python bench/bench_calc.py [--rows 30 500] [--repeat 3]``. For each size it builds a case
workbook with openpyxl (inputs with defined names, one row of formulas per period mixing the
catalogue with IF, ROUND, MAX, INDEX/MATCH, IFERROR, cross-sheet references, and a summary), then
prints, in the same run:

- ``calc`` end to end in-process (read, compute, write the cached values), first call in a fresh
  process (compiles every formula shape) and repeated calls (the compiled shapes are reused, as
  when a batch regenerates many cases from one template);
- the peak memory of the process (``ru_maxrss``) after the first call, in a fresh subprocess;
- the same for the project's ``workbook/Template.xlsm`` when it exists (an empty case);
- LibreOffice headless recalculation of the same file (``soffice --convert-to xlsx`` with hard
  recalculation), when ``soffice`` is on the PATH. LibreOffice cannot compute the catalogue's
  functions (they show #NAME?); it is the comparison a user would otherwise reach for.

Targets (issue 4): 300 cells <= 0.3 s, 5,000 cells <= 5 s end to end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

FORMULAS_PER_ROW = 10


def build_case(path: str, rows: int) -> int:
    """Write a case workbook with ``rows`` periods; return its number of formula cells."""
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    wb = openpyxl.Workbook()
    inp = wb.active
    inp.title = "Inputs"
    params = [("SHARE_S1", 1), ("SHARE_S2", 0.8), ("SHARE_S3", 0.4), ("SHARE_S4", 0.25), ("MULT", 2), ("OWN_PROFIT", 50),
              ("BENCH", 0.05), ("FEE", 300000), ("LIC_YEARS", 3), ("EXPENSES", 15000),
              ("CLAIMED", 5e9), ("JUDGED", dt.date(2024, 6, 1))]
    for i, (name, value) in enumerate(params, 1):
        inp.cell(i, 1, name)
        inp.cell(i, 2, value)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Inputs!$B${i}")
    methods = wb.create_sheet("Methods")
    for i, m in enumerate(["punitive", "lost profit", "infringer gain", "license fee"], 1):
        methods.cell(i, 1, m)
    per = wb.create_sheet("Periods")
    calc = wb.create_sheet("Calc")
    n = 0
    for r in range(1, rows + 1):
        per.cell(r, 1, dt.date(2017, 1, 1) + dt.timedelta(days=30 * r))
        per.cell(r, 2, 150000 + 10 * r)
        per.cell(r, 3, 10 + r % 7)
        per.cell(r, 4, 0.1 if r % 5 else -0.02)
        per.cell(r, 5, None if r % 3 else 4)
        per.cell(r, 6, 20 + r % 4)
        calc[f"B{r}"] = "=TECH_CONTRIB_RATE(SHARE_S1,SHARE_S2,SHARE_S3,SHARE_S4)"
        calc[f"C{r}"] = f"=DAMAGES_BASE(Periods!B{r},Periods!C{r},MAX(Periods!D{r},BENCH),B{r})"
        calc[f"D{r}"] = f"=PUNITIVE_AVAILABLE(Periods!A{r})"
        calc[f"E{r}"] = f"=IF(D{r},PUNITIVE_TOTAL(C{r},MULT),C{r})"
        calc[f"F{r}"] = f"=LOST_PROFIT(Periods!E{r},OWN_PROFIT,Periods!C{r},Periods!F{r})"
        calc[f"G{r}"] = f"=INFRINGER_GAIN(Periods!B{r}*Periods!C{r},Periods!D{r},BENCH)"
        calc[f"H{r}"] = "=LICENSE_FEE_LOSS(FEE,LIC_YEARS,1/12)"
        calc[f"I{r}"] = f"=ROUND(MAX(E{r}:H{r}),2)"
        calc[f"J{r}"] = f"=IFERROR(MATCH(MAX(E{r}:H{r}),E{r}:H{r},0),0)"
        calc[f"K{r}"] = f"=INDEX(Methods!$A$1:$A$4,J{r})"
        n += FORMULAS_PER_ROW
    summ = wb.create_sheet("Summary")
    summ["B1"] = f"=SUM(Calc!I1:I{rows})"
    summ["B2"] = f"=SUMPRODUCT(Calc!B1:B{rows},Calc!C1:C{rows})"
    summ["B3"] = "=AWARD_TOTAL(B1,EXPENSES,CLAIMED)"
    summ["B4"] = "=CRIMINAL_TIER(B1,JUDGED)"
    summ["B5"] = f'=COUNTIF(Calc!K1:K{rows},"punitive")'
    summ["B6"] = "=TSD_RULE(\"statutory_cap\",JUDGED)"
    summ["B7"] = "=MIN(B3,B6)"
    wb.save(path)
    return n + 7


def _calc_once(src: str, dst: str) -> float:
    from xl_tsd.calc import calculate
    t = time.perf_counter()
    calculate(src, dst)
    return time.perf_counter() - t


def _child(src: str, dst: str, repeat: int) -> None:
    """Run in a fresh process: first call, repeats, and peak memory, as JSON on stdout."""
    import resource
    t0 = time.perf_counter()
    import openpyxl  # noqa: F401  (imports are reported apart: once per process)
    from xl_tsd.calc import cache, engine, functions, safety  # noqa: F401
    functions.install()
    imp = time.perf_counter() - t0
    first = _calc_once(src, dst)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    again = [_calc_once(src, dst) for _ in range(repeat)]
    engine.clear_cache()
    cold = [_calc_once(src, dst) for _ in range(1)]
    print(json.dumps({"import": imp, "first": first, "again": again, "cold_again": cold, "rss_mb": rss}))


# A LibreOffice profile setting that makes it recalculate every formula of an .xlsx on load
# (its default is to trust the cached values).
_LO_ALWAYS_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def _libreoffice(src: str, empty: str, outdir: str) -> tuple[float, float] | None:
    """LibreOffice's time to open, fully recalculate and save ``src``; and for an empty workbook."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    os.makedirs(os.path.join(profile, "user"))
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as f:
        f.write(_LO_ALWAYS_RECALC)

    def run(path):
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outdir, path]
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
        return time.perf_counter() - t

    try:
        run(empty)  # the first start initialises the profile
        return run(src), run(empty)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[30, 500])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(a.child[0], a.child[1], int(a.child[2]))
        return
    import openpyxl
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.xlsx")
        openpyxl.Workbook().save(empty)
        for rows in a.rows:
            src = os.path.join(tmp, f"case{rows}.xlsx")
            cells = build_case(src, rows)
            dst = os.path.join(tmp, f"case{rows}.out.xlsx")
            out = subprocess.run([sys.executable, __file__, "--child", src, dst, str(a.repeat)],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            lo = _libreoffice(src, empty, os.path.join(tmp, "lo"))
            print(f"{cells:>5} formula cells (target {0.3 if rows <= 30 else 5} s):\n"
                  f"  xl-tsd calc, in-process, read+compute+write: first call {r['first']:.3f} s; "
                  f"again {min(r['again']):.3f} s (formula shapes cached, as in a batch); "
                  f"again with the cache cleared {r['cold_again'][0]:.3f} s\n"
                  f"  imports (once per process) {r['import']:.2f} s; peak RSS {r['rss_mb']:.0f} MB")
            if lo:
                total, base = lo
                print(f"  LibreOffice headless, open+recalculate+save: {total:.2f} s "
                      f"(of which start-up, measured on an empty workbook, {base:.2f} s); "
                      f"LibreOffice / xl-tsd calc first call = {total / r['first']:.1f}x")
            else:
                print("  LibreOffice: soffice not installed, not measured")
        template = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "workbook", "Template.xlsm")
        if os.path.exists(template):
            dst = os.path.join(tmp, "template.out.xlsm")
            out = subprocess.run([sys.executable, __file__, "--child", template, dst, str(a.repeat)],
                                 check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            import openpyxl as _o
            n = sum(1 for ws in _o.load_workbook(template).worksheets for row in ws.iter_rows()
                    for c in row if c.data_type == "f")
            print(f"workbook/Template.xlsm ({n} formula cells): first call {r['first']:.3f} s; "
                  f"again {min(r['again']):.3f} s; peak RSS {r['rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
