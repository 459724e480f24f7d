"""Scenarios and sensitivity: ranges from the workbook's own formulas, not from a second model.

- :mod:`.spec`: the case file's ``scenarios`` and ``sensitivity`` sections, checked (field paths,
  legal and method bounds, limits) before anything is computed;
- :mod:`.evaluate`: the case's workbook in the headless engine (:class:`xl_tsd.calc.Session`),
  evaluated at many points, over worker processes when there are many;
- :mod:`.tornado`, :mod:`.grid`, :mod:`.monte_carlo`: the points and what is made of them;
- :mod:`.run`: the analysis of one case (:func:`analyse`);
- :mod:`.sheets`: the Sensitivity and Scenarios sheets (values, native Excel charts, the staleness check);
- :mod:`.workflow`: ``xl-tsd sensitivity`` (:func:`sensitivity`); the same results without a workbook
  written (:func:`analyse_case`).

In Python (``tests/test_analysis.py`` runs the same)::

    from xl_tsd.analysis import sensitivity
    rep = sensitivity("examples/cases/vehicle_chassis.json", "out/sens.xlsm", draws=10_000, seed=13)
    rep.percentile(50), rep.results.tornado[0].key, rep.master_check
"""
from .run import Results, analyse
from .spec import DISTRIBUTIONS, LIMITS, Plan, plan_of
from .workflow import SensitivityReport, analyse_case, sensitivity

__all__ = ["sensitivity", "analyse_case", "SensitivityReport", "analyse", "Results", "plan_of", "Plan", "LIMITS",
           "DISTRIBUTIONS"]
