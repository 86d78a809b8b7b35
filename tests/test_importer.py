"""`handouts import free-exercise-db`: the real data set and small hand-made ones."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import msgspec
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from handouts import importer
from handouts.errors import HandoutsError
from handouts.importer import NO_INSTRUCTIONS, import_free_exercise_db
from handouts.models import ID_RE, Dosage, Library, convert

# ../shared beside the repository: tests/ -> repo -> its parent.
DATASET = Path(__file__).resolve().parents[2] / "shared/datasets/free-exercise-db/exercises.json"
needs_dataset = pytest.mark.skipif(not DATASET.is_file(), reason=f"no data set at {DATASET}")


# libyaml's loaders when PyYAML has them: the pure-Python ones take seconds on 873 exercises.
STRING_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_as_strings(path: Path) -> Library:
    """As the project's loader does: every scalar stays a string, msgspec converts."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=STRING_LOADER)
    library = convert(data, Library)
    assert library.problems() == []
    return library


def strings_survive(plain: object, as_strings: object, where: str = "") -> None:
    """Every string safe_load reads is the same string for a string-keeping loader."""
    if isinstance(plain, dict):
        assert list(plain) == list(as_strings), where
        for key in plain:
            strings_survive(plain[key], as_strings[key], f"{where}.{key}")
    elif isinstance(plain, list):
        assert len(plain) == len(as_strings), where
        for i, (a, b) in enumerate(zip(plain, as_strings, strict=True)):
            strings_survive(a, b, f"{where}[{i}]")
    elif isinstance(plain, str):
        assert plain == as_strings, where
    else:  # only numbers are meant as numbers: version, sets, reps
        assert isinstance(plain, int) and not isinstance(plain, bool), where
        assert where == ".version" or where.endswith((".sets", ".reps")), where
        assert str(plain) == as_strings, where


def jpeg(path: Path, color: str = "red") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), color).save(path, "JPEG")
    return path


def entry(source_id: str, **changes: object) -> dict:
    base = {
        "id": source_id,
        "name": source_id.replace("_", " "),
        "force": "push",
        "level": "beginner",
        "mechanic": "compound",
        "equipment": "body only",
        "primaryMuscles": ["quadriceps"],
        "secondaryMuscles": ["glutes", "hamstrings"],
        "instructions": ["Stand tall.", "Sit back and down.", "Stand up again."],
        "category": "strength",
        "images": [f"{source_id}/0.jpg", f"{source_id}/1.jpg"],
    }
    base.update(changes)
    return base


