"""Property tests (hypothesis) of the core methods (issue 2)."""
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xl_tsd
from xl_tsd._coerce import date_to_serial
from xl_tsd.errors import TsdError

shares = st.floats(0, 1, allow_nan=False)
money = st.floats(0, 1e9, allow_nan=False)
maybe_money = st.one_of(st.none(), money)
dates = st.dates(dt.date(2004, 12, 22), dt.date(2030, 12, 31))
settings.register_profile("xl_tsd_core", settings.get_profile("xl_tsd"), max_examples=150)
settings.load_profile("xl_tsd_core")


@given(shares, shares, shares, shares)
def test_contribution_rate_in_unit_interval(s1, s2, s3, s4):
    r = xl_tsd.tech_contrib_rate(s1, s2, s3, s4)
    assert 0.0 <= r <= 1.0
    assert r <= min(s1, s2, s3, s4) + 1e-15  # a product of shares is no larger than any factor


@given(st.lists(shares, min_size=4, max_size=4), st.integers(0, 3), shares)
def test_contribution_rate_monotone_in_each_factor(s, i, other):
    lo, hi = sorted([s[i], other])
    a, b = list(s), list(s)
    a[i], b[i] = lo, hi
    assert xl_tsd.tech_contrib_rate(*a) <= xl_tsd.tech_contrib_rate(*b)


@given(maybe_money, maybe_money, maybe_money, maybe_money)
def test_lost_profit_uses_first_known_step(lu, op, iu, ip):
    steps = [(lu, op), (iu, op), (iu, ip)]  # DOMAIN §2 order
    first = next(((a, b) for a, b in steps if a is not None and b is not None), None)
    if first is None:
        with pytest.raises(xl_tsd.TsdMissingError):
            xl_tsd.lost_profit(lu, op, iu, ip)
    else:
        assert xl_tsd.lost_profit(lu, op, iu, ip) == first[0] * first[1]


@given(st.floats(0, 1e8), st.floats(0, 1e8), dates, st.booleans())
def test_criminal_tier_monotone_in_amount(a, b, on, repeat):
    order = {"": 0, "情节严重": 1, "情节特别严重": 2}
    lo, hi = sorted([a, b])
    assert order[xl_tsd.criminal_tier(lo, on, repeat)] <= order[xl_tsd.criminal_tier(hi, on, repeat)]


@given(dates)
def test_serial_numbers_equal_dates(on):
    serial = date_to_serial(on)
    assert xl_tsd.punitive_available(serial) == xl_tsd.punitive_available(on)
    assert xl_tsd.criminal_tier(400_000, float(serial)) == xl_tsd.criminal_tier(400_000, on)
    assert xl_tsd.tsd_rule("criminal_serious", serial) == xl_tsd.tsd_rule("criminal_serious", on)


def test_known_serials():
    # Excel: DATE(1900,1,1) = 1, DATE(1900,3,1) = 61, DATE(2025,5,1) = 45778
    assert date_to_serial(dt.date(1900, 1, 1)) == 1
    assert date_to_serial(dt.date(1900, 3, 1)) == 61
    assert date_to_serial(dt.date(2025, 5, 1)) == 45778


def _elementwise(f, *cols):
    out = []
    for row in zip(*cols):
        try:
            out.append(f(*row))
        except TsdError:
            return None
    return out


rows = st.integers(1, 6)


@given(st.data())
def test_vectorised_equals_elementwise(data):
    n = data.draw(rows)
    col = lambda s: data.draw(st.lists(s, min_size=n, max_size=n))  # noqa: E731
    cases = [
        (xl_tsd.tech_contrib_rate, [col(shares) for _ in range(4)]),
        (xl_tsd.damages_base, [col(money), col(money), col(shares), col(shares)]),
        (xl_tsd.lost_profit, [col(maybe_money) for _ in range(4)]),
        (xl_tsd.infringer_gain, [col(money), col(st.one_of(st.none(), st.floats(-2, 1))),
                                 col(st.one_of(st.none(), shares))]),
        (xl_tsd.license_fee_loss, [col(money), col(st.floats(0.1, 10)), col(st.floats(0, 10)),
                                   col(st.one_of(st.none(), st.floats(0.5, 5)))]),
        (xl_tsd.income_value, [col(money), col(st.floats(0, 20)), col(st.floats(0, 0.5))]),
        (xl_tsd.remedial_share, [col(money), col(st.sampled_from(["restore", "加强", "enhance", "重建"])),
                                 col(st.floats(0.5, 10)), col(st.floats(0, 10))]),
        (xl_tsd.punitive_available, [col(dates)]),
        (xl_tsd.punitive_total, [col(money), col(st.floats(1, 5))]),
        (xl_tsd.award_total, [col(money), col(money), col(maybe_money)]),
        (xl_tsd.criminal_loss, [col(st.integers(1, 5)), col(maybe_money), col(maybe_money), col(maybe_money),
                                col(maybe_money)]),
        (xl_tsd.criminal_tier, [col(money), col(dates), col(st.booleans())]),
        (xl_tsd.effective_contrib, [col(shares), col(st.booleans()), col(st.booleans()), col(st.booleans())]),
        (xl_tsd.component_profit_ok, [col(money), col(st.floats(1, 1e9)), col(st.floats(0.01, 1))]),
        (xl_tsd.profit_split, [col(st.sampled_from(list(xl_tsd.contribution.PROFIT_SPLITS)))]),
        (xl_tsd.royalty_to_split, [col(st.floats(0, 0.1)), col(st.floats(0.1, 1))]),
    ]
    for f, args in cases:
        expected = _elementwise(f, *args)
        if expected is None:  # some element is invalid: the array call must fail too
            with pytest.raises(TsdError):
                f(*args)
            continue
        got = f(*args)
        assert isinstance(got, np.ndarray) and got.shape == (n,), f.__name__
        if got.dtype.kind == "f":  # SIMD and scalar pow may differ in the last bit
            assert got.tolist() == pytest.approx(expected, rel=1e-12, abs=1e-300), f.__name__
        else:
            assert got.tolist() == expected, f.__name__


@given(st.lists(st.floats(0, 1), min_size=2, max_size=2))
def test_broadcast_2d_keeps_shape(s):
    got = xl_tsd.tech_contrib_rate([[s[0]], [s[1]]], 1, 1, [[1, 0.5]])  # column x row -> 2 x 2 block
    assert got.shape == (2, 2)
    assert got[1, 1] == s[1] * 0.5


def test_scalars_in_python_scalars_out():
    assert type(xl_tsd.tech_contrib_rate(1, 0.8, 0.4, 0.25)) is float
    assert type(xl_tsd.component_profit_ok(1, 2)) is bool
    assert type(xl_tsd.criminal_tier(1, dt.date(2025, 5, 1))) is str
    assert type(xl_tsd.lost_profit(np.float64(2), np.int64(3))) is float
