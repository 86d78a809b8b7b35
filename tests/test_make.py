"""`handouts make`, end to end: what a patient, a therapist and a print shop would check by
reading the PDF back (text, form fields, metadata, fonts, pixels)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import (
    HANDOUT_DATE,
    PATIENT,
    article_exercise_names,
    article_sentences,
    make_pdf,
    norm,
    page_texts,
    pdf_problems,
    pdf_text,
    pdfium_page_texts,
    reader,
    render_page,
    run_cli,
    widgets,
)

DAYS = 7
BASE14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic",
    "Symbol", "ZapfDingbats",
}  # fmt: skip
SAFETY = "Mild muscle soreness is fine; sharp pain isn’t."


def bundled_clinic() -> dict:
    from handouts.make import bundled_clinic_path

    return yaml.safe_load(bundled_clinic_path().read_text(encoding="utf-8"))


def _missing(sentences, text: str) -> list[str]:
    return [s for s in dict.fromkeys(sentences) if norm(s) not in text]


# ---------------------------------------------------------------- the article, read back


def test_every_program_sentence_of_the_article_reads_back(all13_pdf):
    """All 13 exercises (purpose, steps, pro tips, areas, cautions), the 4 habits, the 4
    mistakes, the habits' and home-program paragraphs: word for word from the article."""
    sentences = article_sentences()
    category_sections = {s.section for s in sentences if s.exercise}
    wanted = [
        s.text for s in sentences if not (s.intro and s.section in category_sections)
    ]  # category intros: below
    assert len(wanted) >= 80  # the parser found the article's program, not a fragment of it
    text = pdf_text(all13_pdf)
    missing = _missing(wanted, text)
    assert not missing, f"{len(missing)} article sentences are not in the handout: {missing}"


def test_every_exercise_is_named_as_in_the_article(all13_pdf):
    names = article_exercise_names()
    assert len(names) == 11  # the numbered ones; foam rolling and breathing have no number
    text = pdf_text(all13_pdf)
    assert not _missing(names, text)


def test_safety_line_is_printed_apart_from_the_mistakes_list(all13_pdf):
    text = pdf_text(all13_pdf)
    # once as the 'Ignoring pain signals' mistake, once as the safety callout
    assert text.count(SAFETY) >= 2, text.count(SAFETY)
    assert f"Listen to your body. {SAFETY}" in text


def test_category_intros_of_the_article_read_back(all13_pdf):
    sentences = article_sentences()
    text = pdf_text(all13_pdf)
    missing = _missing([s.text for s in sentences], text)
    assert not missing, f"{len(missing)} article sentences are not in the handout: {missing}"


# ---------------------------------------------------------------- the tracking sheet's boxes


@pytest.fixture(scope="module")
def all13_widgets(all13_pdf):
    return widgets(all13_pdf)


def test_checkboxes_are_fillable_buttons_with_two_states(all13_pdf, all13_widgets, seed_ids):
    boxes = all13_widgets
    assert len(boxes) == len(seed_ids) * DAYS * 2 >= 182
    names = [w.name for w in boxes]
    assert len(set(names)) == len(names), "checkbox names must be unique"
    for w in boxes:
        a = w.annot
        assert a["/FT"] == "/Btn", w.name
        assert not int(a.get("/Ff", 0)) & (1 << 15 | 1 << 16), f"{w.name} is not a checkbox"
        normal = a["/AP"]["/N"]
        assert {"/Yes", "/Off"} <= set(normal.keys()), w.name
        assert a["/AS"] == "/Off", w.name
        assert int(a["/F"]) & 4, f"{w.name} does not print (flag bit 3)"
        x1, y1, x2, y2 = w.rect
        assert 8 <= x2 - x1 <= 40 and abs((x2 - x1) - (y2 - y1)) < 0.01, w.rect
        off = normal["/Off"].get_object()
        assert off.get_data().strip() == b"", f"{w.name}: the Off appearance draws something"
        assert off.get_data() != normal["/Yes"].get_object().get_data()


