"""Registry, wrappers, VBA module and reference docs agree; the committed copies are fresh (issue 3).

The VBA module and the Function Wizard registrations come from running
xlwings' own ``import_udfs`` (``xlwings/udfs.py`` of the installed version)
against a recording stand-in for the workbook: see ``xl_tsd/vba_udfs.py``.
"""
import inspect
import pathlib
import re

import pytest
import xlwings
from click.testing import CliRunner

from udfs import tsd
from xl_tsd import generate as generated
from xl_tsd.cli import main
from xl_tsd.registry import FUNCTIONS
from xl_tsd.excel.vba_udfs import (UDF_MODULE, VBA_RESERVED, excel_arg_name, import_functions,
                             load_xlwings_udfs, windows_udf_module)

BAS = "udfs/xlwings_udfs.bas"
DOCS = "docs/functions.md"
SCHEMA = "schema/case.schema.json"
EXAMPLE = "examples/cases/vehicle_chassis.json"


@pytest.fixture(scope="module")
def record():
    return import_functions()


def registry_view():
    """Every function with its Excel argument names and optionality, from the registry."""
    return {name: [(excel_arg_name(a.name), a.optional) for a in spec.args] for name, spec in FUNCTIONS.items()}


# --- the same functions with the same arguments everywhere --------------------------------

def test_wrappers_list_the_registry():
    got = {}
    for name in tsd.__all__:
        params = inspect.signature(getattr(tsd, name)).parameters.values()
        got[name] = [(p.name, p.default is not inspect.Parameter.empty) for p in params]
    assert got == registry_view()


def test_windows_decorators_accept_the_wrappers():
    # what xlwings reads in Excel: name, category, per-argument doc and options, optionality
    module = windows_udf_module(load_xlwings_udfs())
    decorated = {k: getattr(module, k) for k in dir(module) if hasattr(getattr(module, k), "__xlfunc__")}
    assert sorted(decorated) == sorted(FUNCTIONS)
    for name, f in decorated.items():
        spec, info = FUNCTIONS[name], f.__xlfunc__
        assert info["name"] == name and info["category"] == spec.category_label and not info["sub"]
        assert info["ret"]["doc"] == spec.wizard_text()
        assert [(a["name"], "optional" in a) for a in info["args"]] == registry_view()[name]
        for a, arg in zip(info["args"], spec.args):
            assert a["doc"] == tsd.arg_doc(arg) and a["vba"] is None
            assert a["options"] == {"ndim": 2, "err_to_str": True}
            assert a.get("optional", None) is None  # what xlwings passes for an argument left out
    assert not hasattr(tsd.DAMAGES_BASE, "__xlfunc__")  # off Windows the decorators do nothing


def test_bas_lists_the_registry(record):
    got = {}
    for m in re.finditer(r"^Function (\w+)\((.*)\)$", record.bas, re.M):
        params = [p.strip() for p in m[2].split(",") if p.strip()]
        # a variadic last argument is VBA's ParamArray NAME()
        got[m[1]] = [(p.removeprefix("Optional ").removeprefix("ParamArray ").removesuffix("()"),
                      p.startswith("Optional ")) for p in params]
    assert got == registry_view()
    for name, args in registry_view().items():  # each wrapper calls its own Python function
        array = "argsArray" if FUNCTIONS[name].args and FUNCTIONS[name].args[-1].variadic else \
            f'Array({", ".join(a for a, _ in args)})'
        call = f'{name} = XLPy.CallUDF("{UDF_MODULE}", "{name}", {array}'
        assert record.bas.count(call) == 2, name  # the Excel and the non-Excel branch
    assert "Function TSD_FINGERPRINT(values, ParamArray more())" in record.bas


def test_docs_list_the_registry():
    text = (generated.ROOT / DOCS).read_text(encoding="utf-8")
    got = {}
    for m in re.finditer(r"^`=(\w+)\(([^)]*)\)` · Python `xl_tsd\.(\w+)`", text, re.M):
        params = [p.strip() for p in m[2].split(",") if p.strip()]
        got[m[1]] = [(p.strip("[]").removesuffix("..."), p.startswith("[")) for p in params]
        assert m[3] == m[1].lower()
    assert got == registry_view()
    assert re.findall(r"^### (\w+)$", text, re.M)[:len(FUNCTIONS)] == list(FUNCTIONS)


