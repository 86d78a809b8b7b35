"""The whole library on paper (``handouts library -o DIR``).

``DIR/library.pdf`` is a booklet for the clinic: a cover, contents with page numbers, a section
per category with every exercise card (as handouts print them), the habits and mistakes, and
the library's guidance; its PDF outline has an entry per category and per exercise.
``DIR/exercises/<id>.pdf`` is one ready-to-print sheet per exercise for the front desk's
drawer: the clinic's head with blank write-in lines, the card, the safety line and a week of
tick boxes.

Everything is loaded, composed and checked in the parent before anything is written, so bad
input leaves DIR as it was. The sheets are made in a process pool (each worker is handed the
composed library once); the booklet is one more job in that pool, started first because it
is the longest. Every file is written whole or not at all (files.write_atomic).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from handouts.compose import Handout
from handouts.errors import HandoutsError

if TYPE_CHECKING:
    from handouts.render.booklet_story import Booklet

BOOKLET_FILE = "library.pdf"
SHEETS_DIR = "exercises"
SHEET_TITLE = "Home Exercise Program"
# compose() needs a patient; no sheet or booklet prints it (the sheets have a blank line).
PLACEHOLDER_PATIENT = "Library"
CHUNK = 8  # sheets per pool task: few enough round trips, smooth enough progress


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote and how long it took."""

    booklet: Path
    pages: int  # the booklet's
    sheets: int  # sheets written, one per exercise
    seconds: float  # the whole run, wall clock
    sheets_dir: Path | None = None
    booklet_seconds: float = 0.0  # making the booklet (it runs alongside the sheets)
    sheets_seconds: float = 0.0  # until the last sheet was written (alongside the booklet)


@dataclass(frozen=True)
class Prepared:
    """The library composed and checked: what the booklet and every sheet are made from."""

    book: Booklet
    sheets: tuple[Handout, ...]  # one single-card handout per exercise, in booklet order


def prepare(
    library: Path | None = None,
    clinic: Path | None = None,
    layout: str | None = None,
    paper: str | None = None,
    *,
    pictures: bool = True,
    today: dt.date | None = None,
) -> Prepared:
    """Load and compose the whole library; raises HandoutsError for any bad input."""
    import msgspec

    from handouts.compose import compose
    from handouts.make import open_clinic, open_layout, open_library
    from handouts.models import Plan
    from handouts.render.booklet_story import Booklet, Section, check_booklet_text
    from handouts.render.styles import theme_for

    lib, lib_dir = open_library(library)
    clinic_model, clinic_dir = open_clinic(clinic)
    # Cards full width: a booklet page and a one-exercise sheet are read, not carried.
    chosen = msgspec.structs.replace(open_layout(layout, paper), columns=1)
    by_category: dict[str, list[str]] = {c.id: [] for c in lib.categories}
    for exercise in lib.exercises:
        by_category[exercise.category].append(exercise.id)
    ordered = [i for ids in by_category.values() for i in ids]
    plan = Plan(patient=PLACEHOLDER_PATIENT, exercises=ordered, tips="all", mistakes="all", weeks=1)
    handout = compose(
        plan,
        lib,
        clinic_model,
        chosen,
        library_dir=lib_dir,
        clinic_dir=clinic_dir,
        today=today or dt.date.today(),
        with_pictures=pictures,
    )
    sections, cards, at = [], [], 0
    for category in lib.categories:
        n = len(by_category[category.id])
        if not n:
            continue  # a category with no exercises yet has nothing to print
        numbered = tuple(
            dataclasses.replace(card, number=k)
            for k, card in enumerate(handout.cards[at : at + n], start=1)
        )
        sections.append(Section(category, numbered))
        cards.extend(numbered)
        at += n
    whole = dataclasses.replace(handout, cards=tuple(cards), weeks=0, notes=None)
    book = Booklet(title=lib.title, handout=whole, sections=tuple(sections))
    check_booklet_text(book, theme_for(whole.layout, whole.clinic))
    sheets = tuple(
        dataclasses.replace(
            whole,
            title=SHEET_TITLE,
            patient="",
            cards=(dataclasses.replace(card, number=1),),
            tips=(),
            mistakes=(),
            weeks=1,
        )
        for card in cards
    )
    return Prepared(book, sheets)


