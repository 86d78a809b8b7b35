"""The whole library as reportlab stories: the booklet and the front desk's exercise sheets.

The booklet is laid out in one pass. Its contents pages are drawn before the pages they
point to, so each contents line draws its page number (and the dot leader to it) as a form
XObject that is filled in at the end, once every section has been placed: the same trick
the footer's "Page X of Y" uses. The contents' own length never depends on the numbers.

The sheets are one exercise each, for a drawer: the clinic's head with blank write-in lines
instead of a patient's name, the card, the safety line and one undated week of tick boxes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer
from reportlab.platypus.flowables import _listWrapOn

from handouts.compose import Card, Handout
from handouts.models import Category
from handouts.render import document
from handouts.render.flowables import Callout, TrackingGrid
from handouts.render.fonts import check_glyphs
from handouts.render.para import Para
from handouts.render.pictures import Photo
from handouts.render.story import (
    TitleBlock,
    _check_text,
    card_flowables,
    content_width,
    guidance_paragraphs,
    long_date,
)
from handouts.render.styles import Theme, theme_for, tint
from handouts.text import markup, one_line

HABITS_TITLE = "Smart Ergonomic Habits"
MISTAKES_TITLE = "Common Mistakes to Avoid"
GUIDANCE_TITLE = "About Your Home Program"
LIBRARY_NOTES_TITLE = "About This Library"  # when the guidance is not about a program
# Guidance printed elsewhere (ergonomics leads the habits) or not meant for a booklet.
GUIDANCE_ELSEWHERE = ("introduction", "ergonomics")
GUIDANCE_TITLES = {
    "why-movement": "Why Movement Matters",
    "home-program": "Your Home Program",
    "safety": None,  # a callout of its own
    "closing": None,  # closing words: no heading
}


@dataclass(frozen=True)
class Section:
    """A category as the booklet prints it: the category and its cards, numbered from 1."""

    category: Category
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class Booklet:
    """Everything the booklet shows. ``handout`` carries the clinic, layout, tips, mistakes,
    guidance and date; its cards are the sections' cards in order."""

    title: str
    handout: Handout
    sections: tuple[Section, ...]

    @property
    def exercises(self) -> int:
        return sum(len(s.cards) for s in self.sections)


# ---------------------------------------------------------------- page numbers, one pass


@dataclass
class Marks:
    """Where each marked place landed, filled in as pages are drawn, and what the contents
    lines need to finish their page numbers once the last page is known."""

    pages: dict[str, int] = field(default_factory=dict)
    leaders: dict[str, tuple[str, float]] = field(default_factory=dict)

    @staticmethod
    def form(key: str) -> str:
        return f"toc-{key}"


class Anchor(Flowable):
    """A zero-size mark before a section or card: it records its page, and document.build's
    outline hook bookmarks it (``outline = (key, title, level)``)."""

    _ZEROSIZE = 1

    def __init__(self, key: str, title: str, level: int, marks: Marks) -> None:
        super().__init__()
        self.key, self.marks = key, marks
        self.outline = (key, one_line(title), level)
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.marks.pages[self.key] = self.canv.getPageNumber()


@dataclass(frozen=True)
class Entry:
    level: int  # 0: a section, 1: an exercise in it
    text: str  # plain text (one_line'd)
    key: str


