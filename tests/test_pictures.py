"""Pictures (issue "Pictures"), read back from the PDFs: the built-in illustrations as form
XObjects, a clinic's photos (big PNGs cut down, JPEGs embedded byte for byte), bad pictures
refused by name, QR codes that scan to the exact address, file sizes, and the imported
Free Exercise DB with its photos."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import (
    HANDOUT_DATE,
    LIBRARY_FILE,
    make_pdf,
    norm,
    page_texts,
    reader,
    render_page,
    run_cli,
)
from pypdf import PdfReader

DATASET = Path(__file__).resolve().parents[2] / "shared/datasets/free-exercise-db/exercises.json"
needs_dataset = pytest.mark.skipif(not DATASET.is_file(), reason=f"no data set at {DATASET}")

VIDEO_URL = "https://example.org/videos/bird-dog?lang=en&t=30"
BOOKING_URL = "https://example.org/book?clinic=riverside&ref=handout"
EIGHT = [
    "bird-dog",
    "glute-bridge",
    "dead-bug",
    "side-plank",
    "cat-cow",
    "squat",
    "hip-hinge",
    "childs-pose",
]
QR_DPI = 200


def is_dct(obj) -> bool:
    """A pikepdf stream whose only filter is DCTDecode (a JPEG stored as it is)."""
    if not isinstance(obj, pikepdf.Stream):
        return False
    found = obj.get("/Filter")
    if isinstance(found, pikepdf.Array):
        found = found[0] if len(found) == 1 else None
    return found == pikepdf.Name.DCTDecode


def library_yaml() -> dict:
    return yaml.safe_load(LIBRARY_FILE.read_text(encoding="utf-8"))


def page_of(texts: list[str], needle: str) -> int:
    pages = [i for i, text in enumerate(texts) if norm(needle) in text]
    assert len(pages) == 1, (needle, pages)
    return pages[0]


# ---------------------------------------------------------------- illustrations (forms)


def _forms_drawn(data: bytes, resources, seen: list[str]) -> None:
    """Add to seen the HoFig forms a content stream draws, looking into other forms."""
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else {}
    for match in re.finditer(rb"/([^\s/\[\]()<>]+)\s+Do\b", data):
        name = "/" + match.group(1).decode()
        obj = xobjects.get(name)
        if obj is None or obj.get_object().get("/Subtype") != "/Form":
            continue
        obj = obj.get_object()
        if name.startswith("/FormXob.HoFig"):
            if name not in seen:
                seen.append(name)
        else:
            _forms_drawn(obj.get_data(), obj.get("/Resources"), seen)


def hofig_forms_drawn(path: Path) -> list[list[str]]:
    """Per page, the HoFig forms its content draws, in drawing order (first use only)."""
    out = []
    for page in reader(path).pages:
        seen: list[str] = []
        contents = page.get_contents()  # a ContentStream: an empty dict is falsy, so `is None`
        data = contents.get_data() if contents is not None else b""
        _forms_drawn(data, page.get("/Resources"), seen)
        out.append(seen)
    return out


def hofig_resources(path: Path) -> list[list[str]]:
    """Per page, the HoFig form XObjects in its resources."""
    return [
        sorted(
            name
            for name in ((page.get("/Resources") or {}).get("/XObject") or {})
            if name.startswith("/FormXob.HoFig")
        )
        for page in reader(path).pages
    ]


def forms_per_exercise(path: Path, exercises: list[dict]) -> dict[str, str]:
    """Each exercise's illustration form: the k-th HoFig form drawn on the page where the
    k-th card of that page is (cards and their figures are drawn in the same order)."""
    texts = page_texts(path)
    drawn = hofig_forms_drawn(path)
    resources = hofig_resources(path)
    on_page: dict[int, list[str]] = {}
    for exercise in exercises:
        on_page.setdefault(page_of(texts, exercise["purpose"]), []).append(exercise["id"])
    found = {}
    for index, ids in on_page.items():
        ids.sort(
            key=lambda i: texts[index].index(
                norm(next(e["purpose"] for e in exercises if e["id"] == i))
            )
        )
        assert len(drawn[index]) == len(ids), (index + 1, ids, drawn[index])
        assert set(drawn[index]) <= set(resources[index]), (index + 1, drawn, resources)
        found.update(zip(ids, drawn[index]))
    return found


def test_every_seed_exercise_has_its_own_illustration_on_its_page(all13_pdf, library):
    exercises = library["exercises"]
    forms = forms_per_exercise(all13_pdf, exercises)
    assert sorted(forms) == sorted(e["id"] for e in exercises)
    assert len(set(forms.values())) == 13, forms  # one distinct form per exercise
    # the forms really draw something
    objects = {}
    for page in reader(all13_pdf).pages:
        for name, ref in ((page.get("/Resources") or {}).get("/XObject") or {}).items():
            objects[name] = ref.get_object()
    for exercise_id, name in forms.items():
        assert len(objects[name].get_data()) > 200, exercise_id


@pytest.fixture(scope="module")
def booklet(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("booklet")
    result = run_cli("library", "-o", out, "-j", "2")
    assert result.exit_code == 0, result.output
    return out


def test_the_library_booklet_shows_every_illustration(booklet, library):
    exercises = library["exercises"]
    forms = forms_per_exercise(booklet / "library.pdf", exercises)
    assert len(set(forms.values())) == len(exercises) == 13


def test_each_exercise_sheet_shows_its_illustration(booklet, library):
    for exercise in library["exercises"]:
        sheet = booklet / "exercises" / f"{exercise['id']}.pdf"
        assert sum(len(page) for page in hofig_forms_drawn(sheet)) == 1, exercise["id"]


@pytest.fixture(scope="module")
def without_pictures(tmp_path_factory, seed_ids) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("nopics")
    args = ["--patient", "X", "--weeks", "2", "--date", HANDOUT_DATE]
    for exercise_id in seed_ids:
        args += ["-e", exercise_id]
    return {
        "no-pictures": make_pdf(folder / "n.pdf", *args, "--no-pictures"),
        "tracker": make_pdf(folder / "t.pdf", *args, "--layout", "tracker"),
    }


@pytest.mark.parametrize("which", ["no-pictures", "tracker"])
def test_no_illustrations_without_pictures_or_in_the_tracker(without_pictures, which):
    path = without_pictures[which]
    assert hofig_forms_drawn(path) == [[] for _ in hofig_forms_drawn(path)]
    assert all(names == [] for names in hofig_resources(path))
    assert b"HoFig" not in path.read_bytes()


def test_library_booklet_without_pictures(tmp_path):
    result = run_cli("library", "-o", tmp_path, "--no-pictures", "-j", "1")
    assert result.exit_code == 0, result.output
    assert b"HoFig" not in (tmp_path / "library.pdf").read_bytes()


# ---------------------------------------------------------------- a clinic's photos


def make_big_png(path: Path) -> Path:
    """3000 x 2000, a smooth picture (gradients), as a phone's screenshot might be."""
    from PIL import Image

    size = (3000, 2000)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    Image.merge("RGB", (red, green, blue)).save(path)
    return path


