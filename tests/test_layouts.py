"""Layouts and clinic branding (issue "Clinic customisation"), read back from the PDFs: the
four shipped layouts with the whole library in them, paper sizes, type sizes and margins,
layouts that extend others, a clinic's name, logo, colours and footer, and programs."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import (
    HANDOUT_DATE,
    PATIENT,
    REPO,
    article_sentences,
    make_pdf,
    norm,
    page_texts,
    pdf_text,
    reader,
    render_page,
    run_cli,
    widgets,
)

LAYOUTS = ("standard", "compact", "large-print", "tracker")
LETTER, A4 = (612, 792), (595, 842)
SEED_IDS = [
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
]
HABITS = "Ergonomic and Daily Movement Techniques"
MISTAKES = "Common Mistakes to Avoid"

CLINIC_NAME = "Riverside Spine & Sport"
CLINIC_FOOTER = "This program was prescribed for you. Stop and call us if you feel sharp pain."
BLUE, GREEN = "#146ea0", "#2a7d4f"
LOGO_RGB = (200, 30, 160)  # a magenta nothing else on the page uses


def all13_args(*extra: str) -> list[str]:
    args = ["--patient", PATIENT]
    for exercise_id in SEED_IDS:
        args += ["-e", exercise_id]
    return [
        *args,
        "--tips",
        "all",
        "--mistakes",
        "all",
        "--weeks",
        "2",
        "--date",
        HANDOUT_DATE,
        *extra,
    ]


def page_sizes(path: Path) -> list[tuple[int, int]]:
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in reader(path).pages
    ]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def count_near(image, colour: tuple[int, int, int], tol: int = 40, box=None) -> int:
    """Pixels of image (RGB) within tol (Euclidean) of colour, optionally inside box."""
    if box is not None:
        image = image.crop(box)
    data = image.convert("RGB").tobytes()
    r0, g0, b0 = colour
    limit = tol * tol
    return sum(
        1
        for i in range(0, len(data), 3)
        if (data[i] - r0) ** 2 + (data[i + 1] - g0) ** 2 + (data[i + 2] - b0) ** 2 <= limit
    )


# ---------------------------------------------------------------- pdfium's view of the text


def pdfium_chars(path: Path):
    """Every printed (non-space, non-generated) character: (page, char, font size in pt,
    box (left, bottom, right, top) in pt, page (width, height))."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(path)
    out = []
    try:
        for index in range(len(doc)):
            page = doc[index]
            text = page.get_textpage()
            size = page.get_size()
            for i in range(text.count_chars()):
                char = chr(raw.FPDFText_GetUnicode(text, i))
                if char.isspace() or char == "\x00" or raw.FPDFText_IsGenerated(text, i) == 1:
                    continue
                out.append(
                    (index, char, raw.FPDFText_GetFontSize(text, i), text.get_charbox(i), size)
                )
            text.close()
            page.close()
    finally:
        doc.close()
    return out


def font_sizes_of(path: Path, needle: str) -> set[float]:
    """The font sizes (pt, rounded to 0.1) of the first occurrence of needle in the PDF."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(path)
    try:
        for index in range(len(doc)):
            page = doc[index]
            text = page.get_textpage()
            found = text.search(needle, match_case=True).get_next()
            if found:
                start, count = found
                sizes = {
                    round(raw.FPDFText_GetFontSize(text, i), 1)
                    for i in range(start, start + count)
                    if not chr(raw.FPDFText_GetUnicode(text, i)).isspace()
                }
                text.close()
                page.close()
                return sizes
            text.close()
            page.close()
    finally:
        doc.close()
    raise AssertionError(f"{needle!r} is not in {path}")


def pypdf_size_histogram(path: Path) -> Counter:
    """Characters per effective font size (Tf size x the vertical scale of Tm x CTM), as
    pypdf's text visitor sees them."""
    histogram: Counter = Counter()

    def visit(text, cm, tm, font, size):
        text = "".join(text.split())
        if not text:
            return
        # the text matrix applied after the CTM: [tm] x [cm]; the y scale is |(c, d)|
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        histogram[round(size * math.hypot(c, d), 1)] += len(text)

    for page in reader(path).pages:
        page.extract_text(visitor_text=visit)
    return histogram


