"""The ``xl-tsd`` command. Each subcommand is a thin layer over a Python API.

No command prints a Python traceback: a refusal is one line (what, where, what to
do) and exit status 1; anything unexpected is one line and exit status 70, with
the traceback only when the environment variable ``XL_TSD_DEBUG`` is set to 1.
The exit statuses are :data:`EXIT` (and the README's table).
"""
from __future__ import annotations

import os
import sys

import click

from ._version import __version__

#: Exit statuses, the same for every command (README "Exit status").
EXIT = {
    "done": 0,
    "refused": 1,       # nothing written: bad input, an existing output without --overwrite, an output that
                        # cannot be written, a folder that does not exist
    "problems": 2,      # written, with something to look at (listed): failed cases, values not carried, a
                        # master check FALSE or error values in a filled workbook
    "incomplete": 3,    # calc: written, but some formula cells could not be computed (listed)
    "usage": 64,        # wrong options or arguments (click's message says which)
    "internal": 70,     # a bug in xl_tsd: one line here, the traceback with XL_TSD_DEBUG=1
    "interrupted": 130,  # Ctrl+C; outputs are written atomically, so nothing half-written is left
}
DEBUG_ENV = "XL_TSD_DEBUG"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class _Failure(click.ClickException):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.exit_code = code


def _refusal(exc: BaseException) -> str | None:
    """The message of an exception that is a refusal (exit 1), or None for a bug."""
    from .workflows.case_data import CaseError
    if isinstance(exc, CaseError):
        return str(exc)  # one line per problem, every problem listed
    if isinstance(exc, OSError):
        if exc.filename is not None and exc.strerror:
            what = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
            return _one_line(f"{what}: {exc.strerror}")
        return _one_line(str(exc) or type(exc).__name__)
    if isinstance(exc, ValueError):  # every refusal of the library is one (InputRefused, OutputRefused, ...)
        return _one_line(str(exc) or type(exc).__name__)
    return None


