"""The registry against the public contract (FUNCTIONS.md) and the legal table's monopoly."""
import datetime as dt
import pathlib
import re

import pytest

import xl_tsd
from xl_tsd import legal
from xl_tsd.registry import FUNCTIONS

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: The catalogue's public contract, frozen in the repository (a clone needs nothing beside it).
SPEC = pathlib.Path(__file__).resolve().parent / "contract" / "FUNCTIONS.md"


def _catalogue():
    """(name, [args]) rows of the FUNCTIONS.md table; optional args in [brackets]."""
    rows = []
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*([A-Z_]+)\s*\|([^|]*)\|", line)
        if m and m[1] != "Excel":
            args = [a.strip() for a in m[2].split(",") if a.strip()]
            rows.append((m[1], [(a.strip("[]").split("=")[0].removesuffix("..."), a.startswith("[")) for a in args]))
    return rows


def _raw_args(name):
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*([A-Z_]+)\s*\|([^|]*)\|", line)
        if m and m[1] == name:
            return [a.strip().strip("[]").split("=")[0] for a in m[2].split(",") if a.strip()]
    return []


def test_catalogue_file_is_there():
    # the contract test below must never be skipped for want of its file
    assert SPEC.exists(), SPEC


def test_every_catalogue_function_registered_with_its_argument_order():
    rows = _catalogue()
    assert len(rows) >= 22
    for name, args in rows:
        spec = FUNCTIONS[name]
        assert [a.name for a in spec.args] == [a for a, _ in args], name
        assert [a.optional for a in spec.args] == [o for _, o in args], name
        assert [a.variadic for a in spec.args] == [a.endswith("...") for a in _raw_args(name)], name
        assert getattr(xl_tsd, name.lower()) is spec.func  # importable under the lower-case name


def test_registry_entries_are_complete():
    for spec in FUNCTIONS.values():
        assert spec.python_name == spec.name.lower()
        for field in ("formula", "basis_en", "basis_zh", "en", "zh", "unit"):
            assert getattr(spec, field).strip(), (spec.name, field)
        assert len(spec.wizard_text()) <= 255
        for a in spec.args:
            assert a.en and a.zh, (spec.name, a.name)
        doc = spec.func.__doc__
        for section in ("Parameters", "Returns", "Notes", "Examples"):
            assert section in doc, (spec.name, section)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_registry_examples_hold(name):
    spec = FUNCTIONS[name]
    for ex in spec.examples:
        if isinstance(ex.expected, str) and ex.expected.startswith("#"):
            with pytest.raises(xl_tsd.TsdError) as e:
                spec.func(*ex.args)
            assert e.value.excel_code == ex.expected
        elif isinstance(ex.expected, list):
            assert list(spec.func(*ex.args)) == pytest.approx(ex.expected, abs=5e-4)
        elif isinstance(ex.expected, float):
            assert spec.func(*ex.args) == pytest.approx(ex.expected, abs=5e-4), ex.source
        else:
            assert spec.func(*ex.args) == ex.expected, ex.source


def test_example_excel_text():
    ex = FUNCTIONS["LOST_PROFIT"].examples[1]
    assert ex.excel("LOST_PROFIT") == "=LOST_PROFIT(,50,3000,20)"
    assert FUNCTIONS["CRIMINAL_TIER"].examples[0].excel("CRIMINAL_TIER") == "=CRIMINAL_TIER(300000,DATE(2025,5,1))"


# --- the legal table is the only place a legal figure lives -------------------------------

LEGAL_FIGURES = re.compile(r"(?<![\d.])(5_?000_?000|3_?000_?000|2_?500_?000|500_?000|300_?000|100_?000)(?:\.0)?(?![\d])"
                           r"|2019,\s*4,\s*23|2019-04-23|2025,\s*10,\s*15|2025,\s*4,\s*26|2020,\s*9,\s*14|2004,\s*12,\s*22")


def test_no_legal_figure_outside_the_table():
    offenders = []
    for path in (ROOT / "xl_tsd").rglob("*.py"):
        if path.name in ("legal.py", "worked_example.py"):  # the table; illustrative case figures
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            doctest_output = re.fullmatch(r"\s*([\d.]+|datetime\.date\(.*\))\s*", line)
            if LEGAL_FIGURES.search(code) and not doctest_output and ">>>" not in line and "Example(" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_legal_table_rows():
    for r in legal.RULES:
        assert r.instrument in legal.INSTRUMENTS
        assert r.article and r.meaning_en and r.meaning_zh
        # a row never takes effect before its instrument does
        assert r.effective_from >= legal.INSTRUMENTS[r.instrument].in_force, r
        # issue 11 §2: every row names the public text it was checked against and its status
        assert r.source.strip() and isinstance(r.verified, bool), r
        assert r.verified or r.note.strip(), f"{r.key} {r.effective_from}: say what could not be confirmed"
    for key in ("statutory_cap", "punitive_min", "punitive_max", "punitive_from",
                "criminal_serious", "criminal_especially_serious"):  # FUNCTIONS.md TSD_RULE minimum keys
        assert key in legal.keys()
    for key in legal.keys():  # rows of one key are in date order
        dates = [r.effective_from for r in legal.RULES if r.key == key]
        assert dates == sorted(dates), key


def test_legal_table_status():
    # issue 11 §2: rows whose text was read (legal research of 2026-12) are verified; the one
    # reading no text states (10 x the repeat threshold, 法释〔2025〕5号 Art. 17 para. 2) is not
    unverified = [(r.key, r.effective_from) for r in legal.RULES if not r.verified]
    assert unverified == [("criminal_especially_serious_repeat", dt.date(2025, 4, 26))]
    row = legal.rule("criminal_especially_serious_repeat", dt.date(2026, 1, 1))
    assert row.status == "未核实 unverified" and "未经核实" in row.note
    # the AUCL 2025 row cites Art. 22 para. 3 and the text's words
    row = legal.rule("measure_order", dt.date(2025, 10, 15))
    assert row.value == "elective" and row.article == "第二十二条第三款" and "或者侵权人因侵权所获得的利益" in row.note
    # 高检发释字〔2001〕5号 numbers its items 一-四; the lenity rule is item 三, in force 2001-12-17
    row = legal.rule("criminal_lenity", dt.date(2002, 1, 1))
    assert row.article == "三" and legal.INSTRUMENTS[row.instrument].in_force == dt.date(2001, 12, 17)
    # no source string names a seed file
    assert not [i for i in legal.INSTRUMENTS.values() if "seed" in i.source.lower()]


def test_rules_in_force_snapshot():
    got = {r.key: r.value for r in legal.rules_in_force(dt.date(2025, 6, 1))}
    # 2025-06-01: AUCL 2019 (AUCL 2025 starts 2025-10-15) and 法释〔2025〕5号 (from 2025-04-26)
    assert got["statutory_cap"] == 5_000_000 and got["measure_order"] == "ordered"
    assert got["criminal_serious"] == 300_000 and got["criminal_serious_repeat"] == 100_000
