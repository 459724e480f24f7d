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


if __name__ == "__main__":  # pragma: no cover
    main()
