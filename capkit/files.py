"""Writing files safely: a reader never sees a half-written file, nor half of a new pair.

Files get the mode an ordinary write would give them (0666 less the umask), not the 0600 of
a temporary file. Only regular files are ever replaced: a path naming a folder, a device, a
FIFO or a symlink is refused before any work (:func:`check_out_file`). What an interrupted
write left beside its target (a hidden temporary file, a staged report folder) is removed by
the next write there once it is older than ``LEFTOVER_AGE_S``.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from capkit.errors import InputError, shown


def _umask() -> int:
    """The process umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: A leftover of an interrupted write older than this (seconds) is removed by the next write;
#: a younger one may belong to a write still running.
LEFTOVER_AGE_S = 60.0
#: The longest file name written (most file systems' limit, in bytes).
MAX_NAME_BYTES = 255


def check_out_file(path: Path | str, what: str = "out") -> Path:
    """``path`` if capkit may write a file there, checked before any work: a name that is not
    empty nor too long, no folder, device, FIFO or symlink at it (only a regular file is ever
    replaced), and a folder that takes a new file. Raises an InputError naming the input
    ``what`` (the output, by default) and the file."""
    text = str(path)
    if not text.strip():
        raise InputError("no file named; give the path of the file to write", what=what)
    path = Path(text)
    if len(path.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise InputError(f"the file name is over {MAX_NAME_BYTES} bytes", what=what, name=shown(text))
    _refuse_special(path, what)
    check_writable_folder(path.parent, what)
    return path


def _refuse_special(path: Path, what: str | None) -> None:
    """Raise an InputError (naming the input ``what`` and the file) if anything but a regular file is at ``path``: a
    symlink, a folder, a device or a FIFO, which capkit never replaces."""
    name = shown(str(path))
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot write there ({exc.strerror or type(exc).__name__})", what=what, name=name) from None
    if stat.S_ISLNK(info.st_mode):
        raise InputError("a symlink; capkit replaces only regular files: name the file itself", what=what, name=name)
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device or FIFO"
        raise InputError(f"{kind}; capkit writes only regular files", what=what, name=name)


def remove_leftovers(folder: Path, prefix: str, keep: str | None = None) -> None:
    """Remove what interrupted writes left in ``folder`` under the hidden ``prefix`` (temporary
    files, staged folders, switch links) once older than LEFTOVER_AGE_S; never ``keep``."""
    now = time.time()
    for leftover in folder.glob(f"{glob_escape(prefix)}*"):
        if leftover.name == keep:
            continue
        try:
            info = os.lstat(leftover)
        except OSError:
            continue
        if now - info.st_mtime < LEFTOVER_AGE_S:
            continue
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    """``text`` with glob's special characters taken literally."""
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def write_atomically(path: Path | str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    If anything fails the old file stays as it was and the temporary file is removed. Only a
    regular file (or nothing) at ``path`` is replaced.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _refuse_special(path, None)
    remove_leftovers(path.parent, f".{path.name}.")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable_folder(folder: Path | str, what: str = "out") -> Path:
    """Make ``folder`` if needed and prove a file can be written in it, before any long work."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError(f"cannot write there ({reason})", what=what, name=shown(str(folder))) from None
    return folder


def write_folder(out: Path | str, name: str, files: Mapping[str, str]) -> Path:
    """Publish ``files`` (file name -> text) together as the folder ``out/name``; returns it.

    The files are written into a new hidden folder beside it, then ``out/name``, a symlink,
    is switched to that folder by one rename: a reader sees the old set or the new one, never
    a new file beside an old one. The previous folder is removed afterwards.
    """
    out = check_writable_folder(out)
    link = out / name
    if link.exists() and not link.is_symlink():
        raise InputError(f"{shown(str(link))} exists and is not a capkit report folder; move it away first", what="out")
    remove_leftovers(out, f".{name}.", keep=os.readlink(link) if link.is_symlink() else None)
    staged = Path(tempfile.mkdtemp(dir=out, prefix=f".{name}."))
    swap = out / f"{staged.name}.link"
    try:
        for file_name, text in files.items():
            write_atomically(staged / file_name, text)
        os.chmod(staged, 0o777 & ~_umask())
        previous = out / os.readlink(link) if link.is_symlink() else None  # a name relative to out
        os.symlink(staged.name, swap)
        os.replace(swap, link)
    except BaseException:
        swap.unlink(missing_ok=True)
        shutil.rmtree(staged, ignore_errors=True)
        raise
    # Only a folder this function made (beside the link, with its prefix) is ever removed.
    if previous is not None and previous.parent == out and previous.name.startswith(f".{name}."):
        shutil.rmtree(previous, ignore_errors=True)
    return link
