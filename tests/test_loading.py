"""loading.py: every malformed file is one HandoutsError naming file, line and field."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from handouts import loading
from handouts.errors import HandoutsError
from handouts.loading import (
    Document,
    available_layouts,
    bundled_dir,
    default_library_path,
    layout_search_dirs,
    load_clinic,
    load_layout,
    load_library,
    load_plan,
    load_roster,
    locate,
    read_yaml,
    validate,
)
from handouts.models import Plan

LIBRARY = """\
version: 1
guidance:
  safety: Mild muscle soreness is fine; sharp pain isn't.
categories:
  - id: core
    title: Core Stabilization
exercises:
  - id: bird-dog
    name: Bird-Dog
    category: core
    purpose: Strengthens your core.
    steps:
      - Start on hands and knees.
      - Extend the opposite arm and leg.
    dosage:
      sets: 2
      reps: 10
      hold: 3–5 seconds
      sides: alternate
  - id: glute-bridge
    name: Glute Bridge
    category: core
    purpose: Strengthens your glutes.
    steps:
      - Lie on your back.
tips:
  - id: screens
    text: Keep screens at eye level.
mistakes:
  - id: too-much
    title: Doing too much, too soon.
    text: Start slow.
programs:
  - id: low-back
    title: Low back, week 1
    exercises:
      - bird-dog
      - id: glute-bridge
        sets: 3
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(function, *args) -> HandoutsError:
    with pytest.raises(HandoutsError) as info:
        function(*args)
    return info.value


def library_error(tmp_path: Path, text: str) -> str:
    return str(error_of(load_library, write(tmp_path, "lib.yaml", text)))


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the nth line containing needle."""
    hits = [i for i, row in enumerate(text.splitlines(), 1) if needle in row]
    return hits[occurrence - 1]


@pytest.fixture(params=["c", "python"])
def any_loader(request, monkeypatch):
    """Run a test with libyaml's parser and with the pure-Python one."""
    if request.param == "c":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML built without libyaml")
        monkeypatch.setattr(loading, "_Loader", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(loading, "_Loader", yaml.SafeLoader)


# ---------------------------------------------------------------- read_yaml


def test_valid_library_loads_and_keeps_lines(tmp_path):
    library = load_library(write(tmp_path, "lib.yaml", LIBRARY))
    assert [e.id for e in library.exercises] == ["bird-dog", "glute-bridge"]
    assert library.exercises[0].dosage.sets == 2
    assert library.programs[0].exercises[1].sets == 3
    file, line = locate(library, ("exercises", 0, "dosage", "reps"))
    assert file.endswith("lib.yaml")
    assert line == line_of(LIBRARY, "reps: 10")
    assert locate(library, ("exercises", 1)) == (file, line_of(LIBRARY, "- id: glute-bridge"))
    assert locate(library, ()) == (file, 1)
    assert locate(Plan(patient="x"), ("patient",)) == (None, None)


def test_scalars_stay_strings(tmp_path, any_loader):
    doc = read_yaml(
        write(
            tmp_path,
            "x.yaml",
            (
                "a: NO\nb: yes\nc: 1:30\nd: 010\ne: 1e3\nf: 2026-11-25\ng: 'null'\nh: null\n"
                'i: ~\nj:\nk: Null\nl: !!str null\nm: !!int 7\nn: ""\n'
            ),
        )
    )
    assert doc.data == {
        "a": "NO",
        "b": "yes",
        "c": "1:30",
        "d": "010",
        "e": "1e3",
        "f": "2026-11-25",
        "g": "null",
        "h": None,
        "i": None,
        "j": None,
        "k": None,
        "l": "null",
        "m": "7",
        "n": "",
    }
    assert doc.lines[("f",)] == 6
    assert doc.lines[()] == 1


def test_lines_of_nested_paths(tmp_path, any_loader):
    doc = read_yaml(write(tmp_path, "x.yaml", "# c\nlist:\n  - a\n  - b: 1\n    c:\n      - d\n"))
    assert doc.lines == {
        (): 1,
        ("list",): 2,
        ("list", 0): 3,
        ("list", 1): 4,
        ("list", 1, "b"): 4,
        ("list", 1, "c"): 5,
        ("list", 1, "c", 0): 6,
    }
    assert isinstance(doc, Document) and doc.file == str(tmp_path / "x.yaml")


def test_name_no_stays_a_string(tmp_path):
    text = LIBRARY.replace("name: Bird-Dog", "name: NO")
    library = load_library(write(tmp_path, "lib.yaml", text))
    assert library.exercises[0].name == "NO"


def test_utf8_bom_is_stripped(tmp_path):
    path = write(tmp_path, "lib.yaml", b"\xef\xbb\xbf" + LIBRARY.encode())
    assert load_library(path).version == 1


def test_broken_syntax(tmp_path, any_loader):
    message = library_error(tmp_path, "version: 1\ncategories: [core\nexercises: []\n")
    assert message.startswith(f"{tmp_path / 'lib.yaml'}:3: not valid YAML: ")
    assert message.endswith("(while parsing a flow sequence on line 2)")
    message = library_error(tmp_path, "version: 1\ncategories: [core\n")
    assert message.startswith(f"{tmp_path / 'lib.yaml'}:2: not valid YAML: ")
    message = library_error(tmp_path, 'version: 1\ntitle: "unterminated\n')
    assert message == f"{tmp_path / 'lib.yaml'}:2: not valid YAML: found unexpected end of stream"


def test_tab_indentation(tmp_path, any_loader):
    message = library_error(tmp_path, "version: 1\ncategories:\n\t- id: core\n")
    assert message.startswith(f"{tmp_path / 'lib.yaml'}:3: not valid YAML: ")
    assert "(indent with spaces; YAML does not allow tabs)" in message


def test_duplicate_key(tmp_path, any_loader):
    text = LIBRARY.replace(
        "    purpose: Strengthens your core.\n",
        "    purpose: Strengthens your core.\n    name: Again\n",
    )
    message = library_error(tmp_path, text)
    first = line_of(text, "name: Bird-Dog")
    assert message == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'name: Again')}: "
        f"exercises[0].name: duplicate key 'name' (first given on line {first})"
    )


