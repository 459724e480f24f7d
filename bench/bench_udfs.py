"""Benchmark of the Excel face: what a UDF call costs on the Python side.

For three scalar functions, the bare core call (plain floats) against the UDF
wrapper called as xlwings calls it (every argument a 1 x 1 2-D list, since
the wrappers read arguments with ``ndim=2``): the difference is the wrapper's
overhead (conversion in, one core call, conversion out). Then one array call
over a 10,000-row range (10,000 x 1 columns, as xlwings delivers them) against
the core call on numpy arrays. Excel's own cost (COM, VBA, the xlwings
server round trip) is not measured: there is no Excel here.

Target (issue 3): wrapper overhead <= 10 µs per scalar call.
Run: ``python bench/bench_udfs.py``.
"""
from __future__ import annotations

from _timing import best_ms, per_call_us  # bench/ is the script folder

import numpy as np

import xl_tsd
import xlwings
from udfs import tsd

OVERHEAD_TARGET_US = 10.0
ROWS = 10_000



def column(values) -> list:
    """A column range as xlwings passes it with ndim=2: a list of 1-element rows."""
    return [[None if v != v else float(v)] for v in values]


def main() -> int:
    scalar = {  # name: (core call, UDF call as xlwings makes it)
        "DAMAGES_BASE": (lambda: xl_tsd.damages_base(150000.0, 1000.0, 0.1, 0.08),
                         lambda: tsd.DAMAGES_BASE([[150000.0]], [[1000.0]], [[0.1]], [[0.08]])),
        "TECH_CONTRIB_RATE": (lambda: xl_tsd.tech_contrib_rate(1.0, 0.8, 0.4, 0.25),
                              lambda: tsd.TECH_CONTRIB_RATE([[1.0]], [[0.8]], [[0.4]], [[0.25]])),
        "LOST_PROFIT": (lambda: xl_tsd.lost_profit(None, 50.0, 3000.0, 20.0),
                        lambda: tsd.LOST_PROFIT([[None]], [[50.0]], [[3000.0]], [[20.0]])),
    }
    print(f"xl_tsd {xl_tsd.__version__}, xlwings {xlwings.__version__}, numpy {np.__version__}")
    print(f"{'scalar call':<20} {'core µs':>9} {'UDF µs':>9} {'overhead µs':>12} {'target':>7}")
    ok = True
    for name, (core, udf) in scalar.items():
        assert udf() == core(), name  # same figure both ways
        c, u = per_call_us(core), per_call_us(udf)
        ok &= u - c <= OVERHEAD_TARGET_US
        print(f"{name:<20} {c:>9.2f} {u:>9.2f} {u - c:>12.2f} {OVERHEAD_TARGET_US:>7.1f}"
              f"   {'ok' if u - c <= OVERHEAD_TARGET_US else 'OVER TARGET'}")

    rng = np.random.default_rng(0)
    price, qty = rng.uniform(1e3, 2e5, ROWS), rng.integers(0, 10_000, ROWS).astype(float)
    margin, rate = rng.uniform(0, 0.3, ROWS), rng.uniform(0, 1, ROWS)
    lost = np.where(rng.random(ROWS) < 0.3, np.nan, qty)  # 30 % empty cells: the cascade's fallbacks
    own, inf_units, inf_profit = margin * 100, qty * 2, margin * 50
    ranges = {
        "DAMAGES_BASE": ((price, qty, margin, rate), tsd.DAMAGES_BASE, xl_tsd.damages_base),
        "LOST_PROFIT": ((lost, own, inf_units, inf_profit), tsd.LOST_PROFIT, xl_tsd.lost_profit),
    }
    print(f"\n{'10,000-row range':<20} {'core ms':>9} {'UDF ms':>9} {'UDF µs/row':>12}")
    for name, (arrays, udf, core) in ranges.items():
        cols = [column(a) for a in arrays]
        out = udf(*cols)
        assert len(out) == ROWS and np.allclose([r[0] for r in out], core(*arrays)), name
        c, u = best_ms(lambda: core(*arrays)), best_ms(lambda: udf(*cols))
        print(f"{name:<20} {c:>9.2f} {u:>9.2f} {u / ROWS * 1e3:>12.3f}")
    print("\nscalar overhead target met" if ok else "\nscalar overhead target MISSED")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
