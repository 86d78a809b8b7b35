"""Writing output safely: whole or not at all, never clobbering a file on failure."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from handouts.errors import HandoutsError

_UNFINISHED: set[str] = set()  # temporary files being written by this process


def remove_unfinished() -> None:
    """Remove temporary files this process had not finished (on a signal, before exiting)."""
    for name in list(_UNFINISHED):
        Path(name).unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise HandoutsError(
            "the folder does not exist", file=str(path), hint=f"create '{folder}' first"
        )
    if path.is_dir():
        raise HandoutsError("is a folder, not a file name", file=str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise HandoutsError(f"cannot write here: {exc.strerror}", file=str(path)) from None
    _UNFINISHED.add(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _UNFINISHED.discard(tmp)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        _UNFINISHED.discard(tmp)
        if isinstance(exc, OSError):
            raise HandoutsError(f"cannot write the file: {exc.strerror}", file=str(path)) from None
        raise