# ---------------------------------------------------------------- the four layouts, whole


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The 13-exercise handout in each layout (letter, the default paper)."""
    folder = tmp_path_factory.mktemp("layouts")
    return {
        name: make_pdf(folder / f"{name}.pdf", *all13_args("--layout", name)) for name in LAYOUTS
    }


def _wanted_sentences() -> list[str]:
    """The article's exercises (purpose, steps, tips, areas), habits and mistakes."""
    sentences = [
        s.text for s in article_sentences() if s.exercise or s.section in (HABITS, MISTAKES)
    ]
    assert len(sentences) >= 75, len(sentences)
    return list(dict.fromkeys(sentences))


@pytest.mark.parametrize("layout", ["standard", "compact", "large-print"])
def test_every_seed_sentence_reads_back(built, layout):
    text = pdf_text(built[layout])
    missing = [s for s in _wanted_sentences() if norm(s) not in text]
    assert not missing, f"{layout}: {len(missing)} sentences missing: {missing[:5]}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_all_thirteen_exercises_are_named(built, layout, library):
    text = pdf_text(built[layout])
    names = [e["name"] for e in library["exercises"]]
    assert len(names) == 13
    assert [n for n in names if n not in text] == []


def test_tracker_is_a_month_grid_and_no_exercise_steps(built, library):
    path = built["tracker"]
    boxes = widgets(path)
    assert len(boxes) == 13 * 28 == 364  # 2 weeks round up to one 28-day sheet
    assert len({b.name for b in boxes}) == 364
    assert len(reader(path).pages) == 1
    text = pdf_text(path)
    assert "Your Tracking Sheet" in text
    steps = [step for e in library["exercises"] for step in e["steps"]]
    assert [s for s in steps if norm(s) in text] == []
    purposes = [e["purpose"] for e in library["exercises"]]
    assert [p for p in purposes if norm(p) in text] == []
    # 28 days: from the date on, 28 consecutive days label the grid
    for day in ("Nov 25", "Dec 22"):
        assert day in text, day
    assert "Dec 23" not in text


def test_the_week_layouts_have_two_weekly_sheets(built):
    for name in ("standard", "compact", "large-print"):
        assert len(widgets(built[name])) == 13 * 7 * 2, name


def test_compact_takes_fewer_pages_than_standard(built):
    standard, compact = (len(reader(built[n]).pages) for n in ("standard", "compact"))
    assert compact < standard, (compact, standard)


def test_every_layout_is_letter_by_default(built):
    for name, path in built.items():
        sizes = page_sizes(path)
        assert sizes and set(sizes) == {LETTER}, (name, sizes)


# ---------------------------------------------------------------- large print


@pytest.fixture(scope="module")
def large_chars(built):
    return pdfium_chars(built["large-print"])


def test_large_print_is_at_least_90_percent_16pt(built, large_chars):
    """Measured two ways: pdfium's per-character font size, and pypdf's text visitor with the
    size scaled by the text and graphics matrices. Both must agree and pass."""
    sizes = Counter(round(size, 1) for _, _, size, _, _ in large_chars)
    total = sum(sizes.values())
    assert total > 5000  # the whole handout, not a fragment
    fraction = sum(n for s, n in sizes.items() if s >= 15.95) / total
    histogram = pypdf_size_histogram(built["large-print"])
    pypdf_fraction = sum(n for s, n in histogram.items() if s >= 15.95) / sum(histogram.values())
    report = (
        f"pdfium: {fraction:.1%} of {total} characters at 16 pt or more "
        f"(sizes: {sorted(sizes.items())}); pypdf: {pypdf_fraction:.1%}"
    )
    assert fraction >= 0.90, report
    assert pypdf_fraction >= 0.90, report
    assert abs(fraction - pypdf_fraction) < 0.02, report
    # and the body really is 16 pt: the body size is the most common one
    assert sizes.most_common(1)[0][0] == 16.0, report


