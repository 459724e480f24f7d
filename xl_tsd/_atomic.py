"""Writing output files atomically, never over an input."""
from __future__ import annotations

import contextlib
import os
import pathlib
import tempfile


def same_file(a, b) -> bool:
    """True when two paths name the same file (an output would overwrite an input)."""
    a, b = pathlib.Path(a), pathlib.Path(b)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


@contextlib.contextmanager
def atomic_path(dest):
    """Yield a temporary path beside ``dest``; on success it replaces ``dest`` in one step.

    On any error the temporary file is removed and ``dest`` is left as it was,
    so no partial output is ever visible under the final name.
    """
    dest = pathlib.Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    try:
        yield pathlib.Path(tmp)
        with open(tmp, "rb+") as f:  # on disk before the rename: a crash leaves old or new, never half
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
