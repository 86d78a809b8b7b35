"""The blocks a handout is made of: the card header, callouts and the weekly tracking grid."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.colors import white
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from handouts.render.checkbox import Checkboxes
from handouts.render.para import Para
from handouts.render.replay import replay_operators, replayable
from handouts.render.styles import Theme, tint


class CardHeader(Flowable):
    """A tinted band with the exercise number in a disc and the name beside it."""

    def __init__(self, number: int, name_markup: str, theme: Theme) -> None:
        super().__init__()
        self.number, self.theme = number, theme
        self.name = Para(name_markup, theme.card_title)
        self.pad = theme.card_title.fontSize * 0.45

    def wrap(self, avail_width, avail_height):
        self.disc = self.theme.card_title.fontSize * 1.7
        text_width = avail_width - self.disc - 3 * self.pad
        _, h = self.name.wrap(text_width, avail_height)
        self.width, self.height = avail_width, max(h, self.disc) + 2 * self.pad
        return self.width, self.height

    def draw(self):
        c, t = self.canv, self.theme
        c.setFillColor(tint(t.primary, 0.86))
        c.roundRect(0, 0, self.width, self.height, self.pad, stroke=0, fill=1)
        r = self.disc / 2
        cx, cy = self.pad + r, self.height / 2
        c.setFillColor(t.primary_text)
        c.circle(cx, cy, r, stroke=0, fill=1)
        c.setFillColor(white)
        size = t.card_title.fontSize
        label = str(self.number)
        width = stringWidth(label, t.faces.bold, size)
        if width:
            size = min(size, size * self.disc * 0.78 / width)  # 100 and up still fit
        c.setFont(t.faces.bold, size)
        c.drawCentredString(cx, cy - size * 0.36, label)
        _, h = self.name.wrap(self.width - self.disc - 3 * self.pad, self.height)
        self.name.drawOn(c, self.disc + 2 * self.pad, (self.height - h) / 2)


class Callout(Flowable):
    """Paragraphs in a tinted box with a coloured bar on the left (safety line, notes)."""

    def __init__(self, paragraphs: list[Para], bar, fill, pad: float) -> None:
        super().__init__()
        self.paragraphs, self.bar, self.fill, self.pad = paragraphs, bar, fill, pad

    def wrap(self, avail_width, avail_height):
        inner = avail_width - 2 * self.pad - 4
        self.sizes = [p.wrap(inner, avail_height) for p in self.paragraphs]
        self.width = avail_width
        self.height = sum(h for _, h in self.sizes) + 2 * self.pad + self._spacing()
        return self.width, self.height

    def _spacing(self) -> float:
        return sum(p.style.spaceAfter for p in self.paragraphs[:-1])

    def split(self, avail_width, avail_height):
        """Two boxes, the first filling the space left (a long note runs over a page)."""
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        inner = avail_width - 2 * self.pad - 4
        room = avail_height - 2 * self.pad
        first: list[Para] = []
        for i, (p, (_, h)) in enumerate(zip(self.paragraphs, self.sizes)):
            if h <= room:
                first.append(p)
                room -= h + p.style.spaceAfter
                continue
            parts = p.split(inner, room)
            if len(parts) == 2:
                first.append(parts[0])
                rest = [parts[1], *self.paragraphs[i + 1 :]]
            else:
                rest = self.paragraphs[i:]
            break
        else:
            return [self]
        if not first:
            return []
        return [
            Callout(first, self.bar, self.fill, self.pad),
            Callout(rest, self.bar, self.fill, self.pad),
        ]

    def draw(self):
        c = self.canv
        c.setFillColor(self.fill)
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.setFillColor(self.bar)
        c.rect(0, 0, 4, self.height, stroke=0, fill=1)
        y = self.height - self.pad
        for p, (_, h) in zip(self.paragraphs, self.sizes):
            y -= h
            p.drawOn(c, self.pad + 4, y)
            y -= p.style.spaceAfter


class TrackingGrid(Flowable):
    """One week of the tick-off sheet: a row per exercise, a fillable box per day,
    a pain 0–10 row and a notes area. Never split across pages unless taller than one.

    Without a start date (a sheet kept in a drawer) the days are "Day 1" to "Day 7", each
    with a line to write the date on."""

    def __init__(
        self,
        week: int,
        start: dt.date | None,
        rows: list[tuple[str, str]],
        theme: Theme,
        box: float,
        pain: bool = True,
        notes: bool = True,
        field_prefix: str = "",
        page_height: float | None = None,
    ) -> None:
        super().__init__()
        self.week, self.start, self.rows, self.theme = week, start, rows, theme
        self.box, self.pain, self.notes = box, pain, notes
        self.prefix, self.page_height = field_prefix, page_height
        size = theme.body.fontSize
        self.row_h = max(box + 8, size * 1.9)
        self.head_h = size * 2.9
        if start is None:
            self.title = Para("Week starting: ______________", theme.label)
        else:
            self.title = Para(
                f"Week {week}<font color='#{theme.muted.hexval()[2:]}' size='{size}'>"
                f"  ·  {_span(start)}</font>",
                theme.label,
            )

    def wrap(self, avail_width, avail_height):
        size = self.theme.body.fontSize
        self.width = avail_width
        faces = self.theme.faces
        # Weekday over day of month ("Wed" / "25"): the month is in the grid's title, and
        # narrow day columns leave the exercise names room to stay on one line.
        widest = max(stringWidth(head, faces.bold, size) for head, _ in self._day_heads())
        self.day_w = max(self.box * 2.1, widest + size * 0.8)
        self.name_w = avail_width - 7 * self.day_w
        _, self.title_h = self.title.wrap(avail_width, avail_height)
        self.cells = []
        leading = size * 1.15
        for label, _ in self.rows:
            lines = simpleSplit(label, self.theme.faces.regular, size, self.name_w - 10)[:3]
            self.cells.append((lines, max(self.row_h, len(lines) * leading + 8)))
        notes_h = size * 4.2 if self.notes else 0
        pain_h = self.row_h if self.pain else 0
        self.height = (
            self.title_h
            + size * 0.5
            + self.head_h
            + sum(h for _, h in self.cells)
            + pain_h
            + notes_h
        )
        return self.width, self.height

    def split(self, avail_width, avail_height):
        # Only a grid taller than a whole page is split (by rows); otherwise it moves whole.
        if self.page_height is None or self.height <= self.page_height or len(self.rows) < 2:
            return []
        fixed = self.title_h + self.head_h + self.row_h * 2 + self.theme.body.fontSize * 5
        budget, n = avail_height - fixed, 0
        for _, h in self.cells:
            if budget - h < 0:
                break
            budget -= h
            n += 1
        if n < 1:
            return []
        return [
            self._part(self.rows[:n], pain=False, notes=False),
            self._part(self.rows[n:], pain=self.pain, notes=self.notes),
        ]

    def _part(self, rows, pain, notes):
        return TrackingGrid(
            self.week,
            self.start,
            rows,
            self.theme,
            self.box,
            pain,
            notes,
            self.prefix,
            self.page_height,
        )

    def _day_heads(self) -> list[tuple[str, str | None]]:
        """(weekday, day of month) per column; no day of month on an undated sheet."""
        if self.start is None:
            return [(f"Day {d + 1}", None) for d in range(7)]
        days = [self.start + dt.timedelta(days=d) for d in range(7)]
        return [(f"{day:%a}", str(day.day)) for day in days]

    def _geometry(self):
        """(top of the grid, top of the first row, each row's (y, height), day column centres,
        bottom of the grid)."""
        size = self.theme.body.fontSize
        top = self.height - self.title_h - size * 0.5
        y = top - self.head_h
        row_tops, ry = [], y
        for _, h in self.cells:
            ry -= h
            row_tops.append((ry, h))
        bottom = row_tops[-1][0] - (self.row_h if self.pain else 0) if row_tops else y
        centres = [self.name_w + (d + 0.5) * self.day_w for d in range(7)]
        return top, y, row_tops, centres, bottom

    def draw(self):
        # The printed grid is the same for every patient with these exercises and dates, so
        # its operators are replayed; the fillable fields are added per document.
        labels = [label for label, _ in self.rows]
        key = None
        if replayable(labels):
            key = (
                "grid",
                self.week,
                self.start,
                tuple(labels),
                self.theme.key,
                self.box,
                self.pain,
                self.notes,
                self.width,
                self.height,
            )
        if not replay_operators(self.canv, key, self._paint):
            self._paint()
        self._add_fields()

    def _add_fields(self) -> None:
        _, _, row_tops, centres, _ = self._geometry()
        boxes = Checkboxes.on(self.canv)
        tick = "#" + self.theme.primary_text.hexval()[2:]
        half = self.box / 2
        fields = [
            (f"{self.prefix}w{self.week}-{key}-d{d + 1}", cx - half, ry + h / 2 - half)
            for (ry, h), (_, key) in zip(row_tops, self.rows)
            for d, cx in enumerate(centres)
        ]
        boxes.add_many(fields, self.box, tick=tick)

    def _paint(self):
        c, t = self.canv, self.theme
        size = t.body.fontSize
        top, y, row_tops, centres, bottom = self._geometry()
        self.title.drawOn(c, 0, self.height - self.title_h)
        # Bands first (heading row, alternate rows), then all text, then boxes and rules:
        # a handful of paint operations however many rows there are.
        c.setFillColor(tint(t.primary, 0.86))
        c.rect(0, y, self.width, self.head_h, stroke=0, fill=1)
        if len(row_tops) > 1:
            c.setFillColor(t.shade)
            bands = c.beginPath()
            for i in range(1, len(row_tops), 2):
                bands.rect(0, row_tops[i][0], self.width, row_tops[i][1])
            c.drawPath(bands, stroke=0, fill=1)
        text = c.beginText()
        text.setFillColor(t.text)
        text.setFont(t.faces.bold, size)
        text.setTextOrigin(6, y + self.head_h / 2 - size * 0.35)
        text.textOut("Exercise")
        heads = self._day_heads()
        for (head, _), cx in zip(heads, centres):
            _centred(text, head, cx, y + self.head_h * 0.55, t.faces.bold, size)
        for (_, day), cx in zip(heads, centres):
            if day is not None:
                _centred(text, day, cx, y + self.head_h * 0.16, t.faces.regular, size)
        text.setFont(t.faces.regular, size)
        for (lines, h), (ry, _) in zip(self.cells, row_tops):
            first = ry + h / 2 + (len(lines) - 1) * size * 0.575 - size * 0.35
            for k, line in enumerate(lines):
                text.setTextOrigin(6, first - k * size * 1.15)
                text.textOut(line)
        if self.pain:
            text.setFont(t.faces.bold, size)
            text.setTextOrigin(6, bottom + self.row_h / 2 - size * 0.35)
            text.textOut("Pain today (0–10)")
        c.drawText(text)
        # The boxes as printed outlines: the fillable fields go over them.
        outline = c.beginPath()
        half = self.box / 2
        for ry, h in row_tops:
            by = ry + h / 2 - half
            for cx in centres:
                outline.rect(cx - half, by, self.box, self.box)
        c.setLineWidth(0.8)
        c.setStrokeColor(t.text)
        c.setFillColor(white)
        c.drawPath(outline, stroke=1, fill=1)
        rules = c.beginPath()
        if self.start is None:  # a line under each "Day N" to write the date on
            for cx in centres:
                rules.moveTo(cx - self.day_w * 0.3, y + self.head_h * 0.2)
                rules.lineTo(cx + self.day_w * 0.3, y + self.head_h * 0.2)
        if self.pain:
            for d in range(7):
                x0 = self.name_w + d * self.day_w + self.day_w * 0.22
                rules.moveTo(x0, bottom + self.row_h * 0.25)
                rules.lineTo(x0 + self.day_w * 0.56, bottom + self.row_h * 0.25)
        if self.pain or self.start is None:
            c.setStrokeColor(t.muted)
            c.setLineWidth(0.6)
            c.drawPath(rules)
        grid = c.beginPath()
        for d in range(8):
            x = self.name_w + d * self.day_w
            grid.moveTo(x, bottom)
            grid.lineTo(x, top)
        grid.rect(0, bottom, self.width, top - bottom)
        c.setStrokeColor(t.rule)
        c.setLineWidth(0.5)
        c.drawPath(grid)
        if self.notes:
            self._draw_notes(c, bottom)

    def _draw_notes(self, c, bottom: float) -> None:
        t = self.theme
        size = t.body.fontSize
        label = "Notes:"
        c.setFillColor(t.text)
        c.setFont(t.faces.bold, size)
        c.drawString(0, bottom - size * 1.5, label)
        start = stringWidth(label, t.faces.bold, size) + size * 0.4
        lines = c.beginPath()
        for k, x0 in ((0, start), (1, 0), (2, 0)):
            ly = bottom - size * 1.6 - k * size * 1.3
            lines.moveTo(x0, ly)
            lines.lineTo(self.width, ly)
        c.setStrokeColor(t.rule)
        c.setLineWidth(0.5)
        c.drawPath(lines)


def _centred(text, words: str, cx: float, y: float, font: str, size: float) -> None:
    text.setFont(font, size)
    text.setTextOrigin(cx - stringWidth(words, font, size) / 2, y)
    text.textOut(words)


def _span(start: dt.date) -> str:
    end = start + dt.timedelta(days=6)
    return f"{start:%a %b} {start.day} – {end:%a %b} {end.day}, {end.year}"


class CardBody(Flowable):
    """An exercise's text beside its picture column; the text never runs under the picture.

    A body taller than the space left splits into the picture and the text stacked, which
    platypus can then break anywhere (only a card taller than a page ever needs that)."""

    def __init__(
        self, text: list[Flowable], pictures: Flowable, gap: float, frame_height: float = 1e9
    ) -> None:
        super().__init__()
        self.text, self.pictures, self.gap = text, pictures, gap
        self.frame_height = frame_height

    def wrap(self, avail_width, avail_height):
        pw, ph = self.pictures.wrap(avail_width, avail_height)
        self.text_width = avail_width - pw - self.gap
        self.sizes = [f.wrapOn(self.canv, self.text_width, avail_height) for f in self.text]
        text_h = sum(h for _, h in self.sizes) + sum(
            self._space(i) for i in range(len(self.text) - 1)
        )
        self.picture_h = ph
        self.width, self.height = avail_width, max(text_h, ph)
        return self.width, self.height

    def _space(self, i: int) -> float:
        return max(self.text[i].getSpaceAfter(), self.text[i + 1].getSpaceBefore())

    def split(self, avail_width, avail_height):
        height = self.wrap(avail_width, avail_height)[1]
        if height <= avail_height:
            return [self]
        if height <= self.frame_height:
            return []  # fits a fresh page whole: move on
        return [self.pictures, *self.text]

    def draw(self):
        y = self.height
        for i, (f, (_, h)) in enumerate(zip(self.text, self.sizes)):
            y -= h
            f.drawOn(self.canv, 0, y)
            if i + 1 < len(self.text):
                y -= self._space(i)
        self.pictures.drawOn(self.canv, self.text_width + self.gap, self.height - self.picture_h)


class MonthGrid(Flowable):
    """The fridge sheet: a row per day, a fillable box per exercise, a pain score per day.

    Exercises are numbered across the top, with a legend of their names above the grid."""

    def __init__(
        self,
        start: dt.date,
        days: int,
        rows: list[tuple[str, str]],
        theme: Theme,
        box: float,
        pain: bool = True,
        field_prefix: str = "",
    ) -> None:
        super().__init__()
        self.start, self.days, self.rows, self.theme = start, days, rows, theme
        self.box, self.pain, self.prefix = box, pain, field_prefix
        end = start + dt.timedelta(days=days - 1)
        self.title = Para(f"{days} days  ·  {_day(start)} – {_day(end)}, {end.year}", theme.label)

    def wrap(self, avail_width, avail_height):
        t = self.theme
        size = t.body.fontSize
        self.width = avail_width
        days = [self.start + dt.timedelta(days=d) for d in range(self.days)]
        self.date_w = (
            max(stringWidth(f"{d:%a} {_day(d)}", t.faces.regular, size) for d in days) + size
        )
        self.pain_w = size * 4.6 if self.pain else 0
        self.col_w = (avail_width - self.date_w - self.pain_w) / max(len(self.rows), 1)
        self.head_h = size * 2.2
        legend = "   ".join(f"<b>{i}</b> {name}" for i, (name, _) in enumerate(self.rows, 1))
        self.legend = Para(legend, t.small)
        _, self.legend_h = self.legend.wrap(avail_width, avail_height)
        _, self.title_h = self.title.wrap(avail_width, avail_height)
        fixed = self.title_h + self.legend_h + size * 0.8 + self.head_h
        # Rows shrink (down to a box and a little air) so the month stays on one page.
        natural = max(self.box + 5, size * 1.55)
        fit = (avail_height - fixed) / self.days
        self.row_h = natural if fit >= natural or fit < self.box + 3 else fit
        self.height = fixed + self.row_h * self.days
        return self.width, self.height

    def draw(self):
        c, t = self.canv, self.theme
        size = t.body.fontSize
        y = self.height - self.title_h
        self.title.drawOn(c, 0, y)
        y -= self.legend_h + size * 0.3
        self.legend.drawOn(c, 0, y)
        y -= size * 0.5
        top = y
        y -= self.head_h
        c.setFillColor(tint(t.primary, 0.86))
        c.rect(0, y, self.width, self.head_h, stroke=0, fill=1)
        c.setFillColor(t.text)
        c.setFont(t.faces.bold, size)
        mid = y + self.head_h / 2 - size * 0.35
        c.drawString(4, mid, "Day")
        for i in range(len(self.rows)):
            c.drawCentredString(self.date_w + (i + 0.5) * self.col_w, mid, str(i + 1))
        if self.pain:
            c.drawCentredString(self.width - self.pain_w / 2, mid, "Pain")
        boxes = Checkboxes.on(c)
        tick = "#" + t.primary_text.hexval()[2:]
        c.setLineWidth(0.7)
        for d in range(self.days):
            day = self.start + dt.timedelta(days=d)
            y -= self.row_h
            if day.weekday() >= 5:
                c.setFillColor(t.shade)
                c.rect(0, y, self.width, self.row_h, stroke=0, fill=1)
            c.setFillColor(t.text)
            c.setFont(t.faces.regular, size)
            c.drawString(4, y + self.row_h / 2 - size * 0.35, f"{day:%a} {_day(day)}")
            c.setStrokeColor(t.text)
            c.setFillColor(white)
            by = y + (self.row_h - self.box) / 2
            for i, (_, key) in enumerate(self.rows):
                bx = self.date_w + (i + 0.5) * self.col_w - self.box / 2
                c.rect(bx, by, self.box, self.box, stroke=1, fill=1)
                boxes.add(f"{self.prefix}{day.isoformat()}-{key}", bx, by, self.box, tick=tick)
            if self.pain:
                c.setStrokeColor(t.muted)
                x0 = self.width - self.pain_w * 0.8
                c.line(x0, y + self.row_h * 0.22, x0 + self.pain_w * 0.6, y + self.row_h * 0.22)
            if day.weekday() == 6 and d + 1 < self.days:
                c.setStrokeColor(t.primary)  # a firmer rule closes each week
                c.line(0, y, self.width, y)
        c.setStrokeColor(t.rule)
        c.setLineWidth(0.5)
        for i in range(len(self.rows) + 1):
            x = self.date_w + i * self.col_w
            c.line(x, y, x, top)
        c.rect(0, y, self.width, top - y, stroke=1, fill=0)


def _day(day: dt.date) -> str:
    return f"{day:%b} {day.day}"
