"""Pictures from files a clinic supplies: checked whole before anything is written.

Pillow reads the header and decodes the image once, so a missing, truncated or corrupt
file, or a decompression bomb, is refused with its path named instead of failing mid-render.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from handouts.errors import HandoutsError

MAX_BYTES = 30 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: any camera photo, far below a decompression bomb
FORMATS = {"PNG": "png", "JPEG": "jpeg"}


def check_picture(
    path: Path, *, field: str = "image", max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> tuple[str, int, int]:
    """(format, width, height) of a usable picture, or a HandoutsError naming the file."""
    try:
        stat = path.stat()
    except OSError:
        raise HandoutsError("picture not found", file=str(path), field=field) from None
    return _checked(str(path), stat.st_size, stat.st_mtime_ns, field, max_bytes, max_pixels)


@lru_cache(maxsize=4096)
def _checked(
    path: str, size: int, mtime: int, field: str, max_bytes: int, max_pixels: int
) -> tuple[str, int, int]:
    import warnings

    from PIL import Image

    if size == 0:
        raise HandoutsError("the picture file is empty", file=path, field=field)
    if size > max_bytes:
        raise HandoutsError(
            f"the picture is too large ({size // (1024 * 1024)} MB)",
            file=path,
            field=field,
            hint=f"keep pictures under {max_bytes // (1024 * 1024)} MB",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, (width, height) = image.format, image.size
                if kind not in FORMATS:
                    raise HandoutsError(
                        f"unsupported picture format {kind}",
                        file=path,
                        field=field,
                        hint="use PNG or JPEG",
                    )
                if width * height > max_pixels:
                    raise HandoutsError(
                        f"the picture is too large ({width} x {height} pixels)",
                        file=path,
                        field=field,
                        hint=f"keep pictures under {max_pixels // 1_000_000} megapixels",
                    )
                image.load()  # decodes every byte: a truncated file fails here
    except HandoutsError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise HandoutsError(
            "the picture is too large to be safe to open", file=path, field=field
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = "truncated" if "truncated" in str(exc) else "not a readable PNG or JPEG"
        raise HandoutsError(f"the picture is {reason}", file=path, field=field) from None
    return kind, width, height