def test_large_print_keeps_text_out_of_one_inch_margins(large_chars):
    """Every character's box is at least 72 pt from each edge, allowing 1 pt for a glyph's
    ink overhanging its origin (the 'J' of 'Jane' sits 0.8 pt left of the text's start)."""
    overhang = 1.0
    outside = [
        (page + 1, char, tuple(round(v, 1) for v in box))
        for page, char, _, box, (w, h) in large_chars
        if box[0] < 72 - overhang
        or box[1] < 72 - overhang
        or box[2] > w - 72 + overhang
        or box[3] > h - 72 + overhang
    ]
    assert not outside, f"{len(outside)} characters in the margin, e.g. {outside[:5]}"


def test_large_print_steps_are_16pt_and_standard_steps_11pt(built):
    step = "Start on hands and knees."
    assert font_sizes_of(built["large-print"], step) == {16.0}
    assert font_sizes_of(built["standard"], step) == {11.0}


# ---------------------------------------------------------------- paper


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a4_paper_for_every_layout(tmp_path, layout):
    out = make_pdf(tmp_path / "a4.pdf", *all13_args("--layout", layout, "--paper", "a4"))
    sizes = page_sizes(out)
    assert sizes and set(sizes) == {A4}, sizes
    texts = page_texts(out)
    assert all(f"Page {i} of {len(texts)}" in t for i, t in enumerate(texts, 1))


def test_letter_paper_option_overrides_an_a4_layout(tmp_path):
    a4_layout = tmp_path / "a4-standard.yaml"
    a4_layout.write_text("extends: standard\npaper: a4\n", encoding="utf-8")
    out = make_pdf(tmp_path / "a4.pdf", *all13_args("--layout", str(a4_layout)))
    assert set(page_sizes(out)) == {A4}
    out = make_pdf(
        tmp_path / "letter.pdf", *all13_args("--layout", str(a4_layout), "--paper", "letter")
    )
    assert set(page_sizes(out)) == {LETTER}


def test_unknown_paper_is_refused(tmp_path):
    result = run_cli("make", *all13_args("--paper", "a5"), "-o", tmp_path / "x.pdf")
    assert result.exit_code == 1, result.output
    assert "a5" in result.stderr and "letter or a4" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


# ---------------------------------------------------------------- layouts that extend others


SMALL_ARGS = [
    "--patient",
    "X",
    "-e",
    "bird-dog",
    "-e",
    "squat",
    "--weeks",
    "1",
    "--date",
    HANDOUT_DATE,
]
SECTION_MARKS = (
    "Why These Exercises",
    "Your Exercises",
    "Smart Ergonomic Habits",
    "Common Mistakes to Avoid",
    "Listen to your body.",
    "Book your next visit",
    "Your Tracking Sheet",
)


def _order(text: str) -> list[str]:
    present = [m for m in SECTION_MARKS if m in text]
    return sorted(present, key=text.index)


