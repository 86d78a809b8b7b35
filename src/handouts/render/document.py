"""Page templates and the canvas: running header, footer with "Page X of Y", metadata.

"Page X of Y" is done in one pass: each page draws "Page X of " and a form XObject that is
filled in with the page count when the document is saved.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import TimeStamp, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

from handouts import __version__
from handouts.render.replay import seed_fonts
from handouts.render.styles import Theme

# Streams are Flate-compressed binary; reportlab's default also wraps them in ASCII85 text,
# which makes every PDF a quarter bigger and slower to write for no reader's benefit.
rl_config.useA85 = 0

PAPER = {"letter": LETTER, "a4": A4}
GUTTER = 18  # between columns
_PAGE_COUNT = "pagecount"


@dataclass(frozen=True)
class Rendered:
    """A finished PDF and what a caller reports about it."""

    pdf: bytes
    pages: int
    checkboxes: int


@dataclass(frozen=True)
class PageDecor:
    """What every page carries: the running header's words and the footer's (plain text)."""

    running_left: str
    running_right: str
    footer: str | None
    theme: Theme


def _stamp(date: dt.date) -> TimeStamp:
    """A creation date fixed to the handout's date, so the same inputs give the same bytes."""
    stamp = TimeStamp(invariant=1)
    t = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    stamp.t = t.timestamp()
    stamp.lt = t.timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


class HandoutCanvas(Canvas):
    """A canvas that is reproducible and knows its page count at save time."""

    def __init__(self, *args, stamp: TimeStamp, theme: Theme, **kwargs) -> None:
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._doc._timeStamp = stamp
        self._theme = theme
        seed_fonts(self, (theme.faces.regular, theme.faces.bold))
        self.setProducer(f"handouts {__version__} (reportlab)")
        self.setCreator(f"handouts {__version__}")

    def save(self) -> None:
        if self._code:
            self.showPage()
        pages = self.getPageNumber() - 1
        t = self._theme
        self.beginForm(_PAGE_COUNT)
        self.setFont(t.faces.regular, t.small.fontSize)
        self.setFillColor(t.muted)
        self.drawString(0, 0, str(pages))
        self.endForm()
        super().save()


def page_size(layout) -> tuple[float, float]:
    return PAPER[layout.paper]


def build(
    story: list,
    *,
    layout,
    decor: PageDecor,
    date: dt.date,
    title: str,
    author: str,
    subject: str,
    keywords: str,
    outline: bool = False,
    head_height: float = 0,
) -> Rendered:
    """Lay the story out on pages and return the PDF."""
    theme = decor.theme
    width, height = page_size(layout)
    m = layout.margins
    footer_h, header_h, footer_lines = _furniture(layout, decor)
    frames = {}
    for name, top in (("first", m.top), ("later", m.top + header_h)):
        frames[name] = _frames(layout, width, height, top, m.bottom + footer_h)
    if head_height:
        # A full-width frame for the title block above the columns of page one.
        top_frame = Frame(
            m.left,
            height - m.top - head_height,
            width - m.left - m.right,
            head_height,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="head",
        )
        frames["first"] = [
            top_frame,
            *_frames(layout, width, height, m.top + head_height, m.bottom + footer_h),
        ]
    frames["wide"] = _frames(
        layout, width, height, m.top + header_h, m.bottom + footer_h, columns=1
    )

    def decorate(canvas, doc, running: bool) -> None:
        canvas.saveState()
        _draw_footer(canvas, decor, layout, width, footer_h, footer_lines)
        if running:
            _draw_running_header(canvas, decor, layout, width, height)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=m.left,
        rightMargin=m.right,
        topMargin=m.top,
        bottomMargin=m.bottom,
        title=title,
        author=author,
        subject=subject,
        keywords=keywords,
        creator=f"handouts {__version__}",
        lang="en-US",
        initialFontName=theme.faces.regular,
        initialFontSize=theme.body.fontSize,
        invariant=1,
        pageCompression=1,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                frames["first"],
                onPage=lambda c, d: decorate(c, d, False),
                autoNextPageTemplate="later",
            ),
            PageTemplate("later", frames["later"], onPage=lambda c, d: decorate(c, d, True)),
            PageTemplate("wide", frames["wide"], onPage=lambda c, d: decorate(c, d, True)),
        ]
    )
    if outline:
        doc.afterFlowable = _outline_hook(doc)
    maker = _canvas_maker(_stamp(date), theme)
    doc.build([NextPageTemplate("later"), *story], canvasmaker=maker)
    boxes = getattr(doc.canv, "_handouts_checkboxes", None)
    return Rendered(buffer.getvalue(), doc.page, len(boxes.names) if boxes else 0)


