"""Batch: every case file of a folder to a finished workbook, in parallel, with a summary."""
from __future__ import annotations

import csv
import os
import pathlib
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Font, PatternFill

from .._atomic import atomic_path
from ..template import layout as L
from .case_data import CaseError

__all__ = ["batch", "BatchResult", "case_files", "SUMMARY_CSV", "SUMMARY_XLSX"]

SUMMARY_CSV = "summary.csv"
SUMMARY_XLSX = "summary.xlsx"
CASE_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass
class CaseResult:
    case: str
    output: str = ""
    ok: bool = False
    error: str = ""
    headline: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class BatchResult:
    results: list[CaseResult]
    summary_csv: pathlib.Path
    summary_xlsx: pathlib.Path
    seconds: float

    @property
    def failed(self) -> list[CaseResult]:
        return [r for r in self.results if not r.ok]


def case_files(folder) -> list[pathlib.Path]:
    """The case files of a folder (.json, .yaml, .yml), sorted by name."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CASE_SUFFIXES)


def _one(path: str, out_dir: str, template: str | None, overwrite: bool, limits=None) -> CaseResult:
    """Fill one case (runs in a worker process); never raises.

    :func:`~.fast_fill.fill_fast`: the worker compiles the template once and fills case after case.
    """
    from .fast_fill import fill_fast

    t0 = time.perf_counter()
    p = pathlib.Path(path)
    res = CaseResult(p.name)
    try:
        rep = fill_fast(p, pathlib.Path(out_dir) / (p.stem + ".xlsm"), template=template, overwrite=overwrite,
                        limits=limits)
        res.output, res.headline = str(rep.output), rep.headline
        res.ok = rep.master_check is True and not rep.errors
        if not res.ok:
            bad = "; ".join(str(e) for e in rep.errors[:3]) or "master check is FALSE (see the Checks sheet)"
            res.error = f"computed with problems: {bad}"
    except CaseError as exc:
        res.error = "; ".join(exc.problems)
    except ValueError as exc:  # xl_tsd.calc.InputRefused: the template or a limit, in one line
        res.error = str(exc)
    except Exception as exc:  # one bad case must not stop the others: report it
        res.error = f"{type(exc).__name__}: {exc}".strip() or traceback.format_exc(limit=1)
    res.seconds = time.perf_counter() - t0
    return res


def _worker_start(template: str, limits=None) -> None:
    """A worker's start: the template loaded into the engine once for all its cases (:func:`~.fast_fill.filler_for`)."""
    import gc

    from .fast_fill import filler_for
    try:
        filler_for(template, limits)
    except Exception:  # a template that cannot be read: each case reports why
        return
    gc.collect()
    gc.freeze()  # the loaded template lives as long as the worker: the collector need not scan it again


def batch(cases_dir, out_dir, *, template=None, workers: int | None = None, overwrite: bool = False,
          progress=None, limits=None) -> BatchResult:
    """Fill and compute every case file of ``cases_dir`` into ``out_dir``.

    Cases run in parallel over ``workers`` processes (default: the machine's
    cores). A case that fails is reported in the summary and does not stop
    the others. The summary (``summary.csv`` and ``summary.xlsx`` in
    ``out_dir``) lists each case's headline outputs (:data:`layout.HEADLINE_OUTPUTS`),
    its status and its error.

    ``progress``, if given, is called with each :class:`CaseResult` as it completes. ``limits``
    (:class:`xl_tsd.calc.Limits`) bounds the work of each case.
    """
    t0 = time.perf_counter()
    files = case_files(cases_dir)
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(files) or 1))
    tpl = str(template) if template else None
    if tpl is None:
        from .fill import default_template
        tpl = str(default_template())  # build once here, not in every worker
    results: list[CaseResult] = []
    if workers == 1:
        for f in files:
            results.append(_one(str(f), str(out), tpl, overwrite, limits))
            if progress:
                progress(results[-1])
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start, initargs=(tpl, limits)) as pool:
            futures = [pool.submit(_one, str(f), str(out), tpl, overwrite, limits) for f in files]
            for fut in as_completed(futures):
                results.append(fut.result())
                if progress:
                    progress(results[-1])
    order = {f.name: i for i, f in enumerate(files)}
    results.sort(key=lambda r: order[r.case])
    csv_path, xlsx_path = _write_summary(results, out)
    return BatchResult(results, csv_path, xlsx_path, time.perf_counter() - t0)


_COLUMNS = ("case", "status", "error", *L.HEADLINE_OUTPUTS, "output", "seconds")


def _row(r: CaseResult) -> list:
    return [r.case, "ok" if r.ok else "FAILED", r.error, *(r.headline.get(n) for n in L.HEADLINE_OUTPUTS),
            r.output, round(r.seconds, 3)]


def _write_summary(results: list[CaseResult], out: pathlib.Path):
    csv_path, xlsx_path = out / SUMMARY_CSV, out / SUMMARY_XLSX
    with atomic_path(csv_path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8 CSV right
            w = csv.writer(fh)
            w.writerow(_COLUMNS)
            w.writerows(["" if v is None else v for v in _row(r)] for r in results)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(list(_COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    for r in results:
        ws.append(_row(r))
        row = ws.max_row
        for c in ws[row]:
            if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@"):
                c.data_type = "s"  # case names and messages are text, never formulas
        if not r.ok:
            for c in ws[row]:
                c.fill = red
        for col in range(4, 4 + len(L.HEADLINE_OUTPUTS)):
            ws.cell(row, col).number_format = "#,##0.00"
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 60
    with atomic_path(xlsx_path) as tmp:
        wb.save(tmp)
    return csv_path, xlsx_path
