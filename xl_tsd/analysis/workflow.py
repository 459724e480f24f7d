"""``xl-tsd sensitivity``: a case (or a workbook built from the template) in, its workbook with the
Sensitivity and Scenarios sheets out.

The order of work is the refusal rule's: the case, its ``scenarios`` and
``sensitivity`` sections and the options are checked first, then the output
(an ``.xlsm``, never the input, never an existing file without
``overwrite``); only then is anything computed. The workbook is filled (from
a case) or read (a book), analysed (:func:`~.run.analyse`), the sheets are
added, the fingerprint of the inputs is recorded in ``Sens_Fingerprint``, and
the whole workbook is computed by :func:`xl_tsd.calc.calculate` and written
atomically.
"""
from __future__ import annotations

import io
import pathlib
import time
from dataclasses import dataclass, field

from .._atomic import check_output, same_file
from ..template import layout as L
from ..template.contract import name_cells
from ..workflows.case_data import CaseError

__all__ = ["SensitivityReport", "sensitivity", "analyse_case", "BOOK_SUFFIXES"]

BOOK_SUFFIXES = (".xlsm", ".xlsx")


@dataclass
class SensitivityReport:
    source: str
    output: pathlib.Path
    results: object                      # run.Results
    headline: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    fingerprint: str = ""
    seconds: float = 0.0

    @property
    def master_check(self):
        return self.headline.get(L.MASTER)

    def percentile(self, p: int):
        mc = self.results.monte_carlo
        return None if mc is None else mc.percentiles.get(p)


def _book_case(book: pathlib.Path):
    """A book's inputs as a case, and its openpyxl workbook (with VBA)."""
    from ..calc import safety
    from ..workflows.case_data import inputs_to_case, validate_case
    from ..workflows.fill import _check_input_names
    from ..template.contract import read_inputs

    wb = safety.load_workbook(book, keep_vba=True)
    _check_input_names(wb, book)
    missing = [n for n in (L.SENS_CURRENT, L.SENS_RECORDED) if wb.defined_names.get(n) is None]
    if missing:
        raise CaseError(str(book), [f"the workbook lacks {', '.join(missing)} (built from a template before "
                                    f"sensitivity results were checked): run xl-tsd upgrade first"])
    case = inputs_to_case(read_inputs(wb), None)
    validate_case(case, str(book))
    return case, wb


def _checked_plan(case, name: str, options: dict):
    """The plan of a case not yet validated: the schema's problems and the analysis's own (low above
    high, bounds, names) listed together, every one of them, before anything is computed."""
    from ..workflows.case_data import validate_case
    from .spec import plan_of

    problems: list[str] = []
    try:
        validate_case(case, name)
    except CaseError as exc:
        problems += exc.problems
    try:
        plan = plan_of(case, name, **options)
    except CaseError as exc:
        said = {p.split(": ", 1)[0] for p in problems}  # one message per field: the schema's first
        problems += [p for p in exc.problems if p.split(": ", 1)[0] not in said]
        plan = None
    except Exception:  # data the schema refused (a text for a number...): its problems are listed already
        if not problems:
            raise
        plan = None
    if problems:
        raise CaseError(name, problems)
    return plan


def _prepared(source, options: dict):
    """(name for messages, the book or None, the checked plan, the book's openpyxl workbook or None)."""
    from .spec import plan_of
    from ..workflows.case_data import load_case

    name = "case" if isinstance(source, dict) else str(source)
    if isinstance(source, dict) or pathlib.Path(source).suffix.lower() not in BOOK_SUFFIXES:
        case = source if isinstance(source, dict) else load_case(source, validate=False)
        return name, None, _checked_plan(case, name, options), None
    book = pathlib.Path(source)
    case, wb = _book_case(book)
    return name, book, plan_of(case, name, **options), wb


def _filled(plan, tpl):
    """The template (openpyxl, with its VBA) with the plan's base case written in."""
    from ..calc import safety
    from ..template.contract import write_inputs
    from ..workflows.case_data import case_to_inputs
    from ..workflows.fill import checked_template

    wb = safety.load_workbook(checked_template(tpl), keep_vba=True)
    write_inputs(wb, case_to_inputs(plan.case))
    return wb