def test_anchor_and_alias(tmp_path, any_loader):
    text = "version: 1\nbase: &base\n  sets: 2\nother: *base\n"
    message = library_error(tmp_path, text)
    assert message == (
        f"{tmp_path / 'lib.yaml'}:2: base: anchors and aliases are not allowed "
        "(write the value out in full)"
    )
    alias_only = "version: 1\nother: *base\n"
    assert "anchors and aliases are not allowed" in library_error(tmp_path, alias_only)


def test_alias_bomb_is_refused_fast(tmp_path, any_loader):
    rows = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(rows) + "\n")
    start = time.perf_counter()
    error = error_of(read_yaml, path)
    assert time.perf_counter() - start < 1.0
    assert str(error).startswith(f"{path}:1: a: anchors and aliases are not allowed")


def test_python_object_tag(tmp_path, any_loader):
    text = "version: 1\ncategories: !!python/object/apply:os.system [echo hi]\n"
    message = library_error(tmp_path, text)
    assert message == (
        f"{tmp_path / 'lib.yaml'}:2: categories: the tag "
        "'!!python/object/apply:os.system' is not allowed "
        "(remove it; values are read as plain text)"
    )


@pytest.mark.parametrize(
    "value", ["!!binary aGVsbG8=", "!custom x", "!!set {a}", "!!timestamp 2026"]
)
def test_other_tags_are_refused(tmp_path, value):
    message = library_error(tmp_path, f"version: 1\ntitle: {value}\n")
    assert f"{tmp_path / 'lib.yaml'}:2: title: the tag " in message
    assert "is not allowed" in message


def test_merge_key(tmp_path, any_loader):
    message = library_error(tmp_path, "version: 1\ntitle:\n  <<: {a: 1}\n")
    assert message == (
        f"{tmp_path / 'lib.yaml'}:3: title: merge keys '<<' are not allowed "
        "(write the fields out in full)"
    )


def test_non_scalar_and_empty_keys(tmp_path, any_loader):
    message = library_error(tmp_path, "version: 1\n? [a, b]\n: 1\n")
    assert message == f"{tmp_path / 'lib.yaml'}:2: a key must be plain text, not a list or mapping"
    message = library_error(tmp_path, "version: 1\n~: 1\n")
    assert message.startswith(f"{tmp_path / 'lib.yaml'}:2: a key is empty")


def test_multiple_documents(tmp_path, any_loader):
    message = library_error(tmp_path, "version: 1\n---\nversion: 1\n")
    assert message == (
        f"{tmp_path / 'lib.yaml'}:2: the file holds more than one YAML document "
        "(remove the '---' line)"
    )