class _Guarded(click.Group):
    """The command group: usage errors exit 64; no exception reaches the terminal as a traceback."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = EXIT["usage"]
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = EXIT["usage"]
            raise
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; outputs are written atomically, so nothing half-written is left", err=True)
            raise click.exceptions.Exit(EXIT["interrupted"]) from None
        except Exception as exc:
            if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
                raise
            message = _refusal(exc)
            if message is not None:
                raise _Failure(message, EXIT["refused"]) from None
            raise _Failure(f"internal error ({type(exc).__name__}: {_one_line(exc)}); this is a bug in xl_tsd: "
                           f"please report it with the output of the same command run with {DEBUG_ENV}=1",
                           EXIT["internal"]) from None


def _folder_exists(path) -> None:
    """The one rule for outputs: the folder an output goes into must exist."""
    import pathlib
    parent = pathlib.Path(path).parent
    if not parent.is_dir():
        raise click.ClickException(f"{path}: the folder {parent} does not exist (create it first, or choose "
                                   f"another output)")


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xl-tsd")
def main():
    """xl_tsd: trade-secret damages under PRC law, in Python and Excel.

    Exit status of every command: 0 done; 1 refused, nothing written; 2 written, with
    problems listed; 3 (calc) written, some cells not computed; 64 wrong usage; 70 a bug
    (XL_TSD_DEBUG=1 shows its traceback); 130 interrupted.
    """


def _limit_options(f):
    """--max-cells, --max-formulas, --max-range-cells, --max-seconds (xl_tsd.calc.Limits) on a command."""
    from .calc.limits import DEFAULT_LIMITS as d
    for name, typ, what in reversed([
            ("max-cells", click.IntRange(1), f"cells in all sheets (default {d.max_cells:,})"),
            ("max-formulas", click.IntRange(1), f"formula cells (default {d.max_formulas:,})"),
            ("max-range-cells", click.IntRange(1), f"cells in the largest range a formula reads (default "
                                                   f"{d.max_range_cells:,})"),
            ("max-seconds", click.FloatRange(min=0, min_open=True), f"seconds the engine may compute a "
                                                                    f"workbook (default {d.max_seconds:g})")]):
        f = click.option(f"--{name}", type=typ, default=None, help=f"Limit: {what}.")(f)
    return f


def _limits(kw: dict):
    """The Limits given by the options of :func:`_limit_options` (removed from ``kw``)."""
    from .calc.limits import DEFAULT_LIMITS
    return DEFAULT_LIMITS.updated(**{k: kw.pop(k) for k in ("max_cells", "max_formulas", "max_range_cells",
                                                            "max_seconds")})


@main.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also write the filled example workbook, computed, into this folder (made if need be; "
                   "its parent must exist).")
def example(out_dir):
    """Run the worked example (vehicle chassis case) and print every figure with its basis."""
    from .workflows import worked_example
    click.echo(worked_example.format_lines(worked_example.run()))
    if out_dir is not None:
        from .template.example import write_example
        _folder_exists(out_dir)  # OUT_DIR itself is made if need be, not its parents
        path, report = write_example(out_dir)
        click.echo(f"wrote {path} ({report.formula_cells} formula cells, {len(report.errors)} errors)")
        if report.errors:
            raise SystemExit(EXIT["problems"])


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="workbook/Template.xlsm",
              show_default=True, help="Where to write the template.")
def template(output):
    """Build the case template workbook from code (xlwings standalone workbook + the layout)."""
    from .template import build_template
    _folder_exists(output)
    click.echo(f"wrote {build_template(output)}")


@main.command()
@click.argument("name", required=False)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
def explain(name, lang):
    """Explain one function (or list them all)."""
    from .registry import FUNCTIONS
    if name is None:
        for spec in FUNCTIONS.values():
            click.echo(f"{spec.name:<22} {spec.description(lang)}")
        return
    from .meta import tsd_explain
    from .errors import TsdError
    try:
        click.echo(tsd_explain(name, lang))
    except TsdError as exc:
        raise click.ClickException(exc.message) from None


@main.command()
@click.option("--check", is_flag=True, help="Only report stale files; exit 1 if any.")
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=None,
              help="Repository root (default: the checkout xl_tsd runs from).")
def generate(check, root):
    """Regenerate udfs/xlwings_udfs.bas and docs/functions.md from the registry."""
    from . import generate as generated
    root = root or generated.ROOT
    if check:
        bad = generated.stale(root)
        for rel in bad:
            click.echo(f"stale: {rel}")
        if bad:
            raise SystemExit(EXIT["refused"])
        click.echo("generated files are up to date")
        return
    for rel in generated.write(root) or ["(nothing to do: all up to date)"]:
        click.echo(f"wrote {rel}" if not rel.startswith("(") else rel)


@main.command()
@click.argument("src", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "dst", required=True, type=click.Path(dir_okay=False),
              help="The computed workbook to write (same kind as SRC: .xlsx or .xlsm).")
@click.option("--report", type=click.Path(dir_okay=False), help="Also write a JSON report here.")
@click.option("--recalc-on-open/--no-recalc-on-open", default=None,
              help="Whether Excel recomputes every formula when it opens the file, or shows the values "
                   "written here. Default: recompute for .xlsm (it can carry the xlwings functions), "
                   "show the values for .xlsx (Excel cannot compute the catalogue there).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT (and the report) if they exist.")
@_limit_options
def calc(src, dst, report, recalc_on_open, overwrite, **limits):
    """Compute every formula of SRC without Excel; write it with the values cached.

    Exit status: 0 done; 1 input refused or above a limit (nothing written); 3
    written, but some formula cells could not be computed (listed).
    """
    import json
    from ._atomic import check_output, same_file, write_atomic
    from .calc import calculate
    if report:
        for other in (src, dst):
            if same_file(report, other):
                raise click.ClickException(f"{report}: the report would overwrite {other}; choose another file")
        check_output(report, overwrite=overwrite)
    rep = calculate(src, dst, recalc_on_open=recalc_on_open, overwrite=overwrite, limits=_limits(limits))
    if report:
        text = json.dumps(rep.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(report, lambda f: f.write(text), overwrite=overwrite)
    click.echo(rep.summary(), err=not rep.complete)
    if not rep.complete:
        raise SystemExit(EXIT["incomplete"])


# --- regeneration workflows (xl_tsd.workflows): case data in, finished workbooks out --------------

@main.command()
@click.argument("case", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsm to write.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Template to fill (default: workbook/Template.xlsm).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@_limit_options
def fill(case, out, template, overwrite, **limits):
    """Fill the template with CASE (.json/.yaml) and compute it.

    Exit status: 0 done, master check TRUE; 1 refused (bad case data: every problem
    listed; nothing written); 2 written, but the master check is FALSE or cells hold
    error values (listed).
    """
    from .workflows.fill import fill as fill_case
    rep = fill_case(case, out, template=template, overwrite=overwrite, limits=_limits(limits))
    h = rep.headline
    click.echo(f"{rep.output}: total award {h.get('Total_Award')!r}, master check {h.get('Check_Master')!r}"
               f" ({rep.seconds:.2f} s)")
    for e in rep.errors:
        click.echo(f"  error value: {e}", err=True)
    if rep.errors or ("Check_Master" in h and rep.master_check is not True):
        click.echo("  written, with problems: see the Checks sheet", err=True)
        raise SystemExit(EXIT["problems"])


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The case file to write (.json or .yaml).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def extract(book, out, overwrite):
    """Read the inputs of BOOK (built from the template) back out as a case file.

    Exit status: 0 done; 1 refused (nothing written).
    """
    from ._atomic import check_output
    from .workflows.fill import extract as extract_case, write_case
    check_output(out, overwrite=overwrite)
    write_case(extract_case(book), out, overwrite=overwrite)
    click.echo(f"{out}: inputs of {book}")


@main.command()
@click.argument("cases_dir", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the workbooks and the summary.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True), default=None)
@click.option("-j", "--workers", type=click.IntRange(1), default=None, help="Processes (default: all cores).")
@click.option("--overwrite", is_flag=True, help="Replace workbooks that exist.")
@click.option("--sensitivity", "with_sensitivity", is_flag=True,
              help="Also run xl-tsd sensitivity on each case: its workbook gets the Sensitivity and Scenarios "
                   "sheets, the summary P5/P50/P95 of the headline.")
@click.option("--draws", type=click.IntRange(1), default=None, help="With --sensitivity: Monte-Carlo draws per case.")
@_limit_options
def batch(cases_dir, out_dir, template, workers, overwrite, with_sensitivity, draws, **limits):
    """Fill and compute every case file of CASES_DIR, in parallel, with a summary.

    OUTPUT is made if it does not exist (its parent must). Without --overwrite, a batch
    whose workbooks or summary exist is refused before anything is computed.

    Exit status: 0 every case done with its master check TRUE; 1 refused (nothing
    computed); 2 some failed (see the summary).
    """
    from .workflows.batch import _plan, batch as run_batch
    files, _, _, _ = _plan(cases_dir, out_dir, overwrite, template)  # refusals before the progress bar
    n = len(files)
    with click.progressbar(length=n, label=f"{n} cases", file=sys.stderr) as bar:
        res = run_batch(cases_dir, out_dir, template=template, workers=workers, overwrite=overwrite,
                        progress=lambda r: bar.update(1), limits=_limits(limits),
                        sensitivity={"draws": draws} if with_sensitivity else None)
    for r in res.results:
        if r.note:
            click.echo(f"note {_shown(r.case)}: {_shown(r.note)}", err=True)
    for r in res.failed:
        click.echo(f"FAILED {_shown(r.case)}: {_shown(r.error)}", err=True)
    click.echo(f"{len(res.results) - len(res.failed)} of {len(res.results)} cases done in {res.seconds:.1f} s "
               f"({len(res.results) / max(res.seconds, 1e-9):.1f} cases/s); summary: {res.summary_csv}, "
               f"{res.summary_xlsx}")
    if res.failed:
        raise SystemExit(EXIT["problems"])


def _shown(text: str) -> str:
    """A file name or message on one line: control characters as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   for c in text)