def test_checkboxes_are_all_in_the_acroform(all13_pdf, all13_widgets):
    r = reader(all13_pdf)
    form = r.trailer["/Root"]["/AcroForm"]
    listed = [ref.get_object() for ref in form["/Fields"]]
    assert len(listed) == len(all13_widgets)
    assert {str(f["/T"]) for f in listed} == {w.name for w in all13_widgets}
    # /NeedAppearances true would make viewers redraw (and often restyle) every box
    assert form.get("/NeedAppearances") in (None, False)
    assert len(r.get_fields()) == len(all13_widgets)


def _px(rect, page_height, dpi):
    s = dpi / 72
    x1, y1, x2, y2 = rect
    top, bottom = page_height - y2, page_height - y1
    return round(x1 * s), round(top * s), round(x2 * s), round(bottom * s)


def _edges_dark(gray, box, band=2, dark=170) -> list[str]:
    """The sides of the box whose outline is not drawn (a dark pixel near the edge all along)."""
    left, top, right, bottom = box
    pix = gray.load()
    bad = []
    spans = {
        "left": [(x, y) for y in range(top + 3, bottom - 2) for x in [left]],
        "right": [(x, y) for y in range(top + 3, bottom - 2) for x in [right]],
        "top": [(x, y) for x in range(left + 3, right - 2) for y in [top]],
        "bottom": [(x, y) for x in range(left + 3, right - 2) for y in [bottom]],
    }
    for side, points in spans.items():
        hits = 0
        for x, y in points:
            if side in ("left", "right"):
                near = [pix[x + d, y] for d in range(-band, band + 1)]
            else:
                near = [pix[x, y + d] for d in range(-band, band + 1)]
            hits += min(near) < dark
        if hits < 0.9 * len(points):
            bad.append(side)
    return bad


def _interior(gray, box, inset=4):
    left, top, right, bottom = box
    return gray.crop((left + inset, top + inset, right - inset + 1, bottom - inset + 1))


def test_each_box_prints_as_an_outline_with_a_light_inside(all13_pdf, all13_widgets):
    """Printed on paper (no form layer), every checkbox is an empty square for a pen."""
    dpi = 100
    pages = sorted({w.page for w in all13_widgets})
    height = float(reader(all13_pdf).pages[pages[0]].mediabox.height)
    problems = []
    for index in pages:
        gray = render_page(all13_pdf, index, dpi, forms=False).convert("L")
        for w in (w for w in all13_widgets if w.page == index):
            box = _px(w.rect, height, dpi)
            sides = _edges_dark(gray, box)
            lo, hi = _interior(gray, box).getextrema()
            if sides or lo < 200:
                problems.append((w.name, sides, lo))
    assert not problems, problems[:10]


def test_ticking_a_box_shows_a_tick_and_unticked_boxes_stay_empty(
    all13_pdf, all13_widgets, tmp_path
):
    """A viewer shows /Yes when the patient taps a box; /Off leaves the printed square empty."""
    dpi = 100
    target = all13_widgets[0]
    neighbour = next(w for w in all13_widgets if w.page == target.page and w is not target)
    ticked = tmp_path / "ticked.pdf"
    with pikepdf.open(all13_pdf) as pdf:
        for annot in pdf.pages[target.page].obj["/Annots"]:
            if str(annot.get("/T")) == target.name:
                annot["/AS"] = pikepdf.Name("/Yes")
                annot["/V"] = pikepdf.Name("/Yes")
        pdf.save(ticked)
    height = float(reader(all13_pdf).pages[target.page].mediabox.height)
    gray = render_page(ticked, target.page, dpi, forms=True).convert("L")
    lo, _ = _interior(gray, _px(target.rect, height, dpi)).getextrema()
    assert lo < 150, "the ticked box shows no tick"
    box = _px(neighbour.rect, height, dpi)
    lo, _ = _interior(gray, box).getextrema()
    assert lo >= 200, "an unticked box is not empty when form fields are drawn"
    assert not _edges_dark(gray, box), "the Off appearance hides the printed outline"