def test_too_deep(tmp_path):
    message = library_error(tmp_path, "a: " + "[" * 100 + "]" * 100 + "\n")
    assert "nested more than 64 levels deep" in message


def test_non_utf8_bytes(tmp_path):
    path = write(tmp_path, "lib.yaml", b"version: 1\ntitle: caf\xe9\n")
    assert str(error_of(load_library, path)) == (
        f"{path}:2: not UTF-8 text: byte 0xe9 at offset 21 (save it as UTF-8)"
    )


def test_control_character(tmp_path):
    path = write(tmp_path, "lib.yaml", "version: 1\n\ntitle: a\x07b\n")
    assert str(error_of(load_library, path)) == (
        f"{path}:3: not valid YAML: the control character \\x07 is not allowed"
    )


@pytest.mark.parametrize("text", ["", "\n  \n", "# just a comment\n"])
def test_empty_file(tmp_path, text):
    message = library_error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'lib.yaml'}: the file is empty")


def test_huge_file(tmp_path):
    path = write(tmp_path, "lib.yaml", "# " + "x" * (6 * 1024 * 1024) + "\n")
    start = time.perf_counter()
    message = str(error_of(load_library, path))
    assert time.perf_counter() - start < 1.0
    assert message == f"{path}: the file is too big (6.0 MB; the limit is 5 MB)"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    assert str(error_of(load_library, path)) == f"{path}: no such file"


def test_directory(tmp_path):
    assert str(error_of(load_library, tmp_path)) == f"{tmp_path}: is a folder, not a file"


def test_file_name_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "lib.yaml", "version: 1\nversion: 1\n")
    assert str(error_of(load_library, "lib.yaml")).startswith("lib.yaml:2: version: duplicate")


def test_top_level_must_be_a_mapping(tmp_path):
    message = library_error(tmp_path, "- a\n- b\n")
    assert message == (
        f"{tmp_path / 'lib.yaml'}:1: the top level must be a mapping of field: "
        "value, got a list (a library starts with 'version: 1')"
    )


# ---------------------------------------------------------------- validation messages


def test_unknown_key_with_did_you_mean(tmp_path):
    text = LIBRARY.replace("      - Lie on your back.\n", "      - Lie on your back.\n").replace(
        "    steps:\n      - Lie", "    stpes:\n      - Lie"
    )
    message = library_error(tmp_path, text)
    assert message == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'stpes:')}: exercises[1].stpes: "
        "unknown field 'stpes' (did you mean 'steps'?)"
    )


def test_unknown_top_level_key(tmp_path):
    text = LIBRARY + "mistaks: []\n"
    message = library_error(tmp_path, text)
    assert message == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'mistaks')}: mistaks: "
        "unknown field 'mistaks' (did you mean 'mistakes'?)"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("reps: 10", "reps: NO", "reps", "expected a whole number, got 'NO'"),
        ("sets: 2", 'sets: "1:30"', "sets", "expected a whole number, got '1:30'"),
        ("sets: 2", "sets: 2.5", "sets", "expected a whole number, got '2.5'"),
        ("sets: 2", "sets: 99", "sets", "must be at most 20, got '99'"),
        ("sets: 2", "sets: [1]", "sets", "expected a whole number, got a list"),
        (
            "sides: alternate",
            "sides: sometimes",
            "sides",
            "must be one of: alternate, each, both, none, got 'sometimes'",
        ),
    ],
)
def test_wrong_dosage_values(tmp_path, old, new, field, message):
    text = LIBRARY.replace(old, new)
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, new)}: exercises[0].dosage.{field}: {message}"
    )


def test_empty_required_text(tmp_path):
    text = LIBRARY.replace("name: Bird-Dog", 'name: ""')
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'name: ')}: exercises[0].name: must not be empty"
    )
    text = LIBRARY.replace("name: Bird-Dog", "name:")
    assert library_error(tmp_path, text).endswith("exercises[0].name: must not be empty")


def test_required_field_missing(tmp_path):
    text = LIBRARY.replace("    purpose: Strengthens your glutes.\n", "")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, '- id: glute-bridge')}: exercises[1].purpose: "
        "required field missing"
    )