def real_photo() -> Path | None:
    folder = DATASET.parent / "exercises"
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.glob("*/0.jpg"))), None)


def make_photo(path: Path) -> Path:
    """A real camera JPEG from the data set, else one Pillow writes."""
    source = real_photo()
    if source is not None:
        shutil.copyfile(source, path)
    else:
        from PIL import Image

        Image.radial_gradient("L").convert("RGB").resize((640, 480)).save(path, quality=85)
    return path


def write_library(folder: Path, changes: dict[str, dict]) -> Path:
    data = library_yaml()
    for exercise in data["exercises"]:
        exercise.update(changes.get(exercise["id"], {}))
    path = folder / "exercises.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("photos")
    (folder / "pics").mkdir()
    png = make_big_png(folder / "pics" / "big.png")
    jpg = make_photo(folder / "pics" / "photo.jpg")
    library = write_library(
        folder,
        {
            "squat": {"image": "pics/big.png"},
            "glute-bridge": {"image": "pics/photo.jpg"},
            "bird-dog": {"video": VIDEO_URL},
        },
    )
    clinic = folder / "clinic.yaml"
    clinic.write_text(
        f"name: Riverside Spine & Sport\nbooking_url: {BOOKING_URL}\n", encoding="utf-8"
    )
    out = make_pdf(
        folder / "out.pdf",
        "--library",
        library,
        "--clinic",
        clinic,
        "--patient",
        "X",
        "-e",
        "bird-dog",
        "-e",
        "glute-bridge",
        "-e",
        "squat",
        "-e",
        "dead-bug",
        "--weeks",
        "1",
        "--date",
        HANDOUT_DATE,
    )
    return {
        "folder": folder,
        "png": png,
        "jpg": jpg,
        "library": library,
        "pdf": out,
        "clinic": clinic,
    }


