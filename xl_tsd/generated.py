"""The committed files generated from the registry, and how to rebuild or check them.

``udfs/xlwings_udfs.bas`` (the VBA module "Import Functions" writes) and
``docs/functions.md`` (the function reference) are generated, committed, and
tested for freshness; ``xl-tsd generate`` rewrites them.
"""
from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Callable

__all__ = ["ROOT", "GENERATED", "expected", "stale", "write"]

#: The repository root (the checkout this package is installed from in development).
ROOT = pathlib.Path(__file__).resolve().parents[1]


def _bas() -> bytes:
    from .vba_udfs import bas_text
    return bas_text().encode("ascii")  # VBA source: names and ASCII only


def _docs() -> bytes:
    from .docs_gen import functions_md
    return functions_md().encode("utf-8")


#: Repository-relative path -> function giving the file's exact bytes.
GENERATED: dict[str, Callable[[], bytes]] = {
    "udfs/xlwings_udfs.bas": _bas,
    "docs/functions.md": _docs,
}


def expected(rel: str) -> bytes:
    """What the generated file ``rel`` must hold now."""
    return GENERATED[rel]()


def _write_atomic(path: pathlib.Path, data: bytes) -> None:
    """Write ``path`` in one step: a temporary file beside it, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _stale(root) -> dict[str, bytes]:
    out = {}
    for rel, make in GENERATED.items():
        path, data = pathlib.Path(root) / rel, make()
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
        _write_atomic(pathlib.Path(root) / rel, data)
    return list(changed)