def test_empty_steps_list(tmp_path):
    text = LIBRARY.replace("    steps:\n      - Lie on your back.\n", "    steps: []\n")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'steps: []')}: exercises[1].steps: "
        "must not be empty"
    )


def test_steps_must_be_a_list(tmp_path):
    text = LIBRARY.replace("    steps:\n      - Lie on your back.\n", "    steps:\n      a: b\n")
    assert library_error(tmp_path, text).endswith(
        "exercises[1].steps: must be a list, got a mapping"
    )


def test_bad_id_and_bad_version(tmp_path):
    text = LIBRARY.replace("id: glute-bridge\n    name", "id: Glute Bridge\n    name")
    assert library_error(tmp_path, text).endswith(
        "exercises[1].id: must be lowercase letters, digits and '-' (e.g. 'bird-dog'), "
        "got 'Glute Bridge'"
    )
    text = LIBRARY.replace("version: 1", "version: 2")
    assert (
        library_error(tmp_path, text) == f"{tmp_path / 'lib.yaml'}:1: version: must be 1, got '2'"
    )


def test_bad_guidance_key(tmp_path):
    text = LIBRARY.replace("  safety:", "  Safety Notes:")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:3: guidance.Safety Notes: must be lowercase letters, digits "
        "and '-' (e.g. 'bird-dog'), got 'Safety Notes'"
    )


def test_bad_guidance_value_names_its_key(tmp_path):
    safety = "  safety: Mild muscle soreness is fine; sharp pain isn't.\n"
    text = LIBRARY.replace(safety, '  other: fine\n  safety: ""\n')
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:4: guidance.safety: must not be empty"
    )
    text = LIBRARY.replace(safety, "  safety: [a]\n")
    assert library_error(tmp_path, text).endswith("guidance.safety: expected text, got a list")


def test_typo_explains_missing_field_in_a_list_item(tmp_path):
    text = LIBRARY.replace("    purpose: Strengthens your glutes.", "    purpse: Strengthens.")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'purpse')}: exercises[1].purpse: "
        "unknown field 'purpse' (did you mean 'purpose'?)"
    )


def test_unknown_key_with_odd_characters(tmp_path):
    text = LIBRARY.replace(
        "    steps:\n      - Lie", "    'a` - at `$.x`': 1\n    steps:\n      - Lie"
    )
    assert library_error(tmp_path, text).endswith(
        "exercises[1].a` - at `$.x`: unknown field 'a` - at `$.x`'"
    )


def test_program_entry_and_version_of_the_wrong_kind(tmp_path):
    text = LIBRARY.replace("      - bird-dog\n", "      - [bird-dog]\n")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, '[bird-dog]')}: programs[0].exercises[0]: "
        "must be an exercise id or a mapping of field: value, got a list"
    )
    text = LIBRARY.replace("version: 1", "version: [1]")
    assert (
        library_error(tmp_path, text)
        == f"{tmp_path / 'lib.yaml'}:1: version: must be 1, got a list"
    )
    text = LIBRARY.replace("    exercises:\n      - bird-dog\n", "    exercises: []\n").replace(
        "      - id: glute-bridge\n        sets: 3\n", ""
    )
    assert library_error(tmp_path, text).endswith(
        "programs[0].exercises: must list at least one exercise"
    )


def test_long_values_are_clipped_and_escaped(tmp_path):
    text = LIBRARY.replace("reps: 10", 'reps: "' + "x" * 100 + '\\n"')
    message = library_error(tmp_path, text)
    assert message.endswith("expected a whole number, got '" + "x" * 39 + "…'")
    text = LIBRARY.replace("reps: 10", 'reps: "a\\tb\\u0007"')
    assert library_error(tmp_path, text).endswith("got 'a\\tb\\x07'")


def test_duplicate_exercise_id(tmp_path):
    text = LIBRARY.replace("id: glute-bridge\n    name", "id: bird-dog\n    name")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, '- id: bird-dog', 2)}: exercises[1].id: "
        "duplicate id 'bird-dog' (first used at exercises[0])"
    )


def test_dangling_category(tmp_path):
    text = LIBRARY.replace(
        "category: core\n    purpose: Strengthens your glutes",
        "category: cores\n    purpose: Strengthens your glutes",
    )
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'category: cores')}: exercises[1].category: "
        "unknown category 'cores' (did you mean 'core'?)"
    )