class Contents(Flowable):
    """Contents lines with dot leaders to right-aligned page numbers; each line a link.

    Splits between lines, never leaving a section's line alone at the bottom of a page."""

    def __init__(
        self, entries: list[Entry], theme: Theme, marks: Marks, lines: dict | None = None
    ) -> None:
        super().__init__()
        self.entries, self.t, self.marks = entries, theme, marks
        self.lines = {} if lines is None else lines  # (key, width) -> lines; shared by parts
        size = theme.body.fontSize
        self.size, self.leading = size, theme.body.leading
        self.indent = size * 1.6
        self.gap_before = size * 0.7  # above a section's line, except at the top of a page
        self.number_w = stringWidth("0000", theme.faces.bold, size) + size * 0.6

    def _font(self, entry: Entry) -> str:
        return self.t.faces.bold if entry.level == 0 else self.t.faces.regular

    def _rows(self, avail_width: float) -> Iterator[tuple[list[str], float]]:
        for i, entry in enumerate(self.entries):
            lines = self.lines.get((entry.key, avail_width))
            if lines is None:
                x = self.indent * entry.level
                lines = simpleSplit(
                    entry.text,
                    self._font(entry),
                    self.size,
                    avail_width - x - self.number_w - self.size,
                ) or [""]
                self.lines[entry.key, avail_width] = lines
            before = self.gap_before if entry.level == 0 and i else 0
            yield lines, before + self.leading * len(lines)

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.rows = list(self._rows(avail_width))
        self.height = sum(h for _, h in self.rows)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        used, n = 0.0, 0
        for _, h in self._rows(avail_width):
            if used + h > avail_height + 1e-6:
                break
            used += h
            n += 1
        # A section's line goes over with the first exercise under it.
        while n and self.entries[n - 1].level == 0:
            n -= 1
        if n == 0 or n == len(self.entries):
            return []
        return [
            Contents(self.entries[:n], self.t, self.marks, self.lines),
            Contents(self.entries[n:], self.t, self.marks, self.lines),
        ]

    def draw(self):
        c, t = self.canv, self.t
        right, y = self.width, self.height
        lift = (self.leading - self.size) * 0.5 + self.size * 0.15  # baseline above line bottom
        for entry, (lines, h) in zip(self.entries, self.rows, strict=True):
            top = y - (h - self.leading * len(lines))
            font = self._font(entry)
            x = self.indent * entry.level
            c.setFont(font, self.size)
            c.setFillColor(t.primary_text if entry.level == 0 else t.text)
            y = top
            for line in lines:
                y -= self.leading
                c.drawString(x, y + lift, line)
            # The number and its leader are a form filled in once the pages are known.
            end = x + stringWidth(lines[-1], font, self.size)
            self.marks.leaders[entry.key] = (font, end + self.size * 0.3 - right)
            c.saveState()
            c.translate(right, y + lift)
            c.doForm(Marks.form(entry.key))
            c.restoreState()
            c.linkRect("", entry.key, (x, y, right, top), relative=1, thickness=0)


