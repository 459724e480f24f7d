"""The xl-tsd command (issue 2: the worked example end to end)."""
from click.testing import CliRunner

from xl_tsd.cli import main


def test_example_prints_figures_with_method_and_basis():
    res = CliRunner().invoke(main, ["example"])
    assert res.exit_code == 0, res.output
    # 1 x 0.80 x 0.40 x 0.25 = 0.08 (CASES.md A)
    assert "Technology contribution rate" in res.output and "0.0800  =TECH_CONTRIB_RATE" in res.output
    # period 2 base: 175,000 x 12,000 x 0.05 x 0.08 = 8,400,000; x2 = 16,800,000 (hand calculation,
    # illustrative figures of xl_tsd/workflows/worked_example.py)
    assert "8,400,000.00  =DAMAGES_BASE" in res.output
    assert "16,800,000.00  =PUNITIVE_TOTAL" in res.output
    # total: 4,320,000 + 16,800,000 + 27,200,000 + expenses 2,420,000 = 50,740,000 (hand calculation)
    assert "50,740,000.00  =AWARD_TOTAL" in res.output
    assert res.output.count("basis:") == res.output.count("  =")


def test_explain():
    res = CliRunner().invoke(main, ["explain", "AWARD_TOTAL", "--lang", "en"])
    assert res.exit_code == 0 and "min(economic_loss, claimed) + expenses" in res.output
    res = CliRunner().invoke(main, ["explain", "NOPE"])
    assert res.exit_code != 0 and "function_name must be one of" in res.output