def image_objects(path: Path, page_index: int) -> list[dict]:
    """The images drawn on a page (pdfium): filters, pixel size and bounds in points."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(path)
    try:
        page = doc[page_index]
        found = [
            {
                "filters": list(obj.get_filters()),
                "px": tuple(obj.get_px_size()),
                "bounds": tuple(obj.get_bounds()),
            }
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE])
        ]
        page.close()
        return found
    finally:
        doc.close()


def text_top(path: Path, page_index: int, needle: str) -> float:
    """The top (pt from the bottom) of needle's first occurrence on the page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        text = doc[page_index].get_textpage()
        found = text.search(needle, match_case=True).get_next()
        assert found, needle
        start, count = found
        return max(text.get_charbox(i)[3] for i in range(start, start + count))
    finally:
        doc.close()


def card_span(path: Path, texts: list[str], name: str, purpose: str, next_name: str | None):
    """(page, top, bottom) of a card: from its name to the next card's name (or the margin)."""
    index = page_of(texts, purpose)
    top = text_top(path, index, name)
    bottom = 40.0
    if next_name is not None and norm(next_name) in texts[index]:
        bottom = text_top(path, index, next_name)
    return index, top, bottom


def test_the_jpeg_is_embedded_byte_for_byte_on_its_card(photos):
    path = photos["pdf"]
    texts = page_texts(path)
    index, top, bottom = card_span(
        path, texts, "Glute Bridge", "Activates the glutes and hamstrings", "Squat"
    )
    jpegs = [i for i in image_objects(path, index) if i["filters"] == ["DCTDecode"]]
    assert len(jpegs) == 1, image_objects(path, index)
    x0, y0, x1, y1 = jpegs[0]["bounds"]
    assert bottom <= y0 < y1 <= top, (jpegs[0], top, bottom)
    assert 54 - 0.5 <= x0 < x1 <= 612 - 54 + 0.5
    # the stream is the file itself
    with pikepdf.open(path) as pdf:
        page = pdf.pages[index]
        streams = [
            x
            for x in page.Resources.XObject.values()
            if x.get("/Subtype") == "/Image" and is_dct(x)
        ]
        assert len(streams) == 1
        assert streams[0].read_raw_bytes() == photos["jpg"].read_bytes()
    # the photo was printed on no other page
    assert all(
        not [i for i in image_objects(path, p) if i["filters"] == ["DCTDecode"]]
        for p in range(len(texts))
        if p != index
    )


def test_the_big_png_is_cut_down_and_fits_its_card(photos):
    path = photos["pdf"]
    texts = page_texts(path)
    index, top, bottom = card_span(path, texts, "Squat", "Builds leg and core strength", "Dead Bug")
    pngs = [i for i in image_objects(path, index) if i["filters"] != ["DCTDecode"]]
    assert len(pngs) == 1, image_objects(path, index)
    image = pngs[0]
    width, height = image["px"]
    x0, y0, x1, y1 = image["bounds"]
    shown_w, shown_h = x1 - x0, y1 - y0
    # not 3000 pixels: at most 300 dpi at the size it prints, the aspect ratio kept
    assert width < 3000 and width <= shown_w / 72 * 300 + 2, (width, shown_w)
    assert width >= shown_w / 72 * 150, (width, shown_w)  # still sharp in print
    assert abs(width / height - 1.5) < 0.01, (width, height)
    assert abs(shown_w / shown_h - 1.5) < 0.01, (shown_w, shown_h)
    # within the card: below its name, above the next card, inside the text column
    assert bottom <= y0 < y1 <= top, (image, top, bottom)
    assert 54 - 0.5 <= x0 < x1 <= 612 - 54 + 0.5
    # the image stream in the PDF says the same
    with pikepdf.open(path) as pdf:
        sizes = [
            (int(x.Width), int(x.Height))
            for x in pdf.pages[index].Resources.XObject.values()
            if x.get("/Subtype") == "/Image"
        ]
    assert (width, height) in sizes


