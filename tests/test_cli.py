"""The command line with bad input: exit 1, one line on stderr that says where and what
(`error: FILE:LINE: field: what is wrong (hint)`), no traceback, no file written, an existing
file left as it was. And the browsing commands, read as a user reads them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import LIBRARY_FILE, library_data, run_cli

OUT = "out.pdf"


# ---------------------------------------------------------------- helpers


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first line of path containing needle."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def user_error(result, out: Path | None = None) -> str:
    """Checks every bad-input run must pass; returns the one error line."""
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no crash
    assert result.stdout == "", result.stdout  # nothing claims success
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"want one line on stderr, got {lines!r}"
    assert lines[0].startswith("error: "), lines[0]
    if out is not None:
        assert not out.exists(), "a failed run wrote the output file"
        assert not list(out.parent.glob(f".{out.name}*")), "a temporary file was left"
    return lines[0]


def make_fails(tmp_path: Path, *args) -> str:
    out = tmp_path / OUT
    return user_error(run_cli("make", *args, "-o", out), out)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def library_file(tmp_path: Path, change) -> Path:
    """The bundled library, changed by change(data), written as YAML."""
    data = library_data()
    change(data)
    return write(
        tmp_path, "library.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )


def cli_process(*args, cwd: Path | None = None, timeout: float = 60):
    """`python -m handouts ARGS` in a real process."""
    return subprocess.run(
        [sys.executable, "-m", "handouts", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def process_user_error(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


# ---------------------------------------------------------------- options


def test_unknown_exercise_option_suggests_the_id(tmp_path):
    line = make_fails(tmp_path, "--patient", "Jane", "-e", "bird-dgo")
    assert line == "error: --exercise: unknown exercise 'bird-dgo' (did you mean 'bird-dog'?)"


def test_unknown_exercise_in_a_real_process(tmp_path):
    done = cli_process("make", "--patient", "Jane", "-e", "bird-dgo", "-o", tmp_path / OUT)
    line = process_user_error(done)
    assert "did you mean 'bird-dog'?" in line
    assert not (tmp_path / OUT).exists()


def test_no_patient(tmp_path):
    line = make_fails(tmp_path, "-e", "bird-dog")
    assert line.startswith("error: --patient: no patient given")


def test_empty_patient_option(tmp_path):
    assert make_fails(tmp_path, "--patient", "  ", "-e", "bird-dog") == (
        "error: --patient: must not be empty"
    )


def test_unknown_layout_suggests_a_name(tmp_path):
    line = make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--layout", "standrd")
    assert "unknown layout 'standrd'" in line and "did you mean 'standard'?" in line


def test_unknown_layout_names_the_option(tmp_path):
    line = make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--layout", "standrd")
    assert line.startswith("error: --layout: ")


def test_unknown_paper(tmp_path):
    assert make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--paper", "b5") == (
        "error: --paper: unknown paper size 'b5' (use letter or a4)"
    )


def test_impossible_date(tmp_path):
    line = make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--date", "2026-02-30")
    assert line.startswith("error: --date: ") and "2026-02-30" in line


def test_weeks_out_of_range_is_a_usage_error(tmp_path):
    """Typer checks the range itself: exit 2 and its usage message, no traceback."""
    out = tmp_path / OUT
    result = run_cli("make", "--patient", "J", "-e", "bird-dog", "--weeks", "60", "-o", out)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert "--weeks" in result.stderr and "60" in result.stderr and "0<=x<=52" in result.stderr
    assert not out.exists()


def test_output_in_a_missing_folder(tmp_path):
    out = tmp_path / "no-such-folder" / OUT
    line = user_error(run_cli("make", "--patient", "J", "-e", "bird-dog", "-o", out))
    assert line.startswith(f"error: {out}: the folder does not exist")
    assert not out.parent.exists()


def test_output_must_end_in_pdf(tmp_path):
    out = tmp_path / "handout.txt"
    line = user_error(run_cli("make", "--patient", "J", "-e", "bird-dog", "-o", out))
    assert line == f"error: {out}: the output file name must end in .pdf"
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_a_value_do_not_break_the_error_line(tmp_path):
    line = make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--paper", "b5\rX")
    assert line.startswith("error: --paper: ")
    assert "\r" not in line


@pytest.mark.parametrize(
    "bad",
    [
        ["-e", "bird-dgo"],
        ["-e", "bird-dog", "--paper", "b5"],
        ["-e", "bird-dog", "--layout", "nope"],
    ],
)
def test_existing_output_is_untouched_by_a_failed_run(tmp_path, bad):
    out = tmp_path / OUT
    out.write_bytes(b"%PDF last week's handout")
    os.utime(out, (1_000_000_000, 1_000_000_000))
    user_error(run_cli("make", "--patient", "J", *bad, "-o", out))
    assert out.read_bytes() == b"%PDF last week's handout"
    assert out.stat().st_mtime == 1_000_000_000
    assert [p.name for p in tmp_path.iterdir()] == [OUT]


# ---------------------------------------------------------------- plan files

PLAN_UNKNOWN = """\
patient: Jane Doe
exercises:
  - bird-dog
  - id: glute-bridge
    sets: 3
  - bird-dgo
