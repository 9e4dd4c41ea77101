"""Writing files safely: a reader never sees a half-written file, nor half of a new pair.

Files get the mode an ordinary write would give them (0666 less the umask), not the 0600 of
a temporary file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from capkit.errors import InputError, shown


def _umask() -> int:
    """The process umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path | str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    If anything fails the old file stays as it was and the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable_folder(folder: Path | str, flag: str = "--out") -> Path:
    """Make ``folder`` if needed and prove a file can be written in it, before any long work."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise InputError(f"{flag} {shown(str(folder))}: cannot write there ({reason})") from None
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
        raise InputError(f"--out: {shown(str(link))} exists and is not a capkit report folder; move it away first")
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
