"""``xl-tsd verify``: does a computed workbook (and its report) still say what was computed?

Three comparisons, figure by figure:

1. the values stored in the workbook against the same workbook recomputed now,
   headlessly (:mod:`xl_tsd.calc`): a workbook whose inputs were edited without
   recomputing, or whose stored values were typed over, differs here;
2. the seal stored at computation (:mod:`.seal`) against the seal of the
   inputs as they are now, with the same versions and legal table: an input
   edited afterwards (even in Excel, which recomputes) differs here, and the
   input is named;
3. given a report (``.docx``, :mod:`.document`), the figures and the seal it
   prints against the workbook's.

The workbook passes the gate of :mod:`xl_tsd.calc.safety` first.
"""
from __future__ import annotations

import math
import pathlib
from dataclasses import dataclass, field

from ..template import layout as L
from . import formatting as F

__all__ = ["verify", "VerifyReport", "Finding", "VerifyError", "FIGURES"]


class VerifyError(ValueError):
    """A workbook (or report) that cannot be verified; the message says which and why."""


#: The figures compared: the headline outputs (the package version is part of the seal, not a figure).
FIGURES = tuple(n for n in L.HEADLINE_OUTPUTS if n != "Package_Version")
_KINDS = {"Contrib_Rate": "share", "Contrib_Applied": "share", "Crim_Tier": "text", L.MASTER: "bool",
          L.WARNINGS_COUNT: "count"}


def kind_of(name: str) -> str:
    """How a headline figure is printed (money unless said otherwise)."""
    return _KINDS.get(name, "money")


@dataclass
class Finding:
    name: str
    stored: object = None
    recomputed: object = None
    printed: str | None = None     # as the report prints it (None: no report, or not in it)
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class VerifyReport:
    book: pathlib.Path
    report: pathlib.Path | None
    fingerprint_stored: str | None = None
    fingerprint_now: str | None = None
    seal_problems: list = field(default_factory=list)
    findings: list = field(default_factory=list)
    report_problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.seal_problems and not self.report_problems and all(f.ok for f in self.findings)

    def lines(self) -> list[str]:
        out = [f"{self.book}" + (f" and {self.report}" if self.report else "")]
        if self.seal_problems:
            out.append(f"  seal: DIFFERS (stored {(self.fingerprint_stored or 'none')[:16]}…, inputs now give "
                       f"{(self.fingerprint_now or '')[:16]}…)")
            out += [f"    {p}" for p in self.seal_problems]
        else:
            out.append(f"  seal: agrees ({self.fingerprint_now})")
        for f in self.findings:
            k = kind_of(f.name)
            cols = f"stored {F.shown(f.stored, k) or '(blank)'}; recomputed {F.shown(f.recomputed, k) or '(blank)'}"
            if self.report is not None:
                cols += f"; report {f.printed if f.printed is not None else '(not printed)'}"
            out.append(f"  {'ok  ' if f.ok else 'DIFF'} {f.name}: {cols}")
            out += [f"       {p}" for p in f.problems]
        out += [f"  report: {p}" for p in self.report_problems]
        bad = sum(not f.ok for f in self.findings)
        out.append("all agree" if self.ok else
                   f"differences: {bad} figure(s), seal {'differs' if self.seal_problems else 'agrees'}"
                   + (f", report {len(self.report_problems)} problem(s)" if self.report_problems else ""))
        return out


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def _value_of(wb, name):
    dn = wb.defined_names.get(name)
    if dn is None:
        return None
    (sheet, ref), = list(dn.destinations)
    return wb[sheet][ref.replace("$", "").split(":")[0]].value


def verify(book, report=None, *, limits=None) -> VerifyReport:
    """Compare a workbook's stored figures, its seal and (optionally) a report's figures with a
    recomputation of the workbook now.

    Parameters
    ----------
    book : path
        A workbook built from the case template and computed (``fill``, ``calc``, ``batch``).
    report : path, optional
        The ``.docx`` report made from it (``xl-tsd report``).
    limits : xl_tsd.calc.Limits, optional

    Returns
    -------
    VerifyReport
        ``ok`` when every figure, the seal and the report agree.

    Raises
    ------
    xl_tsd.calc.InputRefused
        The workbook is refused by the gate.
    VerifyError
        Not a workbook built from the template (no seal cell), or a report that cannot be read.
    """
    from ..calc import calculate, safety
    from ..workflows.fill import headline
    from .seal import SEAL_NAME, seal_of_workbook, stored_seal

    book = pathlib.Path(book)
    pkg = safety.read_package(book)
    wb = safety.load_workbook(pkg)
    if wb.defined_names.get(SEAL_NAME) is None:
        raise VerifyError(f"{book}: has no integrity seal ({SEAL_NAME}): not a workbook built from the xl_tsd "
                          f"case template of this version (xl-tsd upgrade moves an older one into it)")
    printed, report_seal = ({}, None)
    if report is not None:
        from .document import read_report
        printed, report_seal = read_report(report)
    values_wb = safety.load_workbook(pkg, data_only=True)
    rep = VerifyReport(book, pathlib.Path(report) if report is not None else None)

    shown, stored = stored_seal(wb)
    now = seal_of_workbook(wb)
    rep.fingerprint_stored, rep.fingerprint_now = shown, now.fingerprint
    if shown is None:
        rep.seal_problems.append("the workbook carries no seal: it was never computed by xl_tsd (fill, calc "
                                 "or batch)")
    elif shown != now.fingerprint:
        if stored is not None and stored.fingerprint == shown:
            rep.seal_problems += now.differences(stored)
        else:
            rep.seal_problems.append("the seal on the Cover does not match the seal's document properties "
                                     "(edited by hand?)")
        if not rep.seal_problems:
            rep.seal_problems.append("the fingerprint differs")
    if report is not None:
        if report_seal is None:
            rep.report_problems.append("the report prints no seal")
        elif report_seal != shown:
            rep.report_problems.append(f"the report's seal {report_seal[:16]}… is not the workbook's "
                                       f"{(shown or 'none')[:16]}…: the report was made from another computation")

    calc = calculate(pkg.data, limits=limits)
    now_values = headline(calc.values, wb)
    for name in FIGURES:
        if wb.defined_names.get(name) is None:
            continue
        f = Finding(name, _value_of(values_wb, name), now_values.get(name))
        if not _same(f.stored, f.recomputed):
            f.problems.append("the stored value is not what the inputs give now (edited after computation, "
                              "or not recomputed)")
        if report is not None:
            f.printed = printed.get(name)
            want = F.shown(f.recomputed, kind_of(name))
            if f.printed is None:
                f.problems.append("not in the report")
            elif f.printed != want:
                f.problems.append(f"the report prints {f.printed}, the workbook gives {want}")
        rep.findings.append(f)
    return rep
