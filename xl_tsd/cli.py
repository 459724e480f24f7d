"""The ``xl-tsd`` command. Each subcommand is a thin layer over a Python API."""
from __future__ import annotations

import click

from ._version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xl-tsd")
def main():
    """xl_tsd: trade-secret damages under PRC law, in Python and Excel."""


@main.command()
def example():
    """Run the worked example (vehicle chassis case) and print every figure with its basis."""
    from . import worked_example
    click.echo(worked_example.format_lines(worked_example.run()))


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
    from . import generated
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


if __name__ == "__main__":  # pragma: no cover
    main()