# ---------------------------------------------------------------- document information


def test_metadata_names_patient_author_subject_language_and_date(all13_pdf):
    r = reader(all13_pdf)
    info = r.metadata
    assert PATIENT in info["/Title"]
    assert info["/Author"] == bundled_clinic()["name"]  # no therapist given: the clinic
    assert "Bird-Dog" in info["/Subject"] and "Diaphragmatic Breathing" in info["/Subject"]
    assert r.trailer["/Root"]["/Lang"] == "en-US"
    assert info["/CreationDate"].startswith("D:" + HANDOUT_DATE.replace("-", ""))


def test_every_page_says_page_x_of_y(all13_pdf):
    texts = page_texts(all13_pdf)
    n = len(texts)
    assert n >= 2
    # pypdf reads the page count from the form XObject it is drawn in; pdfium is a second
    # opinion (it, too, extracts text inside form XObjects).
    for extractor, pages in (("pypdf", texts), ("pdfium", pdfium_page_texts(all13_pdf))):
        assert len(pages) == n
        for i, text in enumerate(pages, start=1):
            found = re.findall(r"Page (\d+) of (\d+)", text)
            assert found == [(str(i), str(n))], (extractor, i, found)


def test_clinic_name_and_footer_on_every_page(all13_pdf):
    clinic = bundled_clinic()
    for i, text in enumerate(page_texts(all13_pdf), start=1):
        assert clinic["name"] in text, i
        assert norm(clinic["footer"]) in text, i


def test_a_clinic_file_brands_every_page(tmp_path):
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(
        'name: Riverside Spine & Sport\nfooter: "Questions? Call <us> at 555-0100 & ask."\n'
        'colors: {primary: "#2a7a3a", accent: "#aa3300"}\n',
        encoding="utf-8",
    )
    out = make_pdf(
        tmp_path / "c.pdf",
        "--patient",
        "Al",
        "-e",
        "bird-dog",
        "-e",
        "squat",
        "--weeks",
        "1",
        "--clinic",
        clinic,
        "--date",
        HANDOUT_DATE,
    )
    texts = page_texts(out)
    assert len(texts) >= 2
    for text in texts:
        assert "Riverside Spine & Sport" in text
        assert "Questions? Call <us> at 555-0100 & ask." in text
    assert "Lifestyle Physical Therapy" not in " ".join(texts)
    assert reader(out).metadata["/Author"] == "Riverside Spine & Sport"


# ---------------------------------------------------------------- pagination


def _in_order(text: str, parts: list[str]) -> str | None:
    """The first part not found after the previous one, or None if all appear in order."""
    at = 0
    for part in parts:
        found = text.find(norm(part), at)
        if found < 0:
            return part
        at = found + len(norm(part))
    return None


def test_no_exercise_card_is_split_across_pages(all13_pdf, library):
    texts = page_texts(all13_pdf)
    for exercise in library["exercises"]:
        body = [
            exercise["purpose"],
            *exercise["steps"],
            *(exercise.get("areas", {}).get("items", [])),
            *exercise.get("tips", []),
            *exercise.get("cautions", []),
        ]
        pages = [i for i, t in enumerate(texts) if norm(exercise["purpose"]) in t]
        assert len(pages) == 1, (exercise["id"], pages)
        page = texts[pages[0]]
        lost = _in_order(page, [exercise["name"], *body])
        assert lost is None, f"{exercise['id']}: '{lost}' is not on page {pages[0] + 1}"


