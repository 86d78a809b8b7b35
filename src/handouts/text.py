"""User text made safe for the page: control and invisible characters dropped, markup escaped.

reportlab's Paragraph reads a small XML dialect; anything a clinic types goes through
``markup`` first, so a patient called ``<b>`` or ``AT&T`` prints literally and no tag, link or
picture can be injected.
"""

from __future__ import annotations

import re
import unicodedata

# Bidi overrides, zero-width and other format characters: invisible, and a way to disguise text.
_INVISIBLE = {ch for ch in map(chr, range(0x2000, 0x2070)) if unicodedata.category(ch) == "Cf"}
_INVISIBLE |= {"\ufeff", "\u00ad", "\u034f", "\u061c", "\u180e"}
_TRANSLATE = {ord(ch): None for ch in _INVISIBLE}
_TRANSLATE.update({c: None for c in range(0x20) if chr(c) not in "\n\t"})
_TRANSLATE.update({0x7F: None, ord("\t"): " ", 0x2028: "\n", 0x2029: "\n"})
_TRANSLATE.update({c: None for c in range(0x80, 0xA0)})


# Any character clean() changes: most text has none, and a search is far cheaper than a
# translate over every character.
_CHANGED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TRANSLATE)) + "\r]")


def clean(text: str) -> str:
    """NFC-normalised text with control and invisible characters removed; newlines kept."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _CHANGED.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TRANSLATE)


def one_line(text: str) -> str:
    """Clean text for a single line (names, headers): newlines become spaces."""
    return " ".join(clean(text).split())


_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Text with the three characters Paragraph markup gives meaning to escaped."""
    return text.translate(_ESCAPES)


def markup(text: str) -> str:
    """Escaped Paragraph markup for user text; newlines become line breaks."""
    return "<br/>".join(escape(line) for line in clean(text).strip().split("\n"))