class PageNumbers(Flowable):
    """Last in the story: fills in every contents line's page number and leader."""

    _ZEROSIZE = 1

    def __init__(self, theme: Theme, marks: Marks) -> None:
        super().__init__()
        self.t, self.marks = theme, marks
        self.width = self.height = 0

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        c, t = self.canv, self.t
        size = t.body.fontSize
        step = size * 0.42
        for key, (font, leader_from) in self.marks.leaders.items():
            page = self.marks.pages.get(key)
            text = str(page) if page is not None else ""
            number_w = stringWidth(text, font, size)
            c.beginForm(
                Marks.form(key),
                lowerx=leader_from - size,
                lowery=-size,
                upperx=size,
                uppery=size * 1.5,
            )
            c.setFont(font, size)
            c.setFillColor(t.text)
            c.drawRightString(0, 0, text)
            # Dots on a grid counted from the right edge, so they line up down the page.
            hi = -step * -(-(number_w + size * 0.5) // step)
            lo = -step * ((-leader_from) // step)
            if lo < hi:
                c.setStrokeColor(t.muted)
                c.setLineWidth(size * 0.11)
                c.setLineCap(1)
                c.setDash([0, step])
                c.line(hi, size * 0.12, lo, size * 0.12)
            c.endForm()


# ---------------------------------------------------------------- the booklet


def _card(card: Card, theme: Theme, layout, frame_h: float) -> list[Flowable]:
    """The card as a handout prints it."""
    return card_flowables(card, theme, content_width(layout), layout.picture_width, frame_h)


class SectionStart(KeepTogether):
    """A category's head kept with its first card, so a heading never ends a page.

    When the two together are taller than a page (large print), the head opens its page
    alone and the card starts the next: a section opener, not an orphan. A card taller than
    a page on its own starts right under the head and flows on."""

    def __init__(self, head: list[Flowable], card: list[Flowable]) -> None:
        super().__init__([*head, *card])
        self.head, self.card = head, card

    def split(self, aW, aH):  # noqa: N803 (reportlab's names)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        frame = getattr(self, "_frame", None)
        if frame is None or frame._height >= self._H:
            return super().split(aW, aH)
        if _listWrapOn(self.card, aW, self.canv)[1] > frame._height:
            return [*self.head, *self.card]
        return [*self.head, KeepTogether(self.card)]


def _section_styles(t: Theme):
    return (
        t.derive("bk-section", t.title, spaceAfter=t.gap * 0.3, keepWithNext=1),
        t.derive(
            "bk-subtitle",
            t.heading,
            fontName=t.faces.regular,
            textColor=t.muted,
            spaceBefore=0,
            spaceAfter=t.gap * 0.6,
        ),
        t.derive("bk-count", t.small, spaceBefore=0, spaceAfter=t.gap * 0.4),
    )


class Rule(Flowable):
    """A thin line across the column in the primary colour."""

    def __init__(self, theme: Theme, space_after: float) -> None:
        super().__init__()
        self.t, self.space_after = theme, space_after

    def wrap(self, avail_width, avail_height):
        self.width, self.height = avail_width, 2
        return self.width, self.height

    def getSpaceAfter(self):
        return self.space_after

    def draw(self):
        self.canv.setStrokeColor(self.t.primary)
        self.canv.setLineWidth(1.2)
        self.canv.line(0, 1, self.width, 1)


def _section_head(title: str, subtitle: str | None, note: str | None, t: Theme) -> list[Flowable]:
    title_style, subtitle_style, count_style = _section_styles(t)
    out: list[Flowable] = [Para(markup(title), title_style)]
    if subtitle:
        out.append(Para(markup(subtitle), subtitle_style))
    if note:
        out.append(Para(markup(note), count_style))
    out.append(Rule(t, t.gap * 1.2))
    return out


class Cover(Flowable):
    """Page one: the clinic at the top, the library's title in the middle, what is inside."""

    def __init__(self, book: Booklet, theme: Theme) -> None:
        super().__init__()
        self.book, self.t = book, theme
        h, t = book.handout, theme
        clinic = h.clinic
        self.clinic = Para(
            f"<b>{markup(clinic.name)}</b>",
            t.derive(
                "cover-clinic",
                t.body,
                textColor=t.primary_text,
                fontSize=t.heading.fontSize * 1.25,
                leading=t.heading.fontSize * 1.6,
            ),
        )
        contact = [markup(x) for x in (clinic.address, clinic.contact_line) if x]
        self.contact = (
            Para("<br/>".join(contact), t.derive("cover-contact", t.body, textColor=t.muted))
            if contact
            else None
        )
        self.kicker = Para(
            "Exercise Library",
            t.derive("cover-kicker", t.heading, textColor=t.muted, spaceBefore=0, spaceAfter=0),
        )
        self.title = Para(
            markup(book.title),
            t.derive(
                "cover-title",
                t.title,
                fontSize=t.title.fontSize * 1.6,
                leading=t.title.fontSize * 1.95,
            ),
        )
        n, k = book.exercises, len(book.sections)
        facts = (
            f"{n} {'exercise' if n == 1 else 'exercises'} in {k} "
            f"{'category' if k == 1 else 'categories'}"
        )
        self.facts = Para(
            facts,
            t.derive(
                "cover-facts",
                t.heading,
                fontName=t.faces.regular,
                textColor=t.text,
                spaceBefore=0,
                spaceAfter=0,
            ),
        )
        names = " · ".join(markup(one_line(s.category.title)) for s in book.sections[:12])
        if len(book.sections) > 12:
            names += " · …"
        self.names = Para(names, t.derive("cover-names", t.body, textColor=t.muted))
        self.date = Para(long_date(h.date), t.derive("cover-date", t.body, textColor=t.muted))
        self.logo = (
            Photo(h.logo, 160, t.title.fontSize * 3.2, align="left") if h.logo is not None else None
        )

    def wrap(self, avail_width, avail_height):
        self.width, self.height = avail_width, avail_height
        return self.width, self.height

    def draw(self):
        c, t, w = self.canv, self.t, self.width
        y = self.height
        if self.logo is not None:
            self.logo.drawOn(c, 0, y - self.logo.draw_h)
            y -= self.logo.draw_h + t.gap * 1.5
        for p in (self.clinic, self.contact):
            if p is not None:
                _, h = p.wrap(w, y)
                y -= h
                p.drawOn(c, 0, y)
        # The title block sits a little above the middle, on a band of the primary colour.
        _, kh = self.kicker.wrap(w - 24, self.height)
        _, th = self.title.wrap(w - 24, self.height)
        _, fh = self.facts.wrap(w - 24, self.height)
        _, nh = self.names.wrap(w - 24, self.height)
        block = kh + th + fh + nh + t.gap * 3.2
        top = min(y - t.gap * 3, self.height * 0.62 + block / 2)
        c.setFillColor(t.primary)
        c.rect(0, top + t.gap * 0.8, w * 0.22, 4, stroke=0, fill=1)
        y = top
        for p, h, after in (
            (self.kicker, kh, t.gap * 0.6),
            (self.title, th, t.gap * 1.4),
            (self.facts, fh, t.gap * 0.6),
            (self.names, nh, 0),
        ):
            y -= h
            p.drawOn(c, 0, y)
            y -= after
        c.setStrokeColor(t.rule)
        c.setLineWidth(0.8)
        _, dh = self.date.wrap(w, self.height)
        c.line(0, dh + t.gap * 1.2, w, dh + t.gap * 1.2)
        self.date.drawOn(c, 0, 0)


def _safety_callout(text: str, t: Theme) -> Flowable:
    p = Para(
        f"<b>Listen to your body.</b> {markup(text)}", t.derive("safety", t.body, spaceAfter=0)
    )
    return Callout([p], t.accent, tint(t.accent, 0.88), t.body.fontSize * 0.8)


def _guidance_keys(guidance: dict[str, str]) -> list[str]:
    known = [k for k in GUIDANCE_TITLES if guidance.get(k)]
    others = [k for k in guidance if k not in GUIDANCE_TITLES and k not in GUIDANCE_ELSEWHERE]
    # Closing words come last, after any guidance of the library's own.
    return [k for k in known if k != "closing"] + others + [k for k in known if k == "closing"]


def booklet_story(book: Booklet, theme: Theme, marks: Marks, frame_h: float) -> list[Flowable]:
    """Cover, contents, a section per category, habits, mistakes, guidance. frame_h is the
    height of a page's text frame (a card taller than that flows on to the next page)."""
    h = book.handout
    entries: list[Entry] = []  # the contents, filled in as the sections are made
    body: list[Flowable] = []
    for section in book.sections:
        body += _category(section, h.layout, theme, marks, entries, frame_h)
    if h.tips or h.mistakes:
        body.append(PageBreak())  # habits and mistakes share a page when they fit
        body += _habits(h, theme, marks, entries) + _mistakes(h, theme, marks, entries)
    body += _guidance(h.guidance, theme, marks, entries)
    contents = [
        Anchor("contents", "Contents", 0, marks),
        *_section_head("Contents", None, None, theme),
        Contents(entries, theme, marks),
    ]
    return [Cover(book, theme), PageBreak(), *contents, *body, PageNumbers(theme, marks)]


def _category(
    section: Section, layout, t: Theme, marks: Marks, entries: list[Entry], frame_h: float
) -> list[Flowable]:
    """A new page: the category's title, subtitle and intro, then every card, each whole."""
    category = section.category
    key = f"category-{category.id}"
    entries.append(Entry(0, one_line(category.title), key))
    n = len(section.cards)
    head = [
        Anchor(key, category.title, 0, marks),
        *_section_head(
            category.title, category.subtitle, f"{n} {'exercise' if n == 1 else 'exercises'}", t
        ),
    ]
    if category.intro:
        head += [*guidance_paragraphs(category.intro, t), Spacer(1, t.gap * 0.8)]
    out: list[Flowable] = [PageBreak()]
    for i, card in enumerate(section.cards):
        key = f"exercise-{card.id}"
        entries.append(Entry(1, one_line(card.name), key))
        parts = [Anchor(key, card.name, 1, marks), *_card(card, t, layout, frame_h)]
        if layout.one_exercise_per_page and i:
            out.append(PageBreak())
        out.append(SectionStart(head, parts) if i == 0 else KeepTogether(parts))
        out.append(Spacer(1, t.gap * 1.6))
    return out


def _habits(h: Handout, t: Theme, marks: Marks, entries: list[Entry]) -> list[Flowable]:
    """The ergonomic habits, as a handout words them (the 'ergonomics' guidance around them)."""
    if not h.tips:
        return []
    entries.append(Entry(0, HABITS_TITLE, "habits"))
    lines = [x for x in h.guidance.get("ergonomics", "").split("\n") if x.strip()]
    head: list[Flowable] = [
        Anchor("habits", HABITS_TITLE, 0, marks),
        *_section_head(HABITS_TITLE, None, None, t),
    ]
    if lines:
        head.append(Para(markup(lines[0]), t.body))
    items = [Para(markup(tip.text), t.step, bulletText="✓") for tip in h.tips]
    return [
        KeepTogether(head + items[:3]),
        *items[3:],
        *(Para(markup(line), t.body) for line in lines[1:]),
        Spacer(1, t.gap * 2),
    ]


def _mistakes(h: Handout, t: Theme, marks: Marks, entries: list[Entry]) -> list[Flowable]:
    if not h.mistakes:
        return []
    entries.append(Entry(0, MISTAKES_TITLE, "mistakes"))
    head = [
        Anchor("mistakes", MISTAKES_TITLE, 0, marks),
        *_section_head(MISTAKES_TITLE, None, None, t),
    ]
    items = [
        Para(f"<b>{markup(m.title)}</b> {markup(m.text)}", t.step, bulletText="✗")
        for m in h.mistakes
    ]
    return [KeepTogether(head + items[:3]), *items[3:], Spacer(1, t.gap * 2)]


def _guidance(
    guidance: dict[str, str], t: Theme, marks: Marks, entries: list[Entry]
) -> list[Flowable]:
    """The library's guidance as a closing section: why movement, the home program, the
    safety line, any guidance of the library's own, and its closing words."""
    keys = _guidance_keys(guidance)
    if not keys:
        return []
    title = GUIDANCE_TITLE if any(k in GUIDANCE_TITLES for k in keys) else LIBRARY_NOTES_TITLE
    entries.append(Entry(0, title, "guidance"))
    out: list[Flowable] = [PageBreak()]
    head: list[Flowable] = [
        Anchor("guidance", title, 0, marks),
        *_section_head(title, None, None, t),
    ]
    for key in keys:
        text = guidance[key]
        if key == "safety":
            part = [Spacer(1, t.gap * 0.5), _safety_callout(text, t), Spacer(1, t.gap * 1.5)]
        else:
            sub = GUIDANCE_TITLES.get(key, key.replace("-", " ").capitalize())
            part = ([Para(markup(sub), t.heading)] if sub else []) + guidance_paragraphs(text, t)
        if head:  # the section's title goes with the start of its first part
            out += [KeepTogether(head + part[:3]), *part[3:]]
            head = []
        else:
            out += part
    return out


def check_booklet_text(book: Booklet, theme: Theme) -> None:
    """Refuse text the font cannot draw before anything is laid out (names the field)."""
    _check_text(book.handout, theme)
    faces = (theme.faces.regular, theme.faces.bold)
    check_glyphs(book.title, faces, "library title")
    for s in book.sections:
        c = s.category
        check_glyphs(
            " ".join(x for x in (c.title, c.subtitle, c.intro) if x), faces, f"category '{c.id}'"
        )


def render_booklet(book: Booklet) -> document.Rendered:
    h = book.handout
    theme = theme_for(h.layout, h.clinic)
    check_booklet_text(book, theme)
    decor = document.PageDecor(
        running_left=one_line(f"{book.title}  ·  {long_date(h.date)}"),
        running_right=one_line(h.clinic.name),
        # The clinic's footer speaks to a patient ("prescribed for you"); the booklet's pages
        # carry how to reach the clinic instead (its name is in the running header).
        footer=one_line("  ·  ".join(x for x in (h.clinic.phone, h.clinic.website) if x)) or None,
        theme=theme,
    )
    story = booklet_story(book, theme, Marks(), document.body_height(h.layout, decor))
    return document.build(
        story,
        layout=h.layout,
        decor=decor,
        date=h.date,
        title=one_line(book.title),
        author=one_line(h.clinic.name),
        subject=one_line(f"Exercise library from {h.clinic.name}: {book.exercises} exercises"),
        keywords=", ".join(one_line(s.category.title) for s in book.sections),
        outline=True,
    )


# ---------------------------------------------------------------- one exercise, for the drawer


def sheet_story(
    handout: Handout, theme: Theme, frame_h: float, compact: bool = False
) -> list[Flowable]:
    """The sheet for the handout's one card; compact leaves out the notes lines and says
    less around the grid (for a card that would otherwise push the grid onto a page 2)."""
    t = theme
    card = handout.cards[0]
    track = handout.layout.tracking
    story: list[Flowable] = [
        TitleBlock(handout, t, write_in=True),
        Spacer(1, t.gap * 1.5),
        KeepTogether(_card(card, t, handout.layout, frame_h)),
        Spacer(1, t.gap * (0.5 if compact else 1)),
    ]
    safety = handout.guidance.get("safety")
    if safety:
        story += [
            Spacer(1, t.gap * 0.5),
            _safety_callout(safety, t),
            Spacer(1, t.gap * (1 if compact else 1.5)),
        ]
    intro = Para(
        "Tick a box each day you do it, and write your pain (0–10) below."
        if compact
        else "Tick a box each day you do the exercise. Rate your pain from 0 (none) to "
        "10 (worst). Bring this sheet to your next visit.",
        t.body,
    )
    grid = TrackingGrid(
        1,
        None,
        [(one_line(card.name), card.id)],
        t,
        track.box,
        track.pain,
        track.notes and not compact,
    )
    story.append(KeepTogether([Para("Your Week", t.heading), intro, grid]))
    return story


def render_sheet(handout: Handout) -> document.Rendered:
    """One exercise's ready-to-print sheet (the handout holds exactly one card): one page
    whenever the card leaves room for the week's grid, if need be in the compact form."""
    theme = theme_for(handout.layout, handout.clinic)
    card = handout.cards[0]
    clinic = handout.clinic
    decor = document.PageDecor(
        running_left=one_line(f"{card.name}  ·  {handout.title}"),
        running_right=one_line(clinic.name),
        footer=one_line(clinic.footer) if clinic.footer else None,
        theme=theme,
    )
    frame_h = document.body_height(handout.layout, decor)

    def build(compact: bool) -> document.Rendered:
        return document.build(
            sheet_story(handout, theme, frame_h, compact),
            layout=handout.layout,
            decor=decor,
            date=handout.date,
            title=one_line(f"{card.name}: {handout.title}"),
            author=one_line(clinic.name),
            subject=one_line(f"Home exercise from {clinic.name}: {card.name}"),
            keywords=card.id,
        )

    rendered = build(compact=False)
    if rendered.pages > 1:
        tight = build(compact=True)
        if tight.pages < rendered.pages:
            return tight
    return rendered
