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

    pdfmetrics.registerFont(_embedded_font_class()(name, str(FONT_DIR / f"{name}.ttf")))
    return name


@cache
def _embedded_font_class():
    """reportlab's TTFont, building each subset's PDF objects once per process.

    Handouts use nearly the same characters every time (see render/replay.py), so the
    subset's font program, widths and ToUnicode map come out the same: they are made and
    compressed the first time and reused as bytes after that. The object layout is
    reportlab's own (TTFont.addObjects)."""
    from reportlab.lib.rl_accel import fp_str
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfbase.ttfonts import SUBSETN, TTFont, makeToUnicodeCMap

    flate = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])

    class Bytes(pdfdoc.PDFObject):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def format(self, document) -> bytes:
            return self.data

    class EmbeddedFont(TTFont):
        @lru_cache(maxsize=64)  # noqa: B019 (a handful of fonts, alive for the process)
        def _subset_parts(self, subset: tuple[int, ...], base_name: str):
            program = self.face.makeSubset(list(subset))
            widths = "[" + " ".join(fp_str(self.face.getCharWidth(c)) for c in subset) + "]"
            cmap = makeToUnicodeCMap(base_name, list(subset))
            return (
                program,
                zlib.compress(program),
                widths.encode("latin-1"),
                zlib.compress(cmap.encode("latin-1")),
            )

        def addObjects(self, doc) -> None:  # noqa: N802 (reportlab's name)
            state = self.state.get(doc) or TTFont.State(self._asciiReadable)
            self.state[doc] = state
            state.frozen = 1
            fonts = doc.idToObject["BasicFonts"].dict
            for n, subset in enumerate(state.subsets):
                internal = self.getSubsetInternalName(n, doc)[1:]
                base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode(
                    "pdfdoc"
                )
                program, packed, widths, cmap = self._subset_parts(tuple(subset), base)
                font = pdfdoc.PDFTrueTypeFont()
                font.Name, font.BaseFont = internal, base
                font.FirstChar, font.LastChar = 0, len(subset) - 1
                font.Widths = Bytes(widths)
                to_unicode = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": flate}), cmap)
                font.ToUnicode = doc.Reference(to_unicode, "toUnicodeCMap:" + base)
                font.FontDescriptor = self._descriptor(doc, base, subset, program, packed)
                doc.Reference(font, internal)
                fonts[internal] = font
            del self.state[doc]

        def _descriptor(self, doc, base: str, subset, program: bytes, packed: bytes):
            face = self.face
            stream = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": flate}), packed)
            stream.dictionary["Length1"] = len(program)
            ref = doc.Reference(stream, f"fontFile:{face.filename}({base})")
            flags = (face.flags & ~(1 << 5)) | (1 << 2)  # symbolic, as reportlab marks subsets
            return doc.Reference(
                pdfdoc.PDFDictionary(
                    {
                        "Type": "/FontDescriptor",
                        "Ascent": face.ascent,
                        "CapHeight": face.capHeight,
                        "Descent": face.descent,
                        "Flags": flags,
                        "FontBBox": pdfdoc.PDFArray(face.bbox),
                        "FontName": pdfdoc.PDFName(base),
                        "ItalicAngle": face.italicAngle,
                        "StemV": face.stemV,
                        "FontFile2": ref,
                        "MissingWidth": face.defaultWidth,
                    }
                ),
                "fontDescriptor:" + base,
            )

    return EmbeddedFont


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


def check_glyphs(text: str, faces: tuple[str, ...], where: str, remember: bool = True) -> None:
    """Refuse text the font cannot draw, naming the characters, instead of printing boxes.

    remember=False for one patient's text, which will not come again."""
    missing = _missing(text, faces) if remember else frozenset(set(text) - covered(faces))
    if missing:
        missing = sorted(missing)
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise HandoutsError(
            f"the font has no glyph for {shown}{more}",
            field=where,
            hint="use Latin, Greek or Cyrillic letters, or remove the symbol",
        )
