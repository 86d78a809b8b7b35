"""Built-in exercise illustrations: pose data, form XObject reuse and what lands on the page."""

from __future__ import annotations

import io
import time

import pytest
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from handouts.render import figures
from handouts.render.figures import Illustration, available, draw_illustration

SEED_IDS = {
    "bird-dog",
    "glute-bridge",
    "dead-bug",
    "side-plank",
    "cat-cow",
    "childs-pose",
    "hip-flexor-stretch",
    "piriformis-stretch",
    "squat",
    "hip-hinge",
    "lunge-with-twist",
    "foam-rolling",
    "diaphragmatic-breathing",
}
PRIMARY = "#1f6f8b"
ACCENT = "#e07a2e"
# (width, height) of the handout's large figure and of the small card.
SIZES = [(300, 110), (190, 70)]


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=letter)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def _form_xobjects(data: bytes) -> list[tuple[int, set[int]]]:
    """Per page: number of /XObject entries, and the object numbers of those that are forms."""
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = []
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        forms = set()
        for ref in xobjects.values():
            if ref.get_object()["/Subtype"] == "/Form":
                forms.add(ref.idnum)
        pages.append((len(xobjects), forms))
    return pages


# --- pose data -------------------------------------------------------------------------------


def test_every_seed_exercise_has_an_illustration():
    assert available() >= SEED_IDS
    assert available() == figures.ILLUSTRATIONS


@pytest.mark.parametrize("name", sorted(SEED_IDS))
def test_poses_rest_on_the_floor(name):
    poses = figures.positions(name)
    assert 1 <= len(poses) <= 2
    for i, pos in enumerate(poses):
        assert pos.on_floor, f"{name}[{i}] says nothing about what touches the floor"
        assert figures.floor_problems(pos, f"{name}[{i}]") == []
        x0, y0, x1, y1 = pos.bbox
        assert x1 > x0 and y1 > 0 and y0 >= -figures.FLOOR_TOL


def test_two_positions_are_labelled():
    for name in SEED_IDS:
        poses = figures.positions(name)
        if len(poses) == 2:
            assert all(p.label for p in poses), name


def test_poses_are_parsed_once():
    assert figures.positions("squat") is figures.positions("squat")
    assert figures._raw_poses() is figures._raw_poses()


def test_unknown_illustration_is_an_error():
    with pytest.raises(KeyError):
        figures.positions("no-such-exercise")
    with pytest.raises(KeyError):
        Illustration("no-such-exercise", 100, 50, PRIMARY, ACCENT, "Helvetica", 7)
    canvas = Canvas(io.BytesIO())
    with pytest.raises(KeyError):
        draw_illustration(canvas, "no-such-exercise", 0, 0, 100, 50, PRIMARY, ACCENT,
                          "Helvetica", 7)  # fmt: skip
    # The failed call left no half-open form behind: the canvas still saves.
    canvas.showPage()
    canvas.save()


def test_unknown_font_fails_before_a_form_is_begun():
    canvas = Canvas(io.BytesIO())
    with pytest.raises(KeyError):
        draw_illustration(canvas, "squat", 0, 0, 100, 50, PRIMARY, ACCENT, "No-Such-Font", 7)
    draw_illustration(canvas, "squat", 0, 0, 100, 50, PRIMARY, ACCENT, "Helvetica", 7)
    canvas.showPage()
    canvas.save()


@pytest.mark.parametrize("colour", ["red", "#12345", "#gggggg", None])
def test_bad_colour_is_a_value_error(colour):
    with pytest.raises(ValueError):
        Illustration("squat", 100, 50, colour, ACCENT, "Helvetica", 7)
    with pytest.raises(ValueError):
        draw_illustration(Canvas(io.BytesIO()), "squat", 0, 0, 100, 50, PRIMARY, colour,
                          "Helvetica", 7)  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        ({"torso": "up"}, "expected a number"),
        ({"near_arm": [1, 2, 3]}, "expected 2 angles"),
        ({"elbow": 3}, "unknown keys"),
        ({"far_leg": {"reach": "nowhere"}}, "not a point"),
        ({"on_floor": ["belly"]}, "unknown contact"),
        ({"props": [{"ball": 3}]}, "unknown prop"),
    ],
)
def test_bad_pose_data_is_reported(change, message):
    good = {
        "hip": [0, 47.75], "torso": 90, "neck": 90,
        "near_arm": [-90, -90], "far_arm": [-90, -90],
        "near_leg": [-90, -90, 0], "far_leg": [-90, -90, 0],
        "on_floor": ["near_ankle"],
    }  # fmt: skip
    figures._position(good, "ok")
    with pytest.raises(figures.PoseError, match=message):
        figures._position({**good, **change}, "bad")


def test_props_are_drawn_inside_the_figure():
    pos = figures._position(
        {
            "hip": [0, 47.75], "torso": 90, "neck": 90,
            "near_arm": [-90, -90], "far_arm": [-90, -90],
            "near_leg": [-90, -90, 0], "far_leg": [-90, -90, 0],
            "props": [{"mat": [-30, 30]}, {"roller": 20, "r": 6},
                      {"turn": "torso@0.5", "rx": 14, "ry": 5, "to": "right"}],
        },
        "props",
    )  # fmt: skip
    x0, y0, x1, y1 = pos.bbox
    assert x0 <= -30 and x1 >= 30 and y0 >= -figures.FLOOR_TOL
    ops = " ".join(v for k, v in pos.ops if k == "L")
    assert " re f" in ops and " h f" in ops  # the mat and the arrowhead