def test_unknown_program_exercise(tmp_path):
    text = LIBRARY.replace(
        "      - id: glute-bridge\n        sets: 3", "      - id: glute-brige\n        sets: 3"
    )
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'glute-brige')}: programs[0].exercises[1].id: "
        "unknown exercise 'glute-brige' (did you mean 'glute-bridge'?)"
    )
    text = LIBRARY.replace("      - bird-dog\n", "      - bird-dgo\n")
    assert library_error(tmp_path, text) == (
        f"{tmp_path / 'lib.yaml'}:{line_of(text, 'bird-dgo')}: programs[0].exercises[0]: "
        "unknown exercise 'bird-dgo' (did you mean 'bird-dog'?)"
    )


# ---------------------------------------------------------------- plans and clinics

PLAN = """\
patient: Jane Doe
date: 2026-11-25
therapist: Alex Kim, PT
exercises:
  - bird-dog
  - id: glute-bridge
    sets: 3
    reps: 12
    notes: Pause at the top.
tips: all
mistakes: [too-much]
weeks: 2
notes: Call us if pain spreads below the knee.
"""


def plan_error(tmp_path: Path, text: str) -> str:
    return str(error_of(load_plan, write(tmp_path, "plan.yaml", text)))


def test_plan_with_bare_ids_and_mappings(tmp_path):
    plan = load_plan(write(tmp_path, "plan.yaml", PLAN))
    assert [e.id for e in plan.exercises] == ["bird-dog", "glute-bridge"]
    assert plan.exercises[1].sets == 3 and plan.exercises[1].notes == "Pause at the top."
    assert str(plan.date) == "2026-11-25"
    assert plan.tips == "all" and plan.mistakes == ("too-much",)
    assert locate(plan, ("exercises", 1, "reps"))[1] == line_of(PLAN, "reps: 12")


def test_plan_weeks_out_of_range(tmp_path):
    text = PLAN.replace("weeks: 2", "weeks: 99")
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:{line_of(text, 'weeks')}: weeks: must be at most 52, got '99'"
    )


def test_plan_bad_date(tmp_path):
    text = PLAN.replace("date: 2026-11-25", "date: 25/11/2026")
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:2: date: must be a date like 2026-11-25, got '25/11/2026'"
    )
    text = PLAN.replace("date: 2026-11-25", "date: 2026-02-30")
    assert plan_error(tmp_path, text).endswith("got '2026-02-30'")


def test_plan_bad_bare_id(tmp_path):
    text = PLAN.replace("  - bird-dog", "  - Bird Dog")
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:5: exercises[0]: must be lowercase letters, digits and '-' "
        "(e.g. 'bird-dog'), got 'Bird Dog'"
    )


@pytest.mark.parametrize(
    ("value", "line", "expected"),
    [
        ("{a: b}", "tips", "tips: must be 'all', 'none' or a list of ids, got a mapping"),
        (
            "[screens, Bad Id]",
            "tips",
            "tips[1]: must be lowercase letters, digits and '-' (e.g. 'bird-dog'), got 'Bad Id'",
        ),
        (
            "screens, Bad Id",
            "tips",
            "tips: must be lowercase letters, digits and '-' (e.g. 'bird-dog'), got 'Bad Id'",
        ),
    ],
)
def test_plan_selection_messages(tmp_path, value, line, expected):
    text = PLAN.replace("tips: all", f"tips: {value}")
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:{line_of(text, line)}: {expected}"
    )


def test_plan_missing_patient_and_wrong_top_level(tmp_path):
    text = PLAN.replace("patient: Jane Doe\n", "")
    assert (
        plan_error(tmp_path, text) == f"{tmp_path / 'plan.yaml'}:1: patient: required field missing"
    )
    doc = read_yaml(write(tmp_path, "x.yaml", "- a\n"))
    assert str(error_of(validate, Plan, doc)) == (
        f"{doc.file}:1: the top level must be a mapping of field: value, got a list"
    )


