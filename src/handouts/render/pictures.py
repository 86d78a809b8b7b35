"""What sits beside an exercise's steps: its picture(s) and a QR code to its video."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from handouts.render.figures import Illustration, available
from handouts.render.styles import Theme

MAX_PRINT_DPI = 300


class QRCode(Flowable):
    """A QR code that scans from paper: error correction M, a four-module quiet zone."""

    def __init__(self, url: str, size: float, caption: str | None, theme: Theme) -> None:
        super().__init__()
        self.url, self.size, self.caption, self.theme = url, size, caption, theme
        self.caption_size = theme.small.fontSize

    def wrap(self, avail_width, avail_height):
        self.width = self.size
        self.height = self.size + (self.caption_size * 1.3 if self.caption else 0)
        return self.width, self.height

    def draw(self):
        c = self.canv
        modules = _qr_modules(self.url)
        n = len(modules)
        quiet = 4
        unit = self.size / (n + 2 * quiet)
        top = self.height
        c.saveState()
        c.setFillColorRGB(1, 1, 1)
        c.rect(0, top - self.size, self.size, self.size, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        path = c.beginPath()
        for r, row in enumerate(modules):
            y = top - (quiet + r + 1) * unit
            run = None
            for col, dark in enumerate((*row, False)):
                if dark and run is None:
                    run = col
                elif not dark and run is not None:
                    # One rectangle per run of dark modules: fewer operators, no hairline gaps.
                    path.rect((quiet + run) * unit, y, (col - run) * unit, unit)
                    run = None
        c.drawPath(path, stroke=0, fill=1)
        if self.caption:
            c.setFillColor(self.theme.muted)
            c.setFont(self.theme.faces.regular, self.caption_size)
            c.drawCentredString(
                self.size / 2, top - self.size - self.caption_size * 1.05, self.caption
            )
        c.restoreState()


@lru_cache(maxsize=4096)
def _qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    from reportlab.graphics.barcode.qrencoder import QRCode as Encoder
    from reportlab.graphics.barcode.qrencoder import QRErrorCorrectLevel

    encoder = Encoder(None, QRErrorCorrectLevel.M)
    encoder.addData(url)
    encoder.make()
    n = encoder.getModuleCount()
    return tuple(tuple(bool(encoder.isDark(r, c)) for c in range(n)) for r in range(n))


class Photo(Flowable):
    """A clinic's photo scaled to fit a box, centred; JPEGs are embedded byte for byte."""

    def __init__(self, path: Path, width: float, height: float, align: str = "centre") -> None:
        super().__init__()
        self.path, self.align = path, align
        iw, ih = _pixel_size(str(path))
        scale = min(width / iw, height / ih)
        self.draw_w, self.draw_h = iw * scale, ih * scale
        self.width, self.height = width, self.draw_h

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        image = _printable(str(self.path), self.draw_w, self.draw_h)
        x = 0 if self.align == "left" else (self.width - self.draw_w) / 2
        self.canv.drawImage(image, x, 0, self.draw_w, self.draw_h, mask="auto")


@lru_cache(maxsize=512)
def _pixel_size(path: str) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as image:
        return image.size


@lru_cache(maxsize=256)
def _printable(path: str, width: float, height: float):
    """A JPEG's own path (embedded as is), or a PNG cut down to 300 dpi at its printed size."""
    from PIL import Image

    with Image.open(path) as image:
        if image.format == "JPEG":
            return path
        most = (int(width / 72 * MAX_PRINT_DPI), int(height / 72 * MAX_PRINT_DPI))
        if image.width <= most[0] and image.height <= most[1]:
            return path
        image.thumbnail(most, Image.Resampling.LANCZOS)
        return ImageReader(image.copy())


class PictureColumn(Flowable):
    """Pictures stacked and centred in a column: photos or the illustration, then the QR."""

    def __init__(self, items: list[Flowable], width: float, gap: float) -> None:
        super().__init__()
        self.items, self.width, self.gap = items, width, gap

    def wrap(self, avail_width, avail_height):
        self.sizes = [item.wrap(self.width, avail_height) for item in self.items]
        self.height = sum(h for _, h in self.sizes) + self.gap * (len(self.items) - 1)
        return self.width, self.height

    # ImageAndFlowables sizes its "image" through these (a column has a fixed size).
    def _restrictSize(self, avail_width, avail_height):  # noqa: N802
        return self.wrap(avail_width, avail_height)

    def _unRestrictSize(self):  # noqa: N802
        pass

    def draw(self):
        y = self.height
        for item, (w, h) in zip(self.items, self.sizes):
            y -= h
            item.drawOn(self.canv, (self.width - w) / 2, y)
            y -= self.gap


def picture_column(card, theme: Theme, width: float) -> PictureColumn | None:
    """The card's picture column, or None when it has nothing to show."""
    items: list[Flowable] = []
    height = width * 0.45
    if card.pictures:
        for path in card.pictures[:2]:
            items.append(Photo(path, width, height * (1.6 if len(card.pictures) == 1 else 1)))
    elif card.illustration and card.illustration in available():
        items.append(
            Illustration(
                card.illustration,
                width,
                height,
                primary="#" + theme.primary.hexval()[2:],
                accent="#" + theme.accent.hexval()[2:],
                font_name=theme.faces.regular,
                # a touch smaller than small print, but never below 16 pt in large print
                font_size=theme.small.fontSize * (0.9 if theme.small.fontSize < 16 else 1.0),
            )
        )
    if card.video:
        items.append(QRCode(card.video, min(72.0, width * 0.45), "Scan for the video", theme))
    return PictureColumn(items, width, theme.gap * 0.6) if items else None
