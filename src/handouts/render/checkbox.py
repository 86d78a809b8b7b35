"""Fillable checkboxes that cost almost nothing.

reportlab's ``acroForm.checkbox`` builds six appearance streams per box and a dozen keys per
widget; on a handout with 100+ boxes that is most of the build time and file size. Here every
box in a document shares two appearance streams (an empty "Off" and a vector tick "Yes"; no
font, so nothing unembedded), and each widget is a short pre-formatted dictionary. The box
outline itself is ordinary page content, so the sheet prints as empty boxes for a pen.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObject, PDFStream

# The PDF string escapes for a field name (names are ours: ids, digits, '-', '_', '.').
_ESCAPE = str.maketrans({"\\": "\\\\", "(": "\\(", ")": "\\)"})


class _Appearance:
    """The two appearance streams every box of one size and colour shares."""

    def __init__(self, yes, off) -> None:
        self.yes, self.off = yes, off
        self._text: str | None = None

    def text(self, document) -> str:
        if self._text is None:  # formatted once per document, not once per box
            numbers = document.idToObjectNumberAndVersion
            self._text = (
                f"/AP << /N << /Yes {numbers[self.yes.name][0]} 0 R"
                f" /Off {numbers[self.off.name][0]} 0 R >> >>"
            )
        return self._text


class _Widget(PDFObject):
    """A checkbox field merged with its widget annotation, formatted in one go."""

    __slots__ = ("name", "rect", "appearance", "__InternalName__")

    def __init__(
        self, name: str, rect: tuple[float, float, float, float], appearance: _Appearance
    ) -> None:
        self.name, self.rect, self.appearance = name, rect, appearance

    def format(self, document) -> bytes:
        x1, y1, x2, y2 = self.rect
        return (
            f"<< /Type /Annot /Subtype /Widget /FT /Btn /F 4 /T ({self.name.translate(_ESCAPE)})"
            f" /Rect [{x1:.2f} {y1:.2f} {x2:.2f} {y2:.2f}] /V /Off /AS /Off"
            f" {self.appearance.text(document)} >>"
        ).encode("latin-1")


class _Form(PDFObject):
    """The document's /AcroForm: the list of every field."""

    def __init__(self) -> None:
        self.fields: list = []

    def format(self, document) -> bytes:
        numbers = document.idToObjectNumberAndVersion
        refs = " ".join(f"{numbers[ref.name][0]} 0 R" for ref in self.fields)
        return f"<< /Fields [{refs}] /NeedAppearances false >>".encode("latin-1")


class Checkboxes:
    """The checkbox maker for one canvas; ``Checkboxes.on(canvas)`` returns the shared one."""

    def __init__(self, canvas) -> None:
        self.canvas = canvas
        self.names: set[str] = set()
        self.form = _Form()
        self._appearances: dict[tuple[float, str], tuple] = {}
        canvas._doc._catalog.AcroForm = canvas._doc.Reference(self.form)

    @classmethod
    def on(cls, canvas) -> Checkboxes:
        made = getattr(canvas, "_handouts_checkboxes", None)
        if made is None:
            made = canvas._handouts_checkboxes = cls(canvas)
        return made

    def add(self, name: str, x: float, y: float, size: float, tick: str = "#000000") -> None:
        """A fillable box with its lower-left corner at (x, y) in the current user space."""
        self.add_many([(name, x, y)], size, tick)

    def add_many(
        self, boxes: list[tuple[str, float, float]], size: float, tick: str = "#000000"
    ) -> None:
        """Boxes of one size, each (name, x, y) in the current user space (translated only,
        as platypus draws flowables: the origin is worked out once for all of them)."""
        appearance = self._appearance(size, tick)
        ox, oy = self.canvas.absolutePosition(0, 0)
        reference = self.canvas._doc.Reference
        on_page, fields, names = self.canvas._annotationrefs, self.form.fields, self.names
        for name, x, y in boxes:
            if name in names:
                raise ValueError(f"duplicate checkbox name {name!r}")
            names.add(name)
            ax, ay = ox + x, oy + y
            ref = reference(_Widget(name, (ax, ay, ax + size, ay + size), appearance))
            on_page.append(ref)  # on this page, and in the form
            fields.append(ref)

    def _appearance(self, size: float, tick: str) -> _Appearance:
        key = (round(size, 2), tick)
        if key not in self._appearances:
            doc = self.canvas._doc
            r, g, b = (int(tick[i : i + 2], 16) / 255 for i in (1, 3, 5))
            s = size
            # A tick drawn as a stroked path: crisp at any zoom, no font needed.
            mark = (
                f"q {r:.3f} {g:.3f} {b:.3f} RG {max(s * 0.12, 1):.2f} w 1 J 1 j "
                f"{s * 0.2:.2f} {s * 0.52:.2f} m {s * 0.42:.2f} {s * 0.26:.2f} l "
                f"{s * 0.82:.2f} {s * 0.8:.2f} l S Q"
            )
            yes = doc.Reference(_stream(s, mark))
            off = doc.Reference(_stream(s, ""))
            self._appearances[key] = _Appearance(yes, off)
        return self._appearances[key]


def _stream(size: float, content: str) -> PDFStream:
    bbox = f"[0 0 {size:.2f} {size:.2f}]"
    return PDFStream(
        PDFDictionary(
            {
                "Type": PDFName("XObject"),
                "Subtype": PDFName("Form"),
                "BBox": bbox,
                "Resources": PDFDictionary({}),
            }
        ),
        content,
        filters=[],
    )