def test_plan_values_the_model_splits(tmp_path):
    text = PLAN.replace("  - bird-dog\n  - id: glute-bridge", "  - bird-dog\n  - id: glute-bridge")
    text = PLAN.replace(
        "exercises:\n  - bird-dog\n  - id: glute-bridge\n    sets: 3\n    reps: 12\n"
        "    notes: Pause at the top.\n",
        'exercises: "bird-dog;B\\ad"\n',
    )
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:4: exercises: must be lowercase letters, digits and '-' "
        "(e.g. 'bird-dog'), got 'B\\x07d'"
    )
    text = PLAN.replace("tips: all", "tips: {a: b}")
    assert plan_error(tmp_path, text).endswith(
        "tips: must be 'all', 'none' or a list of ids, got a mapping"
    )
    text = PLAN.replace("exercises:\n  - bird-dog", "exercises:\n  bird-dog: 1").replace(
        "  - id: glute-bridge\n    sets: 3\n    reps: 12\n    notes: Pause at the top.\n", ""
    )
    assert plan_error(tmp_path, text).endswith("exercises: must be a list, got a mapping")


def test_plan_typo_explains_missing_field(tmp_path):
    text = PLAN.replace("patient: Jane Doe", "patinet: Jane Doe")
    assert plan_error(tmp_path, text) == (
        f"{tmp_path / 'plan.yaml'}:1: patinet: unknown field 'patinet' (did you mean 'patient'?)"
    )


def test_clinic(tmp_path):
    text = (
        'name: Riverside\nlogo: art/logo.png\ncolors: {primary: "#146ea0"}\n'
        "website: https://example.org\n"
    )
    clinic = load_clinic(write(tmp_path, "clinic.yaml", text))
    assert clinic.logo == "art/logo.png" and clinic.colors.primary == "#146ea0"
    bad = text.replace('"#146ea0"', "blue")
    assert str(error_of(load_clinic, write(tmp_path, "clinic.yaml", bad))) == (
        f"{tmp_path / 'clinic.yaml'}:3: colors.primary: must be a colour like '#146ea0', got 'blue'"
    )
    bad = text.replace("https://example.org", "example.org")
    assert str(error_of(load_clinic, write(tmp_path, "clinic.yaml", bad))) == (
        f"{tmp_path / 'clinic.yaml'}:4: website: must be a web address starting with "
        "http:// or https://, got 'example.org'"
    )


def test_validate_with_root(tmp_path):
    doc = read_yaml(
        write(tmp_path, "x.yaml", "plans:\n  - patient: A\n  - patient: B\n    weeks: x\n")
    )
    plan = validate(Plan, doc, root=("plans", 0))
    assert plan.patient == "A" and locate(plan, ("patient",))[1] == 2
    error = error_of(validate, Plan, doc, None, ("plans", 1))
    assert str(error) == f"{doc.file}:4: weeks: expected a whole number, got 'x'"


# ---------------------------------------------------------------- layouts


def layouts_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        write(folder, name, text)
    return folder


def test_layout_extends_chain(tmp_path):
    folder = layouts_dir(
        tmp_path,
        {
            "base.yaml": "name: base\ndescription: The base\npaper: a4\n"
            "margins: {top: 40, left: 60}\nsections: [intro, exercises]\n",
            "middle.yaml": "extends: base\nmargins: {top: 30}\nfont: serif\n",
            "top.yaml": "extends: middle\nsizes: {body: 14}\nsections: [exercises]\n",
        },
    )
    layout = load_layout("top", [folder])
    assert layout.name == "top" and layout.description == ""
    assert layout.paper == "a4" and layout.font == "serif"
    assert (layout.margins.top, layout.margins.left) == (30, 60)
    assert layout.sizes.body == 14 and layout.sections == ["exercises"]
    assert locate(layout, ("margins", "left")) == (str(folder / "base.yaml"), 4)
    assert locate(layout, ("margins", "top")) == (str(folder / "middle.yaml"), 2)
    assert locate(layout, ("sizes", "body")) == (str(folder / "top.yaml"), 2)
    assert available_layouts([folder]) == {
        n: folder / f"{n}.yaml" for n in ("base", "middle", "top")
    }


def test_layout_by_path_with_relative_parent(tmp_path):
    layouts_dir(tmp_path, {"base.yaml": "paper: a4\n"})
    child = write(tmp_path, "mine.yaml", "extends: layouts/base.yaml\ncolumns: 2\n")
    layout = load_layout(str(child), [])
    assert (layout.name, layout.paper, layout.columns) == ("mine", "a4", 2)