def write_json(folder: Path, entries: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "exercises.json"
    path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    return path


# --- the real data set --------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not DATASET.is_file():
        pytest.skip(f"no data set at {DATASET}")
    out = tmp_path_factory.mktemp("free-exercise-db")
    start = time.perf_counter()
    report = import_free_exercise_db(DATASET, out)
    seconds = time.perf_counter() - start
    return out, report, seconds


@pytest.fixture(scope="module")
def real_library(real):
    return load_as_strings(real[0] / "exercises.yaml")


@needs_dataset
def test_real_data_set_imports_every_entry(real):
    out, report, seconds = real
    entries = json.loads(DATASET.read_text(encoding="utf-8"))
    assert len(entries) == 873
    assert report.exercises + len(report.skipped) == len(entries)
    assert report.skipped == []  # every entry of the real data set is usable
    assert report.exercises == 873
    assert sum(report.categories.values()) == 873
    assert report.categories["olympic-weightlifting"] == 35
    assert report.instructions_split == 0  # its longest instruction has 744 characters
    assert report.steps_shortened == [] and report.renamed == []
    assert seconds < 30, f"import took {seconds:.1f} s"


@needs_dataset
def test_real_photos_copied_as_they_are(real, real_library):
    out, report, _ = real
    assert report.photos_copied == 436
    assert report.photos_rejected == []
    named = sum(len(e["images"]) for e in json.loads(DATASET.read_text(encoding="utf-8")))
    assert report.photos_missing == named - 436
    pictures = [p for ex in real_library.exercises for p in ex.pictures]
    assert len(pictures) == 436
    assert len(list((out / "images").rglob("*.jpg"))) == 436
    source_ids = {
        importer._slug(e["id"]): e["id"] for e in json.loads(DATASET.read_text(encoding="utf-8"))
    }
    for picture in pictures:
        copied = out / picture
        _, slug, name = Path(picture).parts
        source = DATASET.parent / "exercises" / source_ids[slug] / name
        assert copied.read_bytes() == source.read_bytes()  # copied, not re-encoded


@needs_dataset
def test_real_library_reads_back(real, real_library):
    out, report, _ = real
    text = (out / "exercises.yaml").read_text(encoding="utf-8")
    plain = yaml.load(text, Loader=SAFE_LOADER)
    strings_survive(plain, yaml.load(text, Loader=STRING_LOADER))
    assert not any(
        isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)
        for e in yaml.parse(text, Loader=SAFE_LOADER)
    )  # loaders refuse aliases
    library = real_library
    assert convert(plain, Library) == library
    assert library.title == "Free Exercise DB (public domain)"
    assert library.guidance == {
        "source": "Imported from free-exercise-db (public domain, Unlicense)."
    }
    assert library.tips == [] and library.mistakes == []
    assert len(library.exercises) == 873
    assert len({e.id for e in library.exercises}) == 873
    assert all(ID_RE.match(e.id) and len(e.id) <= 80 for e in library.exercises)
    titles = {c.id: c.title for c in library.categories}
    assert titles["strength"] == "Strength"
    assert titles["olympic-weightlifting"] == "Olympic Weightlifting"
    assert library.category("cardio").intro.startswith("14 cardio exercises")

    squat = library.exercise("90-90-hamstring")
    assert squat.name == "90/90 Hamstring"
    assert squat.purpose == (
        "Stretches the hamstrings (also calves). Level: beginner. Equipment: body only."
    )
    assert squat.dosage.hold == "20–30 seconds" and squat.dosage.sets == 2
    assert squat.pictures == ["images/90-90-hamstring/0.jpg", "images/90-90-hamstring/1.jpg"]
    sit_up = library.exercise("3-4-sit-up")
    assert (sit_up.dosage.sets, sit_up.dosage.reps) == (3, 10)
    assert sit_up.tags == ["abdominals", "body only", "beginner", "pull", "compound"]
    assert all(e.dosage.sets is None for e in library.exercises if e.category == "cardio")


@needs_dataset
def test_real_entries_without_instructions_get_a_placeholder(real, real_library):
    out, report, _ = real
    assert sorted(report.without_instructions) == [
        "iron-cross",
        "one-arm-kettlebell-swings",
        "push-press",
        "side-bridge",
        "side-jackknife",
    ]
    library = real_library
    assert library.exercise("iron-cross").steps == [NO_INSTRUCTIONS]
    assert len(library.exercise("power-clean").steps) == 24
    lines = report.summary_lines()
    assert lines[0].endswith(
        "873 exercises in 7 categories (strength 581, stretching 123, "
        "plyometrics 61, strongman 21, powerlifting 38, cardio 14, "
        "olympic-weightlifting 35)"
    )
    assert "436 copied" in lines[1]
    assert any(line.startswith("5 exercises had no instructions") for line in lines)


@needs_dataset
def test_real_library_loads_with_the_project_loader(real):
    try:
        from handouts.loading import load_library
    except ModuleNotFoundError:
        pytest.skip("handouts.loading is not there yet")
    out, _, _ = real
    library = load_library(out / "exercises.yaml")
    assert len(library.exercises) == 873
    assert library.exercise("iron-cross").steps == [NO_INSTRUCTIONS]


@needs_dataset
def test_long_instruction_in_real_entry_is_split(tmp_path):
    entries = json.loads(DATASET.read_text(encoding="utf-8"))[:3]
    sentence = "Keep your back straight and breathe out as you push the weight up slowly. "
    long_text = (sentence * 160).strip()  # about 12,000 characters
    entries[1]["instructions"] = [entries[1]["instructions"][0], long_text]
    report = import_free_exercise_db(write_json(tmp_path / "data", entries), tmp_path / "out")
    assert report.instructions_split == 1
    steps = load_as_strings(tmp_path / "out/exercises.yaml").exercises[1].steps
    assert len(steps) == 4  # the first instruction, then the long one in three pieces
    assert all(len(s) <= 5000 and s.endswith(".") for s in steps)
    assert " ".join(steps[1:]) == long_text


