"""Benchmark of the core library: scalar call time and vectorised throughput.

Targets (issue 2, on the 2-core build machine): a scalar call <= 5 µs;
1,000,000 rows in one vectorised call <= 50 ms. Run: ``python bench/bench_core.py``.
"""
from __future__ import annotations

from _timing import best_ms, per_call_us  # bench/ is the script folder

import numpy as np

import xl_tsd

SCALAR_TARGET_US = 5.0
VECTOR_TARGET_MS = 50.0
ROWS = 1_000_000



def main() -> int:
    rng = np.random.default_rng(0)
    price = rng.uniform(1e3, 2e5, ROWS)
    qty = rng.integers(0, 10_000, ROWS).astype(float)
    margin = rng.uniform(0, 0.3, ROWS)
    rate = rng.uniform(0, 1, ROWS)
    s = [rng.uniform(0, 1, ROWS) for _ in range(4)]
    lost = np.where(rng.random(ROWS) < 0.3, np.nan, qty)  # 30 % unknown: exercises the cascade
    own = np.where(rng.random(ROWS) < 0.3, np.nan, margin * 100)
    inf_units = qty * 2
    inf_profit = margin * 50

    scalar = {
        "DAMAGES_BASE": lambda: xl_tsd.damages_base(150000.0, 1000.0, 0.1, 0.08),
        "TECH_CONTRIB_RATE": lambda: xl_tsd.tech_contrib_rate(1.0, 0.8, 0.4, 0.25),
        "LOST_PROFIT": lambda: xl_tsd.lost_profit(None, 50.0, 3000.0, 20.0),
    }
    vector = {
        "DAMAGES_BASE": lambda: xl_tsd.damages_base(price, qty, margin, rate),
        "TECH_CONTRIB_RATE": lambda: xl_tsd.tech_contrib_rate(*s),
        "LOST_PROFIT": lambda: xl_tsd.lost_profit(lost, own, inf_units, inf_profit),
    }
    ok = True
    print(f"xl_tsd {xl_tsd.__version__}, numpy {np.__version__}")
    print(f"{'function':<20} {'scalar µs/call':>15} {'target':>8}   {'1M rows ms':>11} {'target':>8}")
    for name in scalar:
        us = per_call_us(scalar[name])
        ms = best_ms(vector[name])
        ok &= us <= SCALAR_TARGET_US and ms <= VECTOR_TARGET_MS
        print(f"{name:<20} {us:>15.2f} {SCALAR_TARGET_US:>8.1f}   {ms:>11.1f} {VECTOR_TARGET_MS:>8.1f}"
              f"   {'ok' if us <= SCALAR_TARGET_US and ms <= VECTOR_TARGET_MS else 'OVER TARGET'}")
        print(f"{'':<20} {'':>15} {'':>8}   {ROWS / ms * 1e3 / 1e6:>9.1f} M rows/s")
    print("all targets met" if ok else "some targets missed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