def test_the_photo_replaces_the_illustration(photos):
    drawn = hofig_forms_drawn(photos["pdf"])
    # bird-dog and dead-bug keep their figures; squat and glute bridge show photos instead
    assert sum(len(names) for names in drawn) == 2, drawn


# ---------------------------------------------------------------- pictures refused by name


@pytest.fixture
def one_bad_picture(tmp_path):
    """(library with dead-bug's picture set to NAME, run make, output path) as a function."""

    def run(name: str, existing: bytes | None = None):
        library = write_library(tmp_path, {"dead-bug": {"image": name}})
        out = tmp_path / "out.pdf"
        if existing is not None:
            out.write_bytes(existing)
        before = sorted(p.name for p in tmp_path.rglob("*"))
        result = run_cli(
            "make",
            "--library",
            library,
            "--patient",
            "X",
            "-e",
            "dead-bug",
            "--date",
            HANDOUT_DATE,
            "-o",
            out,
        )
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        err = result.stderr.strip()
        assert err.startswith("error: ") and len(err.splitlines()) == 1, err
        assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing new written
        return err, out

    return run


def test_a_missing_picture_is_refused_by_name(one_bad_picture, tmp_path):
    err, out = one_bad_picture("pics/not-there.jpg")
    assert str(tmp_path / "pics" / "not-there.jpg") in err, err
    assert "not found" in err
    assert not out.exists()