# --- hand-made data sets ------------------------------------------------------------------


def test_small_data_set_reports_what_it_skips(tmp_path):
    data = tmp_path / "data"
    photos = data / "exercises"
    jpeg(photos / "Good_Squat/0.jpg"), jpeg(photos / "Good_Squat/1.jpg", "blue")
    jpeg(photos / "Half_There/0.jpg")  # its 1.jpg is missing
    (photos / "Corrupt").mkdir(parents=True)
    (photos / "Corrupt/0.jpg").write_bytes(os.urandom(2048))
    jpeg(photos / "Corrupt/1.jpg")
    (photos / "Truncated").mkdir()
    Image.effect_noise((400, 300), 60).save(photos / "Truncated/0.jpg", "JPEG")
    whole = (photos / "Truncated/0.jpg").read_bytes()
    (photos / "Truncated/0.jpg").write_bytes(whole[: len(whole) // 2])
    entries = [
        entry("Good_Squat"),
        entry("No_Name", name="   "),
        entry("Half_There", category="Olympic Weightlifting"),
        entry("Corrupt", category="stretching", instructions=[]),
        entry("Truncated", images=["Truncated/0.jpg", "../../secret.jpg"]),
        entry("good-squat", name="Good squat, again", instructions=["", "  Go.  "]),
        entry(
            "Café_Stretch",
            category="cardio",
            primaryMuscles=[],
            secondaryMuscles=[],
            equipment=None,
            force=None,
            mechanic=None,
            images=[],
        ),
        {"name": "No id at all", "category": "strength"},
        entry("No_Category", category=None),
    ]
    out = tmp_path / "out"
    report = import_free_exercise_db(write_json(data, entries), out)

    assert report.skipped == [
        "entry 2 (No_Name): no name",
        "entry 8 (?): no id",
        "entry 9 (No_Category): no category",
    ]
    assert report.exercises == 6 == len(entries) - len(report.skipped)
    assert report.photos_copied == 4  # Good_Squat 0+1, Half_There 0, Corrupt 1
    assert report.photos_missing == 3  # Half_There/1.jpg, good-squat/0.jpg and 1.jpg
    assert [line.split(":")[0] for line in report.photos_rejected] == [
        "entry 5 (Truncated)",
        "entry 4 (Corrupt)",
        "entry 5 (Truncated)",
    ]
    assert "not inside the photo folder" in report.photos_rejected[0]
    assert "0.jpg: not an image" in report.photos_rejected[1]
    assert "0.jpg: not a readable image" in report.photos_rejected[2]
    assert report.renamed == ["good-squat -> good-squat-2"]
    assert report.without_instructions == ["corrupt"]

    library = load_as_strings(out / "exercises.yaml")
    ids = [e.id for e in library.exercises]
    assert ids == [
        "good-squat",
        "half-there",
        "corrupt",
        "truncated",
        "good-squat-2",
        "cafe-stretch",
    ]
    good = library.exercise("good-squat")
    assert good.purpose == (
        "Works the quadriceps (also glutes, hamstrings). Level: beginner. Equipment: body only."
    )
    assert good.tags == [
        "quadriceps",
        "glutes",
        "hamstrings",
        "body only",
        "beginner",
        "push",
        "compound",
    ]
    assert good.pictures == ["images/good-squat/0.jpg", "images/good-squat/1.jpg"]
    assert library.exercise("half-there").pictures == ["images/half-there/0.jpg"]
    assert library.exercise("half-there").category == "olympic-weightlifting"
    assert library.exercise("corrupt").pictures == ["images/corrupt/1.jpg"]
    assert library.exercise("corrupt").steps == [NO_INSTRUCTIONS]
    assert library.exercise("truncated").pictures == []
    assert library.exercise("good-squat-2").steps == ["Go."]
    cafe = library.exercise("cafe-stretch")
    assert cafe.name == "Café Stretch"
    assert cafe.purpose == "Level: beginner."
    assert cafe.dosage == Dosage()
    assert {c.id: c.intro for c in library.categories}["olympic-weightlifting"] == (
        "1 olympic weightlifting exercise from the public-domain free-exercise-db data set."
    )
    for picture in ("images/good-squat/0.jpg", "images/half-there/0.jpg", "images/corrupt/1.jpg"):
        assert (out / picture).is_file()
    assert not (out / "images/corrupt/0.jpg").exists()
    assert not (out / "images/truncated").exists()
    assert not list(out.rglob(".*"))  # no temporary files left behind
    assert any(line == "skipped 3 entries" for line in report.summary_lines())


def test_photos_can_be_left_out(tmp_path):
    data = tmp_path / "data"
    jpeg(data / "exercises/Good_Squat/0.jpg")
    report = import_free_exercise_db(
        write_json(data, [entry("Good_Squat")]), tmp_path / "out", photos=False
    )
    assert (report.photos_copied, report.photos_missing) == (0, 0)
    assert not (tmp_path / "out/images").exists()
    assert load_as_strings(tmp_path / "out/exercises.yaml").exercises[0].pictures == []


def test_long_and_many_steps(tmp_path):
    run_on = " ".join(["word"] * 2500)  # 12,499 characters and no sentence end
    many = [f"Step {i}." for i in range(1, 71)]
    huge = [f"{'Long step. ' * 100}{i}." for i in range(70)]  # too long to merge into one
    entries = [
        entry("Run_On", instructions=[run_on]),
        entry("Many", instructions=many),
        entry("Huge", instructions=huge),
    ]
    report = import_free_exercise_db(write_json(tmp_path / "data", entries), tmp_path / "out")
    library = load_as_strings(tmp_path / "out/exercises.yaml")
    run_on_steps = library.exercise("run-on").steps
    assert report.instructions_split == 1
    assert len(run_on_steps) == 3 and " ".join(run_on_steps) == run_on
    assert all(len(s) <= 5000 for s in run_on_steps)
    many_steps = library.exercise("many").steps
    assert len(many_steps) == 60
    assert many_steps[-1] == " ".join(many[59:])
    huge_steps = library.exercise("huge").steps
    assert len(huge_steps) == 60
    assert huge_steps[-1].startswith("The source data set lists 11 more steps")
    assert report.steps_shortened == ["many", "huge"]


def test_long_names_and_ids_are_capped(tmp_path):
    long_id = "A" * 100
    entries = [entry(long_id, name="N" * 300), entry(long_id.lower(), name="Other")]
    report = import_free_exercise_db(write_json(tmp_path / "data", entries), tmp_path / "out")
    library = load_as_strings(tmp_path / "out/exercises.yaml")
    first, second = library.exercises
    assert first.id == "a" * 80 and len(first.name) == 200 and first.name.endswith("…")
    assert second.id == "a" * 78 + "-2"
    assert report.renamed == [f"{long_id.lower()} -> {second.id}"]


def test_invalid_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "exercises.json"
    path.write_text('[\n  {"id": "a",\n  "name": }\n]\n', encoding="utf-8")
    with pytest.raises(HandoutsError) as caught:
        import_free_exercise_db(path, tmp_path / "out")
    assert caught.value.file == str(path) and caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: not valid JSON")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a"}', "expected a JSON list of exercises, found an object"),
        ("[]", "no exercise could be imported"),
        (b"\xff\xfe[]", "not UTF-8 text"),
    ],
)
def test_not_the_data_set(tmp_path, content, message):
    path = tmp_path / "exercises.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(HandoutsError, match=message) as caught:
        import_free_exercise_db(path, tmp_path / "out")
    assert caught.value.file == str(path)


