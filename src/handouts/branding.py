"""The clinic's look: its logo file, checked before anything is drawn."""

from __future__ import annotations

from pathlib import Path

from handouts.models import Clinic

MAX_LOGO_BYTES = 10 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000


def logo_path(clinic: Clinic, folder: Path | None) -> Path | None:
    if not clinic.logo:
        return None
    path = Path(clinic.logo)
    return path if path.is_absolute() or folder is None else folder / path


def check_logo(clinic: Clinic, folder: Path | None) -> Path | None:
    """The logo's path once it is known to be a readable PNG or JPEG of sane size."""
    path = logo_path(clinic, folder)
    if path is None:
        return None
    from handouts.pictures import check_picture

    check_picture(path, field="logo", max_bytes=MAX_LOGO_BYTES, max_pixels=MAX_LOGO_PIXELS)
    return path