def test_layout_error_in_parent_names_parent(tmp_path):
    folder = layouts_dir(
        tmp_path,
        {
            "base.yaml": "paper: a4\nmargins:\n  left: 5000\n",
            "child.yaml": "extends: base\nmargins: {top: 40}\n",
        },
    )
    assert str(error_of(load_layout, "child", [folder])) == (
        f"{folder / 'base.yaml'}:3: margins.left: must be at most 216, got '5000'"
    )
    write(folder, "child.yaml", "extends: base\nmargins: {left: 5001}\n")
    assert str(error_of(load_layout, "child", [folder])) == (
        f"{folder / 'child.yaml'}:2: margins.left: must be at most 216, got '5001'"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pictures: maybe", "pictures: expected true or false, got 'maybe'"),
        ("columns: 3", "columns: must be one of: 1, 2, got '3'"),
        (
            "sections: [intro, nope]",
            "sections[1]: must be one of: notes, intro, about, exercises, tips, "
            "mistakes, safety, booking, tracking, got 'nope'",
        ),
        ("space: 0.1", "space: must be at least 0.5, got '0.1'"),
        ("tracking: {style: year}", "tracking.style: must be one of: week, month, got 'year'"),
        ("margins: 5", "margins: must be a mapping of field: value, got '5'"),
        ("colors: {primary: blue}", "colors.primary: must be a colour like '#146ea0', got 'blue'"),
        ("sizes: {bdy: 3}", "sizes.bdy: unknown field 'bdy' (did you mean 'body'?)"),
    ],
)
def test_layout_messages(tmp_path, line, message):
    folder = layouts_dir(tmp_path, {"mine.yaml": f"paper: a4\n{line}\n"})
    assert str(error_of(load_layout, "mine", [folder])) == f"{folder / 'mine.yaml'}:2: {message}"


def test_layout_cycle(tmp_path):
    folder = layouts_dir(
        tmp_path,
        {
            "a.yaml": "extends: b\n",
            "b.yaml": "extends: a\n",
            "self.yaml": "paper: a4\nextends: self\n",
        },
    )
    assert str(error_of(load_layout, "a", [folder])) == (
        f"{folder / 'b.yaml'}:1: extends: layout 'a' extends itself via b -> a"
    )
    assert str(error_of(load_layout, "self", [folder])) == (
        f"{folder / 'self.yaml'}:2: extends: layout 'self' extends itself"
    )


def test_layout_unknown_parent_and_name(tmp_path):
    folder = layouts_dir(
        tmp_path,
        {"standard.yaml": "paper: letter\n", "child.yaml": "paper: a4\nextends: standart\n"},
    )
    assert str(error_of(load_layout, "child", [folder])) == (
        f"{folder / 'child.yaml'}:2: extends: unknown layout 'standart' (did you mean 'standard'?)"
    )
    assert str(error_of(load_layout, "compactt", [folder])) == (
        "unknown layout 'compactt' (the layouts are: child, standard)"
    )
    assert str(error_of(load_layout, "standar", [folder])).endswith("(did you mean 'standard'?)")


def test_layout_search_order(tmp_path):
    first = layouts_dir(tmp_path, {"standard.yaml": "paper: a4\n"})
    second = tmp_path / "more"
    second.mkdir()
    write(second, "standard.yaml", "paper: letter\n")
    write(second, "other.yaml", "font: serif\n")
    assert load_layout("standard", [first, second]).paper == "a4"
    assert load_layout("other", [first, second]).font == "serif"
    assert layout_search_dirs(first)[0] == first
    assert layout_search_dirs(None) == [bundled_dir() / "layouts"]


# ---------------------------------------------------------------- rosters


def test_csv_roster_with_a_bad_row(tmp_path):
    path = write(
        tmp_path,
        "roster.csv",
        (
            "\ufeffpatient,exercises,weeks,date,notes\n"
            "Jane Doe,bird-dog;glute-bridge,2,2026-11-25,\n"
            "\n"
            "John Roe,bird-dog,99,,\n"
            ",,,,\n"
            'Ann Lee,glute-bridge,,,"Line one\nline two"\n'
            "Bo Li,Bird Dog,,,\n"
        ),
    )
    rows = load_roster(path)
    assert [(r.number, r.line) for r in rows] == [(1, 2), (2, 4), (3, 6), (4, 8)]
    assert rows[0].error is None and [e.id for e in rows[0].plan.exercises] == [
        "bird-dog",
        "glute-bridge",
    ]
    assert str(rows[0].plan.date) == "2026-11-25" and rows[0].plan.notes is None
    assert str(rows[1].error) == f"{path}:4: weeks: must be at most 52, got '99'"
    assert rows[1].plan is None
    assert rows[2].plan.notes == "Line one\nline two" and rows[2].plan.weeks is None
    assert str(rows[3].error) == (
        f"{path}:8: exercises: must be lowercase letters, digits and "
        "'-' (e.g. 'bird-dog'), got 'Bird Dog'"
    )
    assert locate(rows[2].plan, ("patient",)) == (str(path), 6)


