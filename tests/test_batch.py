"""`handouts batch`: a roster in, one PDF per patient out, read back the way a clinic would.

The big runs are real subprocesses (`python -m handouts batch ... --jobs 2`) so that the worker
pool, the signals and the piped progress lines are the real ones; the small ones run in-process
with `--jobs 1`. Every check reads the PDFs back: page counts with pypdf, the patient on page 1,
the form fields of a merged run, the encryption dictionary of a protected file.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LIBRARY_FILE, fields, norm, page_texts, reader, run_cli, widgets

DATE = "2026-03-02"
SHORT = ["bird-dog", "cat-cow"]  # two exercises and one week keep every row fast
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] row (\d+): (?:wrote (.+)|failed)$")


# ---------------------------------------------------------------- helpers


def write_csv(path: Path, header: list[str], rows: list[list]) -> list[int]:
    """Write a CSV roster; returns the line each data row starts on (cells may hold newlines)."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += 1 + sum(str(cell).count("\n") for cell in row)
    return lines


def run_batch_process(cwd: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m handouts batch ARGS` as a real process, output piped (so: no terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "handouts", "batch", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_batch_inline(cwd: Path, *args) -> object:
    """`handouts batch ARGS --jobs 1` in this process, with relative paths resolved in cwd."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return run_cli("batch", *args, "--jobs", "1")
    finally:
        os.chdir(old)


def no_crash(result) -> None:
    """An in-process run ended through the CLI's own exit, not an exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        result.output[-2000:],
    )
    assert "Traceback" not in result.output


def progress(stderr: str) -> dict[int, Path | None]:
    """Row number -> the file its progress line says it wrote (None: the row failed)."""
    rows = {}
    for line in stderr.splitlines():
        match = PROGRESS.match(line)
        if match:
            rows[int(match.group(3))] = Path(match.group(4)) if match.group(4) else None
    return rows


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def page_count(path: Path) -> int:
    return len(reader(path).pages)


def first_page_patient(path: Path) -> str:
    """The name printed after 'Patient' on page 1 (pypdf's text)."""
    text = page_texts(path)[0]
    match = re.search(r"Patient (.+?) Date ", text)
    assert match, text[:400]
    return match.group(1)


def first_page_text_fast(path: Path) -> str:
    """Page 1's text through pdfium (C, ~20x faster than pypdf) for the 200-file run."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        page = doc[0]
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        textpage.close()
        page.close()
        return norm(text)
    finally:
        doc.close()


def temp_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".part" in p.name)


# ---------------------------------------------------------------- 200 rows, one bad, two namesakes

FIRST = ["Alma", "Bruno", "Carla", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Ivo", "Jonas"]
LAST = ["Baker", "Costa", "Dunn", "Eaton", "Fischer", "Garcia", "Hale", "Ito", "Jensen", "Kowal"]
LAST += ["Lopez", "Moreau", "Novak", "Okafor", "Perez", "Quinn", "Reyes", "Sato", "Tanaka", "Varga"]
BAD_ROW, TWIN_A, TWIN_B, TWO_LINE_ROW = 77, 10, 150, 5


@pytest.fixture(scope="module")
def big_run(tmp_path_factory):
    """200 rows through a real subprocess with two workers."""
    folder = tmp_path_factory.mktemp("big")
    names = [f"{first} {last}" for last in LAST for first in FIRST]
    assert len(set(names)) == 200
    names[TWIN_B - 1] = names[TWIN_A - 1]  # two patients with the same name and date
    rows, notes = [], {}
    for number, name in enumerate(names, start=1):
        note = f"Note for row {number}."
        if number == TWO_LINE_ROW:
            note = f"Note for row {number}.\nCall us if the pain spreads."  # a quoted newline
        notes[number] = note
        exercises = "glute-bridg;cat-cow" if number == BAD_ROW else ";".join(SHORT)
        rows.append([name, exercises, DATE, note, 1])
    lines = write_csv(
        folder / "roster.csv", ["patient", "exercises", "date", "notes", "weeks"], rows
    )
    started = time.monotonic()
    result = run_batch_process(folder, "roster.csv", "-o", "out", "--jobs", "2")
    return {
        "folder": folder,
        "out": folder / "out",
        "names": names,
        "notes": notes,
        "lines": lines,
        "result": result,
        "seconds": time.monotonic() - started,
    }


def test_big_roster_exit_code_and_bad_row(big_run):
    result, lines = big_run["result"], big_run["lines"]
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, errors
    # the quoted two-line cell in row 5 pushes the bad row one line further down
    assert lines[BAD_ROW - 1] == BAD_ROW + 2
    assert errors[0].startswith(f"error: roster.csv:{BAD_ROW + 2}: "), errors
    assert "unknown exercise 'glute-bridg'" in errors[0]
    assert "did you mean 'glute-bridge'?" in errors[0]
    summary = [line for line in result.stdout.splitlines() if "written" in line]
    assert summary == ["199 written to out, 1 failed"], result.stdout


def test_big_roster_one_file_per_good_row_with_its_own_patient(big_run):
    out, names, notes = big_run["out"], big_run["names"], big_run["notes"]
    files = sorted(out.iterdir())
    assert len(files) == 199, [p.name for p in files][:20]
    assert all(p.suffix == ".pdf" for p in files)
    assert temp_leftovers(out) == []
    written = progress(big_run["result"].stderr)
    assert set(written) == set(range(1, 201))
    assert written[BAD_ROW] is None
    paths = {row: big_run["folder"] / path for row, path in written.items() if path}
    assert len(set(paths.values())) == 199  # two rows never share a file
    assert {p.resolve() for p in paths.values()} == {p.resolve() for p in files}
    for row, path in paths.items():
        text = first_page_text_fast(path)
        assert f"Patient {names[row - 1]} Date" in text, (row, path, text[:300])
        assert norm(notes[row]) in text, (row, path)
        assert page_count(path) > 0
    # the namesakes, read with pypdf too: same name, two files, each with its own note
    twin_a, twin_b = paths[TWIN_A], paths[TWIN_B]
    assert twin_a != twin_b
    assert first_page_patient(twin_a) == first_page_patient(twin_b) == names[TWIN_A - 1]
    assert f"Note for row {TWIN_A}." in page_texts(twin_a)[0]
    assert f"Note for row {TWIN_B}." in page_texts(twin_b)[0]
    assert f"Note for row {TWIN_B}." not in pdf_all(twin_a)
    assert "Call us if the pain spreads." in first_page_text_fast(paths[TWO_LINE_ROW])


def pdf_all(path: Path) -> str:
    return " ".join(page_texts(path))


def test_big_roster_progress_lines_when_piped(big_run):
    stderr = big_run["result"].stderr
    assert "\r" not in stderr and "█" not in stderr  # no bar when nobody is watching
    lines = [line for line in stderr.splitlines() if PROGRESS.match(line)]
    assert len(lines) == 200
    counters = [int(PROGRESS.match(line).group(1)) for line in lines]
    assert counters == list(range(1, 201))
    assert all(PROGRESS.match(line).group(2) == "200" for line in lines)
    assert f"] row {BAD_ROW}: failed" in stderr
    assert re.search(r"^\[\d+/200\] row 12: wrote out/\S+\.pdf$", stderr, re.M)


# ---------------------------------------------------------------- interrupted runs

INTERRUPT_ROWS = 1500  # enough that a fast machine is still mid-run when the signal lands


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """interrupted('SIGINT') -> what a ~400-row run looked like after that signal (cached)."""
    cache: dict[str, dict] = {}

    def run(name: str) -> dict:
        if name not in cache:
            cache[name] = _interrupt(tmp_path_factory.mktemp(name.lower()), getattr(signal, name))
        return cache[name]

    return run


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _end_group(pgid: int) -> None:
    """Stop whatever is left of the run we started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        if not _group_alive(pgid):
            return
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(pgid):
            time.sleep(0.05)


def _interrupt(folder: Path, sig: int) -> dict:
    rows = [[f"P {i:03d}", ";".join(SHORT), DATE, 1] for i in range(INTERRUPT_ROWS)]
    write_csv(folder / "roster.csv", ["patient", "exercises", "date", "weeks"], rows)
    reference = folder / "reference.pdf"
    made = run_cli(
        "make", "--patient", "P 000", "-e", SHORT[0], "-e", SHORT[1], "--weeks", "1",
        "--date", DATE, "-o", reference,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    out = folder / "out"
    with (folder / "stdout").open("w") as stdout, (folder / "stderr").open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "handouts", "batch", "roster.csv", "-o", "out", "-j", "2"],
            cwd=folder,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, so we can find its workers
        )
    try:
        deadline = time.monotonic() + 60
        while not (out.is_dir() and len(list(out.glob("*.pdf"))) >= 3):
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "no file appeared within 60 s"
            time.sleep(0.02)
        proc.send_signal(sig)
        returncode = proc.wait(timeout=60)
        at_exit = {p.name for p in out.glob("*.pdf")}
        deadline = time.monotonic() + 3
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        lingering = _group_alive(proc.pid)
        # let anything still running settle, so the folder is looked at as a user would find it
        previous, stable_since, deadline = None, time.monotonic(), time.monotonic() + 15
        while time.monotonic() < deadline:
            now = sorted(p.name for p in out.iterdir())
            if now != previous or temp_leftovers(out):
                previous, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since > 1.0:
                break
            time.sleep(0.1)
        pdfs = sorted(out.glob("*.pdf"))
        return {
            "returncode": returncode,
            "stderr": (folder / "stderr").read_text(),
            "pdfs": pdfs,
            "temp": temp_leftovers(out),
            "at_exit": at_exit,
            "after_exit": sorted({p.name for p in pdfs} - at_exit),
            "lingering": lingering,
            "expected_pages": page_count(reference),
        }
    finally:
        _end_group(proc.pid)


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_only_whole_files(interrupted, name):
    seen = interrupted(name)
    assert seen["temp"] == []
    assert len(seen["pdfs"]) >= 3
    assert len(seen["pdfs"]) < INTERRUPT_ROWS
    for path in seen["pdfs"]:
        assert page_count(path) == seen["expected_pages"] > 0, path.name


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_interrupted_run_exits_non_zero_without_traceback(interrupted, name):
    seen = interrupted(name)
    assert seen["returncode"] != 0
    assert "Traceback" not in seen["stderr"], seen["stderr"][-3000:]


def test_sigterm_stops_the_workers_too(interrupted):
    seen = interrupted("SIGTERM")
    assert not seen["lingering"], "worker processes outlived the command"
    assert seen["after_exit"] == [], f"{len(seen['after_exit'])} files appeared after exit"


def test_sigint_message_does_not_deny_the_files_written(interrupted):
    seen = interrupted("SIGINT")
    assert seen["pdfs"]
    assert "nothing was written" not in seen["stderr"], seen["stderr"][-500:]


# ---------------------------------------------------------------- file names

HOSTILE = [
    "../../etc/passwd",
    "..\\..\\Windows\\win.ini",
    "a/b/c",
    "..",
    ".",
    "...",
    ".hidden",
    "CON",
    "con",
    "Ann Lee",
    "ann lee",
    "ANN  LEE",
    "Ann/Lee",
    'O\'Brien "Bob"',
    "Line\nBreak",
    "x" * 200,
    "É" * 200,
    "Zoë 😀",
    "-rf",
    "~root",
    "$(reboot)",
    "*?<>|:",
]


def test_hostile_patient_names_give_safe_distinct_files_inside_the_folder(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    around = sorted(os.listdir(tmp_path.parent))
    lines = write_csv(
        work / "roster.csv",
        ["patient", "exercises", "date", "weeks"],
        [[name, "bird-dog", DATE, 0] for name in HOSTILE],
    )
    result = run_batch_inline(work, "roster.csv", "-o", "out", "--name", "{date}-{patient}.pdf")
    no_crash(result)
    rows = progress(result.stderr)
    assert set(rows) == set(range(1, len(HOSTILE) + 1)), result.stderr
    failed = [row for row, path in rows.items() if path is None]
    # Only the emoji row may be refused (the fonts have no emoji), and then with its line.
    assert set(failed) <= {HOSTILE.index("Zoë 😀") + 1}, result.stderr
    assert result.exit_code == (1 if failed else 0)
    for row in failed:
        assert any(f"roster.csv:{lines[row - 1]}:" in e for e in error_lines(result.stderr))

    out = work / "out"
    names = sorted(os.listdir(out))
    assert len(names) == len(HOSTILE) - len(failed)
    assert len({n.casefold() for n in names}) == len(names), names
    for name in names:
        assert "/" not in name and "\\" not in name and "\x00" not in name, name
        assert not any(ord(c) < 32 or ord(c) == 127 for c in name), repr(name)
        assert name.startswith(f"{DATE}-") and name.endswith(".pdf"), name
        assert ".." not in name, name
        assert len(name.encode("utf-8")) <= 255, name
        assert (out / name).is_file() and (out / name).resolve().parent == out.resolve()
    # nothing anywhere else: the work folder holds the roster and out/, and out/ no folder
    assert sorted(os.listdir(work)) == ["out", "roster.csv"]
    assert sorted(os.listdir(tmp_path)) == ["work"]
    assert sorted(os.listdir(tmp_path.parent)) == around
    # each file is its own patient's
    for row, path in rows.items():
        if path is None:
            continue
        text = page_texts(work / path)[0]
        assert norm(HOSTILE[row - 1])[:20] in text, (row, HOSTILE[row - 1], text[:300])


def test_windows_device_names_are_not_file_names(tmp_path):
    reserved = ["CON", "prn", "Aux", "NUL", "COM1", "lpt9"]
    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "weeks"],
        [[name, "bird-dog", 0] for name in reserved],
    )
    result = run_batch_inline(tmp_path, "roster.csv", "-o", "out", "--name", "{patient}.pdf")
    no_crash(result)
    assert result.exit_code == 0, result.output
    names = os.listdir(tmp_path / "out")
    assert len(names) == len(reserved)
    device = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10))}
    device |= {f"LPT{i}" for i in range(10)}
    assert not [n for n in names if n.split(".")[0].upper() in device], names


def test_long_non_latin_name_still_gets_its_file(tmp_path):
    name = "ễ" * 150
    write_csv(tmp_path / "roster.csv", ["patient", "exercises", "weeks"], [[name, "bird-dog", 0]])
    result = run_batch_inline(tmp_path, "roster.csv", "-o", "out", "--name", "{date}-{patient}.pdf")
    no_crash(result)
    assert result.exit_code == 0, result.stderr
    (path,) = (tmp_path / "out").iterdir()
    assert len(path.name.encode("utf-8")) <= 255
    assert "ễễễễễ" in page_texts(path)[0]


def test_long_name_pattern_never_crashes(tmp_path):
    long = "Ж" * 150
    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "therapist", "weeks"],
        [[long, "bird-dog", long, 0], ["Ann Lee", "bird-dog", "Kim", 0]],
    )
    result = run_batch_inline(
        tmp_path, "roster.csv", "-o", "out", "--name", "{date}-{patient}-{therapist}.pdf"
    )
    no_crash(result)
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2


# ---------------------------------------------------------------- never overwrite


def _state(folder: Path) -> dict[str, tuple]:
    return {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(folder.iterdir())
    }


def test_second_run_never_overwrites_and_overwrite_replaces(tmp_path):
    header = ["patient", "exercises", "date", "notes", "weeks"]
    roster = [
        ["Ann Lee", "bird-dog", DATE, "First Ann.", 1],
        ["Ann Lee", "cat-cow", DATE, "Second Ann.", 1],
        ["Bob Ray", "squat", DATE, "Bob here.", 1],
    ]
    write_csv(tmp_path / "roster.csv", header, roster)
    first = run_batch_inline(tmp_path, "roster.csv", "-o", "out")
    no_crash(first)
    assert first.exit_code == 0, first.output
    out = tmp_path / "out"
    before = _state(out)
    assert sorted(before) == [f"Ann-Lee-{DATE}-2.pdf", f"Ann-Lee-{DATE}.pdf", f"Bob-Ray-{DATE}.pdf"]

    time.sleep(0.05)  # a rewrite would show in the mtime
    second = run_batch_inline(tmp_path, "roster.csv", "-o", "out")
    no_crash(second)
    assert second.exit_code == 0, second.output
    after = _state(out)
    for name, state in before.items():
        assert after[name] == state, f"{name} was touched by the second run"
    new = sorted(set(after) - set(before))
    assert new == [f"Ann-Lee-{DATE}-3.pdf", f"Ann-Lee-{DATE}-4.pdf", f"Bob-Ray-{DATE}-2.pdf"]
    second_paths = progress(second.stderr)
    assert {p.name for p in second_paths.values()} == set(new)
    for row, path in second_paths.items():
        assert roster[row - 1][3] in page_texts(tmp_path / path)[0]

    # --overwrite: the first run's names again, with the new content; nothing else touched
    roster[0][3] = "Updated note for Ann."
    write_csv(tmp_path / "roster.csv", header, roster)
    third = run_batch_inline(tmp_path, "roster.csv", "-o", "out", "--overwrite")
    no_crash(third)
    assert third.exit_code == 0, third.output
    final = _state(out)
    assert sorted(final) == sorted(after)
    assert {p.name for p in progress(third.stderr).values()} == set(before)
    for name in before:
        assert final[name][1:] != after[name][1:], f"{name} was not replaced"
    for name in new:
        assert final[name] == after[name]
    assert "Updated note for Ann." in page_texts(out / f"Ann-Lee-{DATE}.pdf")[0]
    assert "Second Ann." in page_texts(out / f"Ann-Lee-{DATE}-2.pdf")[0]


# ---------------------------------------------------------------- --merge


def test_merge_keeps_every_page_and_every_working_checkbox(tmp_path):
    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "date", "weeks"],
        [
            ["Ann Lee", "bird-dog;cat-cow", DATE, 1],
            ["Bob Ray", "squat", DATE, 2],
            ["Cy Dee", "dead-bug;glute-bridge;side-plank", DATE, 1],
        ],
    )
    result = run_batch_inline(tmp_path, "roster.csv", "-o", "out", "--merge", "all.pdf")
    no_crash(result)
    assert result.exit_code == 0, result.output
    assert "merged 3 handouts into all.pdf" in result.stdout
    merged = tmp_path / "all.pdf"
    files = [tmp_path / p for _, p in sorted(progress(result.stderr).items())]
    assert len(files) == 3

    assert page_count(merged) == sum(page_count(f) for f in files)
    per_file = [widgets(f) for f in files]
    assert all(per_file), "every handout has tracking checkboxes"
    merged_widgets = widgets(merged)
    assert len(merged_widgets) == sum(len(w) for w in per_file)
    for widget in merged_widgets:
        ap = widget.annot.get("/AP")
        assert ap is not None and "/N" in ap, widget.name

    merged_fields = fields(merged)
    checkboxes = [n for n, f in merged_fields.items() if f.get("/FT") == "/Btn"]
    assert len(checkboxes) == sum(
        len([n for n, f in fields(p).items() if f.get("/FT") == "/Btn"]) for p in files
    )
    assert len(checkboxes) == len(merged_widgets)
    acro = reader(merged).trailer["/Root"]["/AcroForm"]
    names = [str(ref.get_object().get("/T")) for ref in acro["/Fields"]]
    assert len(names) == len(set(names)) == len(merged_fields)
    text = " ".join(page_texts(merged))
    for patient in ("Ann Lee", "Bob Ray", "Cy Dee"):
        assert f"Patient {patient} Date" in text


# ---------------------------------------------------------------- --password

NO_AES = (
    "BUG: --password crashes with a traceback: pypdf needs the 'cryptography' package for "
    "AES-256, which is not a dependency in pyproject.toml; finishing.encrypt catches "
    "ImportError but pypdf raises DependencyError"
)


def test_password_encrypts_each_file_with_aes256(tmp_path):
    from pypdf import PasswordType, PdfReader

    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "date", "weeks"],
        [["Ann Lee", "bird-dog", DATE, 1], ["Bob Ray", "cat-cow", DATE, 1]],
    )
    result = run_batch_inline(tmp_path, "roster.csv", "-o", "out", "--password", "s3cret")
    no_crash(result)
    assert result.exit_code == 0, result.output
    written = progress(result.stderr)
    assert len(written) == 2
    for row, patient in ((1, "Ann Lee"), (2, "Bob Ray")):
        path = tmp_path / written[row]
        pdf = PdfReader(path)
        assert pdf.is_encrypted
        encrypt = pdf.trailer["/Encrypt"].get_object()
        assert encrypt["/Filter"] == "/Standard"
        assert (encrypt["/V"], encrypt["/R"]) == (5, 6)  # AES-256; never RC4 (V 1/2)
        assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"
        assert encrypt["/StmF"] == encrypt["/StrF"] == "/StdCF"
        assert PdfReader(path).decrypt("wrong") == PasswordType.NOT_DECRYPTED
        assert pdf.decrypt("s3cret") != PasswordType.NOT_DECRYPTED
        assert f"Patient {patient} Date" in norm(pdf.pages[0].extract_text())
        assert len(pdf.pages) > 0


def test_password_with_merge_does_not_crash(tmp_path):
    from pypdf import PdfReader

    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "date", "weeks"],
        [["Ann Lee", "bird-dog", DATE, 1], ["Bob Ray", "cat-cow", DATE, 1]],
    )
    result = run_batch_inline(
        tmp_path, "roster.csv", "-o", "out", "--password", "s3cret", "--merge", "all.pdf"
    )
    no_crash(result)
    assert result.exit_code == 0, result.output
    merged = PdfReader(tmp_path / "all.pdf")
    assert merged.is_encrypted  # one print job must not undo the protection
    merged.decrypt("s3cret")
    assert "Patient Bob Ray Date" in " ".join(norm(p.extract_text()) for p in merged.pages)


# ---------------------------------------------------------------- YAML rosters

YAML_ROSTER = """\
- patient: Ann Lee
  date: 2026-03-02
  exercises: [bird-dog, cat-cow]
  weeks: 1
- patient: Ann Lee
  date: 2026-03-02
  notes: Second Ann.
  exercises:
    - id: squat
      sets: 3
  weeks: 1
- patient: Bob Ray
  date: 2026-03-02
  exercises:
    - bird-dog
    - glute-bridg
  weeks: 1
"""


def test_yaml_roster_works_like_csv(tmp_path):
    (tmp_path / "roster.yaml").write_text(YAML_ROSTER, encoding="utf-8")
    result = run_batch_inline(tmp_path, "roster.yaml", "-o", "out")
    no_crash(result)
    assert result.exit_code == 1
    written = progress(result.stderr)
    assert written[3] is None
    assert written[1] != written[2]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [written[1].name, written[2].name]
    )
    assert first_page_patient(tmp_path / written[1]) == "Ann Lee"
    assert first_page_patient(tmp_path / written[2]) == "Ann Lee"
    assert "Second Ann." in page_texts(tmp_path / written[2])[0]
    assert "3 sets" in pdf_all(tmp_path / written[2]).lower()
    (error,) = error_lines(result.stderr)
    assert error.startswith("error: roster.yaml:"), error
    assert "unknown exercise 'glute-bridg'" in error and "did you mean 'glute-bridge'?" in error
    assert "2 written to out, 1 failed" in result.stdout


def test_yaml_roster_error_points_at_the_bad_line(tmp_path):
    (tmp_path / "roster.yaml").write_text(YAML_ROSTER, encoding="utf-8")
    result = run_batch_inline(tmp_path, "roster.yaml", "-o", "out")
    no_crash(result)
    (error,) = error_lines(result.stderr)
    bad_line = YAML_ROSTER.splitlines().index("    - glute-bridg") + 1
    assert error.startswith(f"error: roster.yaml:{bad_line}: "), error


BAD_ROSTERS = {
    "empty.csv": ("", False),
    "header-only.csv": ("patient,exercises\n", False),
    "empty.yaml": ("", False),
    "empty-list.yaml": ("[]\n", False),
    "not-a-list.yaml": ("patient: Ann Lee\nexercises: [bird-dog]\n", True),
    "no-patient.csv": ("exercises,weeks\nbird-dog,1\n", True),
    "wrong-patient.csv": ("name,exercises\nAnn Lee,bird-dog\n", True),
    "unknown-column.csv": ("patient,exercises,colour\nAnn Lee,bird-dog,red\n", True),
}


@pytest.mark.parametrize("name", sorted(BAD_ROSTERS))
def test_bad_roster_is_one_error_line_and_no_files(tmp_path, name):
    text, has_line = BAD_ROSTERS[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_batch_inline(tmp_path, name, "-o", "out")
    no_crash(result)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    place = rf"{re.escape(name)}:\d+" if has_line else rf"{re.escape(name)}(:\d+)?"
    assert re.match(rf"error: {place}: \S", lines[0]), lines[0]
    if name.endswith("patient.csv"):
        assert "patient" in lines[0]
    if name == "unknown-column.csv":
        assert "colour" in lines[0] and ":1:" in lines[0]
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------- layouts per row

SIX = "bird-dog;cat-cow;squat;dead-bug;side-plank;hip-hinge"


def test_row_layout_is_used(tmp_path):
    lines = write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "date", "layout", "weeks"],
        [
            ["Ann Lee", SIX, DATE, "compact", 1],
            ["Bob Ray", SIX, DATE, "", 1],
            ["Cy Dee", "bird-dog", DATE, "compcat", 1],
        ],
    )
    result = run_batch_inline(tmp_path, "roster.csv", "-o", "out")
    no_crash(result)
    assert result.exit_code == 1
    written = progress(result.stderr)
    compact, standard = tmp_path / written[1], tmp_path / written[2]
    assert page_count(compact) < page_count(standard)
    assert first_page_patient(compact) == "Ann Lee"
    (error,) = error_lines(result.stderr)
    assert error.startswith(f"error: roster.csv:{lines[2]}: "), error
    assert "compcat" in error and "did you mean 'compact'?" in error


# ---------------------------------------------------------------- shared files checked once


def _broken_library(folder: Path) -> tuple[Path, int]:
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    anchor = "  - id: bird-dog\n"
    assert anchor in text
    line = text[: text.index(anchor)].count("\n") + 2
    path = folder / "my-exercises.yaml"
    path.write_text(text.replace(anchor, anchor + "    colour: red\n", 1), encoding="utf-8")
    return path, line


def _broken_clinic(folder: Path) -> tuple[Path, int]:
    path = folder / "my-clinic.yaml"
    path.write_text("name: Riverside\nphone: '555'\nfax: '556'\n", encoding="utf-8")
    return path, 3


@pytest.mark.parametrize("option", ["--library", "--clinic"])
def test_broken_shared_file_fails_once_and_writes_nothing(tmp_path, option):
    broken, line = (_broken_library if option == "--library" else _broken_clinic)(tmp_path)
    write_csv(
        tmp_path / "roster.csv",
        ["patient", "exercises", "weeks"],
        [[f"Patient {i}", "bird-dog", 0] for i in range(8)],
    )
    result = run_batch_process(tmp_path, "roster.csv", "-o", "out", "-j", "2", option, broken.name)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines  # checked once, not once per row
    assert lines[0].startswith(f"error: {broken.name}:{line}: "), lines[0]
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())