def _furniture(layout, decor: PageDecor) -> tuple[float, float, list[str]]:
    """Heights of the footer and the running header, and the footer's lines."""
    theme = decor.theme
    width, _ = page_size(layout)
    m, small = layout.margins, theme.small
    label_w = stringWidth("Page 999 of 999", theme.faces.regular, small.fontSize) + 18
    footer_lines = simpleSplit(
        decor.footer or "", theme.faces.regular, small.fontSize, width - m.left - m.right - label_w
    )[:4]
    footer_h = small.leading * (max(len(footer_lines), 1) + 1.2)
    return footer_h, small.leading * 2.4, footer_lines


def body_height(layout, decor: PageDecor) -> float:
    """The height of the text frame on pages after the first (the smallest one)."""
    footer_h, header_h, _ = _furniture(layout, decor)
    m = layout.margins
    return page_size(layout)[1] - m.top - header_h - m.bottom - footer_h


def _canvas_maker(stamp: TimeStamp, theme: Theme):
    def make(*args, **kwargs):
        return HandoutCanvas(*args, stamp=stamp, theme=theme, **kwargs)

    return make


def _frames(layout, width, height, top, bottom, columns: int | None = None) -> list[Frame]:
    m = layout.margins
    columns = columns or layout.columns
    inner = width - m.left - m.right
    col = (inner - GUTTER * (columns - 1)) / columns
    return [
        Frame(
            m.left + i * (col + GUTTER),
            bottom,
            col,
            height - top - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id=f"col{i}",
        )
        for i in range(columns)
    ]


def _draw_footer(canvas, decor: PageDecor, layout, width, footer_h, lines) -> None:
    t, m = decor.theme, layout.margins
    small = t.small
    y_rule = m.bottom + footer_h - small.leading * 0.6
    canvas.setStrokeColor(t.rule)
    canvas.setLineWidth(0.6)
    canvas.line(m.left, y_rule, width - m.right, y_rule)
    canvas.setFont(t.faces.regular, small.fontSize)
    canvas.setFillColor(t.muted)
    y = y_rule - small.leading * 0.4 - small.fontSize
    for i, line in enumerate(lines):
        canvas.drawString(m.left, y - i * small.leading, line)
    page = f"Page {canvas.getPageNumber()} of "
    x = width - m.right - stringWidth("Page 999 of 999", t.faces.regular, small.fontSize)
    canvas.drawString(x, y, page)
    canvas.saveState()
    canvas.translate(x + stringWidth(page, t.faces.regular, small.fontSize), y)
    canvas.doForm(_PAGE_COUNT)
    canvas.restoreState()


def _draw_running_header(canvas, decor: PageDecor, layout, width, height) -> None:
    t, m = decor.theme, layout.margins
    size = t.small.fontSize
    inner = width - m.left - m.right
    y = height - m.top - size
    # The clinic's name is printed whole (it must be on every page); the patient's line
    # takes the rest of the width and is cut with an ellipsis if it must be.
    name_size = size
    while name_size > 7 and stringWidth(decor.running_right, t.faces.bold, name_size) > inner * 0.6:
        name_size -= 0.5
    right_w = min(stringWidth(decor.running_right, t.faces.bold, name_size), inner * 0.6)
    canvas.setFillColor(t.muted)
    canvas.setFont(t.faces.regular, size)
    left_w = inner - right_w - size * 1.5
    canvas.drawString(m.left, y, fit(decor.running_left, t.faces.regular, size, left_w))
    canvas.setFillColor(t.primary_text)
    canvas.setFont(t.faces.bold, name_size)
    canvas.drawRightString(
        width - m.right, y, fit(decor.running_right, t.faces.bold, name_size, inner * 0.6)
    )
    canvas.setStrokeColor(t.primary)
    canvas.setLineWidth(1.2)
    canvas.line(m.left, y - size * 0.8, width - m.right, y - size * 0.8)


def fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis to fit a width on one line."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _outline_hook(doc):
    """Bookmarks for flowables tagged with ``outline = (key, title, level)``."""

    def after(flowable) -> None:
        entry = getattr(flowable, "outline", None)
        if entry:
            key, text, level = entry
            doc.canv.bookmarkPage(key)
            doc.canv.addOutlineEntry(text, key, level=level, closed=level == 0)

    return after
