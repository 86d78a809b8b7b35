"""The bundled TrueType faces (DejaVu, subset by tools/make_fonts.py), embedded in every PDF.

Faces are registered with reportlab lazily, once per process; reportlab then subsets each
face per document, so a handout carries only the glyphs it prints.
"""

from __future__ import annotations

import zlib
from functools import cache, lru_cache
from pathlib import Path

from handouts.errors import HandoutsError

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
# Regular and bold only: plain-language print guidance for older readers advises against
# italics, and each face embedded costs a subset (time and bytes) in every PDF.
FAMILIES = {
    "sans": ("DejaVuSans", "DejaVuSans-Bold"),
    "serif": ("DejaVuSerif", "DejaVuSerif-Bold"),
}


class Faces:
    """The faces a layout's family uses, registered and ready to set text in."""

    def __init__(self, family: str) -> None:
        self.regular, self.bold = (_register(name) for name in FAMILIES[family])
        self.family = family
        _register_family(family)


@cache
def _register(name: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfdoc import PDFArray, PDFName
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(name, str(FONT_DIR / f"{name}.ttf"))
    # Handouts mostly use the same characters, so the same subset: build each subset's font
    # program once per process instead of once per PDF.
    make_subset = font.face.makeSubset

    @lru_cache(maxsize=64)
    def subset_program(subset: tuple[int, ...]) -> bytes:
        return make_subset(list(subset))

    font.face.makeSubset = lambda subset: subset_program(tuple(subset))
    add_objects = font.face.addSubsetObjects

    @lru_cache(maxsize=64)
    def compressed(subset: tuple[int, ...]) -> bytes:
        return zlib.compress(subset_program(subset))

    def add_subset_objects(doc, font_name, subset):
        """reportlab's font objects, with the program compressed once per process."""
        ref = add_objects(doc, font_name, subset)
        if doc.compression:
            program = doc.idToObject[f"fontFile:{font.face.filename}({font_name})"]
            program.content = compressed(tuple(subset))
            program.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
        return ref

    font.face.addSubsetObjects = add_subset_objects
    pdfmetrics.registerFont(font)
    return name


@cache
def _register_family(family: str) -> None:
    from reportlab.lib.fonts import addMapping

    regular, bold = FAMILIES[family]
    addMapping(regular, 0, 0, regular)
    addMapping(regular, 1, 0, bold)
    addMapping(regular, 0, 1, regular)
    addMapping(regular, 1, 1, bold)


@cache
def covered(faces: tuple[str, ...]) -> frozenset[str]:
    """Characters every one of the faces has a glyph for."""
    from reportlab.pdfbase import pdfmetrics

    sets = [set(pdfmetrics.getFont(_register(f)).face.charToGlyph) for f in faces]
    return frozenset(chr(c) for c in set.intersection(*sets)) | {"\n", "\t"}


@lru_cache(maxsize=8192)
def _missing(text: str, faces: tuple[str, ...]) -> frozenset[str]:
    return frozenset(set(text) - covered(faces))


def check_glyphs(text: str, faces: tuple[str, ...], where: str) -> None:
    """Refuse text the font cannot draw, naming the characters, instead of printing boxes."""
    missing = _missing(text, faces)
    if missing:
        missing = sorted(missing)
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise HandoutsError(
            f"the font has no glyph for {shown}{more}",
            field=where,
            hint="use Latin, Greek or Cyrillic letters, or remove the symbol",
        )
