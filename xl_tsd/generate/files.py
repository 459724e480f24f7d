"""The committed files generated from the registry, and how to rebuild or check them.

``udfs/xlwings_udfs.bas`` (the VBA module "Import Functions" writes),
``docs/functions.md`` (the function reference), ``schema/case.schema.json``
(the case file format, from the template layout), the example case, and the
generated blocks of ``README.md`` (the case contract) and ``docs/template.md``
(the defined names) are committed and tested for freshness; ``xl-tsd generate``
rewrites them. ``workbook/Template.xlsm`` has its own command, ``xl-tsd template``.
"""
from __future__ import annotations

import pathlib
from typing import Callable

from .._atomic import atomic_path

__all__ = ["ROOT", "GENERATED", "expected", "stale", "write"]

#: The repository root (the checkout this package is installed from in development).
ROOT = pathlib.Path(__file__).resolve().parents[2]


def _bas() -> bytes:
    from ..excel.vba_udfs import bas_text
    return bas_text().encode("ascii")  # VBA source: names and ASCII only


def _docs() -> bytes:
    from .function_docs import functions_md
    return functions_md().encode("utf-8")


def _schema() -> bytes:
    import json
    from ..workflows.case_data import json_schema
    return (json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _example_case() -> bytes:
    import json
    from ..template.example import example_analysis, example_inputs
    from ..workflows.case_data import inputs_to_case
    case = {"$comment": "CASES.md A, vehicle chassis: the contribution chain is the court's (SPC (2023)最高法知民终"
            "1590号); sales, margins, multiplier, claim, the scenarios and the rest are ILLUSTRATIVE. Generated "
            "from xl_tsd/template/example.py by `xl-tsd generate`.", **inputs_to_case(example_inputs(), None),
            **example_analysis()}
    return (json.dumps(case, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _block(rel: str, fill: Callable[[str], str]):
    """A hand-written file of which only a marked block is generated (None where the file is absent)."""
    def make(root: pathlib.Path = None) -> bytes | None:
        path = pathlib.Path(root or ROOT) / rel
        if not path.exists():
            return None
        return fill(path.read_text(encoding="utf-8")).encode("utf-8")
    make.block = True
    return make


def _with_contract(text: str) -> str:
    from ..workflows.case_data import with_contract
    return with_contract(text)


def _with_names(text: str) -> str:
    from .template_docs import with_names
    return with_names(text)


#: Repository-relative path -> function giving the file's exact bytes.
GENERATED: dict[str, Callable[[], bytes]] = {
    "udfs/xlwings_udfs.bas": _bas,
    "docs/functions.md": _docs,
    "schema/case.schema.json": _schema,
    "examples/cases/vehicle_chassis.json": _example_case,
    "README.md": _block("README.md", _with_contract),  # only its case-contract block
    "docs/template.md": _block("docs/template.md", _with_names),  # only its defined-names block
}


def expected(rel: str) -> bytes:
    """What the generated file ``rel`` must hold now."""
    return GENERATED[rel]()


def _stale(root) -> dict[str, bytes]:
    out = {}
    for rel, make in GENERATED.items():
        path = pathlib.Path(root) / rel
        data = make(root) if getattr(make, "block", False) else make()
        if data is None:
            continue
        if not path.exists() or path.read_bytes() != data:
            out[rel] = data
    return out


def stale(root: pathlib.Path = ROOT) -> list[str]:
    """The generated files under ``root`` that are missing or differ from what the generator gives."""
    return list(_stale(root))


def write(root: pathlib.Path = ROOT) -> list[str]:
    """Rewrite every stale generated file (atomically); returns the paths written."""
    changed = _stale(root)
    for rel, data in changed.items():
        (pathlib.Path(root) / rel).parent.mkdir(parents=True, exist_ok=True)  # the repository's own layout
        with atomic_path(pathlib.Path(root) / rel) as tmp:
            tmp.write_bytes(data)
    return list(changed)