def analyse_case(source, *, draws: int | None = None, seed: int | None = None, grid=None,
                 grid_steps: int | None = None, workers: int | None = None, template=None, limits=None):
    """The analysis of a case (or a workbook built from the template) without writing anything: the
    :class:`~.run.Results` :func:`sensitivity` writes into the sheets. Same arguments and refusals.

    For example (``tests/test_analysis.py``)::

        res = analyse_case("examples/cases/vehicle_chassis.json", draws=20, workers=1)
        res.tornado[0].key                      # 'Share_S3': the largest swing
        [sc.name for sc, _ in res.scenarios]    # ['权利人主张 claimant', '被告主张 defendant']
    """
    from ..workflows.fill import default_template
    from .evaluate import analysis_copy
    from .run import analyse

    _, book, plan, wb = _prepared(source, dict(draws=draws, seed=seed, grid=tuple(grid) if grid else None,
                                               grid_steps=grid_steps))
    if wb is None:
        wb = _filled(plan, pathlib.Path(template) if template else default_template())
    name_cells(wb, L.SENS_RECORDED)[0][0].value = None
    return analyse(plan, analysis_copy(wb), workers=workers, limits=limits)


def sensitivity(source, out, *, draws: int | None = None, seed: int | None = None, grid=None,
                grid_steps: int | None = None, workers: int | None = None, overwrite: bool = False,
                template=None, limits=None) -> SensitivityReport:
    """Analyse a case and write its workbook with the Sensitivity and Scenarios sheets.

    Parameters
    ----------
    source : path or dict
        A case file (``.json``/``.yaml``) with optional ``scenarios`` and ``sensitivity`` sections
        (:mod:`.spec`), or a workbook built from the template (its inputs; default ranges, no scenarios).
    out : path
        The ``.xlsm`` to write (atomically; its folder must exist; never ``source``).
    draws, seed, grid, grid_steps : optional
        Override the case's ``sensitivity`` section (``grid``: two input keys).
    workers : int, optional
        Processes for the grid and the draws (default: the cores; 1 in a batch worker).
    overwrite : bool
        Replace ``out`` if it exists.
    template, limits : optional
        As for :func:`xl_tsd.workflows.fill.fill`.

    Raises
    ------
    CaseError
        Bad case data, scenarios or ranges: every problem listed with its field path; nothing computed.
    FileExistsError, xl_tsd._atomic.OutputRefused
        The output exists (without ``overwrite``) or cannot be written there.
    """
    from ..calc import Session, calculate
    from ..workflows.fill import default_template
    from .evaluate import analysis_copy
    from .run import analyse
    from .sheets import write_sheets

    t0 = time.perf_counter()
    name, book, plan, wb = _prepared(source, dict(draws=draws, seed=seed, grid=tuple(grid) if grid else None,
                                                  grid_steps=grid_steps))
    out = pathlib.Path(out)
    if out.suffix.lower() != ".xlsm":
        raise CaseError(name, [f"output must be an .xlsm workbook (got {out.name})"])
    if book is not None and same_file(book, out):
        raise CaseError(name, [f"output {out} is the input workbook: choose another file (nothing of the input "
                               f"is overwritten)"])
    tpl = pathlib.Path(template) if template else default_template()
    if book is None and same_file(tpl, out):
        raise CaseError(name, [f"output {out} is the template: choose another file"])
    check_output(out, overwrite=overwrite)
    wb = _filled(plan, tpl) if wb is None else wb
    for cell in (name_cells(wb, L.SENS_RECORDED)[0][0],):
        cell.value = None  # recorded below, once the results are computed

    res = analyse(plan, analysis_copy(wb), workers=workers, limits=limits)

    buf = io.BytesIO()
    wb.save(buf)
    fingerprint = Session(buf.getvalue(), limits=limits).get(L.SENS_CURRENT)  # the engine's own value
    if not isinstance(fingerprint, str) or len(fingerprint) != 16:
        raise RuntimeError(f"the fingerprint of the inputs could not be computed (got {fingerprint!r})")
    write_sheets(wb, res)
    name_cells(wb, L.SENS_RECORDED)[0][0].value = fingerprint
    buf = io.BytesIO()
    wb.save(buf)
    report = calculate(buf.getvalue(), out, overwrite=overwrite, limits=limits)
    from ..workflows.fill import headline
    return SensitivityReport(name, out, res, headline(report.values, wb), list(report.errors),
                             list(report.problems), fingerprint, time.perf_counter() - t0)
