"""Benchmark of `xl-tsd batch`: 100 generated cases on this machine's cores.

Prints cases per second and peak memory (this process and its workers).
Target (issue 12, 2-core machine): at least 50 cases per second.
Then, in this one process, the time a case takes through ``fill`` (the
template through openpyxl and computed from scratch for every case) and through
the batch's ``fill_fast`` (the template loaded into the engine once, each case
recomputing what its inputs change), with the one-off load.
Run: ``python bench/bench_batch.py [N]``.
"""
from __future__ import annotations

import copy
import pathlib
import resource
import sys
import tempfile
import time

from xl_tsd.workflows.batch import batch
from xl_tsd.workflows.case_data import load_case
from xl_tsd.workflows.fill import write_case

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET = 50.0


def make_cases(folder: pathlib.Path, n: int) -> None:
    """n variations of the vehicle chassis example: units, prices and the claim vary."""
    base = load_case(ROOT / "examples" / "cases" / "vehicle_chassis.json")
    base.pop("$comment", None)
    for i in range(n):
        case = copy.deepcopy(base)
        for j, p in enumerate(case["Periods"]):
            p["Per_Units"] = p["Per_Units"] + 100 * i + 10 * j
            p["Per_Price"] = p["Per_Price"] * (1 + i / 1000)
        case["Claim_Amount"] = 20_000_000 + 1_000_000 * i
        case["Case_Name"] = f"Generated case {i + 1:03d} (illustrative)"
        write_case(case, folder / f"case_{i + 1:03d}.json")


def main(n: int = 100) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        cases, out = tmp / "cases", tmp / "out"
        cases.mkdir()
        make_cases(cases, n)
        t0 = time.perf_counter()
        res = batch(cases, out)
        secs = time.perf_counter() - t0
        rate = n / secs
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"batch of {n} cases: {secs:.1f} s, {rate:.2f} cases/s (target {TARGET:g}), "
              f"{len(res.failed)} failed")
        print(f"peak memory: main process {own:.0f} MB, largest worker {kids:.0f} MB")
        per_case = sorted(r.seconds for r in res.results)
        print(f"per case in a worker: median {per_case[len(per_case) // 2]:.2f} s, max {per_case[-1]:.2f} s")
        print("target met" if rate >= TARGET else "BELOW TARGET")
        in_process(sorted(cases.iterdir())[:12], tmp / "one")
    return 0


def in_process(cases: list, out: pathlib.Path) -> None:
    """Seconds a case in this process: fill() against fill_fast() (after its one-off load of the template)."""
    from xl_tsd.workflows.fast_fill import fill_fast
    from xl_tsd.workflows.fill import fill

    out.mkdir()
    fill(cases[0], out / "warm.xlsm")  # imports, once, as in a batch
    t0 = time.perf_counter()
    for c in cases[:3]:
        fill(c, out / f"{c.stem}.xlsm")
    simple = (time.perf_counter() - t0) / 3
    t0 = time.perf_counter()
    fill_fast(cases[0], out / "fast-first.xlsm")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for c in cases[1:]:
        fill_fast(c, out / f"{c.stem}.fast.xlsm")
    fast = (time.perf_counter() - t0) / (len(cases) - 1)
    print(f"one process, per case: fill {simple:.2f} s; fill_fast {fast:.2f} s "
          f"(the first case, which loads the template into the engine: {first:.2f} s)")


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
