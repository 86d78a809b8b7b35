"""`handouts library -o DIR`: the booklet (library.pdf) and the per-exercise sheets."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import library_data, pdf_problems, widgets
from pypdf import PdfReader

from handouts.booklet import PLACEHOLDER_PATIENT, export_library
from handouts.errors import HandoutsError
from handouts.importer import import_free_exercise_db
from handouts.loading import default_library_path, load_library

DATE = dt.date(2026, 1, 5)
DATASET = Path(__file__).resolve().parents[2] / "shared/datasets/free-exercise-db/exercises.json"
SUBSET = 120  # of the data set's 873 exercises: enough photos, fast enough for every run


def words(text: str) -> str:
    """Text with every run of white space made one space (lines wrap where they like)."""
    return " ".join(text.split())


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def contents_numbers(texts: list[str]) -> dict[str, int]:
    """Each contents line's title and page number: the pages after the cover, up to the first
    page a line points at. A line's number may be extracted on a line of its own."""
    found: dict[str, int] = {}
    for number, text in enumerate(texts[1:], start=2):
        if found and number >= min(found.values()):
            break
        pending = None
        for line in (line.strip() for line in text.splitlines()):
            whole = re.fullmatch(r"(.+?)\s+(\d+)", line)
            if line.isdigit() and pending:
                found[pending], pending = int(line), None
            elif whole and not line.startswith("Page "):
                found[whole[1]] = int(whole[2])
            elif line:
                pending = None if line.startswith("Page ") else line
    return found


@pytest.fixture(scope="module")
def lib():
    """The bundled library, as the export reads it (conftest's ``library`` is the raw YAML)."""
    return load_library(default_library_path())


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    out = tmp_path_factory.mktemp("library")
    progress: list[tuple[int, int]] = []
    report = export_library(
        out,
        library=None,
        clinic=None,
        layout=None,
        paper=None,
        jobs=2,
        today=DATE,
        on_progress=lambda d, t: progress.append((d, t)),
    )
    return out, report, progress


@pytest.fixture(scope="module")
def booklet_texts(export):
    return page_texts(export[0] / "library.pdf")


def test_report_says_what_was_written(export, lib):
    out, report, progress = export
    assert report.booklet == out / "library.pdf"
    assert report.sheets == len(lib.exercises) == 13
    assert report.pages == len(PdfReader(report.booklet).pages) > 5
    assert report.seconds > 0
    assert progress[-1] == (13, 13)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert sorted(p.name for p in out.iterdir()) == ["exercises", "library.pdf"]  # no leftovers


def test_cover_names_library_clinic_counts_and_date(booklet_texts, lib):
    cover = words(booklet_texts[0])
    assert lib.title in cover
    assert "Lifestyle Physical Therapy" in cover and "(555) 010-2030" in cover
    assert "13 exercises in 5 categories" in cover
    assert "January 5, 2026" in cover


def test_contents_lists_every_category_and_exercise_with_its_page(booklet_texts, lib):
    numbers = contents_numbers(booklet_texts)
    names = [c.title for c in lib.categories] + [e.name for e in lib.exercises]
    assert set(names) <= set(numbers), set(names) - set(numbers)
    for title in ("Smart Ergonomic Habits", "Common Mistakes to Avoid"):
        assert title in numbers
    for exercise in lib.exercises:
        page = numbers[exercise.name]
        assert exercise.name in booklet_texts[page - 1], (exercise.name, page)
        category = lib.category(exercise.category)
        assert numbers[category.title] <= page
    # A category's heading is never left at the foot of a page: its first card is with it.
    for category in lib.categories:
        first = next(e for e in lib.exercises if e.category == category.id)
        assert numbers[first.name] == numbers[category.title]


def test_outline_has_each_exercise_under_its_category(export, lib):
    reader = PdfReader(export[0] / "library.pdf")
    outline = reader.outline
    tops = [item.title for item in outline if not isinstance(item, list)]
    assert tops[0] == "Contents"
    assert "Smart Ergonomic Habits" in tops and "Common Mistakes to Avoid" in tops
    children: dict[str, list[str]] = {}
    for i, item in enumerate(outline):
        if isinstance(item, list):
            children[outline[i - 1].title] = [child.title for child in item]
    expected = {
        c.title: [e.name for e in lib.exercises if e.category == c.id] for c in lib.categories
    }
    assert children == expected
    assert sum(len(v) for v in children.values()) == 13
    numbers = contents_numbers(page_texts(export[0] / "library.pdf"))
    for item in outline[1:]:
        for entry in item if isinstance(item, list) else [item]:
            assert reader.get_destination_page_number(entry) + 1 == numbers[entry.title]
    assert reader.get_destination_page_number(outline[0]) == 1  # contents: page 2


def test_habits_mistakes_and_guidance_are_in_the_booklet(booklet_texts, lib):
    text = words(" ".join(booklet_texts))
    for tip in lib.tips:
        assert words(tip.text) in text
    for mistake in lib.mistakes:
        assert words(mistake.title) in text and words(mistake.text) in text
    assert "Why Movement Matters" in text
    assert words(lib.guidance["closing"].split("\n")[0]) in text
    assert "Page 1 of" in words(booklet_texts[0])


def test_booklet_is_a_sound_pdf_with_every_card(export, booklet_texts, lib):
    assert pdf_problems(export[0] / "library.pdf") == []
    text = words(" ".join(booklet_texts))
    for exercise in lib.exercises:
        for step in exercise.steps:
            assert words(step) in text, step


