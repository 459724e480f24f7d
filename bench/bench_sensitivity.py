"""Speed of the analysis of `xl-tsd sensitivity` (xl_tsd.analysis), beside the per-case fill path.

The vehicle chassis example (examples/cases/vehicle_chassis.json) is filled into the template once and
loaded into the engine (:class:`xl_tsd.analysis.evaluate.Evaluator`, a :class:`xl_tsd.calc.Session`);
each point sets the inputs that differ and recomputes what depends on them. Prints:

- a tornado of 12 inputs (the first 12 of the example's default plan: shares, period columns, each
  period's multiplier, ...): 24 points, one process;
- a 50 x 50 grid of the contribution share s3 and the benchmark margin (2,500 points), one process and
  over every core;
- 10,000 Monte-Carlo draws of every input the example varies (17 inputs), one process (a sample,
  scaled) and over every core;
- side by side, the per-case path: one case through ``fill_fast`` (the batch's path: the template
  loaded once, each case written to a workbook) and through ``fill``, per point.

Targets (issue 13, on the 2-core machine): tornado <= 2 s, grid <= 10 s, 10,000 draws <= 30 s.
Run: ``python bench/bench_sensitivity.py [DRAWS]``.
"""
from __future__ import annotations

import os
import pathlib
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "cases" / "vehicle_chassis.json"
TARGETS = {"tornado": 2.0, "grid": 10.0, "monte carlo": 30.0}


def main(draws: int = 10_000) -> int:
    import openpyxl

    from xl_tsd.analysis import grid as G
    from xl_tsd.analysis import monte_carlo as MC
    from xl_tsd.analysis import tornado as T
    from xl_tsd.analysis.evaluate import Evaluator, analysis_copy
    from xl_tsd.analysis.spec import plan_of
    from xl_tsd.template.contract import write_inputs
    from xl_tsd.workflows.case_data import case_to_inputs, load_case
    from xl_tsd.workflows.fill import default_template, fill
    from xl_tsd.workflows.fast_fill import fill_fast

    cores = os.cpu_count() or 1
    case = load_case(CASE)
    plan = plan_of(case)
    wb = openpyxl.load_workbook(default_template(), keep_vba=True)
    write_inputs(wb, case_to_inputs(plan.case))
    data = analysis_copy(wb)
    outputs = ["Headline_Amount", "Total_Award", "Claim_Cap_Binds", "Check_Master"]
    t0 = time.perf_counter()
    one = Evaluator(data, plan.variables, outputs, workers=1)
    print(f"load into the engine: {time.perf_counter() - t0:.3f} s; base total {one.base['Total_Award']:,.2f}; "
          f"{cores} cores; {len(plan.variables)} inputs vary")
    rows = []

    tornado_vars = plan.variables[:12]
    ev12 = Evaluator(data, tornado_vars, outputs, workers=1)
    xs = T.points(tornado_vars)
    t = time.perf_counter()
    ev12.run(xs)
    rows.append(("tornado", f"{len(tornado_vars)} inputs, one process", len(xs), time.perf_counter() - t))

    keys = [v.key for v in plan.variables]
    gx, *_ = G.points(plan.variables, keys.index("Share_S3"), keys.index("Per_Benchmark"), 50)
    t = time.perf_counter()
    one.run(gx)
    rows.append(("grid", "50 x 50, one process", len(gx), time.perf_counter() - t))
    many = Evaluator(data, plan.variables, outputs, workers=cores)
    t = time.perf_counter()
    many.run(gx)
    rows.append(("grid", f"50 x 50, {cores} processes", len(gx), time.perf_counter() - t))

    mx = MC.sample(plan.variables, draws, plan.seed)
    sample = mx[: max(1, draws // 10)]
    t = time.perf_counter()
    one.run(sample)
    secs = (time.perf_counter() - t) * len(mx) / len(sample)
    rows.append(("monte carlo", f"{len(plan.variables)} inputs, one process ({len(sample):,} run, scaled)", draws,
                 secs))
    t = time.perf_counter()
    many.run(mx)
    rows.append(("monte carlo", f"{len(plan.variables)} inputs, {cores} processes", draws, time.perf_counter() - t))

    with tempfile.TemporaryDirectory() as tmp:
        fill_fast(CASE, pathlib.Path(tmp) / "warm.xlsm")  # the template loaded once, as in a batch worker
        n = 10
        t = time.perf_counter()
        for i in range(n):
            fill_fast(CASE, pathlib.Path(tmp) / f"f{i}.xlsm")
        fast = (time.perf_counter() - t) / n
        t = time.perf_counter()
        for i in range(3):
            fill(CASE, pathlib.Path(tmp) / f"s{i}.xlsm")
        slow = (time.perf_counter() - t) / 3

    for name, what, count, secs in rows:
        target = TARGETS[name] * (count / 10_000 if name == "monte carlo" else 1)
        print(f"{name}: {what}: {count:,} evaluations in {secs:.2f} s, {secs / count * 1000:.2f} ms each "
              f"(target {target:g} s){'' if secs <= target else '  ABOVE TARGET by ' + format(secs / target, '.2f') + 'x'}")
    print(f"per-case path, for comparison: fill_fast {fast * 1000:.0f} ms a case (10,000 draws: {fast * 1e4:,.0f} s), "
          f"fill {slow * 1000:.0f} ms a case (10,000 draws: {slow * 1e4:,.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
