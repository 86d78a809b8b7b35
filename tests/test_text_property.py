"""Whatever text a clinic types -- markup characters, control characters, bidi marks, emoji,
300-letter words, newlines -- a handout either prints it literally or is refused with one
HandoutsError that names the characters the font lacks. Never any other exception.

Builds run in-process through handouts.make.build (the same path as `handouts make`), with the
library loaded once; each example is a few tens of milliseconds.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import HANDOUT_DATE, pdf_text, reader
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handouts.errors import HandoutsError
from handouts.make import HandoutRequest, build, open_library

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MARKUP = "<b>x</b> AT&T"  # must print as typed: no bold, no entity

# Text a user might type or paste: anything at all; mostly-printable Latin; a soup of markup,
# control and bidi characters and an emoji; one very long word.
_SOUP = list("<>&\"';/= abcé\n\t\r") + [
    "\u200f",
    "\u202e",
    "\u200b",
    "\x0b",
    "\x00",
    "\ufeff",
    "\U0001f600",
    "&amp;",
    "<br/>",
    "<font size=40>",
]


def user_text(max_size: int, long_word: int):
    return st.one_of(
        st.text(max_size=max_size),
        st.text(
            st.characters(
                min_codepoint=0x20, max_codepoint=0x24F, blacklist_categories=("Cc", "Cs")
            ),
            max_size=max_size,
        ),
        st.lists(st.sampled_from(_SOUP), max_size=max_size // 4).map("".join),
        st.builds(
            lambda ch, n: ch * n,
            st.sampled_from(["x", "é", "<", "&", "W"]),
            st.integers(long_word // 2, long_word),
        ),
    )


tokens = st.integers(100_000, 999_999).map(lambda n: f"Tok{n}")


@pytest.fixture(scope="module")
def bundled():
    return open_library(None)


def _font_lacks() -> frozenset[str]:
    from handouts.render.fonts import Faces, covered

    faces = Faces("sans")
    return covered((faces.regular, faces.bold))


def check_refusal(exc: HandoutsError, given_text: str, limits: dict[str, int]) -> None:
    """A refusal must be one of: the font lacks characters the user gave (named by code point),
    or a value is over its length limit. Anything else is a bug."""
    message = str(exc)
    codes = re.findall(r"U\+([0-9A-F]{4,6})", message)
    if "no glyph" in message:
        assert codes, message
        printable = _font_lacks()
        for code in codes:
            ch = chr(int(code, 16))
            assert ch in given_text, f"{message}: U+{code} was not in the input"
            assert ch not in printable, f"{message}: the font does have U+{code}"
        return
    over = [name for name, limit in limits.items() if name in message and "at most" in message]
    assert over, f"unexpected refusal: {message}"


# ---------------------------------------------------------------- plan text: patient, therapist...


@SETTINGS
@given(
    a=user_text(70, 150),
    b=user_text(70, 150),
    t1=tokens,
    t2=tokens,
    t3=tokens,
    notes_tail=user_text(300, 300),
)
@example(a="", b="", t1="Tok111111", t2="Tok222222", t3="Tok333333", notes_tail="")
@example(
    a="\u200fRTL\u202e",
    b="W" * 150,
    t1="Tok111112",
    t2="Tok222223",
    t3="Tok333334",
    notes_tail="line one\nline two\t<i>three</i> " + "é" * 300,
)
@example(a="Jane", b="\U0001f600", t1="Tok111113", t2="Tok222224", t3="Tok333335", notes_tail="")
def test_plan_text_prints_literally_or_is_refused_cleanly(bundled, a, b, t1, t2, t3, notes_tail):
    patient = f"{a} {t1} {MARKUP} {b}"
    therapist = f"{b} {t2} {MARKUP}"
    notes = f"{notes_tail}\n{t3} {MARKUP} {a}"
    request = HandoutRequest(
        patient=patient,
        therapist=therapist,
        notes=notes,
        exercises=["glute-bridge"],
        weeks=1,
        date=HANDOUT_DATE,
    )
    try:
        _, rendered = build(request, library=bundled)
    except HandoutsError as exc:
        check_refusal(exc, patient + therapist + notes, {"patient": 200, "therapist": 200})
        return
    text = pdf_text(rendered.pdf)
    for token in (t1, t2, t3):
        assert token in text, token
    assert text.count(MARKUP) >= 3, "markup-looking text did not print literally"
    info = reader(rendered.pdf).metadata
    assert t1 in info["/Title"] and t2 in info["/Author"]


# ---------------------------------------------------------------- library text: an exercise


def _library_yaml(name: str, steps: list[str], tip: str) -> str:
    data = {
        "version": 1,
        "categories": [{"id": "custom", "title": "Custom"}],
        "exercises": [
            {
                "id": "custom-move",
                "name": name,
                "category": "custom",
                "purpose": "Builds strength.",
                "steps": steps,
                "tips": [tip],
            }
        ],
        "tips": [{"id": "posture", "text": "Sit tall."}],
        "mistakes": [{"id": "rush", "title": "Rushing.", "text": "Go slow."}],
    }
    # every scalar double-quoted: a clinic's file that says exactly these strings
    return yaml.safe_dump(data, default_style='"', allow_unicode=True, sort_keys=False)


@SETTINGS
@given(a=user_text(70, 120), step=user_text(300, 300), t1=tokens, t2=tokens, t3=tokens)
@example(a="", step="", t1="Tok444444", t2="Tok555555", t3="Tok666666")
@example(a="<b>", step="x" * 300 + "\n\n&lt;", t1="Tok444445", t2="Tok555556", t3="Tok666667")
def test_library_text_prints_literally_or_is_refused_cleanly(a, step, t1, t2, t3):
    name = f"{a} {t1} {MARKUP}"
    steps = [f"{step} {t2} {MARKUP}", "Breathe out."]
    tip = f"{t3} {MARKUP} {a}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.yaml"
        path.write_text(_library_yaml(name, steps, tip), encoding="utf-8")
        request = HandoutRequest(
            patient="Pat", exercises=["custom-move"], weeks=1, date=HANDOUT_DATE, library=path
        )
        try:
            _, rendered = build(request)
        except HandoutsError as exc:
            check_refusal(exc, name + "".join(steps) + tip, {"name": 200})
            return
    text = pdf_text(rendered.pdf)
    for token in (t1, t2, t3):
        assert token in text, token
    assert text.count(MARKUP) >= 3, "markup-looking text did not print literally"
    assert "Breathe out." in text


# ---------------------------------------------------------------- what text.clean promises


@pytest.mark.parametrize("invisible", ["\u200b", "\u202e", "\u200f", "\u00ad"])
def test_invisible_characters_the_font_has_are_dropped(bundled, invisible):
    _, rendered = build(
        HandoutRequest(
            patient=f"Ja{invisible}ne Tok777", exercises=["squat"], weeks=0, date=HANDOUT_DATE
        ),
        library=bundled,
    )
    text = pdf_text(rendered.pdf)
    assert "Jane Tok777" in text
    assert invisible not in text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("notes", "Line one\r\nLine two"),  # pasted from a Windows program
        ("patient", "\ufeffJane Doe"),  # a byte-order mark pasted with the name
        ("patient", "Jane \u2066Doe\u2069"),  # a bidi isolate from a web form
        ("therapist", "Alex\x0bKim"),
    ],
)
def test_characters_that_clean_drops_are_not_refused(bundled, field, value):
    values = {"patient": "Pat", "therapist": None, "notes": None, field: value}
    _, rendered = build(
        HandoutRequest(**values, exercises=["squat"], weeks=0, date=HANDOUT_DATE), library=bundled
    )
    from handouts.text import one_line

    assert one_line(value) in pdf_text(rendered.pdf)
