"""Speed of repeated evaluation of the case template (xl_tsd.calc.Session), for sensitivity analysis.

The vehicle chassis example (CASES.md A, illustrative sales) is filled into the template once; a
:class:`~xl_tsd.calc.Session` loads it, and each evaluation puts new values into named input cells,
recomputes what depends on them and reads four headline outputs. Prints, in this one process:

- a tornado: 12 inputs each at -20 % and +20 %, plus the base case (25 evaluations);
- a 50 x 50 grid of two inputs (2,500 evaluations);
- 10,000 Monte-Carlo draws of four inputs (10,000 evaluations);

with the time per evaluation. Targets (issue 13): tornado <= 2 s, grid <= 10 s, 10,000 draws <= 30 s.
Run: ``python bench/bench_session.py [DRAWS]``.
"""
from __future__ import annotations

import pathlib
import random
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUTPUTS = ["Total_Award", "Econ_Loss", "Headline_Amount", "Check_Master"]
TARGETS = {"tornado": 2.0, "grid": 10.0, "monte carlo": 30.0}


def _scaled(base, k):
    return [None if v is None else v * k for v in base] if isinstance(base, list) else base * k


def main(draws: int = 10_000) -> int:
    from xl_tsd.calc import Session
    from xl_tsd.workflows.fast_fill import fill_fast

    with tempfile.TemporaryDirectory() as tmp:
        book = pathlib.Path(tmp) / "vehicle.xlsm"
        fill_fast(ROOT / "examples" / "cases" / "vehicle_chassis.json", book)
        t0 = time.perf_counter()
        s = Session(book)
        base = s.read(OUTPUTS)
        print(f"load and first computation: {time.perf_counter() - t0:.3f} s; Total_Award {base['Total_Award']:,.2f}")
        names = ["Share_S2", "Share_S3", "Claim_Amount", "Income_Annual", "Income_Years", "Income_Discount",
                 "Exp_Lawyer", "Exp_Notary", "Exp_Appraisal", "Per_Units", "Per_Price", "Per_Benchmark"]
        start = {n: _row(s.get(n)) for n in names}
        rows = []

        t = time.perf_counter()
        n = 0
        s.evaluate({}, OUTPUTS)
        n += 1
        for name in names:
            for k in (0.8, 1.2):
                v = s.evaluate({name: _scaled(start[name], k)}, OUTPUTS)["Total_Award"]
                s.set({name: start[name]})
                n += 1
                rows.append((name, k, v))
        rows.append(("tornado", n, time.perf_counter() - t))

        t = time.perf_counter()
        n = 0
        for i in range(50):
            for j in range(50):
                s.evaluate({"Share_S2": 0.5 + i * 0.01, "Per_Benchmark": _scaled(start["Per_Benchmark"],
                                                                                 0.5 + j * 0.02)}, OUTPUTS)
                n += 1
        rows.append(("grid", n, time.perf_counter() - t))
        s.set({"Share_S2": start["Share_S2"], "Per_Benchmark": start["Per_Benchmark"]})

        rng = random.Random(13)
        t = time.perf_counter()
        for _ in range(draws):
            s.evaluate({"Share_S2": rng.uniform(0.6, 1.0), "Share_S3": rng.uniform(0.3, 0.5),
                        "Per_Units": _scaled(start["Per_Units"], rng.lognormvariate(0, 0.1)),
                        "Per_Price": _scaled(start["Per_Price"], rng.uniform(0.9, 1.1))}, OUTPUTS)
        rows.append(("monte carlo", draws, time.perf_counter() - t))

    for name, count, secs in rows[-3:]:
        target = TARGETS[name] * (count / 10_000 if name == "monte carlo" else 1)
        print(f"{name}: {count} evaluations in {secs:.2f} s, {secs / count * 1000:.2f} ms each "
              f"(target {target:g} s){'' if secs <= target else '  ABOVE TARGET'}")
    return 0


def _row(v):
    """A named range's value as a flat list (a table column is one row of cells here), else the value."""
    if isinstance(v, list):
        return [x for r in v for x in r]
    return v


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
