"""Batch: every case file of a folder to a finished workbook, in parallel, with a summary.

Nothing is lost:

- every case gets its own output name (:func:`output_names`): the case file's
  name made safe for Windows, macOS and Linux alike (no ``<>:"/\\|?*`` or control
  characters, no reserved names such as CON or NUL, no trailing dot or space,
  at most :data:`MAX_STEM` characters), and made unique, ignoring case, where
  two cases would share one (``a.json`` and ``a.yaml`` give ``a_json.xlsm`` and
  ``a_yaml.xlsm``). A name that had to change is noted in the summary;
- without ``overwrite``, a batch whose outputs or summary exist is refused
  before any case is computed, and each workbook is then created exclusively
  (:func:`xl_tsd._atomic.atomic_path`), so a file that appears meanwhile is
  never replaced: its case is reported as failed;
- the summary is never rewritten without ``overwrite``.
"""
from __future__ import annotations

import csv
import hashlib
import os
import pathlib
import re
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import openpyxl
from openpyxl.styles import Font, PatternFill

from .._atomic import OutputRefused, atomic_path, exists_message, remove_stale_parts
from ..template import layout as L
from .case_data import CaseError

__all__ = ["batch", "BatchResult", "BatchRefused", "case_files", "output_names", "SUMMARY_CSV", "SUMMARY_XLSX",
           "MAX_STEM"]

SUMMARY_CSV = "summary.csv"
_CSV_DIGITS = 15  # significant digits of a number in summary.csv: Excel's precision
SUMMARY_XLSX = "summary.xlsx"
CASE_SUFFIXES = (".json", ".yaml", ".yml")
#: Longest output name (without ``.xlsm``): Excel refuses paths above 218 characters.
MAX_STEM = 80
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in "123456789¹²³"),
             *(f"LPT{i}" for i in "123456789¹²³")}


class BatchRefused(OutputRefused):
    """A batch refused before any case was computed; the message says why and what to do."""


@dataclass
class CaseResult:
    case: str
    output: str = ""
    ok: bool = False
    error: str = ""
    headline: dict = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""  # e.g. why the output name differs from the case file's


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


