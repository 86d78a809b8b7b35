"""A composed Handout -> reportlab flowables, section by section in the layout's order."""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import (
    Flowable,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Spacer,
)

from handouts.compose import Card, Handout
from handouts.render import document
from handouts.render.figures import Illustration
from handouts.render.flowables import Callout, CardBody, CardHeader, MonthGrid, TrackingGrid
from handouts.render.fonts import check_glyphs
from handouts.render.para import Para
from handouts.render.pictures import Photo, QRCode, picture_column
from handouts.render.replay import Block, replayable
from handouts.render.styles import Theme, theme_for, tint
from handouts.text import clean, markup, one_line


def render_handout(handout: Handout, *, field_prefix: str = "") -> document.Rendered:
    """The handout's PDF."""
    theme = theme_for(handout.layout, handout.clinic)
    _check_text(handout, theme)
    clinic = handout.clinic
    decor = document.PageDecor(
        running_left=one_line(
            f"{handout.patient}  ·  {handout.title}  ·  {long_date(handout.date)}"
        ),
        running_right=one_line(clinic.name),
        footer=one_line(clinic.footer) if clinic.footer else None,
        theme=theme,
    )
    frame_height = document.body_height(handout.layout, decor)
    story = [*_title_block(handout, theme)]
    if handout.layout.columns > 1:
        story.append(FrameBreak())
    for section in _sections(handout):
        story.extend(SECTIONS[section](handout, theme, field_prefix, frame_height))
    names = ", ".join(card.name for card in handout.cards)
    return document.build(
        story,
        layout=handout.layout,
        head_height=head_height(handout, theme) if handout.layout.columns > 1 else 0,
        decor=decor,
        date=handout.date,
        title=one_line(f"{handout.title}: {handout.patient}"),
        author=one_line(handout.therapist or clinic.name),
        subject=one_line(f"Home exercise program from {clinic.name}: {names}"),
        keywords=", ".join(card.id for card in handout.cards),
    )


def content_width(layout) -> float:
    """The width of one text column on the page."""
    width, _ = document.page_size(layout)
    inner = width - layout.margins.left - layout.margins.right
    return (inner - document.GUTTER * (layout.columns - 1)) / layout.columns


def _sections(handout: Handout) -> list[str]:
    sections = list(handout.layout.sections)
    if "safety" not in sections and handout.guidance.get("safety"):
        sections.append("safety")  # the safety line is on every handout, whatever the layout
    return sections


