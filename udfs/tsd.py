"""Every xl_tsd catalogue function as an xlwings UDF: the module Excel imports.

The workbook's ``xlwings.conf`` sheet names this module under ``UDF Modules``
as ``udfs.tsd``. One wrapper per entry of :data:`xl_tsd.registry.FUNCTIONS`
is made here from the registry; none is written out by hand. Each wrapper

- is named exactly as the catalogue's Excel name (``DAMAGES_BASE``), because
  xlwings names the Excel function after the Python function;
- carries the registry's Function Wizard text as its docstring (at most 255
  characters), its category, and an ``@xw.arg`` description per argument;
- reads every argument with ``ndim=2``, so a row stays a row and a column a
  column (a single cell then arrives as ``[[v]]``), and with
  ``err_to_str=True``, so an error cell arrives as its text (``"#N/A"``)
  instead of as an empty cell that would mean "not known";
- makes one call to :func:`xl_tsd.excel.call_excel`: Excel-shaped values in,
  the core function once, a float, bool, str, date or 2-D list (which spills)
  out; every error comes back as ``#CODE! reason`` text, never a traceback.

An argument whose catalogue name VBA cannot take as a parameter name (``date``
is a VBA keyword) gets a trailing underscore in Excel: see
:func:`xl_tsd.excel.vba_udfs.excel_arg_name`.

On Linux and macOS the xlwings decorators do nothing, so the wrappers are
plain functions there and are tested as such; ``xl_tsd.excel.vba_udfs`` runs this
module under xlwings' Windows decorators to write the VBA module.
"""
from __future__ import annotations

import keyword

import xlwings as xw

from xl_tsd.excel import call_excel
from xl_tsd.registry import FUNCTIONS, Arg, FunctionSpec
from xl_tsd.excel.vba_udfs import excel_arg_name

#: How xlwings converts every argument before the wrapper sees it (see above).
ARG_OPTIONS = {"ndim": 2, "err_to_str": True}


def arg_doc(arg: Arg) -> str:
    """The Function Wizard description of one argument: Chinese, then English (<= 255 chars)."""
    text = f"{arg.doc('zh')} {arg.doc('en')}"
    return text if len(text) <= 255 else text[:254] + "…"


def _identifier(name: str) -> str:
    # names go into generated source: accept plain identifiers only
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"not usable as a Python name: {name!r}")
    return name


def make_udf(spec: FunctionSpec):
    """The xlwings UDF of one catalogue function.

    The wrapper is compiled from a one-line template (as :mod:`dataclasses`
    does) so that its signature is the real one xlwings inspects: the Excel
    argument names in catalogue order, optional arguments defaulting to
    ``None`` (xlwings passes the default for an argument left out in Excel).
    """
    name = _identifier(spec.name)
    params = [_identifier(excel_arg_name(a.name)) for a in spec.args]
    signature = ", ".join("*" + p if a.variadic else p + "=None" if a.optional else p
                          for p, a in zip(params, spec.args))
    passed = "".join(", *" + p if a.variadic else ", " + p for p, a in zip(params, spec.args))
    source = (f"def {name}({signature}):\n"
              f"    return _call_excel({name!r}{passed})\n")
    namespace = {"_call_excel": call_excel, "__name__": __name__}
    exec(compile(source, f"<udf {name}>", "exec"), namespace)  # noqa: S102 - names checked above
    udf = namespace[name]
    udf.__doc__ = spec.wizard_text()
    for param, a in reversed(list(zip(params, spec.args))):
        udf = xw.arg(param, doc=arg_doc(a), **ARG_OPTIONS)(udf)
    return xw.func(category=spec.category_label)(udf)


for _spec in FUNCTIONS.values():
    globals()[_spec.name] = make_udf(_spec)
del _spec

__all__ = list(FUNCTIONS)
