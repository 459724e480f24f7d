"""Fill the template from a case and compute it; read a workbook's inputs back out as a case."""
from __future__ import annotations

import io
import json
import pathlib
import time
from dataclasses import dataclass, field

import openpyxl

from .._atomic import atomic_path, same_file
from ..template import contract
from ..template import layout as L
from .case_data import CaseError, case_to_inputs, inputs_to_case, load_case, validate_case

__all__ = ["fill", "extract", "write_case", "default_template", "FillReport", "headline"]

_REPO_TEMPLATE = pathlib.Path(__file__).resolve().parents[2] / "workbook" / "Template.xlsm"


def default_template() -> pathlib.Path:
    """The template to fill: the checkout's ``workbook/Template.xlsm``, else one built once
    into the user's cache folder (an installed package carries the builder, not the file)."""
    if _REPO_TEMPLATE.exists():
        return _REPO_TEMPLATE
    cache = pathlib.Path.home() / ".cache" / "xl_tsd" / f"Template-v{L.TEMPLATE_VERSION}.xlsm"
    if not cache.exists():
        from ..template.builder import build_template
        build_template(cache)
    return cache


@dataclass
class FillReport:
    """What :func:`fill` wrote: the output, its headline figures, and what the engine said."""

    case: str
    output: pathlib.Path
    headline: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # formula cells holding an error value, with reasons
    problems: list = field(default_factory=list)  # cells the engine could not compute
    seconds: float = 0.0

    @property
    def master_check(self):
        return self.headline.get(L.MASTER)


def headline(values: dict, wb) -> dict:
    """Headline outputs by defined name, from a calc report's ``values`` {(sheet, cell): value}."""
    out = {}
    for name in L.HEADLINE_OUTPUTS:
        dn = wb.defined_names.get(name)
        if dn is None:
            continue
        (sheet, ref), = list(dn.destinations)
        out[name] = values.get((sheet, ref.replace("$", "").split(":")[0]))
    return out


def fill(case, out, *, template=None, overwrite: bool = False, limits=None) -> FillReport:
    """Write a copy of the template with the case's inputs in place, computed.

    Parameters
    ----------
    case : dict or path
        A case (see :mod:`.case_data`) or a ``.json``/``.yaml`` file holding one.
        It is validated first: bad data raises :class:`CaseError` listing every
        problem, and nothing is written.
    out : path
        The ``.xlsm`` to write, atomically. Never the template itself.
    template : path, optional
        The template workbook (default :func:`default_template`).
    overwrite : bool
        Replace ``out`` if it exists.
    limits : xl_tsd.calc.Limits, optional
        The work computing it may take (:data:`xl_tsd.calc.DEFAULT_LIMITS`).
    """
    t0 = time.perf_counter()
    name, data, out, tpl = prepare(case, out, template, overwrite)
    return _fill_prepared(name, data, out, tpl, t0, limits)


def prepare(case, out, template=None, overwrite: bool = False):
    """What :func:`fill` checks before anything is written: the case (read and validated), the
    output (an ``.xlsm``, not the template, not an existing file unless ``overwrite``), the template.

    Returns (name for messages, case data, output path, template path).
    """
    name = str(case) if not isinstance(case, dict) else "case"
    data = load_case(case) if not isinstance(case, dict) else case
    if isinstance(case, dict):
        validate_case(data, name)
    out = pathlib.Path(out)
    tpl = pathlib.Path(template) if template else default_template()
    if out.suffix.lower() != ".xlsm":
        raise CaseError(name, [f"output must be an .xlsm workbook (got {out.name})"])
    if same_file(tpl, out):
        raise CaseError(name, [f"output {out} is the template: choose another file"])
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} exists (pass --overwrite to replace it)")
    return name, data, out, tpl


def _fill_prepared(name, data, out, tpl, t0, limits=None) -> FillReport:
    """fill()'s own way: the template through openpyxl with the inputs, then computed by calc."""
    from ..calc import calculate

    wb = openpyxl.load_workbook(tpl, keep_vba=True)
    contract.write_inputs(wb, case_to_inputs(data))
    buf = io.BytesIO()
    wb.save(buf)
    from ..calc import LimitExceeded
    try:
        report = calculate(buf.getvalue(), out, limits=limits)
    except LimitExceeded as exc:  # name the case and the template, not the workbook in memory
        exc.args = (str(exc).replace("workbook:", f"{name} (filled into {tpl.name}):", 1),)
        raise
    return FillReport(name, out, headline(report.values, wb), list(report.errors), list(report.problems),
                      time.perf_counter() - t0)


def extract(book) -> dict:
    """Read the inputs of a workbook built from the template back out as a case."""
    wb = openpyxl.load_workbook(book, keep_vba=False)
    version = None
    dn = wb.defined_names.get("Template_Version")
    if dn is not None:
        (sheet, ref), = list(dn.destinations)
        version = wb[sheet][ref.replace("$", "")].value
    return inputs_to_case(contract.read_inputs(wb), int(version) if version is not None else None)


def write_case(case: dict, path, *, overwrite: bool = False) -> pathlib.Path:
    """Write a case as JSON (``.json``) or YAML (``.yaml``/``.yml``), atomically."""
    path = pathlib.Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists (pass --overwrite to replace it)")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml
        text = yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
    elif path.suffix.lower() == ".json":
        text = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
    else:
        raise ValueError(f"a case file must end in .json, .yaml or .yml (got {path.name})")
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
