"""A Paragraph that does its expensive work once.

reportlab parses a paragraph's markup in pure Python on every construction and breaks its
lines again on every wrap; platypus wraps most paragraphs two or three times (KeepTogether
measures, the frame places). Handouts repeat the same exercise texts patient after patient,
so both the parse and the line breaks are cached per (text, style, width) for the process.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

# (id(parsed frags), width) -> what wrap computed; least recently used dropped first.
_BREAKS: OrderedDict[tuple, tuple] = OrderedDict()
# Enough for a large library's texts; small enough that a long run's memory stays flat
# (patient names are parsed too, and each new one would otherwise stay).
_MAX_BREAKS = 4096


@lru_cache(maxsize=2048)
def _parse(text: str, style, bullet: str | None):
    parser = ParaParser()
    parser.caseSensitive = 1
    style, frags, bullet_frags = parser.parse(cleanBlockQuotedText(text), style)
    if frags is None:
        raise ValueError(f"markup error in paragraph {text[:40]!r}")  # our own markup: a bug
    textTransformFrags(frags, style)
    return style, frags, bullet_frags or bullet


class Para(Paragraph):
    def __init__(
        self,
        text: str | None,
        style,
        bulletText=None,
        frags=None,  # noqa: N803
        cache: bool = True,
    ) -> None:
        """cache=False for text that is one patient's (a name, a note): caching it would only
        make a long batch's memory grow."""
        self._cacheable = frags is None and cache
        if not self._cacheable:  # reportlab's split() makes the halves with frags
            super().__init__(text, style, bulletText=bulletText, frags=frags)
            return
        self.caseSensitive = 1
        self.encoding = "utf8"
        parsed_style, frags, bullet = _parse(text, style, bulletText)
        self.text, self.frags, self.style, self.bulletText = text, frags, parsed_style, bullet
        self.debug = 0

    def wrap(self, availWidth, availHeight):  # noqa: N803 (reportlab's names)
        if not self._cacheable:
            return super().wrap(availWidth, availHeight)
        parsed = self.frags
        key = (id(parsed), availWidth)
        hit = _BREAKS.get(key)
        if hit is not None and hit[0] is parsed:
            _BREAKS.move_to_end(key)
            _, self.frags, self.blPara, self.height, self._wrapWidths = hit
            self.width = availWidth
            return availWidth, self.height
        size = super().wrap(availWidth, availHeight)
        if len(_BREAKS) >= _MAX_BREAKS:
            _BREAKS.popitem(last=False)
        # wrap may swap self.frags for a word list: remember both, keyed by the parse.
        _BREAKS[key] = (parsed, self.frags, self.blPara, self.height, self._wrapWidths)
        return size
