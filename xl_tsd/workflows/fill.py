"""Fill the template from a case and compute it; read a workbook's inputs back out as a case."""
from __future__ import annotations

import io
import json
import pathlib
import time
from dataclasses import dataclass, field


from .._atomic import atomic_path, check_output, same_file
from ..template import contract
from ..template import layout as L
from .case_data import CaseError, case_to_inputs, inputs_to_case, load_case, validate_case

__all__ = ["fill", "extract", "write_case", "default_template", "FillReport", "headline", "ExtractError",
           "checked_template"]

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
        The ``.xlsm`` to write, atomically. Never the template itself. Its folder must exist.
    template : path, optional
        The template workbook (default :func:`default_template`); it passes the workbook
        gate of :mod:`xl_tsd.calc.safety`.
    overwrite : bool
        Replace ``out`` if it exists. Without it, an existing ``out`` is refused before
        anything is computed, and the write itself creates ``out`` only if no file has its
        name by then (an exclusive create): a file another run wrote meanwhile is kept.
    limits : xl_tsd.calc.Limits, optional
        The work computing it may take (:data:`xl_tsd.calc.DEFAULT_LIMITS`).

    Raises
    ------
    CaseError
        Bad case data, every problem listed; or an output that is not an ``.xlsm``.
    FileExistsError
        ``out`` exists and ``overwrite`` is false.
    xl_tsd.calc.InputRefused
        The template is refused by the gate.
    xl_tsd._atomic.OutputRefused
        ``out``'s folder does not exist or cannot be written.
    xl_tsd.calc.LimitExceeded
        The filled workbook needs more work than a limit allows.
    """
    t0 = time.perf_counter()
    name, data, out, tpl = prepare(case, out, template, overwrite)
    return _fill_prepared(name, data, out, tpl, t0, overwrite, limits)


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
    check_output(out, overwrite=overwrite)
    checked_template(tpl)
    return name, data, out, tpl


_CHECKED: dict = {}


def checked_template(tpl):
    """The template through the workbook gate (:mod:`xl_tsd.calc.safety`), once per process and
    version of the file: a batch fills it case after case."""
    from ..calc import safety

    p = pathlib.Path(tpl)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        key = None
    if key is None or key not in _CHECKED:
        pkg = safety.read_package(p, f"template {p}")
        if key is None:
            return pkg
        _CHECKED.clear()
        _CHECKED[key] = pkg
    return _CHECKED[key]


def _fill_prepared(name, data, out, tpl, t0, overwrite: bool = True, limits=None) -> FillReport:
    """fill()'s own way: the template through openpyxl with the inputs, then computed by calc."""
    from ..calc import calculate, safety

    wb = safety.load_workbook(checked_template(tpl), keep_vba=True)
    contract.write_inputs(wb, case_to_inputs(data))
    buf = io.BytesIO()
    wb.save(buf)
    from ..calc import LimitExceeded
    try:
        report = calculate(buf.getvalue(), out, overwrite=overwrite, limits=limits)
    except LimitExceeded as exc:  # name the case and the template, not the workbook in memory
        exc.args = (str(exc).replace("workbook:", f"{name} (filled into {tpl.name}):", 1),)
        raise
    return FillReport(name, out, headline(report.values, wb), list(report.errors), list(report.problems),
                      time.perf_counter() - t0)


class ExtractError(ValueError):
    """A workbook whose inputs cannot be read as a case; the message names the workbook and says why."""


_MAX_INPUT_CELLS = 1000  # the largest input of the template (a table column, the matrix) has 50 cells


def _check_input_names(wb, book) -> None:
    """Every input name of the template refers to one range no larger than the template's: a
    workbook not built from the template, or a name edited to cover a whole sheet, is refused
    before a cell is read."""
    from openpyxl.utils.cell import range_boundaries

    specs = contract.input_specs()
    missing = [n for n in specs if wb.defined_names.get(n) is None]
    if len(missing) == len(specs):
        raise ExtractError(f"{book}: not a workbook built from the xl_tsd case template (it has none of the "
                           f"template's {len(specs)} input names)")
    if missing:
        raise ExtractError(f"{book}: lacks the input name(s) {', '.join(missing[:10])}"
                           + (" ..." if len(missing) > 10 else "")
                           + "; an older template version? use xl-tsd upgrade first")
    for name in specs:
        dn = wb.defined_names[name]
        try:
            (title, ref), = list(dn.destinations)
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            cells = (c2 - c1 + 1) * (r2 - r1 + 1)
        except Exception:
            raise ExtractError(f"{book}: the input name {name} refers to {dn.attr_text!r}, not one range of "
                               f"cells") from None
        if title not in wb.sheetnames or cells > _MAX_INPUT_CELLS:
            raise ExtractError(f"{book}: the input name {name} refers to {dn.attr_text!r}, not the template's "
                               f"cells")


def extract(book) -> dict:
    """Read the inputs of a workbook built from the template back out as a case.

    The workbook passes the gate of :mod:`xl_tsd.calc.safety` first.

    Raises
    ------
    xl_tsd.calc.InputRefused
        The file is not a workbook the gate lets through.
    ExtractError
        The workbook is not built from the case template.
    """
    from ..calc import safety

    wb = safety.load_workbook(book)
    _check_input_names(wb, book)
    version = None
    dn = wb.defined_names.get("Template_Version")
    if dn is not None:
        try:
            (sheet, ref), = list(dn.destinations)
            raw = wb[sheet][ref.replace("$", "")].value
            version = int(raw) if raw is not None and float(raw).is_integer() else None
        except Exception:
            raise ExtractError(f"{book}: Template_Version does not hold a template version number") from None
    return inputs_to_case(contract.read_inputs(wb), version)


def write_case(case: dict, path, *, overwrite: bool = False) -> pathlib.Path:
    """Write a case as JSON (``.json``) or YAML (``.yaml``/``.yml``), atomically; an existing file
    only with ``overwrite``."""
    path = pathlib.Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml
        text = yaml.safe_dump(case, allow_unicode=True, sort_keys=False)
    elif path.suffix.lower() == ".json":
        text = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
    else:
        raise ValueError(f"a case file must end in .json, .yaml or .yml (got {path.name})")
    check_output(path, overwrite=overwrite)
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
