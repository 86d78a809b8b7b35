"""Paragraph styles and colours for one layout, in the clinic's colours."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle

from handouts.models import Clinic, Layout
from handouts.render.fonts import Faces


def tint(color: Color, amount: float) -> Color:
    """The colour mixed with white: amount 0 is the colour, 1 is white."""
    return Color(*(c + (1 - c) * amount for c in (color.red, color.green, color.blue)))


def readable_on_white(color: Color) -> Color:
    """The colour darkened until text in it has at least 4.5:1 contrast on white (WCAG AA)."""

    def luminance(c: Color) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.red) + 0.7152 * channel(c.green) + 0.0722 * channel(c.blue)

    while 1.05 / (luminance(color) + 0.05) < 4.5:
        color = Color(color.red * 0.9, color.green * 0.9, color.blue * 0.9)
    return color


@dataclass
class Theme:
    """Everything visual a layout decides, resolved against the clinic's colours."""

    faces: Faces
    primary: Color
    accent: Color
    primary_text: Color  # the primary colour, dark enough for text
    accent_text: Color
    text: Color
    muted: Color
    rule: Color
    shade: Color
    body: ParagraphStyle
    small: ParagraphStyle
    purpose: ParagraphStyle
    dosage: ParagraphStyle
    step: ParagraphStyle
    heading: ParagraphStyle
    card_title: ParagraphStyle
    title: ParagraphStyle
    label: ParagraphStyle
    gap: float  # the unit of vertical space between blocks
    key: tuple = ()  # what the theme was made from: part of every replay cache key
    derived: dict = field(default_factory=dict)

    def derive(self, name: str, base: ParagraphStyle, **changes) -> ParagraphStyle:
        """A variant of a style, made once per theme (parsed paragraphs are cached per style)."""
        style = self.derived.get(name)
        if style is None:
            style = self.derived[name] = base.clone(name, **changes)
        return style


def theme_for(layout: Layout, clinic: Clinic) -> Theme:
    """The theme for a layout in a clinic's colours; one object per distinct pair per process."""
    key = (msgspec.json.encode(layout), clinic.colors.primary, clinic.colors.accent)
    theme = _THEMES.get(key)
    if theme is None:
        if len(_THEMES) > 64:
            _THEMES.clear()
        theme = _THEMES[key] = _theme(layout, clinic.colors.primary, clinic.colors.accent)
        theme.key = key
    return theme


_THEMES: dict[tuple, Theme] = {}


def _theme(layout: Layout, clinic_primary: str, clinic_accent: str) -> Theme:
    faces = Faces(layout.font)
    sizes = layout.sizes
    primary = HexColor(layout.colors.primary or clinic_primary)
    accent = HexColor(layout.colors.accent or clinic_accent)
    text = HexColor(layout.colors.text)
    muted = HexColor(layout.colors.muted)

    def style(name: str, size: float, font: str | None = None, **kw) -> ParagraphStyle:
        kw.setdefault("textColor", text)
        return ParagraphStyle(
            name,
            fontName=font or faces.regular,
            fontSize=size,
            leading=round(size * sizes.leading, 2),
            splitLongWords=True,
            allowWidows=0,
            bulletFontName=faces.regular,
            bulletFontSize=size,
            allowOrphans=0,
            **kw,
        )

    primary_text = readable_on_white(primary)
    gap = sizes.body * 0.6 * layout.space
    body = style("body", sizes.body, spaceAfter=gap * 0.5)
    return Theme(
        faces=faces,
        primary=primary,
        accent=accent,
        primary_text=primary_text,
        accent_text=readable_on_white(accent),
        text=text,
        muted=muted,
        rule=HexColor(layout.colors.rule),
        shade=HexColor(layout.colors.shade),
        body=body,
        small=style("small", sizes.small, textColor=muted),
        purpose=style("purpose", sizes.body, spaceAfter=gap * 0.4),
        dosage=style(
            "dosage", sizes.body, faces.bold, textColor=primary_text, spaceAfter=gap * 0.5
        ),
        step=style(
            "step",
            sizes.body,
            leftIndent=sizes.body * 1.6,
            bulletIndent=sizes.body * 0.2,
            spaceAfter=gap * 0.25,
        ),
        heading=style(
            "heading",
            sizes.heading,
            faces.bold,
            textColor=primary_text,
            spaceBefore=gap * 1.2,
            spaceAfter=gap * 0.6,
            keepWithNext=1,
        ),
        card_title=style("card_title", sizes.heading, faces.bold),
        title=style("title", sizes.title, faces.bold, textColor=primary_text),
        label=style("label", sizes.body, faces.bold),
        gap=gap,
    )
