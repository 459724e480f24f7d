"""Excel fidelity of ``xl-tsd calc`` on workbooks saved by Excel (the shared fidelity corpus).

Runs the project's fidelity tool, ``../shared/tools/excel_fidelity.py``, with this checkout's
``xl-tsd`` over ``../shared/excel-corpus/`` (the test workbooks of the ``formulas`` and
``xlcalculator`` projects, each saved by Excel, so its cached values are Excel's answers): every
formula cell's value is removed, the workbook computed, and each result compared with Excel's.
Prints the tool's lines (each workbook's matched cells, and the total as ``fidelity: M/N (P %)``),
then the cells that differ counted by the first function of their formula.

Run: ``python bench/bench_fidelity.py [--verbose] [--shared PATH]``. The corpus and the tool are not
part of this repository; without them the script says so and does nothing (no test reads them).
Target (issue 12): at least 98 % of the cells, no workbook crashing or refused.
"""
from __future__ import annotations

import argparse
import collections
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
_LINE = re.compile(r"   (\S+) (.+?)!(\S+) '(.*)': Excel (.*), engine (.*)$")
_FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9._]*)\(")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared folder (default ../shared)")
    ap.add_argument("--verbose", action="store_true", help="also list every cell that differs")
    a = ap.parse_args(argv)
    shared = pathlib.Path(a.shared)
    tool, corpus = shared / "tools" / "excel_fidelity.py", shared / "excel-corpus"
    if not tool.exists() or not corpus.is_dir():
        print(f"fidelity corpus not found ({tool}, {corpus}): nothing measured")
        return 0
    xl = shutil.which("xl-tsd") or str(pathlib.Path(sys.executable).with_name("xl-tsd"))
    with tempfile.TemporaryDirectory() as work:
        r = subprocess.run([sys.executable, str(tool), xl, str(corpus), work, "--verbose"],
                           capture_output=True, text=True, timeout=3600)
    by_function, by_file = collections.Counter(), collections.Counter()
    for line in r.stdout.splitlines():
        m = _LINE.match(line)
        if m:
            names = _FUNC.findall(m.group(4))
            name = names[0].upper().replace("_XLFN._XLWS.", "").replace("_XLFN.", "") if names else "(no function)"
            by_function[name] += 1
            by_file[m.group(1)] += 1
            if a.verbose:
                print(line)
        elif not line.startswith("   "):
            print(line)
    if by_function:
        print("cells that differ, by the first function of their formula:")
        for name, n in by_function.most_common():
            print(f"  {n:5d}  {name}")
    return r.returncode


if __name__ == "__main__":
    raise SystemExit(main())
