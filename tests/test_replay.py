"""Cards drawn once and replayed must give the very same PDF as cards drawn afresh."""

import datetime as dt

from handouts.compose import compose
from handouts.make import open_clinic, open_layout, open_library
from handouts.models import Plan, convert
from handouts.render import figures, para, replay
from handouts.render.story import render_handout


def _handout(patient: str, ids: list[str], layout: str = "standard"):
    library, folder = open_library(None)
    clinic, clinic_dir = open_clinic(None)
    plan = convert({"patient": patient, "exercises": ids, "date": "2026-11-25"}, Plan)
    return compose(
        plan,
        library,
        clinic,
        open_layout(layout),
        library_dir=folder,
        clinic_dir=clinic_dir,
        today=dt.date(2026, 11, 25),
    )


def _cold(handout) -> bytes:
    replay._CACHE.clear()
    figures._FORM_STREAMS.clear()
    para._BREAKS.clear()
    para._parse.cache_clear()
    return render_handout(handout).pdf


def test_replayed_cards_give_identical_bytes():
    ids = ["bird-dog", "glute-bridge", "foam-rolling", "diaphragmatic-breathing"]
    handout = _handout("Jane Q. Doe", ids)
    cold = _cold(handout)
    assert replay._CACHE, "cards were not cached"
    assert render_handout(handout).pdf == cold


def test_replay_across_patients_and_orders():
    # Another patient with the same cards in another order: cached cards move pages.
    first = _handout("Ann Lee", ["squat", "cat-cow", "hip-hinge"])
    second = _handout("Bob Ray", ["hip-hinge", "squat", "side-plank", "cat-cow"])
    render_handout(first)
    warm = render_handout(second).pdf
    assert warm == _cold(second)


def test_text_outside_the_fixed_set_is_drawn_afresh():
    assert replay.replayable(["Hold 3–5 seconds — don’t arch."])
    assert not replay.replayable(["Zoë Łukasiewicz"])