def test_each_weeks_grid_is_on_one_page(all13_pdf, all13_widgets, library):
    texts = page_texts(all13_pdf)
    rows = [f"{i}. {e['name']}" for i, e in enumerate(library["exercises"], start=1)]
    for week in (1, 2):
        pages = [i for i, t in enumerate(texts) if f"Week {week} ·" in t]
        assert len(pages) == 1, (week, pages)
        text = texts[pages[0]]
        grid = text[text.index(f"Week {week} ·") :]
        lost = _in_order(grid, [*rows, "Pain today (0–10)", "Notes:"])
        assert lost is None, f"week {week}: '{lost}' is not on the grid's page"
    # and the boxes: one page holds each week's 13 x 7
    per_page = {}
    for w in all13_widgets:
        per_page[w.page] = per_page.get(w.page, 0) + 1
    assert sorted(per_page.values()) == [13 * DAYS, 13 * DAYS]


def test_the_booking_block_moves_whole_to_the_next_page():
    """However much text comes first, every block lands somewhere: the handout builds."""
    from handouts.make import HandoutRequest, build, open_library

    lib = open_library(None)
    crashed = []
    # the note pushes everything after it down ~45 pt a step, over more than a page's
    # height of positions for the booking block (a note of 42 lines still fits one page)
    for lines in range(0, 43, 3):
        notes = "\n".join(f"Line {i}" for i in range(lines)) or None
        request = HandoutRequest(
            patient="X", exercises=["bird-dog"], weeks=0, date=HANDOUT_DATE, notes=notes
        )
        try:
            _, rendered = build(request, library=lib)
        except Exception as exc:  # noqa: BLE001 - any crash is the finding
            crashed.append((lines, type(exc).__name__))
            continue
        if lines == 0:
            assert "Book your next visit" in pdf_text(rendered.pdf)
    assert not crashed, f"note lines -> crash: {crashed}"