def test_library_that_does_not_validate_points_at_the_entry(tmp_path, monkeypatch):
    """A bug in the import is reported in plain words at the JSON entry, and nothing is written."""
    monkeypatch.setattr(importer, "_dosage", lambda category: {"sets": 99})
    path = write_json(tmp_path, [entry("Good_Squat")])
    with pytest.raises(HandoutsError) as caught:
        import_free_exercise_db(path, tmp_path / "out", photos=False)
    assert str(caught.value) == (
        f"{path}:2: entry 1 (Good_Squat) dosage.sets: cannot import: must be at most 20, got '99'"
    )
    assert not (tmp_path / "out").exists()


def test_missing_file(tmp_path):
    with pytest.raises(HandoutsError, match="no such file"):
        import_free_exercise_db(tmp_path / "nope.json", tmp_path / "out")


def test_file_too_big_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_JSON_BYTES", 100)
    path = write_json(tmp_path, [entry("Good_Squat")] * 3)
    with pytest.raises(HandoutsError, match="the import reads at most"):
        import_free_exercise_db(path, tmp_path / "out")


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ("not an object", "entry 2", "expected an exercise (a JSON object), found text"),
        (
            entry("X", instructions="Do it."),
            "entry 2 instructions",
            "expected a list of text, found text",
        ),
        (
            entry("X", primaryMuscles=["chest", 3]),
            "entry 2 primaryMuscles[1]",
            "expected text, found a number",
        ),
        (entry("X", name=["Squat"]), "entry 2 name", "expected text or null, found a list"),
    ],
)
def test_wrong_entry_shape_names_entry_and_field(tmp_path, bad, field, message):
    path = write_json(tmp_path, [entry("Good_Squat"), bad])
    with pytest.raises(HandoutsError) as caught:
        import_free_exercise_db(path, tmp_path / "out")
    error = caught.value
    assert (error.file, error.field, error.message) == (str(path), field, message)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[error.line - 1].strip().startswith(("{", '"not an object"'))
    assert error.line > 2  # the second entry, not the first
    assert not (tmp_path / "out").exists()