def export_library(
    out_dir: Path,
    *,
    library: Path | None = None,
    clinic: Path | None = None,
    layout: str | None = None,
    paper: str | None = None,
    pictures: bool = True,
    jobs: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    today: dt.date | None = None,
) -> ExportReport:
    """Write DIR/library.pdf and DIR/exercises/<id>.pdf; on_progress(done, total) per sheet."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    prepared = prepare(library, clinic, layout, paper, pictures=pictures, today=today)
    sheets_dir = out_dir / SHEETS_DIR
    _make_dir(out_dir)
    _make_dir(sheets_dir)
    booklet_path = out_dir / BOOKLET_FILE
    total = len(prepared.sheets)
    tasks = [list(range(i, min(i + CHUNK, total))) for i in range(0, total, CHUNK)]
    done = 0
    pages = 0
    booklet_seconds = 0.0
    sheets_started = time.perf_counter()
    sheets_seconds = 0.0
    for kind, value in _run(prepared, booklet_path, sheets_dir, tasks, jobs):
        if kind == "booklet":
            pages, booklet_seconds = value
        else:
            done += value
            if done == total:
                sheets_seconds = time.perf_counter() - sheets_started
            if on_progress is not None:
                on_progress(done, total)
    return ExportReport(
        booklet_path,
        pages,
        total,
        time.perf_counter() - started,
        sheets_dir,
        booklet_seconds,
        sheets_seconds,
    )


def _make_dir(path: Path) -> None:
    if path.is_dir():
        return
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise HandoutsError(f"cannot create the folder: {exc.strerror}", file=str(path)) from None


def sheet_path(sheets_dir: Path, handout: Handout) -> Path:
    return sheets_dir / f"{handout.cards[0].id}.pdf"


# ---------------------------------------------------------------- the jobs (worker side)

_WORKER: dict = {}


def _worker_init(
    prepared: Prepared, booklet_path: Path, sheets_dir: Path, in_pool: bool = True
) -> None:
    if in_pool:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it cleans up
        signal.signal(signal.SIGTERM, _terminate)
    _WORKER.update(prepared=prepared, booklet=booklet_path, sheets_dir=sheets_dir)


def _terminate(signum, frame) -> None:
    raise SystemExit(1)  # unwinds through write_atomic, which removes its temporary file


def _make_booklet(_: object = None) -> tuple[str, tuple[int, float] | str]:
    from handouts.files import write_atomic
    from handouts.render.booklet_story import render_booklet

    started = time.perf_counter()
    try:
        rendered = render_booklet(_WORKER["prepared"].book)
        write_atomic(_WORKER["booklet"], rendered.pdf)
    except HandoutsError as exc:
        return "error", str(exc)
    return "booklet", (rendered.pages, time.perf_counter() - started)


def _make_sheets(indexes: list[int]) -> tuple[str, int | str]:
    from handouts.files import write_atomic
    from handouts.render.booklet_story import render_sheet

    sheets = _WORKER["prepared"].sheets
    try:
        for i in indexes:
            handout = sheets[i]
            write_atomic(sheet_path(_WORKER["sheets_dir"], handout), render_sheet(handout).pdf)
    except HandoutsError as exc:
        return "error", str(exc)
    return "sheets", len(indexes)


# ---------------------------------------------------------------- the pool (parent side)


def _run(
    prepared: Prepared,
    booklet_path: Path,
    sheets_dir: Path,
    tasks: list[list[int]],
    jobs: int | None,
) -> Iterator[tuple[str, object]]:
    """(kind, value) as jobs finish: ("booklet", (pages, seconds)) and ("sheets", count)."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks) + 1))
    if workers == 1:
        _worker_init(prepared, booklet_path, sheets_dir, in_pool=False)
        yield _checked(_make_booklet())
        for task in tasks:
            yield _checked(_make_sheets(task))
        return
    pool = ProcessPoolExecutor(
        workers,
        initializer=_worker_init,
        initargs=(prepared, booklet_path, sheets_dir),
        mp_context=_context(),
    )
    try:
        pending: set[Future] = {pool.submit(_make_booklet)}  # the longest job goes first
        pending.update(pool.submit(_make_sheets, task) for task in tasks)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                yield _checked(future.result())
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _checked(result: tuple[str, object]) -> tuple[str, object]:
    if result[0] == "error":
        raise HandoutsError(str(result[1]))
    return result


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now; each removes its half-written temporary file on SIGTERM."""
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _context():
    import multiprocessing

    # fork shares the already-imported modules and the composed library; elsewhere spawn.
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
