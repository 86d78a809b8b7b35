"""Drawing an unchanging block once per process and replaying its operators afterwards.

An exercise card prints the same for every patient who gets it, so its page-content
operators are captured the first time it is drawn and appended as they are in every later
document. That holds only because every document starts alike: HandoutCanvas gives the
fonts the same internal names and the common non-ASCII characters the same subset codes in
every document (``seed_fonts``), and a block is replayed only when all of its text uses
characters from that fixed set. A block that draws a photo is never replayed (images are
per-document objects); illustrations are forms, which a replay defines when missing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

# Typographic characters of the seed library and our own labels, in a fixed order: they get
# subset codes 1..31 in every document, right after ASCII (which reportlab fixes itself).
SEED = "’‘“”–—·×°•✓✗…é"
_PLAIN = frozenset(map(chr, range(32, 127))) | frozenset(SEED) | {"\n"}
_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
_MAX = 1024


def seed_fonts(canvas, faces: tuple[str, ...]) -> None:
    """Give the faces fixed internal names and SEED fixed codes in this document."""
    doc = canvas._doc
    for face in faces:
        font = pdfmetrics.getFont(face)
        font.splitString(SEED, doc)
        font.getSubsetInternalName(0, doc)


def replayable(texts) -> bool:
    return all(_PLAIN.issuperset(text) for text in texts)


def replay_operators(canvas, key: tuple | None, paint: Callable[[], object]) -> bool:
    """Append the operators paint() drew for key before, or paint and keep them.

    Returns False when key is None (nothing replayable: the caller paints as usual)."""
    if key is None:
        return False
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        canvas._code.extend(hit[1])
        canvas._formsinuse.extend(hit[2])
        return True
    code, forms_before = canvas._code, len(canvas._formsinuse)
    start = len(code)
    paint()
    if canvas._code is code:
        _CACHE[key] = (None, code[start:], canvas._formsinuse[forms_before:])
        if len(_CACHE) > _MAX:
            _CACHE.popitem(last=False)
    return True


class Block(Flowable):
    """Flowables stacked and kept together; drawn once per process when ``key`` is given.

    ``defines`` are callables that make sure the forms a replay uses exist in the document.
    A block taller than ``frame_height`` gives its parts back to platypus to split."""

    def __init__(
        self,
        parts: list[Flowable],
        key: tuple | None,
        frame_height: float,
        defines: tuple[Callable, ...] = (),
    ) -> None:
        super().__init__()
        self.parts, self.key, self.frame_height, self.defines = parts, key, frame_height, defines

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        if self.key is not None:
            hit = _CACHE.get((self.key, avail_width))
            if hit is not None:
                _CACHE.move_to_end((self.key, avail_width))
                self.height, self._replay = hit[0], hit
                return self.width, self.height
        self._replay = None
        self.sizes = [p.wrapOn(self.canv, avail_width, avail_height) for p in self.parts]
        self.height = sum(h for _, h in self.sizes) + sum(
            self._gap(i) for i in range(len(self.parts) - 1)
        )
        return self.width, self.height

    def _gap(self, i: int) -> float:
        return max(self.parts[i].getSpaceAfter(), self.parts[i + 1].getSpaceBefore())

    def getSpaceAfter(self):  # noqa: N802
        return self.parts[-1].getSpaceAfter() if self.parts else 0

    def split(self, avail_width, avail_height):
        if self.height <= avail_height:
            return [self]
        if self.height > self.frame_height:
            return list(self.parts)  # taller than a page: let platypus split it cleanly
        return []  # start it on the next page, whole

    def draw(self):
        canvas = self.canv
        if self._replay is not None:
            _, ops, forms = self._replay
            for define in self.defines:
                define(canvas)
            canvas._code.extend(ops)
            canvas._formsinuse.extend(forms)
            return
        if self.key is not None:
            code, forms_before = canvas._code, len(canvas._formsinuse)
            start = len(code)
        self._draw_parts()
        if self.key is not None and canvas._code is code:
            _CACHE[(self.key, self.width)] = (
                self.height,
                code[start:],
                canvas._formsinuse[forms_before:],
            )
            if len(_CACHE) > _MAX:
                _CACHE.popitem(last=False)

    def _draw_parts(self) -> None:
        y = self.height
        for i, (part, (_, h)) in enumerate(zip(self.parts, self.sizes)):
            y -= h
            part.drawOn(self.canv, 0, y)
            if i + 1 < len(self.parts):
                y -= self._gap(i)