@main.command(name="sensitivity")
@click.argument("source", metavar="CASE_OR_BOOK", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The .xlsm to write: the case's workbook with the Sensitivity and Scenarios sheets.")
@click.option("--draws", type=click.IntRange(1), default=None,
              help="Monte-Carlo draws (default: the case's, else 10,000; at most 100,000).")
@click.option("--seed", type=click.IntRange(0), default=None, help="Seed of the draws (default: the case's, else 13).")
@click.option("--grid", nargs=2, type=str, default=None, metavar="INPUT_A INPUT_B",
              help="The two inputs of the two-way grid, e.g. Share_S3 Per_Benchmark (default: the contribution "
                   "share and the profit margin that move the headline most).")
@click.option("--grid-steps", type=click.IntRange(2), default=None, help="Values of each grid input (default 11).")
@click.option("-j", "--workers", type=click.IntRange(1), default=None, help="Processes (default: all cores).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@_limit_options
def sensitivity_cmd(source, out, draws, seed, grid, grid_steps, workers, overwrite, **limits):
    """Scenarios, tornado, two-way grid and Monte Carlo of CASE_OR_BOOK (.json/.yaml case, or .xlsm).

    Every figure is the template's own formulas computed with some inputs replaced. Exit
    status: 0 done; 1 refused (bad case, scenarios or ranges: every problem listed; nothing
    written); 2 written, but the base case's master check is FALSE or cells hold errors.
    """
    from .analysis import sensitivity
    rep = sensitivity(source, out, draws=draws, seed=seed, grid=grid, grid_steps=grid_steps, workers=workers,
                      overwrite=overwrite, limits=_limits(limits))
    res = rep.results

    def amount(v) -> str:  # never "nan" on the terminal
        return f"{v:,.0f}" if isinstance(v, (int, float)) and v == v else "not computed"
    click.echo(f"{rep.output}: base {res.output} {amount(res.base_value)}; {len(res.scenarios)} scenario(s); "
               f"tornado of {len(res.tornado)} inputs" + (f"; grid {res.grid.rows} x {res.grid.cols}" if res.grid
                                                          else "") + f" ({rep.seconds:.1f} s)")
    mc = res.monte_carlo
    if mc is not None:
        p = mc.percentiles
        click.echo(f"  {mc.draws:,} draws (seed {mc.seed}), {mc.computed:,} computed: "
                   + "  ".join(f"P{k} {amount(p[k])}" for k in sorted(p))
                   + ("" if mc.p_above_claim is None else f"; P(award > claim) {mc.p_above_claim:.1%}"))
        if mc.failed_checks:
            click.echo(f"  {mc.failed_checks:,} draws fail the master check (see the Sensitivity sheet)", err=True)
    for e in rep.errors:
        click.echo(f"  error value: {e}", err=True)
    if rep.errors or rep.master_check is not True:
        click.echo("  written, with problems: see the Checks sheet", err=True)
        raise SystemExit(EXIT["problems"])


@main.command(name="export-values")
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def export_values_cmd(book, out, overwrite):
    """A values-only .xlsx copy of BOOK (no macros, no formulas) with a "Calculation trace" sheet.

    Exit status: 0 done; 1 refused (nothing written).
    """
    from .workflows.export_values import export_values
    rep = export_values(book, out, overwrite=overwrite)
    click.echo(f"{rep.output}: {rep.formulas} formulas replaced by their values"
               + (" (computed first)" if rep.computed else ""))


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The .docx to write.")
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="zh", show_default=True,
              help="Chinese, English, or both (Chinese first).")
@click.option("--pdf", is_flag=True, help="Also write a PDF beside it (needs LibreOffice).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT (and the PDF) if they exist.")
def report(book, out, lang, pdf, overwrite):
    """The expert's report of a computed case workbook (Word; charts; legal table; seal).

    Exit status: 0 done; 1 refused (nothing written); 2 written, with problems listed
    (no CJK font for the figures, or no LibreOffice for --pdf: the .docx is written).
    """
    import pathlib
    from ._atomic import check_output
    from .report.document import LibreOfficeMissing, to_pdf, write_report
    _folder_exists(out)
    if pdf:  # refused before anything is written, like the .docx
        check_output(pathlib.Path(out).with_suffix(".pdf"), overwrite=overwrite)
    rep = write_report(book, out, lang=lang, overwrite=overwrite)
    click.echo(f"{rep.output}: {rep.figures} figures, seal {rep.fingerprint or 'none (workbook not sealed)'}"
               + (" (workbook computed first)" if rep.computed else ""))
    problems = list(rep.warnings)
    if pdf:
        try:
            click.echo(f"{to_pdf(out, rep.output.with_suffix('.pdf'), overwrite=overwrite)}: PDF")
        except (LibreOfficeMissing, RuntimeError, FileExistsError) as exc:
            problems.append(str(exc))
    for p in problems:
        click.echo(f"  {p}", err=True)
    if problems:
        raise SystemExit(EXIT["problems"])


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.argument("report_docx", metavar="[REPORT.docx]", required=False, type=click.Path(dir_okay=False, exists=True))
@_limit_options
def verify(book, report_docx, **limits):
    """Recompute BOOK and check its stored figures, its seal and REPORT's figures against it.

    Exit status: 0 all agree; 1 differences (listed, naming the inputs changed), or BOOK refused.
    """
    from .report.verify import verify as run_verify
    rep = run_verify(book, report_docx, limits=_limits(limits))
    for line in rep.lines():
        click.echo(line)
    if not rep.ok:
        raise SystemExit(EXIT["refused"])


@main.command()
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default=None,
              help="Write the schema here (default: print it).")
def schema(out):
    """The JSON Schema of a case file for the current template."""
    import json
    from .workflows.case_data import json_schema
    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    from ._atomic import atomic_path
    with atomic_path(out) as tmp:  # refused if its folder does not exist
        tmp.write_text(text, encoding="utf-8")


@main.command(name="upgrade")
@click.argument("old", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "new", required=True, type=click.Path(dir_okay=False),
              help="The upgraded .xlsm to write (never OLD).")
@click.option("--template", type=click.Path(dir_okay=False, exists=True), default=None,
              help="The current template (default: workbook/Template.xlsm).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def upgrade_cmd(old, new, template, overwrite):
    """Move OLD (built from an older template version) into the current template, computed.

    Exit status: 0 every input value, sheet and part of OLD carried; 2 written, but something
    of OLD is not in NEW (listed in the report); 1 refused, nothing written.
    """
    from .workflows.upgrade import upgrade
    rep = upgrade(old, new, template=template, overwrite=overwrite)
    click.echo(rep.summary())
    if not rep.everything_carried:
        raise SystemExit(EXIT["problems"])


if __name__ == "__main__":  # pragma: no cover
    main()