@pytest.fixture(scope="module")
def inherited(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inherit")
    (folder / "body13.yaml").write_text(
        "# only the body size differs\nextends: standard\nsizes: {body: 13}\n", encoding="utf-8"
    )
    (folder / "b.yaml").write_text(
        "extends: standard\ndescription: b\ncolors: {text: '#000000'}\nsizes: {body: 12}\n",
        encoding="utf-8",
    )
    (folder / "c.yaml").write_text("extends: b.yaml\nsizes: {heading: 17}\n", encoding="utf-8")
    return {
        "folder": folder,
        "standard": make_pdf(folder / "standard.pdf", *SMALL_ARGS),
        "body13": make_pdf(folder / "body13.pdf", *SMALL_ARGS, "--layout", folder / "body13.yaml"),
        "c": make_pdf(folder / "c.pdf", *SMALL_ARGS, "--layout", folder / "c.yaml"),
    }


def test_extends_changes_only_the_body_size(inherited):
    std, body13 = inherited["standard"], inherited["body13"]
    step = "Start on hands and knees."
    assert font_sizes_of(body13, step) == {13.0}
    assert font_sizes_of(std, step) == {11.0}
    # everything else as standard: the headings' and title's sizes, sections, order, the sheet
    assert font_sizes_of(body13, "Your Exercises") == font_sizes_of(std, "Your Exercises")
    assert font_sizes_of(body13, "Home Exercise Program") == {22.0}
    std_text, text = pdf_text(std), pdf_text(body13)
    assert _order(text) == _order(std_text) == list(SECTION_MARKS)
    assert len(widgets(body13)) == len(widgets(std)) == 2 * 7
    assert set(page_sizes(body13)) == {LETTER}
    # bigger type, the same words
    assert norm(std_text.split("Your Exercises", 1)[1][:200]) in text


def test_a_chain_of_layouts_merges_each_level(inherited):
    c = inherited["c"]
    step = "Start on hands and knees."
    assert font_sizes_of(c, step) == {12.0}  # from b
    assert font_sizes_of(c, "Your Exercises") == {17.0}  # from c
    assert font_sizes_of(c, "Home Exercise Program") == {22.0}  # from standard
    assert _order(pdf_text(c)) == list(SECTION_MARKS)
    assert len(widgets(c)) == 14


@pytest.mark.parametrize(
    "files, start, message",
    [
        ({"self.yaml": "extends: self.yaml\n"}, "self.yaml", "layout 'self' extends itself"),
        (
            {"x.yaml": "extends: y.yaml\n", "y.yaml": "extends: x.yaml\n"},
            "x.yaml",
            "extends itself",
        ),
        (
            {"a.yaml": "extends: b\n"},  # by name, from ./layouts
            "a",
            "extends itself",
        ),
    ],
)
def test_a_cycle_of_layouts_is_refused(tmp_path, monkeypatch, files, start, message):
    folder = tmp_path / "layouts"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    if start == "a":
        (folder / "b.yaml").write_text("sizes: {body: 12}\nextends: a\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ref = start if "." not in start else str(folder / start)
    result = run_cli("make", *SMALL_ARGS, "--layout", ref, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_an_unknown_parent_says_did_you_mean(tmp_path):
    layout = tmp_path / "mine.yaml"
    layout.write_text("description: mine\nextends: standrd\n", encoding="utf-8")
    result = run_cli("make", *SMALL_ARGS, "--layout", layout, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 1
    assert "mine.yaml:2" in result.stderr, result.stderr
    assert "unknown layout 'standrd'" in result.stderr
    assert "did you mean 'standard'?" in result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_an_unknown_layout_name_says_did_you_mean(tmp_path):
    result = run_cli("make", *SMALL_ARGS, "--layout", "large-prnt", "-o", tmp_path / "o.pdf")
    assert result.exit_code == 1
    assert "did you mean 'large-print'?" in result.stderr, result.stderr


@pytest.mark.parametrize(
    "body, line, field, words",
    [
        ("extends: standard\nsizes:\n  body: big\n", 3, "sizes.body", "number"),
        ("extends: standard\ncolumns: 3\n", 2, "columns", "1, 2"),
        ("extends: standard\npictures: maybe\n", 2, "pictures", "true or false"),
        ("extends: standard\nmargins: {top: 50, left: -5}\n", 2, "margins.left", ""),
        ("extends: standard\nsections: [exercises, tracking, extras]\n", 2, "sections", ""),
        ("extends: standard\ncolors: {text: black}\n", 2, "colors.text", "colour"),
        ("extends: standard\npaper: legal\n", 2, "paper", "letter"),
        ("extends: standard\nfont: comic\n", 2, "font", "sans"),
        ("extends: standard\nsize: {body: 12}\n", 2, "size", "did you mean 'sizes'?"),
    ],
)
def test_bad_fields_in_a_layout_name_file_and_line(tmp_path, body, line, field, words):
    layout = tmp_path / "bad.yaml"
    layout.write_text(body, encoding="utf-8")
    result = run_cli("make", *SMALL_ARGS, "--layout", layout, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    assert f"bad.yaml:{line}: {field}" in err, err
    assert words in err, err
    assert not (tmp_path / "out.pdf").exists()
    # validate finds the same problem
    checked = run_cli("validate", layout)
    assert checked.exit_code == 1
    assert f"bad.yaml:{line}: {field}" in checked.stderr, checked.stderr


def test_layouts_command_lists_the_four_with_descriptions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./layouts here
    result = run_cli("layouts")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 4, lines
    for name in LAYOUTS:
        shipped = yaml.safe_load((REPO / "layouts" / f"{name}.yaml").read_text())
        description = shipped["description"]
        line = next((x for x in lines if x.split()[0] == name), None)
        assert line is not None, (name, lines)
        assert " ".join(line.split()[1:]) == " ".join(description.split()), line


def test_a_layout_in_dot_layouts_is_found_by_name(tmp_path, monkeypatch):
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "riverside.yaml").write_text(
        "extends: compact\ndescription: Riverside's two-column sheet\nsizes: {body: 10.5}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    listing = run_cli("layouts")
    assert listing.exit_code == 0
    assert any(
        line.split()[0] == "riverside" and "Riverside's two-column sheet" in line
        for line in listing.stdout.splitlines()
        if line.strip()
    ), listing.stdout
    out = make_pdf(tmp_path / "r.pdf", *SMALL_ARGS, "--layout", "riverside")
    assert font_sizes_of(out, "Start on hands and knees.") == {10.5}


def test_a_layout_beside_the_plan_is_found_by_name(tmp_path, monkeypatch):
    clinic_dir = tmp_path / "clinic"
    (clinic_dir / "layouts").mkdir(parents=True)
    (clinic_dir / "layouts" / "mine.yaml").write_text(
        "extends: standard\nsizes: {body: 12.5}\n", encoding="utf-8"
    )
    plan = clinic_dir / "plan.yaml"
    plan.write_text(
        f"patient: X\ndate: {HANDOUT_DATE}\nexercises: [bird-dog]\nweeks: 0\nlayout: mine\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run_cli("make", plan, "-o", tmp_path / "p.pdf")
    assert result.exit_code == 0, result.output
    assert font_sizes_of(tmp_path / "p.pdf", "Start on hands and knees.") == {12.5}


# ---------------------------------------------------------------- the clinic's branding


def write_clinic(folder: Path, primary: str = BLUE, logo: str = "logo.png", **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"name: {CLINIC_NAME}",
        f"logo: {logo}",
        f'colors: {{primary: "{primary}", accent: "#f0781e"}}',
        'phone: "(555) 010-2030"',
        "email: frontdesk@example.org",
        "website: https://example.org",
        "address: 12 Mill Lane, Springfield",
        f"footer: {CLINIC_FOOTER}",
        "booking_url: https://example.org/book",
        *(f"{k}: {v}" for k, v in extra.items()),
    ]
    path = folder / "clinic.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_logo(path: Path) -> Path:
    """A 240 x 120 PNG: a magenta field with a white band (a distinctive colour to find)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), LOGO_RGB)
    ImageDraw.Draw(image).rectangle((0, 50, 239, 70), fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


@pytest.fixture(scope="module")
def branded(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("branded")
    write_logo(folder / "logo.png")
    clinic = write_clinic(folder)
    out = {
        name: make_pdf(folder / f"{name}.pdf", *all13_args("--layout", name, "--clinic", clinic))
        for name in LAYOUTS
    }
    green_dir = folder / "green"
    write_logo(green_dir / "logo.png")
    green = write_clinic(green_dir, primary=GREEN)
    out["green"] = make_pdf(
        folder / "green.pdf", *all13_args("--layout", "standard", "--clinic", green)
    )
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clinic_name_on_every_page(branded, layout):
    texts = page_texts(branded[layout])
    assert texts
    missing = [number for number, text in enumerate(texts, start=1) if CLINIC_NAME not in text]
    assert not missing, f"{layout}: the clinic's name is not on pages {missing}"
    assert "Lifestyle Physical Therapy" not in " ".join(texts)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_clinic_footer_on_every_page(branded, layout):
    texts = page_texts(branded[layout])
    assert texts
    missing = [number for number, text in enumerate(texts, start=1) if CLINIC_FOOTER not in text]
    assert not missing, f"{layout}: the footer is not on pages {missing}"


def _image_xobjects(page) -> list:
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    return [
        ref.get_object()
        for ref in xobjects.values()
        if ref.get_object().get("/Subtype") == "/Image"
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_logo_is_drawn_on_page_one(branded, layout):
    path = branded[layout]
    first = reader(path).pages[0]
    sizes = [(int(x["/Width"]), int(x["/Height"])) for x in _image_xobjects(first)]
    assert (240, 120) in sizes, sizes
    # and it prints: the logo's magenta in the page's top-left area
    image = render_page(path, 0, dpi=72)
    w, h = image.size
    top_left = count_near(image, LOGO_RGB, box=(0, 0, w // 2, h // 4))
    assert top_left > 500, top_left
    assert count_near(image, LOGO_RGB) == top_left  # nowhere else on the page


def test_primary_colour_is_used_and_follows_the_clinic(branded):
    blue_pdf, green_pdf = branded["standard"], branded["green"]
    blue_px = [render_page(blue_pdf, i, dpi=50) for i in range(2)]
    green_px = [render_page(green_pdf, i, dpi=50) for i in range(2)]
    blue_in_blue = sum(count_near(im, rgb(BLUE)) for im in blue_px)
    green_in_blue = sum(count_near(im, rgb(GREEN)) for im in blue_px)
    blue_in_green = sum(count_near(im, rgb(BLUE)) for im in green_px)
    green_in_green = sum(count_near(im, rgb(GREEN)) for im in green_px)
    counts = dict(
        blue_in_blue=blue_in_blue,
        green_in_blue=green_in_blue,
        blue_in_green=blue_in_green,
        green_in_green=green_in_green,
    )
    assert blue_in_blue > 1000, counts
    assert green_in_green > 1000, counts
    assert green_in_blue == 0, counts
    assert blue_in_green == 0, counts


# ---------------------------------------------------------------- clinic file errors


def _refused(tmp_path: Path, clinic: Path, *words: str) -> str:
    out = tmp_path / "out.pdf"
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("make", *SMALL_ARGS, "--clinic", clinic, "-o", out)
    assert result.exit_code == 1, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert err.startswith("error: ") and len(err.splitlines()) == 1, err
    for word in words:
        assert word in err, (word, err)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary left either
    return err


def test_missing_logo_names_its_path(tmp_path):
    clinic = write_clinic(tmp_path, logo="art/missing-logo.png")
    _refused(tmp_path, clinic, str(tmp_path / "art" / "missing-logo.png"), "not found")


def test_corrupt_logo_names_its_path(tmp_path):
    import random

    (tmp_path / "logo.png").write_bytes(random.Random(7).randbytes(4000))
    clinic = write_clinic(tmp_path)
    _refused(tmp_path, clinic, str(tmp_path / "logo.png"))


@pytest.mark.parametrize("colour", ["#14g", "blue", "#146ea0ff"])
def test_bad_colour_names_file_and_line(tmp_path, colour):
    write_logo(tmp_path / "logo.png")
    clinic = write_clinic(tmp_path, primary=colour)
    _refused(tmp_path, clinic, "clinic.yaml:3: colors.primary", "#146ea0")


def test_unknown_key_says_did_you_mean(tmp_path):
    write_logo(tmp_path / "logo.png")
    clinic = write_clinic(tmp_path, websit="https://example.org")
    _refused(tmp_path, clinic, "clinic.yaml:10: websit", "did you mean 'website'?")


def test_a_failed_clinic_leaves_an_existing_output_alone(tmp_path):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"%PDF-1.4 an earlier handout")
    clinic = write_clinic(tmp_path, logo="nope.png")
    result = run_cli("make", *SMALL_ARGS, "--clinic", clinic, "-o", out)
    assert result.exit_code == 1
    assert out.read_bytes() == b"%PDF-1.4 an earlier handout"


# ---------------------------------------------------------------- programs


def _card_dosage(text: str, name: str, next_marker: str = "1.") -> str:
    """The dosage line of the card called name: between its purpose and its first step."""
    start = text.index(f" {name} ")
    return text[start:].split(f" {next_marker} ", 1)[0]


def program_args(program_id: str) -> list[str]:
    return ["--patient", "Sam Lee", "--program", program_id, "--date", HANDOUT_DATE]


@pytest.fixture(scope="module")
def program_pdfs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs")
    plan = folder / "plan.yaml"
    plan.write_text(
        f"patient: Sam Lee\ndate: {HANDOUT_DATE}\nprogram: core-starter\n"
        "exercises:\n  - id: side-plank\n    reps: 5\n    hold: 10 seconds\n",
        encoding="utf-8",
    )
    return {
        "core": make_pdf(folder / "core.pdf", *program_args("core-starter")),
        "week1": make_pdf(folder / "week1.pdf", *program_args("low-back-week-1")),
        "plan": make_pdf(folder / "plan.pdf", plan),
    }


def test_program_gives_its_exercises_and_dosages(program_pdfs, library):
    by_id = {e["id"]: e for e in library["exercises"]}
    for key, program_id in (("core", "core-starter"), ("week1", "low-back-week-1")):
        program = next(p for p in library["programs"] if p["id"] == program_id)
        text = pdf_text(program_pdfs[key])
        assert program["title"] in text
        chosen = [entry["id"] for entry in program["exercises"]]
        for entry in program["exercises"]:
            exercise = by_id[entry["id"]]
            line = _card_dosage(text, exercise["name"])
            if "sets" in entry:
                set_word = "set" if entry["sets"] == 1 else "sets"
                assert f"{entry['sets']} {set_word} × {entry['reps']} reps" in line, line
            elif "reps" in entry:
                assert f"{entry['reps']} reps" in line and " set" not in line, line
            if "hold" in entry:
                assert f"hold {entry['hold']}" in line, line
        for other in set(by_id) - set(chosen):
            assert by_id[other]["purpose"] not in text, (key, other)
        assert len(widgets(program_pdfs[key])) == len(chosen) * 7 * program["weeks"]


def test_low_back_week_one_dosages_are_not_the_exercise_defaults(program_pdfs):
    text = pdf_text(program_pdfs["week1"])
    assert "1 set × 10 reps · daily" in _card_dosage(text, "Cat-Cow Stretch")
    assert "1 set × 8 reps · daily" in _card_dosage(text, "Hip Hinge")
    assert "2 sets × 10 reps" not in text  # the library's default for both


def test_a_plan_entry_overrides_the_programs_dosage(program_pdfs):
    core, plan = pdf_text(program_pdfs["core"]), pdf_text(program_pdfs["plan"])
    assert "2 sets × 3 reps · hold 15–30 seconds · each side" in _card_dosage(core, "Side Plank")
    line = _card_dosage(plan, "Side Plank")
    assert "2 sets × 5 reps · hold 10 seconds · each side" in line, line
    # the other four keep the program's dosage, and the order is the program's
    for name in ("Bird-Dog", "Glute Bridge", "Dead Bug", "Diaphragmatic Breathing"):
        assert _card_dosage(plan, name) == _card_dosage(core, name), name
    sheet = plan[plan.index("Your Tracking Sheet") :]
    names = ["Bird-Dog", "Glute Bridge", "Dead Bug", "Side Plank", "Diaphragmatic Breathing"]
    positions = [sheet.index(f"{i}. {n}") for i, n in enumerate(names, 1)]
    assert positions == sorted(positions)