def test_docs_hold_every_part_of_each_function():
    text = (generated.ROOT / DOCS).read_text(encoding="utf-8")
    for name, spec in FUNCTIONS.items():
        section = text.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        for part in (spec.zh, spec.en, spec.formula, spec.basis_en, spec.basis_zh, spec.unit):
            assert part in section, (name, part)
        for a in spec.args:
            assert a.unit in section and a.zh in section and a.en in section, (name, a.name)
        assert spec.examples and all(ex.excel(name) in section for ex in spec.examples), name
    assert "| `criminal_serious` | 500,000 | 2004-12-22 |" in text  # legal table row (法释〔2004〕19号)


# --- the committed files are what the generators give now ---------------------------------

@pytest.mark.parametrize("rel", [BAS, DOCS, SCHEMA, EXAMPLE])
def test_committed_file_is_fresh(rel):
    path = generated.ROOT / rel
    assert path.exists(), f"{rel} missing: run `xl-tsd generate`"
    assert path.read_bytes() == generated.expected(rel), f"{rel} is stale: run `xl-tsd generate`"


def test_bas_is_what_xlwings_writes(record):
    data = generated.expected(BAS)
    assert data.decode("ascii").replace("\r\n", "\n") == record.bas
    assert b"\n" not in data.replace(b"\r\n", b"")  # Windows line ends throughout
    lines = record.bas.splitlines()
    assert lines[:3] == ['Attribute VB_Name = "xlwings_udfs"',
                         "'Autogenerated code by xlwings - changes will be lost with next import!",
                         "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel"]
    assert max(len(line) for line in lines) <= 1023  # VBA's longest line
    assert "ThisWorkbook, Application.Caller" in record.bas  # a workbook, not an add-in
    assert record.removed == ["xlwings_udfs"]  # the old module goes first


def test_function_wizard_texts(record):
    # what Import Functions registers with Application.MacroOptions for each function
    assert sorted(record.macro_options) == sorted(f"'Template.xlsm'!{n}" for n in FUNCTIONS)
    for name, spec in FUNCTIONS.items():
        opts = record.macro_options[f"'Template.xlsm'!{name}"]
        assert opts["Description"] == spec.wizard_text() and len(opts["Description"]) <= 255
        assert opts["Category"] == spec.category_label
        docs = [tsd.arg_doc(a) for a in spec.args]
        assert opts["ArgumentDescriptions"] == (docs or None)


def test_vba_names_are_legal():
    xlwings_bas = pathlib.Path(xlwings.__file__).with_name("xlwings.bas").read_text(encoding="utf-8",
                                                                                    errors="replace")
    procedures = {m.lower() for m in re.findall(r"^\s*(?:Public |Private )?(?:Function|Sub) (\w+)",
                                                xlwings_bas, re.M | re.I)}
    assert "getconfig" in procedures  # the parse found xlwings' own procedures
    ident = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}$")
    for name, args in registry_view().items():
        assert ident.match(name) and name.lower() not in VBA_RESERVED
        assert name.lower() not in procedures  # an ambiguous name would break both
        low = [a.lower() for a, _ in args]
        assert len(set(low)) == len(low), name
        for a in low:
            assert ident.match(a) and a not in VBA_RESERVED and a.upper() not in FUNCTIONS, (name, a)


# --- regenerating ------------------------------------------------------------------------

def test_stale_files_are_found_and_rewritten(tmp_path):
    assert generated.stale(tmp_path) == [BAS, DOCS, SCHEMA, EXAMPLE]  # missing counts as stale
    assert generated.write(tmp_path) == [BAS, DOCS, SCHEMA, EXAMPLE]
    assert generated.stale(tmp_path) == [] and generated.write(tmp_path) == []
    (tmp_path / DOCS).write_text("edited by hand\n", encoding="utf-8")
    assert generated.stale(tmp_path) == [DOCS]
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["functions.md"]  # no temp left


def test_cli_generate(tmp_path):
    res = CliRunner().invoke(main, ["generate", "--root", str(tmp_path)])
    assert res.exit_code == 0 and f"wrote {BAS}" in res.output and f"wrote {DOCS}" in res.output
    assert (tmp_path / BAS).read_bytes() == generated.expected(BAS)
    res = CliRunner().invoke(main, ["generate", "--check", "--root", str(tmp_path)])
    assert res.exit_code == 0, res.output
    (tmp_path / BAS).write_bytes(b"")
    res = CliRunner().invoke(main, ["generate", "--check", "--root", str(tmp_path)])
    assert res.exit_code == 1 and f"stale: {BAS}" in res.output
