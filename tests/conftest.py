"""Shared fixtures and read-back helpers: every check reads the PDF the way a user's tools would.

* ``pdf_text`` / ``page_texts``: the words pypdf extracts (what copy-paste and screen readers get)
* ``widgets``: the fillable checkboxes, found by walking each page's /Annots
* ``render_page``: the page as pixels (pypdfium2), to check what prints
* ``article_sentences``: the seed article's exercise sections, cut into the sentences a
  handout with everything in it must contain
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO.parent / "shared" / "seeds" / "000_c97ec667eb11674d.txt"
LIBRARY_FILE = REPO / "exercises.yaml"
HANDOUT_DATE = "2026-11-25"
PATIENT = "Jane Q. Doe"


# ---------------------------------------------------------------- running the command line


def run_cli(*args: str | Path):
    """`handouts ARGS` in-process; the result has exit_code, stdout, stderr, output."""
    from handouts.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def make_pdf(out: Path, *args: str | Path) -> Path:
    """`handouts make ARGS -o OUT`, which must succeed; returns OUT."""
    result = run_cli("make", *args, "-o", out)
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return out


# ---------------------------------------------------------------- the library and its ids


def library_data() -> dict:
    return yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def library() -> dict:
    return library_data()


@pytest.fixture(scope="session")
def seed_ids(library) -> list[str]:
    """The 13 exercise ids of the bundled library, in library order."""
    ids = [e["id"] for e in library["exercises"]]
    assert len(ids) == 13, ids
    return ids


@pytest.fixture(scope="session")
def all13_pdf(tmp_path_factory, seed_ids) -> Path:
    """The handout with everything in it: all 13 exercises, all tips and mistakes, 2 weeks."""
    out = tmp_path_factory.mktemp("all13") / "out.pdf"
    args = ["--patient", PATIENT]
    for exercise_id in seed_ids:
        args += ["-e", exercise_id]
    args += ["--tips", "all", "--mistakes", "all", "--weeks", "2", "--date", HANDOUT_DATE]
    return make_pdf(out, *args)


# ---------------------------------------------------------------- reading PDFs back


def norm(text: str) -> str:
    """Whitespace collapsed to single spaces; a line break after a hyphen closed up."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


_TEXTS: dict[tuple, list[str]] = {}


def page_texts(path: Path | bytes) -> list[str]:
    """Each page's extracted text (pypdf), whitespace-normalised (cached per file version)."""
    if isinstance(path, bytes):
        return [norm(page.extract_text() or "") for page in _reader(path).pages]
    info = Path(path).stat()
    key = (str(Path(path).resolve()), info.st_mtime_ns, info.st_size)
    if key not in _TEXTS:
        _TEXTS[key] = [norm(page.extract_text() or "") for page in _reader(path).pages]
    return list(_TEXTS[key])


def pdf_text(path: Path | bytes) -> str:
    """All pages' text joined, whitespace-normalised."""
    return " ".join(page_texts(path))


def _reader(path: Path | bytes):
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(path) if isinstance(path, bytes) else path)


@dataclass(frozen=True)
class Widget:
    name: str
    page: int  # 0-based
    rect: tuple[float, float, float, float]
    annot: object  # the pypdf dictionary


def widgets(path: Path | bytes) -> list[Widget]:
    """Every form-field widget on every page, in page order."""
    found = []
    for index, page in enumerate(_reader(path).pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                continue
            rect = tuple(float(v) for v in annot["/Rect"])
            found.append(Widget(str(annot.get("/T")), index, rect, annot))
    return found


def fields(path: Path | bytes) -> dict:
    """The document's form fields by name (pypdf's view of the /AcroForm)."""
    return _reader(path).get_fields() or {}


def reader(path: Path | bytes):
    return _reader(path)


def render_page(path: Path | bytes, index: int, dpi: float = 100, *, forms: bool = False):
    """Page `index` as a PIL image. forms=False draws page content only (no widgets)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        if forms:
            doc.init_forms()
        page = doc[index]
        bitmap = page.render(scale=dpi / 72, may_draw_forms=forms, draw_annots=forms)
        image = bitmap.to_pil().convert("RGB")
        page.close()
        return image
    finally:
        doc.close()


def pdfium_page_texts(path: Path | bytes) -> list[str]:
    """Each page's text as pdfium extracts it (a second, independent text extractor)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        out = []
        for page in doc:
            textpage = page.get_textpage()
            out.append(norm(textpage.get_text_range()))
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def pdf_problems(path: Path) -> list[str]:
    """qpdf's structural check (`qpdf --check`): the list of problems, empty when clean."""
    import pikepdf

    with pikepdf.open(path) as pdf:
        check = getattr(pdf, "check_pdf_syntax", None) or pdf.check  # pikepdf >= 10 renamed it
        return list(check())


# ---------------------------------------------------------------- the seed article


@dataclass(frozen=True)
class Sentence:
    section: str  # the article heading it is under
    exercise: str | None  # "Bird-Dog" for numbered exercises; the section for the unnumbered ones
    intro: bool  # part of the paragraph that opens the section
    text: str


_LABELS = ("Purpose:", "Pro tip:", "Technique:")
_FIRST = "Core Stabilization: The Foundation of a Healthy Back"
_MISTAKES = "Common Mistakes to Avoid"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def _is_label(line: str) -> bool:
    """'How to do it:', 'Where to Roll:', 'Try this:' -- a label, not a sentence."""
    return line.endswith(":") and len(line.split()) <= 4


def _is_heading(line: str) -> bool:
    return not line.startswith("- ") and not re.search(r"[.!?:)]$", line)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text.strip()) if s.strip()]


def parse_article(text: str) -> list[Sentence]:
    """The article from its first exercise section through the common-mistakes list."""
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index(_FIRST)
    out: list[Sentence] = []
    section = exercise = None
    intro = False
    in_mistakes = False
    for line in lines[start:]:
        if not line:
            continue
        if in_mistakes and not line.startswith("- "):
            break  # the closing paragraph after the list is not part of the program
        numbered = re.match(r"^\d+\.\s+(.*)$", line)
        if numbered:
            exercise, intro = numbered.group(1), False
            continue
        if _is_heading(line):
            section = line.rstrip("|").strip()
            exercise, intro = None, True
            in_mistakes = section == _MISTAKES
            continue
        if _is_label(line):
            intro = False
            continue
        if line.startswith("- "):
            line, intro = line[2:].strip(), False
        for label in _LABELS:
            if line.startswith(label):
                line = line[len(label) :].strip()
        owner = exercise
        if owner is None and not intro and section in _UNNUMBERED_EXERCISES:
            owner = section
        for sentence in split_sentences(line):
            out.append(Sentence(section, owner, intro, sentence))
        intro = False
    return out


# Article sections that are one exercise without a number ("Try this:", "Technique:").
_UNNUMBERED_EXERCISES = ("Foam Rolling and Myofascial Release", "Breathing and Core Connection")


def article_text() -> str:
    if not ARTICLE.is_file():
        pytest.skip(f"the seed article is not here: {ARTICLE}")
    return ARTICLE.read_text(encoding="utf-8")


def article_sentences() -> list[Sentence]:
    """The sentences of the article's program sections (exercises, habits, mistakes...)."""
    return parse_article(article_text())


def article_exercise_names() -> list[str]:
    """The numbered exercises' names, as the article heads them ('Cat-Cow Stretch')."""
    names = []
    in_range = False
    for line in article_text().splitlines():
        line = line.strip()
        in_range = in_range or line == _FIRST
        if in_range and (m := re.match(r"^\d+\.\s+(.*)$", line)):
            names.append(m.group(1))
    return names