def test_csv_unknown_column(tmp_path):
    path = write(tmp_path, "roster.csv", "patient,exercise,weeks\nJane,bird-dog,2\n")
    assert str(error_of(load_roster, path)) == (
        f"{path}:1: unknown column 'exercise' (did you mean 'exercises'?)"
    )


def test_csv_header_problems(tmp_path):
    path = write(tmp_path, "roster.csv", "name,weeks\nJane,2\n")
    assert "unknown column 'name'" in str(error_of(load_roster, path))
    path = write(tmp_path, "roster.csv", "exercises,weeks\nbird-dog,2\n")
    assert str(error_of(load_roster, path)).startswith(
        f"{path}:1: the header has no 'patient' column"
    )
    path = write(tmp_path, "roster.csv", "")
    assert str(error_of(load_roster, path)) == f"{path}: the file is empty"
    path = write(tmp_path, "roster.csv", b"patient\nJos\xe9\n")
    assert str(error_of(load_roster, path)).startswith(f"{path}:2: not UTF-8 text")


def test_csv_extra_cell(tmp_path):
    path = write(tmp_path, "roster.tsv", "Patient, Weeks\nJane,2,surprise\nJohn,3\n")
    rows = load_roster(path)
    assert str(rows[0].error) == (
        f"{path}:2: the value 'surprise' in column 3 has no column name in the header"
    )
    assert rows[1].plan.patient == "John" and rows[1].plan.weeks == 3


def test_csv_row_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "MAX_ROSTER_ROWS", 3)
    path = write(tmp_path, "roster.csv", "patient\n" + "".join(f"P{i}\n" for i in range(4)))
    assert str(error_of(load_roster, path)).startswith(f"{path}: too many rows (the limit is 3)")


def test_yaml_roster(tmp_path):
    path = write(
        tmp_path,
        "roster.yaml",
        (
            "- patient: Jane\n  exercises: [bird-dog]\n"
            "- patient: John\n  weeks: lots\n"
            "- just a string\n"
        ),
    )
    rows = load_roster(path)
    assert [(r.number, r.line) for r in rows] == [(1, 1), (2, 3), (3, 5)]
    assert rows[0].plan.exercises[0].id == "bird-dog"
    assert locate(rows[0].plan, ("exercises", 0)) == (str(path), 2)
    assert str(rows[1].error) == f"{path}:4: weeks: expected a whole number, got 'lots'"
    assert str(rows[2].error) == (
        f"{path}:5: each plan must be a mapping of field: value, got 'just a string'"
    )
    path = write(tmp_path, "roster.yml", "patient: Jane\n")
    assert "a YAML roster must be a list of plans" in str(error_of(load_roster, path))


# ---------------------------------------------------------------- the bundled data


def test_bundled_dir_and_default_library():
    assert default_library_path() == bundled_dir() / "exercises.yaml"
    assert bundled_dir() == Path(loading.__file__).resolve().parents[2]


def test_real_bundled_library():
    path = default_library_path()
    if not path.is_file():
        pytest.skip("exercises.yaml is not written yet")
    try:
        library = load_library(path)
    except HandoutsError as error:
        pytest.skip(f"bundled library does not validate yet: {error}")
    ids = {e.id for e in library.exercises}
    assert {"bird-dog", "glute-bridge", "dead-bug", "foam-rolling"} <= ids


def test_loading_does_not_import_reportlab_or_pydantic():
    code = (
        "import sys, handouts.loading; "
        "sys.exit(1 if any(m.split('.')[0] in ('reportlab', 'pydantic') for m in sys.modules) "
        "else 0)"
    )
    src = str(Path(loading.__file__).resolve().parents[1])
    assert subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": src}).returncode == 0


def test_library_loads_quickly(tmp_path):
    path = write(tmp_path, "lib.yaml", LIBRARY)
    load_library(path)
    start = time.perf_counter()
    for _ in range(10):
        load_library(path)
    assert (time.perf_counter() - start) / 10 < 0.05