"""


def test_plan_with_unknown_exercise_names_file_and_line(tmp_path):
    plan = write(tmp_path, "jane.yaml", PLAN_UNKNOWN)
    line = make_fails(tmp_path, plan)
    assert line == (
        f"error: {plan}:{line_of(plan, 'bird-dgo')}: exercises[2]: "
        "unknown exercise 'bird-dgo' (did you mean 'bird-dog'?)"
    )


def test_plan_with_unknown_exercise_in_a_real_process(tmp_path):
    write(tmp_path, "jane.yaml", PLAN_UNKNOWN)
    done = cli_process("make", "jane.yaml", "-o", OUT, cwd=tmp_path)
    assert process_user_error(done).startswith("error: jane.yaml:6: exercises[2]: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jane.yaml"]


@pytest.mark.parametrize(
    ("name", "text", "needle", "where", "words"),
    [
        (
            "broken.yaml",
            "patient: Jane\nexercises: [bird-dog\n",
            "exercises",
            None,
            "not valid YAML",
        ),
        (
            "dup.yaml",
            "patient: Jane\nexercises: [bird-dog]\npatient: Bob\n",
            "Bob",
            "patient",
            "duplicate key 'patient' (first given on line 1)",
        ),
        (
            "alias.yaml",
            "patient: &p Jane\ntherapist: *p\nexercises: [bird-dog]\n",
            "&p",
            "patient",
            "anchors and aliases are not allowed",
        ),
        (
            "w99.yaml",
            "patient: Jane\nexercises: [bird-dog]\nweeks: 99\n",
            "99",
            "weeks",
            "must be at most 52",
        ),
        (
            "wno.yaml",
            "patient: Jane\nexercises: [bird-dog]\nweeks: NO\n",
            "NO",
            "weeks",
            "expected a whole number, got 'NO'",
        ),
        (
            "key.yaml",
            "patient: Jane\nexercises: [bird-dog]\nwekes: 2\n",
            "wekes",
            "wekes",
            "unknown field 'wekes' (did you mean 'weeks'?)",
        ),
        (
            "empty.yaml",
            'patient: ""\nexercises: [bird-dog]\n',
            "patient",
            "patient",
            "must not be empty",
        ),
        (
            "tips.yaml",
            "patient: Jane\nexercises: [bird-dog]\ntips: [screens-eye-levl]\n",
            "tips",
            "tips[0]",
            "unknown tip 'screens-eye-levl' (did you mean 'screens-eye-level'?)",
        ),
    ],
)
def test_bad_plan_names_file_line_and_field(tmp_path, name, text, needle, where, words):
    plan = write(tmp_path, name, text)
    line = make_fails(tmp_path, plan)
    prefix = f"error: {plan}:{line_of(plan, needle)}: " + (f"{where}: " if where else "")
    assert line.startswith(prefix), line
    assert words in line, line


def test_alias_bomb_plan_in_a_real_process(tmp_path):
    rows = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    write(tmp_path, "bomb.yaml", "patient: Jane\n" + "\n".join(rows) + "\n")
    done = cli_process("make", "bomb.yaml", "-o", OUT, cwd=tmp_path)
    assert process_user_error(done).startswith("error: bomb.yaml:2: a0: anchors and aliases")
    assert not (tmp_path / OUT).exists()


def test_missing_plan_file(tmp_path):
    plan = tmp_path / "nope.yaml"
    assert make_fails(tmp_path, plan) == f"error: {plan}: no such file"


def test_non_utf8_plan(tmp_path):
    plan = write(
        tmp_path,
        "latin1.yaml",
        "patient: Jane\nexercises: [bird-dog]\nnotes: café\n".encode("latin-1"),
    )
    line = make_fails(tmp_path, plan)
    assert line.startswith(f"error: {plan}:3: not UTF-8 text")
    assert "UTF-8" in line


def test_options_are_checked_before_the_plan_is_trusted(tmp_path):
    """A good plan and a bad option: the option is named, not the plan."""
    plan = write(tmp_path, "ok.yaml", "patient: Jane\nexercises: [bird-dog]\n")
    assert make_fails(tmp_path, plan, "-e", "bird-dgo").startswith("error: --exercise: ")


def test_unprintable_text_in_a_plan_names_file_and_line(tmp_path):
    plan = write(tmp_path, "emoji.yaml", "patient: Jane \U0001f600\nexercises: [bird-dog]\n")
    line = make_fails(tmp_path, plan)
    assert "U+1F600" in line
    assert line.startswith(f"error: {plan}:1: patient: "), line


# ---------------------------------------------------------------- library and clinic files


@pytest.mark.parametrize(
    ("change", "needle", "where", "words"),
    [
        (
            lambda d: d["exercises"][2].update(category="core-stabilisation"),
            "core-stabilisation",
            "exercises[2].category",
            "unknown category 'core-stabilisation' (did you mean 'core-stabilization'?)",
        ),
        (
            lambda d: d["exercises"][3].update(id="bird-dog"),
            None,
            "exercises[3].id",
            "duplicate id 'bird-dog'",
        ),
        (
            lambda d: d["exercises"][1]["dosage"].update(sets="lots"),
            "lots",
            "exercises[1].dosage.sets",
            "expected a whole number, got 'lots'",
        ),
    ],
    ids=["dangling-category", "duplicate-id", "wrong-type"],
)
def test_bad_library_names_file_line_and_field(tmp_path, change, needle, where, words):
    lib = library_file(tmp_path, change)
    line = make_fails(tmp_path, "--library", lib, "--patient", "J", "-e", "squat")
    if needle is None:  # the second 'id: bird-dog' of the exercises list
        rows = lib.read_text(encoding="utf-8").splitlines()
        number = [i for i, r in enumerate(rows, 1) if r.strip() == "- id: bird-dog"][1]
    else:
        number = line_of(lib, needle)
    assert line.startswith(f"error: {lib}:{number}: {where}: "), line
    assert words in line, line


def test_alias_bomb_library_is_refused_fast(tmp_path):
    rows = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    lib = write(tmp_path, "bomb.yaml", "version: 1\n" + "\n".join(rows) + "\n")
    started = time.perf_counter()
    line = make_fails(tmp_path, "--library", lib, "--patient", "J", "-e", "bird-dog")
    assert time.perf_counter() - started < 1.0
    assert line.startswith(f"error: {lib}:2: ") and "aliases are not allowed" in line


def test_huge_library_is_refused(tmp_path):
    lib = tmp_path / "huge.yaml"
    with lib.open("w", encoding="utf-8") as f:
        f.write("version: 1\nguidance:\n")
        i = 0
        while f.tell() < 6 * 1024 * 1024:
            f.write(f"  k{i}: {'x' * 200}\n")
            i += 1
    started = time.perf_counter()
    line = make_fails(tmp_path, "--library", lib, "--patient", "J", "-e", "bird-dog")
    assert time.perf_counter() - started < 2.0
    assert line.startswith(f"error: {lib}: the file is too big")


def test_clinic_with_a_bad_colour(tmp_path):
    clinic = write(tmp_path, "clinic.yaml", 'name: Riverside\ncolors: {primary: "blue"}\n')
    line = make_fails(tmp_path, "--patient", "J", "-e", "bird-dog", "--clinic", clinic)
    assert line.startswith(f"error: {clinic}:2: colors.primary: ")
    assert "'blue'" in line and "#" in line  # says what a colour looks like


# ---------------------------------------------------------------- browsing and checking


def test_list_shows_every_exercise_and_program():
    result = run_cli("list")
    assert result.exit_code == 0, result.output
    data = library_data()
    words = result.stdout.split()
    for exercise in data["exercises"]:
        assert exercise["id"] in words, exercise["id"]
    for program in data["programs"]:
        assert program["id"] in words, program["id"]


def test_show_prints_the_steps_and_the_pro_tip():
    result = run_cli("show", "bird-dog")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    bird = next(e for e in library_data()["exercises"] if e["id"] == "bird-dog")
    for i, step in enumerate(bird["steps"], start=1):
        assert f"{i}. {step}" in text, step
    assert f"Pro tip: {bird['tips'][0]}" in text


def test_show_unknown_id_suggests_one():
    line = user_error(run_cli("show", "bird-dgo"))
    assert "unknown exercise 'bird-dgo'" in line and "did you mean 'bird-dog'?" in line


def test_show_nothing_like_it_points_at_list():
    line = user_error(run_cli("show", "nope"))
    assert "unknown exercise 'nope'" in line and "handouts list" in line


def test_validate_the_bundled_library():
    result = run_cli("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ") and "13 exercises" in result.stdout
    assert result.stderr == ""


def test_validate_a_file_of_each_kind(tmp_path):
    plan = write(tmp_path, "plan.yaml", "patient: Jane\nexercises: [bird-dog, squat]\n")
    result = run_cli("validate", LIBRARY_FILE, plan)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok: ") == 2


def test_validate_a_bad_file_names_file_and_line(tmp_path):
    good = write(tmp_path, "good.yaml", "patient: Jane\nexercises: [bird-dog]\n")
    bad = write(tmp_path, "bad.yaml", PLAN_UNKNOWN)
    result = run_cli("validate", good, bad)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout.count("ok: ") == 1  # the good file is still reported
    assert result.stderr.splitlines() == [
        f"error: {bad}:6: exercises[2]: unknown exercise 'bird-dgo' (did you mean 'bird-dog'?)"
    ]


def test_validate_refuses_what_make_refuses(tmp_path):
    plan = write(tmp_path, "emoji.yaml", "patient: Jane \U0001f600\nexercises: [bird-dog]\n")
    assert make_fails(tmp_path, plan)
    result = run_cli("validate", plan)
    assert result.exit_code == 1, result.output


def test_layouts_lists_standard():
    result = run_cli("layouts")
    assert result.exit_code == 0, result.output
    names = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert "standard" in names


def test_help_in_a_real_process():
    done = cli_process("--help")
    assert done.returncode == 0, done.stderr
    for command in ("make", "list", "show", "validate", "layouts"):
        assert command in done.stdout