def test_a_truncated_picture_is_refused_by_name(one_bad_picture, tmp_path):
    whole = make_photo(tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "half.jpg").write_bytes(whole[: len(whole) // 2])
    err, out = one_bad_picture("half.jpg")
    assert str(tmp_path / "half.jpg") in err and "truncated" in err, err
    assert not out.exists()


def test_a_bad_picture_leaves_an_existing_output_untouched(one_bad_picture, tmp_path):
    earlier = b"%PDF-1.7 an earlier handout"
    err, out = one_bad_picture("gone.png", existing=earlier)
    assert str(tmp_path / "gone.png") in err
    assert out.read_bytes() == earlier


def test_a_picture_that_is_not_an_image_is_refused(one_bad_picture, tmp_path):
    (tmp_path / "notes.png").write_text("not a picture at all\n" * 50, encoding="utf-8")
    err, _ = one_bad_picture("notes.png")
    assert str(tmp_path / "notes.png") in err and "not a readable PNG or JPEG" in err, err


def test_a_decompression_bomb_is_refused(one_bad_picture, tmp_path):
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(bomb)  # 400 megapixels in ~50 KB
    assert bomb.stat().st_size < 200_000
    start = time.perf_counter()
    err, out = one_bad_picture("bomb.png")
    assert time.perf_counter() - start < 10
    assert str(bomb) in err and "too large" in err, err
    assert not out.exists()


def test_a_picture_over_the_pixel_limit_is_refused_with_its_size(one_bad_picture, tmp_path):
    from PIL import Image

    Image.new("L", (8000, 6000)).save(tmp_path / "huge.png")  # 48 MP: over 40, no bomb
    err, _ = one_bad_picture("huge.png")
    assert "8000 x 6000" in err and "too large" in err, err


# ---------------------------------------------------------------- QR codes


def decode(path: Path, page_index: int):
    import zxingcpp

    image = render_page(path, page_index, dpi=QR_DPI)
    return image, zxingcpp.read_barcodes(image)


def quiet_zone_problems(image, result) -> list[str]:
    """Pixels that are not near-white in the 4-module band around the symbol zxing found."""
    xs = [
        p.x
        for p in (
            result.position.top_left,
            result.position.top_right,
            result.position.bottom_left,
            result.position.bottom_right,
        )
    ]
    ys = [
        p.y
        for p in (
            result.position.top_left,
            result.position.top_right,
            result.position.bottom_left,
            result.position.bottom_right,
        )
    ]
    version = int(result.extra["Version"]) if "Version" in (result.extra or {}) else None
    assert version, result.extra
    modules = 17 + 4 * version
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    unit = (right - left + 1) / modules
    band = 4 * unit
    # the symbol's own edge pixels (antialiased) and the band's outer pixel are left out
    inner = (left - 1.5, top - 1.5, right + 1.5, bottom + 1.5)
    outer = (left - band + 1, top - band + 1, right + band - 1, bottom + band - 1)
    px = image.load()
    bad = []
    for y in range(int(outer[1]), int(outer[3]) + 1):
        for x in range(int(outer[0]), int(outer[2]) + 1):
            if inner[0] <= x <= inner[2] and inner[1] <= y <= inner[3]:
                continue
            if min(px[x, y]) < 225:
                bad.append(f"({x},{y})={px[x, y]}")
    return bad


def test_a_video_prints_as_a_qr_code_that_scans_exactly(photos):
    path = photos["pdf"]
    texts = page_texts(path)
    index = page_of(texts, "Strengthens your core, glutes, and spinal stabilizers.")
    assert "Scan for the video" in texts[index]
    image, results = decode(path, index)
    videos = [r for r in results if r.text == VIDEO_URL]
    assert len(videos) == 1, [r.text for r in results]
    assert videos[0].format.name == "QRCode"
    bad = quiet_zone_problems(image, videos[0])
    assert not bad, f"{len(bad)} dark pixels in the quiet zone: {bad[:8]}"
    # only bird-dog has a video
    assert sum("Scan for the video" in t for t in texts) == 1


def test_the_booking_url_prints_as_a_qr_code_at_the_end(photos):
    path = photos["pdf"]
    texts = page_texts(path)
    index = page_of(texts, "Book your next visit")
    last_card = page_of(texts, "Builds deep core control and spinal stability.")
    assert index >= last_card
    assert BOOKING_URL in texts[index]  # also printed as text
    image, results = decode(path, index)
    booking = [r for r in results if r.text == BOOKING_URL]
    assert len(booking) == 1, [r.text for r in results]
    bad = quiet_zone_problems(image, booking[0])
    assert not bad, f"{len(bad)} dark pixels in the quiet zone: {bad[:8]}"


def test_no_pictures_keeps_the_video_qr_code(photos):
    # --no-pictures drops illustrations and photos; a QR code is a link, so it stays.
    out = make_pdf(
        photos["folder"] / "np.pdf",
        "--library",
        photos["library"],
        "--patient",
        "X",
        "-e",
        "bird-dog",
        "--weeks",
        "0",
        "--date",
        HANDOUT_DATE,
        "--no-pictures",
    )
    texts = page_texts(out)
    index = page_of(texts, "Strengthens your core, glutes, and spinal stabilizers.")
    _, results = decode(out, index)
    assert [r.text for r in results if r.text == VIDEO_URL] == [VIDEO_URL]
    assert "FormXob.HoFig" not in str(PdfReader(out).pages[index]["/Resources"])


def test_tracker_prints_no_video_qr(photos):
    out = make_pdf(
        photos["folder"] / "tr.pdf",
        "--library",
        photos["library"],
        "--patient",
        "X",
        "-e",
        "bird-dog",
        "--weeks",
        "1",
        "--date",
        HANDOUT_DATE,
        "--layout",
        "tracker",
    )
    assert len(page_texts(out)) == 1
    _, results = decode(out, 0)
    assert VIDEO_URL not in [r.text for r in results]


# ---------------------------------------------------------------- file sizes


@pytest.fixture(scope="module")
def eight(tmp_path_factory):
    folder = tmp_path_factory.mktemp("eight")
    args = [
        "--patient",
        "Jane Q. Doe",
        "--tips",
        "all",
        "--mistakes",
        "all",
        "--weeks",
        "2",
        "--date",
        HANDOUT_DATE,
    ]
    for exercise_id in EIGHT:
        args += ["-e", exercise_id]
    return (
        make_pdf(folder / "pictures.pdf", *args),
        make_pdf(folder / "plain.pdf", *args, "--no-pictures"),
    )


def test_eight_exercise_handout_with_illustrations_is_under_120_kb(eight):
    with_pictures, _ = eight
    size = with_pictures.stat().st_size
    assert size < 120 * 1024, f"{size / 1024:.1f} KB"
    assert sum(len(p) for p in hofig_forms_drawn(with_pictures)) == 8


def test_eight_exercise_handout_without_pictures_is_under_80_kb(eight):
    _, plain = eight
    size = plain.stat().st_size
    assert size < 80 * 1024, f"{size / 1024:.1f} KB"


# ---------------------------------------------------------------- the imported data set


@pytest.fixture(scope="module")
def imported_full(tmp_path_factory):
    if not DATASET.is_file():
        pytest.skip(f"no data set at {DATASET}")
    out = tmp_path_factory.mktemp("fedb")
    result = run_cli("import", "free-exercise-db", DATASET, "-o", out)
    assert result.exit_code == 0, result.output
    return out / "exercises.yaml"


@needs_dataset
def test_the_imported_data_set_validates_with_873_exercises(imported_full):
    result = run_cli("validate", imported_full)
    assert result.exit_code == 0, result.output
    assert "873 exercises" in result.stdout, result.stdout


@pytest.fixture(scope="module")
def slice_library(tmp_path_factory):
    """The first 60 entries whose photos exist plus 10 without, imported."""
    if not DATASET.is_file():
        pytest.skip(f"no data set at {DATASET}")
    entries = json.loads(DATASET.read_text(encoding="utf-8"))
    photo_dir = DATASET.parent / "exercises"

    def has_photos(entry) -> bool:
        return bool(entry.get("images")) and all(
            (photo_dir / name).is_file() for name in entry["images"]
        )

    with_photos = [e for e in entries if has_photos(e)][:60]
    without = [
        e for e in entries if not any((photo_dir / n).is_file() for n in e.get("images") or [])
    ][:10]
    assert len(with_photos) == 60 and len(without) == 10
    data = tmp_path_factory.mktemp("slice")
    (data / "exercises.json").write_text(json.dumps(with_photos + without), encoding="utf-8")
    (data / "exercises").symlink_to(photo_dir, target_is_directory=True)
    out = tmp_path_factory.mktemp("slice-lib")
    result = run_cli("import", "free-exercise-db", data / "exercises.json", "-o", out)
    assert result.exit_code == 0, result.output
    return out / "exercises.yaml", with_photos, without


@needs_dataset
def test_a_slice_of_the_data_set_makes_a_booklet_with_its_photos(slice_library, tmp_path):
    library, with_photos, without = slice_library
    result = run_cli("library", "--library", library, "-o", tmp_path / "book", "-j", "2")
    assert result.exit_code == 0, result.output
    booklet = tmp_path / "book" / "library.pdf"
    sheets = sorted((tmp_path / "book" / "exercises").glob("*.pdf"))
    assert len(sheets) == 70
    with pikepdf.open(booklet) as pdf:
        jpegs = [
            obj.read_raw_bytes()
            for obj in pdf.objects
            if is_dct(obj) and obj.get("/Subtype") == "/Image"
        ]
    # each of the 60 shows up to two photos (the data set has two per exercise)
    assert len(jpegs) == sum(min(2, len(e["images"])) for e in with_photos), len(jpegs)
    # a JPEG is embedded as the file is: each stream equals one of the copied photos
    copied = {p.read_bytes() for p in (library.parent / "images").rglob("*.jpg")}
    assert jpegs and all(data in copied for data in jpegs)
    # a sheet of an exercise with photos has a JPEG, one without has none
    first = library_yaml_ids(library)
    with pikepdf.open(tmp_path / "book" / "exercises" / f"{first[0]}.pdf") as pdf:
        assert any(is_dct(o) for o in pdf.objects)
    with pikepdf.open(tmp_path / "book" / "exercises" / f"{first[-1]}.pdf") as pdf:
        assert not any(
            isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image" for o in pdf.objects
        )


def library_yaml_ids(library: Path) -> list[str]:
    """Exercise ids in the imported library's order (the JSON's order)."""
    data = yaml.safe_load(library.read_text(encoding="utf-8"))
    return [e["id"] for e in data["exercises"]]