# --- form XObjects ---------------------------------------------------------------------------


def test_same_illustration_five_times_is_one_form_xobject():
    def draw(canvas):
        for i in range(5):
            draw_illustration(canvas, "bird-dog", 40, 40 + i * 130, 300, 110, PRIMARY, ACCENT,
                              "Helvetica", 7)  # fmt: skip

    ((entries, forms),) = _form_xobjects(_pdf(draw))
    assert entries == 1 and len(forms) == 1


def test_flowables_share_one_form_across_pages():
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=(360, 300))
    story = [Illustration("squat", 300, 110, PRIMARY, ACCENT, "Helvetica", 7) for _ in range(5)]
    doc.build(story)
    pages = _form_xobjects(buf.getvalue())
    assert len(pages) >= 2  # two figures per page
    assert all(entries == 1 for entries, _ in pages)
    assert len(set().union(*(forms for _, forms in pages))) == 1


def test_each_size_and_colour_gets_its_own_form():
    def draw(canvas):
        for primary, w in [(PRIMARY, 300), (PRIMARY, 190), ("#7a3b8f", 300), (PRIMARY, 300)]:
            draw_illustration(canvas, "dead-bug", 20, 20, w, 110, primary, ACCENT, "Helvetica", 7)
        draw_illustration(canvas, "squat", 20, 300, 300, 110, PRIMARY, ACCENT, "Helvetica", 7)

    ((entries, forms),) = _form_xobjects(_pdf(draw))
    assert entries == len(forms) == 4


def test_flowable_wraps_to_its_size():
    flowable = Illustration("cat-cow", 190, 70, PRIMARY, ACCENT, "Helvetica", 6)
    assert flowable.wrap(500, 500) == (190, 70)


def test_first_figure_on_a_page_keeps_what_the_page_already_has():
    # beginForm on a page with no operators yet would otherwise drop the page's annotations.
    def draw(canvas):
        canvas.showPage()
        canvas.linkURL("https://example.org", (10, 10, 60, 30))
        draw_illustration(canvas, "squat", 40, 40, 300, 110, PRIMARY, ACCENT, "Helvetica", 7)

    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(_pdf(draw)))
    assert "/Annots" in reader.pages[1]
    assert "Start" in reader.pages[1].extract_text()


def test_labels_use_the_callers_font():
    pypdf = pytest.importorskip("pypdf")

    def draw(canvas):
        draw_illustration(canvas, "cat-cow", 40, 40, 300, 110, PRIMARY, ACCENT, "Times-Bold", 9)

    data = _pdf(draw)
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Cat" in text and "Cow" in text
    assert b"/BaseFont /Times-Bold" in data


# --- what is drawn ---------------------------------------------------------------------------


def _near(c1, c2, tol):
    return all(abs(a - b) <= tol for a, b in zip(c1, c2, strict=False))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pixels_stay_in_the_box_and_show_the_primary_colour(size):
    pdfium = pytest.importorskip("pypdfium2")
    from PIL import ImageChops

    w, h = size
    x, y, page_w, page_h = 30, 20, w + 60, h + 40
    primary_rgb = tuple(int(PRIMARY[i : i + 2], 16) for i in (1, 3, 5))
    scale = 2
    for name in sorted(SEED_IDS):
        buf = io.BytesIO()
        canvas = Canvas(buf, pagesize=(page_w, page_h))
        draw_illustration(canvas, name, x, y, w, h, PRIMARY, ACCENT, "Helvetica", 7)
        canvas.showPage()
        canvas.save()
        pdf = pdfium.PdfDocument(buf.getvalue())
        image = pdf[0].render(scale=scale).to_pil().convert("RGB")
        pdf.close()
        # Everything drawn lies inside the box (one pixel of anti-aliasing allowed).
        white = image.copy()
        white.paste((255, 255, 255), (0, 0, *image.size))
        drawn = ImageChops.difference(image, white).getbbox()
        assert drawn is not None, name
        box = (x * scale, (page_h - y - h) * scale, (x + w) * scale, (page_h - y) * scale)
        assert drawn[0] >= box[0] - 1 and drawn[1] >= box[1] - 1, (name, drawn, box)
        assert drawn[2] <= box[2] + 1 and drawn[3] <= box[3] + 1, (name, drawn, box)
        # The figure is there, in the primary colour, and fills a fair part of the box.
        colours = image.crop(box).getcolors(1 << 20)
        primary_px = sum(n for n, c in colours if _near(c, primary_rgb, 6))
        assert primary_px > 0.02 * (w * scale) * (h * scale), (name, primary_px)
        assert drawn[2] - drawn[0] > 0.3 * w * scale or drawn[3] - drawn[1] > 0.8 * h * scale


def test_drawing_all_illustrations_is_fast():
    names = sorted(SEED_IDS)
    for name in names:  # parse the pose file and the poses outside the timing
        figures.positions(name)

    def build():
        canvas = Canvas(io.BytesIO())
        for name in names:
            for _ in range(3):
                draw_illustration(canvas, name, 20, 20, 300, 110, PRIMARY, ACCENT, "Helvetica", 7)
        canvas.showPage()
        canvas.save()

    build()
    start = time.perf_counter()
    build()
    # ~10 ms on a laptop; the bound only catches losing the form reuse or the operator cache.
    assert time.perf_counter() - start < 0.25