def test_a_long_note_from_the_therapist_flows_onto_the_next_page():
    from handouts.make import HandoutRequest, build, open_library

    notes = ("Walk for ten minutes after lunch, then rest. " * 120)[:4990]
    request = HandoutRequest(
        patient="X", exercises=["bird-dog"], weeks=0, date=HANDOUT_DATE, notes=notes
    )
    try:
        _, rendered = build(request, library=open_library(None))
    except Exception as exc:  # noqa: BLE001 - the crash is the finding
        raise AssertionError(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    text = pdf_text(rendered.pdf)
    assert text.count("Walk for ten minutes after lunch, then rest.") == notes.count(
        "Walk for ten minutes after lunch, then rest."
    )


# ---------------------------------------------------------------- fonts and structure


def _fonts_in(resources, seen: set, where: str):
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for name, ref in (resources.get("/Font") or {}).items():
        yield f"{where} {name}", ref.get_object()
    for name, ref in (resources.get("/XObject") or {}).items():
        key = getattr(ref, "idnum", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts_in(xobject.get("/Resources"), seen, f"{where} > {name}")


def _all_fonts(path):
    r = reader(path)
    seen: set = set()
    for i, page in enumerate(r.pages, start=1):
        yield from _fonts_in(page.get("/Resources"), seen, f"page {i}")
        for ref in page.get("/Annots") or []:
            appearances = ref.get_object().get("/AP", {}).get("/N", {})
            for state, stream in appearances.items():
                resources = stream.get_object().get("/Resources")
                yield from _fonts_in(resources, seen, f"page {i} {state}")


def test_every_font_is_embedded(all13_pdf):
    fonts = list(_all_fonts(all13_pdf))
    assert fonts, "no fonts found at all"
    problems = []
    for where, font in fonts:
        base = str(font.get("/BaseFont", "")).lstrip("/")
        if base.split("+")[-1] in BASE14:
            problems.append(f"{where}: base-14 font {base}")
        if font.get("/Subtype") == "/Type3":
            continue  # glyphs are drawn by the font's own procedures
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            problems.append(f"{where}: {base} is not embedded")
    assert not problems, problems


def test_qpdf_check_is_clean(all13_pdf):
    assert pdf_problems(all13_pdf) == []


# ---------------------------------------------------------------- reproducible, atomic output


def _all13_args(seed_ids, date=HANDOUT_DATE):
    args = ["--patient", PATIENT]
    for exercise_id in seed_ids:
        args += ["-e", exercise_id]
    return [*args, "--tips", "all", "--mistakes", "all", "--weeks", "2", "--date", date]


def test_same_options_and_date_give_the_same_bytes(all13_pdf, seed_ids, tmp_path):
    again = make_pdf(tmp_path / "again.pdf", *_all13_args(seed_ids))
    assert again.read_bytes() == all13_pdf.read_bytes()
    # a fresh process with another hash seed: no set or dict order leaks into the file
    other = tmp_path / "other.pdf"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "handouts", "make", *_all13_args(seed_ids), "-o", str(other)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert other.read_bytes() == all13_pdf.read_bytes()


def test_another_date_gives_other_bytes(all13_pdf, seed_ids, tmp_path):
    later = make_pdf(tmp_path / "later.pdf", *_all13_args(seed_ids, "2026-12-02"))
    assert later.read_bytes() != all13_pdf.read_bytes()
    assert reader(later).metadata["/CreationDate"].startswith("D:20261202")
    assert "December 2, 2026" in pdf_text(later)


@pytest.mark.parametrize(
    "bad",
    [
        ["-e", "bird-dgo"],
        ["-e", "bird-dog", "--date", "2026-02-30"],
        ["-e", "bird-dog", "--paper", "b5"],
    ],
)
def test_a_failed_run_leaves_the_existing_file_as_it_was(tmp_path, bad):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.4 the handout printed last week\n")
    os.utime(out, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = out.stat()
    result = run_cli("make", "--patient", "Jane", *bad, "-o", out)
    assert result.exit_code == 1, result.output
    assert out.read_bytes() == b"%PDF-1.4 the handout printed last week\n"
    assert out.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"], "a temporary file was left"


def test_a_successful_run_replaces_the_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"old")
    make_pdf(out, "--patient", "Jane", "-e", "squat", "--weeks", "0", "--date", HANDOUT_DATE)
    assert "Squat" in pdf_text(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


# ---------------------------------------------------------------- plans and options


PLAN = """\
patient: Pat Plan
date: 2026-03-02
therapist: Alex Kim, PT
exercises:
  - squat
  - id: bird-dog
    sets: 3
    reps: 12
    notes: Pause at the top.
  - glute-bridge
tips: none
mistakes: [ignoring-pain-signals]
weeks: 1
notes: Call us if pain spreads below the knee.
"""


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan_pdf(plan_file) -> Path:
    return make_pdf(plan_file.with_name("plan.pdf"), plan_file)


def _section(text: str, start: str, end: str) -> str:
    a = text.index(start)
    b = text.find(end, a)
    return text[a : b if b >= 0 else len(text)]


def test_plan_dosage_overrides_and_notes_show_on_the_card(plan_pdf):
    text = pdf_text(plan_pdf)
    bird = _section(text, "Bird-Dog", "Glute Bridge")
    assert "3 sets × 12 reps · hold 3–5 seconds · alternate sides · daily" in bird
    assert "Your therapist’s note: Pause at the top." in bird
    squat = _section(text, "Squat", "Bird-Dog")
    assert "2 sets × 10 reps" in squat  # the library's dosage where the plan sets none
    assert "Pause at the top." not in squat


def test_plan_order_and_fields_are_kept(plan_pdf):
    text = pdf_text(plan_pdf)
    cards = _section(text, "Your Exercises", "Your Tracking Sheet")
    assert _in_order(cards, ["1 Squat", "2 Bird-Dog", "3 Glute Bridge"]) is None, cards
    sheet = text[text.index("Your Tracking Sheet") :]
    assert _in_order(sheet, ["1. Squat", "2. Bird-Dog", "3. Glute Bridge"]) is None
    assert "Call us if pain spreads below the knee." in text
    assert "Therapist Alex Kim, PT" in text
    assert "March 2, 2026" in text
    assert "Smart Ergonomic Habits" not in text and "Keep screens at eye level." not in text
    assert "Ignoring pain signals." in text
    assert "Skipping core work." not in text and "Forgetting posture." not in text
    info = reader(plan_pdf).metadata
    assert "Pat Plan" in info["/Title"]
    assert info["/Author"] == "Alex Kim, PT"
    assert info["/CreationDate"].startswith("D:20260302")
    assert len(widgets(plan_pdf)) == 3 * DAYS * 1
    assert "Week 1 ·" in text and "Week 2" not in text


def test_options_override_the_plan(plan_file, tmp_path):
    out = make_pdf(tmp_path / "o.pdf", plan_file, "--patient", "Other Person", "--weeks", "3")
    text = pdf_text(out)
    assert "Other Person" in text and "Pat Plan" not in text
    assert "Other Person" in reader(out).metadata["/Title"]
    assert all(f"Week {w} ·" in text for w in (1, 2, 3)) and "Week 4" not in text
    assert len(widgets(out)) == 3 * DAYS * 3
    assert "3 sets × 12 reps" in text  # the rest of the plan still applies


def test_zero_weeks_means_no_tracking_sheet_and_no_boxes(plan_file, tmp_path):
    out = make_pdf(tmp_path / "o.pdf", plan_file, "--weeks", "0")
    text = pdf_text(out)
    assert "Your Tracking Sheet" not in text and "Week 1" not in text
    assert "Pain today" not in text
    assert widgets(out) == []
    assert "Pat Plan" in text and "3 sets × 12 reps" in text


def test_program_gives_its_exercises(tmp_path, library):
    out = make_pdf(
        tmp_path / "p.pdf", "--patient", "X", "--program", "core-starter", "--date", HANDOUT_DATE
    )
    program = next(p for p in library["programs"] if p["id"] == "core-starter")
    by_id = {e["id"]: e["name"] for e in library["exercises"]}
    names = [by_id[e["id"]] for e in program["exercises"]]
    text = pdf_text(out)
    sheet = text[text.index("Your Tracking Sheet") :]
    assert _in_order(sheet, [f"{i}. {n}" for i, n in enumerate(names, 1)]) is None
    for other in set(by_id.values()) - set(names):
        assert other not in text
    assert program["title"] in text
    assert len(widgets(out)) == len(names) * DAYS * program["weeks"]


@pytest.fixture(scope="module")
def bird_only(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sel")

    def build(*args):
        name = "-".join(a.strip("-") for a in args) or "default"
        return pdf_text(
            make_pdf(
                folder / f"{name}.pdf",
                "--patient",
                "X",
                "-e",
                "bird-dog",
                "--weeks",
                "0",
                "--date",
                HANDOUT_DATE,
                *args,
            )
        )

    return build


def test_tips_and_mistakes_none_leave_the_sections_out(bird_only, library):
    text = bird_only("--tips", "none", "--mistakes", "none")
    for tip in library["tips"]:
        assert tip["text"] not in text
    for mistake in library["mistakes"]:
        assert mistake["title"] not in text
    assert "Smart Ergonomic Habits" not in text and "Common Mistakes to Avoid" not in text
    assert f"Listen to your body. {SAFETY}" in text  # the safety line is always there
    everything = bird_only()
    assert "Smart Ergonomic Habits" in everything and "Common Mistakes to Avoid" in everything


def test_one_tip_by_id(tmp_path, library):
    # glute-bridge, not bird-dog: see test_the_booking_block_moves_whole_to_the_next_page
    text = pdf_text(
        make_pdf(
            tmp_path / "t.pdf",
            "--patient",
            "X",
            "-e",
            "glute-bridge",
            "--weeks",
            "0",
            "--date",
            HANDOUT_DATE,
            "--tips",
            "screens-eye-level",
            "--mistakes",
            "too-much-too-soon",
        )
    )
    assert "Keep screens at eye level." in text
    for tip in library["tips"][1:]:
        assert tip["text"] not in text
    assert "Doing too much, too soon. Start slow; gradual progress wins." in text
    for mistake in library["mistakes"][1:]:
        assert mistake["title"] not in text


def test_a4_paper(tmp_path):
    out = make_pdf(
        tmp_path / "a4.pdf",
        "--patient",
        "X",
        "-e",
        "bird-dog",
        "-e",
        "squat",
        "--paper",
        "a4",
        "--date",
        HANDOUT_DATE,
    )
    pages = reader(out).pages
    assert len(pages) >= 2
    for page in pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    texts = page_texts(out)
    assert all(f"Page {i} of {len(texts)}" in t for i, t in enumerate(texts, 1))


# ---------------------------------------------------------------- pictures


def _forms(path) -> dict[tuple, int]:
    """Every form XObject the pages use (recursively): {object id: pages that use it}."""
    r = reader(path)
    used: dict[tuple, set] = {}

    def walk(resources, page):
        resources = resources.get_object() if resources is not None else None
        for ref in ((resources or {}).get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") != "/Form":
                continue
            key = (ref.idnum, ref.generation)
            first = key not in used
            used.setdefault(key, set()).add(page)
            if first:
                walk(obj.get("/Resources"), page)

    for i, page in enumerate(r.pages):
        walk(page.get("/Resources"), i)
    return {k: len(v) for k, v in used.items()}


def _images(path) -> int:
    r = reader(path)
    return sum(
        1
        for page in r.pages
        for ref in ((page.get("/Resources") or {}).get("/XObject") or {}).values()
        if ref.get_object().get("/Subtype") == "/Image"
    )


@pytest.fixture(scope="module")
def all13_no_pictures(tmp_path_factory, seed_ids):
    out = tmp_path_factory.mktemp("nopics") / "out.pdf"
    return make_pdf(out, *_all13_args(seed_ids), "--no-pictures")


def test_no_pictures_leaves_out_every_illustration(all13_pdf, all13_no_pictures, seed_ids):
    from handouts.render.figures import available

    with_pictures, without = _forms(all13_pdf), _forms(all13_no_pictures)
    illustrated = [i for i in seed_ids if i in available()]
    assert len(illustrated) == 13
    # one form per illustration with pictures; without, only the page furniture is left
    assert len(with_pictures) - len(without) == len(illustrated)
    assert _images(all13_no_pictures) == 0
    assert "Start End" in pdf_text(all13_pdf) and "Start End" not in pdf_text(all13_no_pictures)
    # the words stay the same
    assert pdf_text(all13_pdf).count("Pro tip:") == pdf_text(all13_no_pictures).count("Pro tip:")


def test_a_repeated_illustration_is_one_form_xobject(tmp_path):
    """Bird-dog twice (on two pages): its figure is stored once and drawn twice."""
    args = [
        "--patient",
        "X",
        "-e",
        "bird-dog",
        "-e",
        "squat",
        "-e",
        "bird-dog",
        "--weeks",
        "0",
        "--date",
        HANDOUT_DATE,
    ]
    with_pictures = make_pdf(tmp_path / "p.pdf", *args)
    without = make_pdf(tmp_path / "n.pdf", *args, "--no-pictures")
    texts = page_texts(with_pictures)
    bird_pages = [i for i, t in enumerate(texts) if "Strengthens your core, glutes" in t]
    assert len(bird_pages) == 2, "the test needs the two bird-dog cards on two pages"
    forms, plain = _forms(with_pictures), _forms(without)
    # bird-dog and squat: two figures, not one per card and not one per page
    assert len(forms) - len(plain) == 2, forms