def test_one_sheet_per_exercise_with_steps_and_a_week_of_boxes(export, lib):
    out = export[0] / "exercises"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{e.id}.pdf" for e in lib.exercises)
    for exercise in lib.exercises:
        reader = PdfReader(out / f"{exercise.id}.pdf")
        text = words(" ".join(page.extract_text() for page in reader.pages))
        assert exercise.name in text
        for step in exercise.steps:
            assert words(step) in text, (exercise.id, step)
        assert words(lib.guidance["safety"]) in text
        boxes = [w for w in widgets(out / f"{exercise.id}.pdf") if w.annot.get("/FT") == "/Btn"]
        assert len(boxes) == 7, exercise.id
        # A blank write-in for the patient: no name, no placeholder, no printed dates.
        assert "Patient" in text and PLACEHOLDER_PATIENT not in text
        assert "Day 1" in text and "Day 7" in text and "Jan 5" not in text
        assert len(reader.pages) == 1, exercise.id


def test_export_is_byte_identical_for_the_same_inputs(export, tmp_path):
    first = export[0]
    export_library(tmp_path, library=None, clinic=None, layout=None, paper=None, jobs=1, today=DATE)
    assert (tmp_path / "library.pdf").read_bytes() == (first / "library.pdf").read_bytes()
    for sheet in (first / "exercises").iterdir():
        assert (tmp_path / "exercises" / sheet.name).read_bytes() == sheet.read_bytes()


def test_a_bad_library_writes_nothing(tmp_path):
    text = default_library_path().read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        text.replace("category: core-stabilization", "category: core-stabilisation", 1),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(HandoutsError, match="core-stabilisation"):
        export_library(out, library=bad, clinic=None, layout=None, paper=None, today=DATE)
    assert list(out.iterdir()) == []
    with pytest.raises(HandoutsError):
        export_library(tmp_path / "new", library=bad, clinic=None, layout=None, paper=None)
    assert not (tmp_path / "new").exists()


def test_user_text_is_printed_literally(tmp_path):
    text = default_library_path().read_text(encoding="utf-8")
    text = text.replace("name: Bird-Dog", 'name: "Bird-Dog <b>&amp; Co</b>"', 1)
    text = text.replace("title: Core Stabilization", 'title: "Core <i>Stabilization</i>"', 1)
    path = tmp_path / "exercises.yaml"
    path.write_text(text, encoding="utf-8")
    export_library(
        tmp_path / "out",
        library=path,
        clinic=None,
        layout="large-print",
        paper="a4",
        pictures=False,
        today=DATE,
    )
    booklet = words(" ".join(page_texts(tmp_path / "out/library.pdf")))
    assert "Bird-Dog <b>&amp; Co</b>" in booklet
    assert "Core <i>Stabilization</i>" in booklet
    sheet = words(" ".join(page_texts(tmp_path / "out/exercises/bird-dog.pdf")))
    assert "Bird-Dog <b>&amp; Co</b>" in sheet


def test_a_card_longer_than_a_page_flows_on(tmp_path):
    data = library_data()
    bird_dog = next(e for e in data["exercises"] if e["id"] == "bird-dog")
    bird_dog["steps"] = [
        f"Step {i}: " + "Move slowly and keep your back flat. " * 6 for i in range(1, 41)
    ]
    path = tmp_path / "exercises.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = export_library(
        tmp_path / "out", library=path, clinic=None, layout=None, paper=None, today=DATE
    )
    texts = page_texts(report.booklet)
    numbers = contents_numbers(texts)
    first = numbers["Bird-Dog"]
    assert "Step 1:" in texts[first - 1] and "Step 1:" not in texts[first]
    last = next(i for i, text in enumerate(texts, start=1) if "Step 40:" in text)
    assert last > first
    assert numbers["Glute Bridge"] >= last
    sheet = page_texts(tmp_path / "out/exercises/bird-dog.pdf")
    assert len(sheet) > 1 and "Step 40:" in " ".join(sheet)


# --- a big imported library, with photos -------------------------------------------------


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not DATASET.is_file():
        pytest.skip(f"no data set at {DATASET}")
    data = tmp_path_factory.mktemp("subset")
    entries = json.loads(DATASET.read_text(encoding="utf-8"))[:SUBSET]
    (data / "exercises.json").write_text(json.dumps(entries), encoding="utf-8")
    (data / "exercises").symlink_to(DATASET.parent / "exercises", target_is_directory=True)
    out = tmp_path_factory.mktemp("imported")
    import_free_exercise_db(data / "exercises.json", out)
    return out / "exercises.yaml"


def test_imported_library_booklet_embeds_its_photos(imported, tmp_path):
    lib = load_library(imported)
    pictures = {(imported.parent / p).resolve() for e in lib.exercises for p in e.pictures}
    assert pictures, "the subset should have photos"
    start = time.perf_counter()
    report = export_library(
        tmp_path, library=imported, clinic=None, layout=None, paper=None, today=DATE
    )
    seconds = time.perf_counter() - start
    assert report.sheets == len(lib.exercises) == SUBSET
    assert seconds < 90  # loosely: the whole 873-exercise data set takes well under a minute
    with pikepdf.open(report.booklet) as pdf:
        jpegs = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream)
            and obj.get("/Subtype") == "/Image"
            and obj.get("/Filter")
            in (pikepdf.Name.DCTDecode, pikepdf.Array([pikepdf.Name.DCTDecode]))
        ]
    # Each exercise shows up to two photos; every one of those is embedded, once.
    shown = {(imported.parent / p).resolve() for e in lib.exercises for p in e.pictures[:2]}
    assert len(jpegs) == len(shown) > 0
    reader = PdfReader(report.booklet)
    assert sum(len(item) for item in reader.outline if isinstance(item, list)) == SUBSET