def long_date(date: dt.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"


_PATIENT_FIELDS = {"patient", "therapist", "notes", "title"}


def check_text(handout: Handout) -> None:
    """Refuse text the layout's font cannot draw, naming the field it is in."""
    _check_text(handout, theme_for(handout.layout, handout.clinic))


def _check_text(handout: Handout, theme: Theme) -> None:
    faces = (theme.faces.regular, theme.faces.bold)
    fields = {
        "patient": handout.patient,
        "therapist": handout.therapist or "",
        "notes": handout.notes or "",
        "title": handout.title,
        "clinic name": handout.clinic.name,
        "clinic footer": handout.clinic.footer or "",
        "clinic address": handout.clinic.address or "",
        "clinic contact": handout.clinic.contact_line,
    }
    for card in handout.cards:
        where = f"exercise '{card.id}'"
        fields[f"{where} name"] = card.name
        fields[f"{where} purpose"] = card.purpose
        fields[f"{where} text"] = " ".join(
            (*card.steps, *card.tips, *card.cautions, card.note or "", card.dosage or "")
        )
        if card.areas:
            fields[f"{where} areas"] = " ".join((card.areas.title, *card.areas.items))
    for tip in handout.tips:
        fields[f"tip '{tip.id}'"] = tip.text
    for mistake in handout.mistakes:
        fields[f"mistake '{mistake.id}'"] = mistake.title + mistake.text
    for key, text in handout.guidance.items():
        fields[f"guidance '{key}'"] = text
    for title, intro in handout.categories:
        fields[f"category '{title}'"] = title + intro
    for where, text in fields.items():
        # what clean() drops anyway needs no glyph
        check_glyphs(clean(text), faces, where, remember=where not in _PATIENT_FIELDS)


def _title_block(handout: Handout, theme: Theme) -> list[Flowable]:
    return [TitleBlock(handout, theme), Spacer(1, theme.gap * 1.5)]


def head_height(handout: Handout, theme: Theme) -> float:
    """The title block's height at the page's full width (a two-column page puts it in a
    frame of its own above the columns)."""
    width, height = document.page_size(handout.layout)
    m = handout.layout.margins
    block = TitleBlock(handout, theme)
    return block.wrap(width - m.left - m.right, height)[1] + theme.gap * 1.5


class TitleBlock(Flowable):
    """Page one's head: clinic name and contact, the title, and the patient's box.

    With write_in (a sheet kept in a drawer) the box has lines to write the patient, date
    and therapist on instead of printed values."""

    WRITE_IN = (("Patient", 0.46), ("Date", 0.22), ("Therapist", 0.32))

    def __init__(self, handout: Handout, theme: Theme, write_in: bool = False) -> None:
        super().__init__()
        self.write_in = write_in
        self.h, self.t = handout, theme
        clinic = handout.clinic
        t = theme
        self.clinic = Para(
            f"<b>{markup(clinic.name)}</b>",
            t.derive(
                "clinic",
                t.body,
                textColor=t.primary_text,
                fontSize=t.heading.fontSize,
                leading=t.heading.leading,
            ),
        )
        contact = [
            markup(x)
            for x in (
                clinic.address,
                "  ·  ".join(p for p in (clinic.phone, clinic.email) if p),
                clinic.website,
            )
            if x
        ]
        self.contact = Para("<br/>".join(contact), t.small) if contact else None
        self.title = Para(markup(handout.title), t.derive("t", t.title, alignment=2))
        self.title_left = Para(markup(handout.title), t.title)
        who = [("Patient", handout.patient), ("Date", long_date(handout.date))]
        if handout.therapist:
            who.append(("Therapist", handout.therapist))
        self.who = [
            Para(
                f"<font color='#{t.muted.hexval()[2:]}'>{label}</font><br/>"
                f"<b>{markup(one_line(value))}</b>",
                t.derive("who", t.body, spaceAfter=0),
                cache=False,
            )
            for label, value in who
        ]
        self.logo_path = handout.logo

    def wrap(self, avail_width, avail_height):
        t = self.t
        self.width = avail_width
        self.left_w = avail_width * 0.58
        self.logo, self.logo_w = None, 0.0
        if self.logo_path is not None:
            self.logo = Photo(
                self.logo_path, avail_width * 0.2, t.title.fontSize * 2.6, align="left"
            )
            self.logo_w = self.logo.draw_w + t.gap * 1.5
        # Large type in a narrow column breaks words: then the title goes under the clinic.
        self.stacked = self.left_w - self.logo_w < t.body.fontSize * 16
        if self.stacked:
            self.left_w = avail_width
        text_w = self.left_w - self.logo_w
        _, self.clinic_h = self.clinic.wrap(text_w, avail_height)
        self.contact_h = self.contact.wrap(text_w, avail_height)[1] if self.contact else 0
        clinic_h = max(self.clinic_h + self.contact_h + 2, self.logo.draw_h if self.logo else 0)
        if self.stacked:
            self.title = self.title_left
            _, self.title_h = self.title.wrap(avail_width, avail_height)
            self.top_h = clinic_h + t.gap + self.title_h
        else:
            _, self.title_h = self.title.wrap(avail_width - self.left_w, avail_height)
            self.top_h = max(clinic_h, self.title_h)
        pad = t.body.fontSize * 0.7
        if self.write_in:
            self.who_h = t.body.fontSize * 2.6
        else:
            widths = self._who_widths(avail_width - 2 * pad)
            self.who_h = max(p.wrap(w - pad, avail_height)[1] for p, w in zip(self.who, widths))
        self.box_h = self.who_h + 2 * pad
        self.pad = pad
        self.height = self.top_h + t.gap * 1.2 + self.box_h
        return self.width, self.height

    def _who_widths(self, inner: float) -> list[float]:
        shares = [0.44, 0.27, 0.29][: len(self.who)]
        total = sum(shares)
        return [inner * s / total for s in shares]

    def draw(self):
        c, t = self.canv, self.t
        y = self.height
        if self.logo is not None:
            self.logo.drawOn(c, 0, y - self.logo.draw_h)
            y -= max(0.0, (self.logo.draw_h - self.clinic_h - self.contact_h) / 2)
        x = self.logo_w
        self.clinic.drawOn(c, x, y - self.clinic_h)
        if self.contact:
            self.contact.drawOn(c, x, y - self.clinic_h - self.contact_h - 2)
        if self.stacked:
            self.title.drawOn(c, 0, self.height - self.top_h)
        else:
            self.title.drawOn(c, self.left_w, y - self.title_h)
        c.setFillColor(tint(t.primary, 0.9))
        c.setStrokeColor(t.primary)
        c.setLineWidth(1)
        c.roundRect(0, 0, self.width, self.box_h, self.pad * 0.8, stroke=1, fill=1)
        if self.write_in:
            self._draw_write_in()
            return
        x = self.pad
        for p, w in zip(self.who, self._who_widths(self.width - 2 * self.pad)):
            _, h = p.wrap(w - self.pad, self.box_h)
            p.drawOn(c, x, self.box_h - self.pad - h)
            x += w

    def _draw_write_in(self) -> None:
        c, t = self.canv, self.t
        size = t.body.fontSize
        inner = self.width - 2 * self.pad
        x = self.pad
        label_y = self.box_h - self.pad - size
        line_y = self.pad + size * 0.2
        c.setFont(t.faces.regular, size)
        c.setLineWidth(0.7)
        for label, share in self.WRITE_IN:
            w = inner * share
            c.setFillColor(t.muted)
            c.drawString(x, label_y, label)
            c.setStrokeColor(t.muted)
            c.line(x, line_y, x + w - self.pad * 1.5, line_y)  # a line to write on
            x += w


def _heading(text: str, theme: Theme) -> Para:
    return Para(markup(text), theme.heading)


def guidance_paragraphs(text: str, theme: Theme) -> list[Flowable]:
    """Guidance text: one paragraph per line, '- ' lines as bullets."""
    out: list[Flowable] = []
    for line in text.strip().split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append(Para(markup(line[2:]), theme.step, bulletText="•"))
        else:
            out.append(Para(markup(line), theme.body))
    return out


def _intro(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    text = handout.guidance.get("home-program")
    return guidance_paragraphs(text, theme) if text else []


def _about(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    """Why these exercises: the intro of each category the cards come from."""
    if not handout.categories:
        return []
    body: list[Flowable] = [_heading("Why These Exercises", theme)]
    body.extend(
        Para(f"<b>{markup(title)}.</b> {markup(intro)}", theme.body)
        for title, intro in handout.categories
    )
    texts = [t for pair in handout.categories for t in pair]
    return [_kept("about", body, texts, theme, frame_h), Spacer(1, theme.gap * 0.5)]


def _kept(
    section: str, body: list[Flowable], texts: list[str], theme: Theme, frame_h: float
) -> Block:
    """A section kept whole on its page, replayed when the same text comes again."""
    key = (section, tuple(texts), theme.key) if replayable(texts) else None
    return Block(body, key, frame_h)


def _notes(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    if not handout.notes:
        return []
    label = Para(
        "A note from your therapist",
        theme.derive("nl", theme.label, textColor=theme.primary_text, spaceAfter=theme.gap * 0.3),
    )
    return [
        Callout(
            [
                label,
                Para(
                    markup(handout.notes), theme.derive("n", theme.body, spaceAfter=0), cache=False
                ),
            ],
            theme.primary,
            tint(theme.primary, 0.92),
            theme.body.fontSize * 0.8,
        ),
        Spacer(1, theme.gap),
    ]


def card_flowables(
    card: Card,
    theme: Theme,
    width: float | None = None,
    picture_share: float = 0.36,
    frame_height: float = 1e9,
) -> list[Flowable]:
    """One exercise card: header band, purpose, dosage, steps, extras, the therapist's note."""
    t = theme
    inner: list[Flowable] = [Para(markup(card.purpose), t.purpose)]
    if card.dosage:
        inner.append(Para(markup(card.dosage), t.dosage))
    for i, step in enumerate(card.steps, start=1):
        inner.append(Para(markup(step), t.step, bulletText=f"{i}."))
    if card.areas:
        inner.append(
            Para(
                f"<b>{markup(card.areas.title)}:</b>",
                t.derive("areas", t.body, spaceAfter=t.gap * 0.2),
            )
        )
        inner.extend(Para(markup(item), t.step, bulletText="•") for item in card.areas.items)
    accent = t.accent_text.hexval()[2:]
    for tip in card.tips:
        inner.append(Para(f"<font color='#{accent}'><b>Pro tip:</b></font> {markup(tip)}", t.body))
    for caution in card.cautions:
        inner.append(Para(f"<b>Caution:</b> {markup(caution)}", t.body))
    if card.note:
        inner.append(
            Callout(
                [
                    Para(
                        f"<b>Your therapist’s note:</b> {markup(card.note)}",
                        t.derive("cn", t.body, spaceAfter=0),
                        cache=False,
                    )
                ],
                t.accent,
                tint(t.accent, 0.9),
                t.body.fontSize * 0.5,
            )
        )
    indent = t.body.fontSize * 0.6
    body: list[Flowable] = [_Indented(f, indent) for f in inner]
    column = picture_column(card, t, min(width * picture_share, 260)) if width else None
    if column is not None:
        body = [CardBody(body, column, t.gap * 1.5, frame_height)]
    return [CardHeader(card.number, markup(card.name), t), Spacer(1, t.gap * 0.6), *body]


class _Indented(Flowable):
    """A flowable set in from the left by a fixed amount (keeps card text off the band edge)."""

    def __init__(self, flowable: Flowable, indent: float) -> None:
        super().__init__()
        self.f, self.indent = flowable, indent

    def wrap(self, avail_width, avail_height):
        w, h = self.f.wrap(avail_width - self.indent, avail_height)
        self.width, self.height = w + self.indent, h
        return self.width, self.height

    def getSpaceAfter(self):
        return self.f.getSpaceAfter()

    def getSpaceBefore(self):
        return self.f.getSpaceBefore()

    def split(self, avail_width, avail_height):
        return [
            _Indented(p, self.indent) for p in self.f.split(avail_width - self.indent, avail_height)
        ]

    def draw(self):
        self.f.drawOn(self.canv, self.indent, 0)


def _exercises(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    out: list[Flowable] = []
    column_width = content_width(handout.layout)
    share = handout.layout.picture_width
    for card in handout.cards:
        parts = card_flowables(card, theme, column_width, share, frame_h)
        if card.number == 1:
            parts.insert(0, _heading("Your Exercises", theme))  # never alone at a page foot
        elif handout.layout.one_exercise_per_page:
            out.append(PageBreak())
        out.append(_card_block(card, parts, theme, share, frame_h))
        out.append(Spacer(1, theme.gap * 1.6))
    return out


def _card_block(
    card: Card, parts: list[Flowable], theme: Theme, share: float, frame_h: float
) -> Block:
    """A card kept whole on its page, drawn once per process and replayed after that."""
    texts = (
        card.name,
        card.purpose,
        card.dosage or "",
        card.note or "",
        *card.steps,
        *card.tips,
        *card.cautions,
        *(card.areas.items if card.areas else ()),
        card.areas.title if card.areas else "",
    )
    key = None
    if not card.pictures and not card.note and replayable(texts):
        key = ("card", repr(card), theme.key, share)
    defines = tuple(f.define for f in _walk(parts) if isinstance(f, Illustration))
    return Block(parts, key, frame_h, defines)


def _walk(flowables):
    """Every flowable inside these, depth first (cards nest a few levels)."""
    for f in flowables:
        yield f
        for attr in ("text", "items", "pictures", "parts", "paragraphs"):
            inner = getattr(f, attr, None)
            if isinstance(inner, list):
                yield from _walk(inner)
            elif isinstance(inner, Flowable):
                yield from _walk([inner])


def _tips(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    if not handout.tips:
        return []
    lines = [line for line in handout.guidance.get("ergonomics", "").split("\n") if line.strip()]
    body: list[Flowable] = [_heading("Smart Ergonomic Habits", theme)]
    if lines:
        body.append(Para(markup(lines[0]), theme.body))
    body.extend(Para(markup(tip.text), theme.step, bulletText="✓") for tip in handout.tips)
    if len(lines) > 1:
        body.extend(Para(markup(line), theme.body) for line in lines[1:])
    texts = [*lines, *(tip.text for tip in handout.tips)]
    return [_kept("tips", body, texts, theme, frame_h), Spacer(1, theme.gap)]


def _mistakes(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    if not handout.mistakes:
        return []
    body: list[Flowable] = [_heading("Common Mistakes to Avoid", theme)]
    body.extend(
        Para(f"<b>{markup(m.title)}</b> {markup(m.text)}", theme.step, bulletText="✗")
        for m in handout.mistakes
    )
    texts = [t for m in handout.mistakes for t in (m.title, m.text)]
    return [_kept("mistakes", body, texts, theme, frame_h), Spacer(1, theme.gap)]


def _safety(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    text = handout.guidance.get("safety")
    if not text:
        return []
    p = Para(
        f"<b>Listen to your body.</b> {markup(text)}",
        theme.derive("safety", theme.body, spaceAfter=0),
    )
    callout = Callout([p], theme.accent, tint(theme.accent, 0.88), theme.body.fontSize * 0.8)
    return [
        Spacer(1, theme.gap * 0.5),
        _kept("safety", [callout], [text], theme, frame_h),
        Spacer(1, theme.gap),
    ]


def _tracking(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    if handout.weeks == 0:
        return []
    track = handout.layout.tracking
    # The grid needs the whole page width: a two-column layout switches to one column here.
    wide = [NextPageTemplate("wide"), PageBreak()] if handout.layout.columns > 1 else []
    if track.style == "month":
        return wide + _month_sheets(handout, theme, prefix)
    return wide + _week_sheets(handout, theme, prefix, frame_h)


def _month_sheets(handout: Handout, theme: Theme, prefix: str) -> list[Flowable]:
    """Four weeks to a page, as many pages as the plan's weeks need."""
    track = handout.layout.tracking
    rows = [(markup(one_line(c.name)), f"{c.number:02d}-{c.id}") for c in handout.cards]
    out: list[Flowable] = [
        _heading("Your Tracking Sheet", theme),
        Para(
            "Tick a box each day you do the exercise (with a pen, or tap it on a tablet). "
            "Write your pain from 0 (none) to 10 (worst) in the last column.",
            theme.body,
        ),
    ]
    pages = -(-handout.weeks // 4)
    for page in range(pages):
        start = handout.date + dt.timedelta(days=28 * page)
        if page:
            out.append(PageBreak())
        out.append(MonthGrid(start, 28, rows, theme, track.box, track.pain, prefix))
    return out


def _week_sheets(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    track = handout.layout.tracking
    rows = [(f"{c.number}. {one_line(c.name)}", f"{c.number:02d}-{c.id}") for c in handout.cards]
    intro = Para(
        "Tick a box each day you do the exercise (with a pen, or tap it on a tablet). "
        "Rate your pain each day from 0 (none) to 10 (worst). Bring this sheet to your next visit.",
        theme.body,
    )
    out: list[Flowable] = []
    for week in range(1, handout.weeks + 1):
        start = handout.date + dt.timedelta(days=7 * (week - 1))
        grid = TrackingGrid(
            week, start, rows, theme, track.box, track.pain, track.notes, prefix, frame_h
        )
        # The heading stays with the first week's grid; a grid moves to a new page whole.
        out.append(
            KeepTogether([_heading("Your Tracking Sheet", theme), intro, grid])
            if week == 1
            else grid
        )
        out.append(Spacer(1, theme.gap * 2))
    return out


def _booking(handout: Handout, theme: Theme, prefix: str, frame_h: float) -> list[Flowable]:
    url = handout.clinic.booking_url
    if not url:
        return []
    size = max(theme.body.fontSize * 6.5, 64)
    text = [
        Para("<b>Book your next visit</b>", theme.label),
        Para(f"Scan the code with your phone’s camera, or visit {markup(url)}", theme.body),
    ]
    return [
        Spacer(1, theme.gap),
        CardBody(text, QRCode(url, size, None, theme), theme.gap * 2, frame_h),
    ]


SECTIONS = {
    "intro": _intro,
    "about": _about,
    "notes": _notes,
    "exercises": _exercises,
    "tips": _tips,
    "mistakes": _mistakes,
    "safety": _safety,
    "tracking": _tracking,
    "booking": _booking,
}
