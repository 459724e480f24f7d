"""Writing output files: atomically, never over an input, never over a file unless asked.

One rule for every command: the folder an output goes into must exist (xl_tsd
never creates folders, except the folder ``batch -o`` and ``example -o`` are
told to fill); an existing output is replaced only with ``overwrite``, and the
test for it is the write itself (an exclusive create), never a check followed
by a write. Outputs are ordinary files: their permissions follow the user's
umask, as any program's do.

A temporary file is written beside the output and renamed into place, so a
crash leaves the old file or the new one, never half of one. Its name says
whose it is (``.NAME.xl_tsd-HOST-PID-RANDOM.part``): a run that was killed
before it could remove its temporary file leaves one behind, and the next run
that writes into the same folder removes it (its process is gone).
"""
from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import re
import secrets
import socket
import sys
import time
import zlib

__all__ = ["OutputRefused", "same_file", "check_output", "atomic_path", "write_atomic", "remove_stale_parts",
           "exists_message"]


class OutputRefused(ValueError):
    """An output that cannot be written there; the message says what, where and what to do."""


def same_file(a, b) -> bool:
    """True when two paths name the same file (an output would overwrite an input)."""
    a, b = pathlib.Path(a), pathlib.Path(b)
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def exists_message(dest) -> str:
    return f"{dest} exists (pass --overwrite to replace it, or choose another output)"


def _folder_of(dest: pathlib.Path) -> pathlib.Path:
    return dest.parent if str(dest.parent) else pathlib.Path(".")


def _existing_folder(dest: pathlib.Path) -> pathlib.Path:
    """The folder ``dest`` goes in, refused (OutputRefused) when it does not exist."""
    folder = _folder_of(dest)
    if not folder.is_dir():
        raise OutputRefused(f"{dest}: the folder {folder} does not exist (create it first, or choose "
                            f"another output)")
    return folder


def check_output(dest, *, overwrite: bool = False) -> pathlib.Path:
    """The checks an output passes before any work is done: its folder exists, it is not a
    folder, and it does not exist unless ``overwrite``.

    Raises
    ------
    OutputRefused
        The folder does not exist, or ``dest`` is a folder.
    FileExistsError
        ``dest`` exists and ``overwrite`` is false.
    """
    dest = pathlib.Path(dest)
    folder = _existing_folder(dest)
    if dest.is_dir():
        raise OutputRefused(f"{dest} is a folder: give a file name")
    if not overwrite and (dest.exists() or dest.is_symlink()):
        raise FileExistsError(exists_message(dest))
    return dest


# --- temporary files: named so that a later run can tell a dead run's from a live one's --------------
_HOST = f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"
_PART = re.compile(r"^\..*\.xl_tsd-([0-9a-f]{8})-(\d+)-[0-9A-Za-z_-]+\.part$")
_STALE_SECONDS = 24 * 3600  # where a process cannot be asked whether it is alive (Windows)
_cleaned: set[str] = set()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale_parts(folder) -> list[pathlib.Path]:
    """Remove the temporary files that runs of xl_tsd killed on this machine left in ``folder``.

    A file is stale when its name follows our pattern, it was made on this host and its process
    is gone (on Windows: when it is more than a day old). Returns the files removed.
    """
    folder = pathlib.Path(folder)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _PART.match(e.name)
        if not m or m[1] != _HOST:
            continue
        try:
            stale = not _alive(int(m[2])) or (sys.platform == "win32"
                                               and time.time() - e.stat().st_mtime > _STALE_SECONDS)
            if stale and e.is_file(follow_symlinks=False):
                os.unlink(e.path)
                removed.append(pathlib.Path(e.path))
        except OSError:
            continue
    return removed


def _temp_name(dest: pathlib.Path) -> str:
    # bounded, whatever the length of dest's name (a file name holds at most 255 bytes)
    stem = dest.name.encode("utf-8", "surrogateescape")[:60].decode("utf-8", "ignore")
    return f".{stem}.xl_tsd-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}.part"


def _cannot_write(dest, exc: OSError) -> OutputRefused:
    why = exc.strerror or str(exc)
    return OutputRefused(f"cannot write {dest}: {why} (choose another folder or file name)")


def _publish_new(tmp: str, dest: pathlib.Path) -> None:
    """Give ``tmp`` the name ``dest`` only if no file has it: an exclusive create, no check-then-write."""
    try:
        os.link(tmp, dest)
    except FileExistsError:
        raise FileExistsError(exists_message(dest)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                             errno.ENOSYS, errno.EACCES):
            raise _cannot_write(dest, exc) from None
        # no hard links on this file system (FAT, some shares): reserve the name exclusively, then fill it
        try:
            fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        except FileExistsError:
            raise FileExistsError(exists_message(dest)) from None
        os.close(fd)
        os.replace(tmp, dest)
        return
    os.unlink(tmp)


def _sync_folder(folder: pathlib.Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(dest, *, overwrite: bool = True):
    """Yield a temporary path beside ``dest``; on success it becomes ``dest`` in one step.

    Parameters
    ----------
    dest : path
        The output. Its folder must exist.
    overwrite : bool
        True: replace ``dest`` if it exists (keeping its permissions). False: ``dest`` is
        created only if no file has its name at that moment (``FileExistsError`` otherwise),
        however many runs write into the folder at once.

    On any error the temporary file is removed and ``dest`` is left as it was,
    so no partial output is ever visible under the final name. A new file's
    permissions follow the umask.

    Raises
    ------
    OutputRefused
        The folder does not exist or cannot be written.
    FileExistsError
        ``dest`` exists and ``overwrite`` is false.
    """
    dest = pathlib.Path(dest)
    folder = _existing_folder(dest)
    key = os.path.abspath(folder)
    if key not in _cleaned:
        remove_stale_parts(folder)
        _cleaned.add(key)
    tmp = str(folder / _temp_name(dest))
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise _cannot_write(dest, exc) from None
    os.close(fd)
    try:
        yield pathlib.Path(tmp)
        with open(tmp, "rb+") as f:  # on disk before the rename: a crash leaves old or new, never half
            os.fsync(f.fileno())
        if overwrite:
            with contextlib.suppress(OSError):
                os.chmod(tmp, os.stat(dest).st_mode & 0o7777)  # a replaced file keeps its permissions
            try:
                os.replace(tmp, dest)
            except OSError as exc:
                raise _cannot_write(dest, exc) from None
        else:
            _publish_new(tmp, dest)
        _sync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path, write, *, overwrite: bool = True) -> None:
    """Call ``write(file)`` on a binary temporary file beside ``path``, then make it ``path``
    (:func:`atomic_path`)."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        with open(tmp, "wb") as f:
            write(f)
