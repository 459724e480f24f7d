"""The ``xl-tsd`` command. Each subcommand is a thin layer over a Python API."""
from __future__ import annotations

import sys

import click

from ._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xl-tsd")
def main():
    """xl_tsd: trade-secret damages under PRC law, in Python and Excel."""


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
              help="Also write the filled example workbook, computed, into this folder.")
def example(out_dir):
    """Run the worked example (vehicle chassis case) and print every figure with its basis."""
    from .workflows import worked_example
    click.echo(worked_example.format_lines(worked_example.run()))
    if out_dir is not None:
        from .template.example import write_example
        path, report = write_example(out_dir)
        click.echo(f"wrote {path} ({report.formula_cells} formula cells, {len(report.errors)} errors)")
        if report.errors:
            raise SystemExit(1)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="workbook/Template.xlsm",
              show_default=True, help="Where to write the template.")
def template(output):
    """Build the case template workbook from code (xlwings standalone workbook + the layout)."""
    from .template import build_template
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
            raise SystemExit(1)
        click.echo("generated files are up to date")
        return
    for rel in generated.write(root) or ["(nothing to do: all up to date)"]:
        click.echo(f"wrote {rel}" if not rel.startswith("(") else rel)


@main.command()
@click.argument("src", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "dst", required=True, type=click.Path(dir_okay=False),
              help="The computed workbook to write (same kind as SRC: .xlsx or .xlsm).")
@click.option("--report", type=click.Path(dir_okay=False), help="Also write a JSON report here.")
@click.option("--recalc-on-open/--no-recalc-on-open", default=None,
              help="Whether Excel recomputes every formula when it opens the file, or shows the values "
                   "written here. Default: recompute for .xlsm (it can carry the xlwings functions), "
                   "show the values for .xlsx (Excel cannot compute the catalogue there).")
@_limit_options
def calc(src, dst, report, recalc_on_open, **limits):
    """Compute every formula of SRC without Excel; write it with the values cached.

    Exit status: 0 done; 1 input refused or above a limit (nothing written); 3
    written, but some formula cells could not be computed (listed).
    """
    import json
    from .calc import InputRefused, calculate
    from .calc.cache import write_atomic
    try:
        rep = calculate(src, dst, recalc_on_open=recalc_on_open, limits=_limits(limits))
    except InputRefused as exc:
        raise click.ClickException(str(exc)) from None
    if report:
        text = json.dumps(rep.to_dict(), ensure_ascii=False, indent=1).encode("utf-8")
        write_atomic(report, lambda f: f.write(text))
    click.echo(rep.summary(), err=not rep.complete)
    if not rep.complete:
        raise SystemExit(3)


# --- regeneration workflows (xl_tsd.workflows): case data in, finished workbooks out --------------

def _case_error(exc):
    raise click.ClickException(str(exc)) from None


@main.command()
@click.argument("case", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsm to write.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Template to fill (default: workbook/Template.xlsm).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@_limit_options
def fill(case, out, template, overwrite, **limits):
    """Fill the template with CASE (.json/.yaml) and compute it.

    Bad case data is refused with every problem listed and nothing written (exit 1).
    """
    from .calc import InputRefused
    from .workflows.case_data import CaseError
    from .workflows.fill import fill as fill_case
    try:
        rep = fill_case(case, out, template=template, overwrite=overwrite, limits=_limits(limits))
    except (CaseError, FileExistsError, InputRefused) as exc:
        _case_error(exc)
    h = rep.headline
    click.echo(f"{rep.output}: total award {h.get('Total_Award')!r}, master check {h.get('Check_Master')!r}"
               f" ({rep.seconds:.2f} s)")
    for e in rep.errors:
        click.echo(f"  error value: {e}", err=True)


@main.command()
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The case file to write (.json or .yaml).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def extract(book, out, overwrite):
    """Read the inputs of BOOK (built from the template) back out as a case file."""
    from .workflows.fill import extract as extract_case, write_case
    try:
        write_case(extract_case(book), out, overwrite=overwrite)
    except (FileExistsError, ValueError, KeyError) as exc:
        _case_error(exc)
    click.echo(f"{out}: inputs of {book}")


@main.command()
@click.argument("cases_dir", type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the workbooks and the summary.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True), default=None)
@click.option("-j", "--workers", type=click.IntRange(1), default=None, help="Processes (default: all cores).")
@click.option("--overwrite", is_flag=True, help="Replace workbooks that exist.")
@_limit_options
def batch(cases_dir, out_dir, template, workers, overwrite, **limits):
    """Fill and compute every case file of CASES_DIR, in parallel, with a summary.

    Exit status: 0 every case done with its master check TRUE; 2 some failed (see the summary).
    """
    from .workflows.batch import batch as run_batch, case_files
    n = len(case_files(cases_dir))
    with click.progressbar(length=n, label=f"{n} cases", file=sys.stderr) as bar:
        res = run_batch(cases_dir, out_dir, template=template, workers=workers, overwrite=overwrite,
                        progress=lambda r: bar.update(1), limits=_limits(limits))
    for r in res.failed:
        click.echo(f"FAILED {r.case}: {r.error}", err=True)
    click.echo(f"{len(res.results) - len(res.failed)} of {len(res.results)} cases done in {res.seconds:.1f} s "
               f"({len(res.results) / max(res.seconds, 1e-9):.1f} cases/s); summary: {res.summary_csv}, "
               f"{res.summary_xlsx}")
    if res.failed:
        raise SystemExit(2)


@main.command(name="export-values")
@click.argument("book", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False), help="The .xlsx to write.")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
def export_values_cmd(book, out, overwrite):
    """A values-only .xlsx copy of BOOK (no macros, no formulas) with a "Calculation trace" sheet."""
    from .workflows.export_values import export_values
    try:
        rep = export_values(book, out, overwrite=overwrite)
    except (ValueError, FileExistsError) as exc:
        _case_error(exc)
    click.echo(f"{rep.output}: {rep.formulas} formulas replaced by their values"
               + (" (computed first)" if rep.computed else ""))


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
    with atomic_path(out) as tmp:
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
    try:
        rep = upgrade(old, new, template=template, overwrite=overwrite)
    except (ValueError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(rep.summary())
    if not rep.everything_carried:
        raise SystemExit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