def test_failed_validation_writes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "exercises.yaml").write_text("old library\n", encoding="utf-8")
    data = tmp_path / "data"
    jpeg(data / "exercises/Good_Squat/0.jpg")
    # Let a step longer than the model allows through, so the final check has to catch it.
    monkeypatch.setattr(importer, "MAX_TEXT", 10_000)
    entries = [entry("Good_Squat"), entry("Wordy", instructions=["Go. " * 1500])]
    path = write_json(data, entries)
    with pytest.raises(HandoutsError) as caught:
        import_free_exercise_db(path, out)
    assert caught.value.field == "entry 2 (Wordy) steps.0"
    assert "at most 5000 characters" in caught.value.message
    assert caught.value.line is not None
    assert (out / "exercises.yaml").read_text(encoding="utf-8") == "old library\n"
    assert sorted(p.name for p in out.iterdir()) == ["exercises.yaml"]  # no photos either


def test_a_new_import_replaces_the_old_library(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "exercises.yaml").write_text("old library\n", encoding="utf-8")
    os.chmod(out / "exercises.yaml", 0o640)
    path = write_json(tmp_path / "data", [entry("Good_Squat")])
    import_free_exercise_db(path, out)
    assert load_as_strings(out / "exercises.yaml").exercises[0].id == "good-squat"
    assert (out / "exercises.yaml").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in out.iterdir()) == ["exercises.yaml"]


def test_out_dir_that_is_a_file(tmp_path):
    path = write_json(tmp_path / "data", [entry("Good_Squat")])
    (tmp_path / "out").write_text("", encoding="utf-8")
    with pytest.raises(HandoutsError, match="not a folder"):
        import_free_exercise_db(path, tmp_path / "out")


def test_a_library_too_big_for_the_loader_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_YAML_BYTES", 500)
    path = write_json(tmp_path / "data", [entry(f"Squat_{i}") for i in range(5)])
    with pytest.raises(HandoutsError, match="handouts reads libraries of at most"):
        import_free_exercise_db(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(min_size=1, max_size=300),
    instructions=st.lists(st.text(max_size=80), max_size=4),
    muscle=st.text(max_size=70),
    source_id=st.text(min_size=1, max_size=90),
)
def test_any_text_imports_and_loads_back(tmp_path, name, instructions, muscle, source_id):
    folder = tmp_path / str(abs(hash((name, source_id, muscle, tuple(instructions)))))
    path = write_json(
        folder,
        [
            entry(
                source_id,
                name=name,
                instructions=instructions,
                primaryMuscles=[muscle],
                category="Stretching",
            ),
            entry("Plain"),
        ],
    )
    report = import_free_exercise_db(path, folder / "out", photos=False)
    assert report.exercises + len(report.skipped) == 2
    library = load_as_strings(folder / "out/exercises.yaml")
    try:
        from handouts.loading import load_library
    except ModuleNotFoundError:
        return
    loaded = load_library(folder / "out/exercises.yaml")
    assert msgspec.to_builtins(loaded) == msgspec.to_builtins(library)
