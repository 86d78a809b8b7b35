"""A day's roster in one run: one handout per row, in parallel, never overwriting a file.

The parent reads the roster, gives every row its file name up front (so two patients with
the same name get two files), and hands rows to worker processes that each load the library
and clinic once. A bad row is reported with its line while every good row is still written.
Memory stays flat: rows stream through the pool and only small results come back.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import HandoutsError
from handouts.models import Plan

DEFAULT_PATTERN = "{patient}-{date}.pdf"
PATTERN_FIELDS = ("patient", "date", "row", "program", "therapist")


@dataclass(frozen=True)
class BatchSettings:
    """What every row shares: the library, clinic, layout and paper, and how files are made."""

    out_dir: Path
    library: Path | None = None
    clinic: Path | None = None
    layout: str | None = None
    paper: str | None = None
    pictures: bool = True
    password: str | None = None
    field_prefix: bool = False  # rename form fields per handout (for --merge)
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class RowResult:
    number: int
    line: int
    path: Path | None = None
    pages: int = 0
    error: str | None = None


@dataclass
class BatchReport:
    written: list[RowResult] = field(default_factory=list)
    failed: list[RowResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def file_names(
    rows: list, pattern: str, out_dir: Path, today: dt.date, overwrite: bool = False
) -> dict[int, Path]:
    """A distinct, file-system-safe name for every row with a plan."""
    from handouts.make import safe_name

    _check_pattern(pattern)
    taken: set[str] = set()
    names: dict[int, Path] = {}
    for row in rows:
        if row.plan is None:
            continue
        plan: Plan = row.plan
        values = {
            "patient": safe_name(plan.patient),
            "date": (plan.date or today).isoformat(),
            "row": str(row.number),
            "program": safe_name(plan.program or "handout"),
            "therapist": safe_name(plan.therapist or "therapist"),
        }
        stem = safe_name(pattern.format(**values).removesuffix(".pdf"), limit=150)
        name, n = f"{stem}.pdf", 1
        while name.lower() in taken or (not overwrite and _exists(out_dir / name)):
            n += 1
            name = f"{stem}-{n}.pdf"
        taken.add(name.lower())
        names[row.number] = out_dir / name
    return names


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _check_pattern(pattern: str) -> None:
    import string

    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
    except ValueError as exc:
        raise HandoutsError(f"bad file name pattern: {exc}", field="--name") from None
    for name in fields:
        if name not in PATTERN_FIELDS:
            raise HandoutsError(
                f"unknown field '{{{name}}}' in the file name pattern",
                field="--name",
                hint="use " + ", ".join("{" + f + "}" for f in PATTERN_FIELDS),
            )
    if "/" in pattern or "\\" in pattern:
        raise HandoutsError("the file name pattern must not contain folders", field="--name")


# ---------------------------------------------------------------- worker side

_WORKER: dict = {}


def _worker_init(settings: BatchSettings) -> None:
    """Load the shared files once per worker process."""
    from handouts.make import open_clinic, open_library

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it cleans up
    signal.signal(signal.SIGTERM, _terminate)
    _WORKER["settings"] = settings
    try:
        _WORKER["library"] = open_library(settings.library)
        _WORKER["clinic"] = open_clinic(settings.clinic)
    except HandoutsError as exc:
        _WORKER["error"] = str(exc)


def _terminate(signum, frame) -> None:
    # concurrent.futures would catch an exception here and go on with the next row: remove
    # the half-written file, then leave at once.
    from handouts.files import remove_unfinished

    remove_unfinished()
    os._exit(128 + signum)


def _make_row(job: tuple[int, int, Plan, Path]) -> RowResult:
    number, line, plan, path = job
    if "error" in _WORKER:
        return RowResult(number, line, error=_WORKER["error"])
    try:
        return _render_row(number, line, plan, path)
    except HandoutsError as exc:
        return RowResult(number, line, error=str(exc))


def _render_row(number: int, line: int, plan: Plan, path: Path) -> RowResult:
    from handouts.files import write_atomic
    from handouts.make import HandoutRequest, build

    settings: BatchSettings = _WORKER["settings"]
    request = HandoutRequest(
        layout=settings.layout,
        paper=settings.paper,
        pictures=settings.pictures,
        clinic=settings.clinic,
    )
    if settings.layout:
        import msgspec

        plan = msgspec.structs.replace(plan, layout=plan.layout or settings.layout)
    clinic = None if plan.clinic else _WORKER["clinic"]
    prefix = f"r{number}-" if settings.field_prefix else ""
    _, rendered = build(
        request,
        library=_WORKER["library"],
        clinic=clinic,
        today=settings.today,
        plan=plan,
        field_prefix=prefix,
    )
    data = rendered.pdf
    if settings.password:
        from handouts.finishing import encrypt

        data = encrypt(data, settings.password)
    write_atomic(path, data)
    return RowResult(number, line, path, rendered.pages)


# ---------------------------------------------------------------- parent side


def run_batch(
    roster: Path,
    settings: BatchSettings,
    *,
    pattern: str = DEFAULT_PATTERN,
    jobs: int | None = None,
    overwrite: bool = False,
    on_result: Callable[[RowResult, int], None] | None = None,
) -> BatchReport:
    """Make every row's handout; on_result(result, total) is called as each row finishes."""
    from handouts.loading import load_roster
    from handouts.make import open_clinic, open_library

    rows = load_roster(roster)
    if not rows:
        raise HandoutsError("the roster has no patients", file=str(roster), line=1)
    # Shared files are checked here first, so a broken library fails once, not per row,
    # and before anything (even the output folder) is made.
    open_library(settings.library)
    open_clinic(settings.clinic)
    if settings.layout:
        from handouts.make import open_layout

        open_layout(settings.layout, settings.paper)
    if not settings.out_dir.is_dir():
        try:
            settings.out_dir.mkdir(parents=True)
        except OSError as exc:
            raise HandoutsError(
                f"cannot create the folder: {exc.strerror}", file=str(settings.out_dir)
            ) from None
    names = file_names(rows, pattern, settings.out_dir, settings.today, overwrite)
    report = BatchReport()
    total = len(rows)

    def record(result: RowResult) -> None:
        (report.written if result.error is None else report.failed).append(result)
        if on_result:
            on_result(result, total)

    jobs_list = []
    for row in rows:
        if row.error is not None:
            record(RowResult(row.number, row.line, error=str(row.error)))
        else:
            jobs_list.append((row.number, row.line, row.plan, names[row.number]))
    for result in _run(jobs_list, settings, jobs):
        if result.error is not None and not result.error.startswith(f"{roster}:"):
            result = RowResult(
                result.number, result.line, error=f"{roster}:{result.line}: {result.error}"
            )
        record(result)
    report.written.sort(key=lambda r: r.number)
    report.failed.sort(key=lambda r: r.number)
    return report


def _run(jobs_list: list, settings: BatchSettings, jobs: int | None) -> Iterator[RowResult]:
    workers = max(1, min(jobs or os.cpu_count() or 1, len(jobs_list) or 1))
    if workers == 1 or len(jobs_list) < 4:
        _worker_init(settings)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for job in jobs_list:
            yield _make_row(job)
        return
    chunk = max(1, min(16, len(jobs_list) // (workers * 8)))
    signal.signal(signal.SIGTERM, _interrupt)  # stop the workers too, not just this process
    pool = ProcessPoolExecutor(
        workers, initializer=_worker_init, initargs=(settings,), mp_context=_context()
    )
    try:
        yield from pool.map(_make_row, jobs_list, chunksize=chunk)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now; each removes its half-written temporary file on SIGTERM."""
    processes = list(getattr(pool, "_processes", {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _context():
    import multiprocessing

    # fork shares the already-imported modules; elsewhere spawn is the only safe choice.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return multiprocessing.get_context(method)
