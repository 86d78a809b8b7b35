"""pypdf's part: merging a run's handouts into one print job, and encrypting a file."""

from __future__ import annotations

import io
from pathlib import Path

from handouts.errors import HandoutsError


def encrypt(pdf: bytes, password: str) -> bytes:
    """The PDF encrypted with AES-256 (never RC4); opening it asks for the password."""
    from pypdf import PdfReader, PdfWriter

    if not password:
        raise HandoutsError("the password must not be empty", field="--password")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    try:
        writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    except ImportError:
        raise HandoutsError(
            "encryption needs the 'cryptography' package",
            field="--password",
            hint="pip install cryptography",
        ) from None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def merge(files: list[Path], password: str | None = None) -> bytes:
    """One PDF of all the files, in order, with every form field kept working; encrypted
    files are opened with the password, and the merged file is encrypted with it too.

    Field names must already differ between files (batch renames them per row)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for path in files:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            reader.decrypt(password or "")
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return encrypt(out.getvalue(), password) if password else out.getvalue()