def _safe_stem(stem: str) -> tuple[str, str]:
    """A file name stem every system accepts, and what was changed (empty: nothing)."""
    why = []
    s = unicodedata.normalize("NFC", stem.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    t = _UNSAFE.sub("_", s)
    if t != s:
        why.append("characters a file name cannot hold replaced by _")
    t2 = t.rstrip(" .").lstrip(" ")
    if t2.startswith("."):
        t2 = "_" + t2[1:]  # not a hidden file
    if t2 != t:
        why.append("leading dot or space, trailing dot or space removed")
    t = t2 or "case"
    if t.split(".")[0].rstrip(" ").upper() in _RESERVED:
        t = "_" + t
        why.append("a name Windows reserves")
    if len(t) > MAX_STEM:
        digest = hashlib.sha1(stem.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        t = t[: MAX_STEM - 9].rstrip(" .") + "~" + digest
        why.append(f"shortened to {MAX_STEM} characters")
    return t, "; ".join(why)


def output_names(files) -> dict[pathlib.Path, tuple[str, str]]:
    """Each case file -> (its output file name, a note when that is not simply its stem + .xlsm).

    Names are safe on every system and unique ignoring case (two files ``a.json`` and
    ``a.yaml`` give ``a_json.xlsm`` and ``a_yaml.xlsm``); never ``summary``.
    """
    files = list(files)
    safe = {f: _safe_stem(f.stem) for f in files}
    taken: dict[str, list] = {}
    for f in files:
        taken.setdefault(safe[f][0].casefold(), []).append(f)
    used = {pathlib.Path(SUMMARY_CSV).stem.casefold()}
    out: dict = {}
    for f in files:
        stem, why = safe[f]
        notes = [why] if why else []
        if len(taken[stem.casefold()]) > 1:
            stem, _ = _safe_stem(f"{stem}_{f.suffix.lstrip('.')}")
            notes.append("another case file has the same name")
        base, n = stem, 2
        while stem.casefold() in used:
            stem = f"{base}-{n}"
            n += 1
        if stem != base and not notes:
            notes.append("another output has the same name")
        used.add(stem.casefold())
        name = stem + ".xlsm"
        out[f] = (name, f"output named {name}: " + "; ".join(notes) if notes else "")
    return out


def _one(path: str, out_path: str, template: str | None, overwrite: bool, limits=None,
         sensitivity: dict | None = None) -> CaseResult:
    """Fill one case (runs in a worker process); never raises.

    :func:`~.fast_fill.fill_fast`: the worker compiles the template once and fills case after case.
    With ``sensitivity`` (options of :func:`xl_tsd.analysis.sensitivity`), the case is analysed too, in this
    process (the batch's workers already use the cores).
    """
    from .fast_fill import fill_fast

    t0 = time.perf_counter()
    p = pathlib.Path(path)
    res = CaseResult(p.name)
    try:
        if sensitivity is not None:
            from ..analysis import sensitivity as analyse_case
            rep = analyse_case(p, pathlib.Path(out_path), template=template, overwrite=overwrite, limits=limits,
                               workers=1, **sensitivity)
            for k in SENSITIVITY_PERCENTILES:  # blank, never NaN, where no draw computed the headline
                v = rep.percentile(k)
                res.headline[f"P{k}"] = v if v is not None and v == v else None
        else:
            rep = fill_fast(p, pathlib.Path(out_path), template=template, overwrite=overwrite, limits=limits)
        res.output = str(rep.output)
        res.headline.update(rep.headline)
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


def _plan(cases_dir, out_dir, overwrite: bool, template=None):
    """The checks made before any case is computed: the case files, the template (through the
    workbook gate), the output folder, every output's name; without ``overwrite``, none of them
    may exist. Returns (case files, output folder, output names, template path)."""
    from .fill import checked_template, default_template

    files = case_files(cases_dir)
    if not files:
        raise BatchRefused(f"{cases_dir}: no case files (.json, .yaml, .yml) in this folder")
    out = pathlib.Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BatchRefused(f"{out} is a file, not a folder: give a folder for the workbooks and the summary")
    parent = out.parent if str(out.parent) else pathlib.Path(".")
    if not out.exists() and not parent.is_dir():
        raise BatchRefused(f"{out}: the folder {parent} does not exist (create it first, or choose another "
                           f"output folder)")
    names = output_names(files)
    if not overwrite and out.is_dir():
        there = {p.name.casefold() for p in out.iterdir()}
        clash = [n for n in [*(v[0] for v in names.values()), SUMMARY_CSV, SUMMARY_XLSX] if n.casefold() in there]
        if clash:
            shown = ", ".join(clash[:5]) + (f" and {len(clash) - 5} more" if len(clash) > 5 else "")
            raise BatchRefused(f"{out}: {len(clash)} output(s) exist ({shown}); nothing was computed: pass "
                               f"--overwrite to replace them, or choose another output folder")
    tpl = str(template) if template else str(default_template())  # built once here, not in every worker
    checked_template(tpl)  # a template the gate refuses stops the batch, not each case
    return files, out, names, tpl


def batch(cases_dir, out_dir, *, template=None, workers: int | None = None, overwrite: bool = False,
          progress=None, limits=None, sensitivity: dict | None = None) -> BatchResult:
    """Fill and compute every case file of ``cases_dir`` into ``out_dir``.

    Cases run in parallel over ``workers`` processes (default: the machine's
    cores). A case that fails is reported in the summary and does not stop
    the others. The summary (``summary.csv`` and ``summary.xlsx`` in
    ``out_dir``) lists each case's headline outputs (:data:`layout.HEADLINE_OUTPUTS`),
    its status, its error and, where its output name had to differ from the case
    file's, why (:func:`output_names`).

    ``out_dir`` is created if it does not exist (its parent must). Without
    ``overwrite``, the batch is refused (:class:`BatchRefused`) before any case is
    computed when an output or the summary exists.

    ``progress``, if given, is called with each :class:`CaseResult` as it completes. ``limits``
    (:class:`xl_tsd.calc.Limits`) bounds the work of each case. ``sensitivity`` (a dict of options of
    :func:`xl_tsd.analysis.sensitivity`, e.g. ``{"draws": 2000}``; None: no analysis) runs the analysis of
    each case into its workbook and adds the columns P5, P50 and P95 of its headline to the summary.
    """
    t0 = time.perf_counter()
    files, out, names, tpl = _plan(cases_dir, out_dir, overwrite, template)
    try:
        out.mkdir(exist_ok=True)
    except OSError as exc:
        raise BatchRefused(f"cannot make the folder {out}: {exc.strerror or exc}") from None
    remove_stale_parts(out)
    workers = max(1, min(workers or os.cpu_count() or 1, len(files)))
    if sensitivity is not None:
        sensitivity = {k: v for k, v in sensitivity.items() if v is not None}
    jobs = [(str(f), str(out / names[f][0]), tpl, overwrite, limits, sensitivity) for f in files]
    results: list[CaseResult] = []
    if workers == 1:
        for job in jobs:
            results.append(_one(*job))
            if progress:
                progress(results[-1])
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start, initargs=(tpl, limits)) as pool:
            futures = [pool.submit(_one, *job) for job in jobs]
            for fut in as_completed(futures):
                results.append(fut.result())
                if progress:
                    progress(results[-1])
    order = {f.name: i for i, f in enumerate(files)}
    results.sort(key=lambda r: order[r.case])
    for f, r in zip(files, results):
        r.note = names[f][1]
    csv_path, xlsx_path = _write_summary(results, out, overwrite, sensitivity is not None)
    return BatchResult(results, csv_path, xlsx_path, time.perf_counter() - t0)


_COLUMNS = ("case", "status", "error", *L.HEADLINE_OUTPUTS, "output", "seconds", "note")
#: Percentiles of the headline a ``--sensitivity`` batch adds to the summary (after the headline outputs).
SENSITIVITY_PERCENTILES = (5, 50, 95)
_SENS_COLUMNS = tuple(f"P{k}" for k in SENSITIVITY_PERCENTILES)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(v):
    """A text cell of the summary: characters a workbook or UTF-8 cannot hold (from a file name)
    shown as U+FFFD."""
    return _NOT_XML.sub("\ufffd", v) if isinstance(v, str) else v


def _columns(sens: bool) -> tuple:
    n = 3 + len(L.HEADLINE_OUTPUTS)
    return _COLUMNS[:n] + _SENS_COLUMNS + _COLUMNS[n:] if sens else _COLUMNS


def _row(r: CaseResult, sens: bool = False) -> list:
    extra = [r.headline.get(n) for n in _SENS_COLUMNS] if sens else []
    return [_text(v) for v in (r.case, "ok" if r.ok else "FAILED", r.error,
                               *(r.headline.get(n) for n in L.HEADLINE_OUTPUTS), *extra, r.output,
                               round(r.seconds, 3), r.note)]


def _csv_cell(v):
    """A CSV cell: text that a spreadsheet would take for a formula gets a leading apostrophe (the
    usual neutralisation: Excel shows the text, and the apostrophe says it was made text)."""
    if v is None:
        return ""
    if isinstance(v, float):  # as Excel shows it, to 15 significant digits: 0.08, not 0.08000000000000002
        return float(f"{v:.{_CSV_DIGITS}g}")
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def _free_name(out: pathlib.Path, name: str, overwrite: bool) -> pathlib.Path:
    """``out / name``, or with ``overwrite`` false and that file there, ``stem-2`` etc.: an existing
    summary is never replaced unasked (it appeared after the batch started)."""
    path = out / name
    n = 2
    while not overwrite and (path.exists() or path.is_symlink()):
        path = out / f"{pathlib.Path(name).stem}-{n}{pathlib.Path(name).suffix}"
        n += 1
    return path


def _write_exclusive(out: pathlib.Path, name: str, overwrite: bool, write) -> pathlib.Path:
    for _ in range(100):
        path = _free_name(out, name, overwrite)
        try:
            with atomic_path(path, overwrite=overwrite) as tmp:
                write(tmp)
            return path
        except FileExistsError:  # made by someone else between the look and the write: take another name
            continue
    raise FileExistsError(exists_message(out / name))


def _write_summary(results: list[CaseResult], out: pathlib.Path, overwrite: bool = True, sens: bool = False):
    columns = _columns(sens)

    def write_csv(tmp):
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel reads UTF-8 CSV right
            w = csv.writer(fh)
            w.writerow(columns)
            w.writerows([_csv_cell(v) for v in _row(r, sens)] for r in results)

    csv_path = _write_exclusive(out, SUMMARY_CSV, overwrite, write_csv)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws.append(list(columns))
    for c in ws[1]:
        c.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8CBAD")
    for r in results:
        ws.append(_row(r, sens))
        row = ws.max_row
        for c in ws[row]:
            if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@"):
                c.data_type = "s"  # case names and messages are text, never formulas
        if not r.ok:
            for c in ws[row]:
                c.fill = red
        for col in range(4, 4 + len(L.HEADLINE_OUTPUTS) + (len(_SENS_COLUMNS) if sens else 0)):
            ws.cell(row, col).number_format = "#,##0.00"
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["C"].width = 60
    xlsx_path = _write_exclusive(out, SUMMARY_XLSX, overwrite, wb.save)
    return csv_path, xlsx_path
