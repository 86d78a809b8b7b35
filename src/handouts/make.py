"""One patient's handout from a plan file and/or options: load, compose, render, write."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from handouts.errors import HandoutsError
from handouts.models import Clinic, Layout, Library, Plan

if TYPE_CHECKING:
    from handouts.render.document import Rendered

PLAN_OPTIONS = (
    "patient",
    "exercises",
    "program",
    "tips",
    "mistakes",
    "weeks",
    "date",
    "therapist",
    "notes",
    "title",
    "layout",
)


@dataclass(frozen=True)
class HandoutRequest:
    """What a user asked for: a plan file, options that override it, and where things live."""

    plan: Path | None = None
    patient: str | None = None
    exercises: list[str] | None = None
    program: str | None = None
    tips: str | None = None
    mistakes: str | None = None
    weeks: int | None = None
    date: str | None = None
    therapist: str | None = None
    notes: str | None = None
    title: str | None = None
    layout: str | None = None
    paper: str | None = None
    clinic: Path | None = None
    library: Path | None = None
    pictures: bool = True


@dataclass(frozen=True)
class Made:
    path: Path
    pages: int
    checkboxes: int


def bundled_clinic_path() -> Path:
    return Path(__file__).resolve().parent / "data" / "clinic.yaml"


def open_library(path: Path | None) -> tuple[Library, Path]:
    from handouts.loading import default_library_path, load_library

    path = Path(path) if path else default_library_path()
    return load_library(path), path.resolve().parent


def open_clinic(path: Path | None) -> tuple[Clinic, Path]:
    from handouts.loading import load_clinic

    path = Path(path) if path else bundled_clinic_path()
    return load_clinic(path), path.resolve().parent


def open_layout(ref: str | None, paper: str | None = None, near: Path | None = None) -> Layout:
    """A layout by name or path; names are looked up beside the plan, in ./layouts, then bundled."""
    from handouts.loading import layout_search_dirs, load_layout

    dirs = [d / "layouts" for d in (near, Path.cwd()) if d is not None]
    layout = load_layout(ref or "standard", dirs + layout_search_dirs(None))
    if paper is not None:
        if paper.lower() not in ("letter", "a4"):
            raise HandoutsError(
                f"unknown paper size '{paper}'", field="--paper", hint="use letter or a4"
            )
        layout = msgspec.structs.replace(layout, paper=paper.lower())
    return layout


def plan_from(request: HandoutRequest) -> Plan:
    """The plan file with the request's options laid over it (options win)."""
    from handouts.loading import load_plan

    base = load_plan(request.plan) if request.plan else None
    given = {
        name: getattr(request, name) for name in PLAN_OPTIONS if getattr(request, name) is not None
    }
    if base is None:
        if "patient" not in given:
            raise HandoutsError(
                "no patient given", field="--patient", hint="give --patient NAME or a plan file"
            )
        return validate_options(Plan, given)
    if not given:
        return base
    checked = validate_options(Plan, {"patient": base.patient, **given})
    merged = msgspec.structs.replace(base, **{name: getattr(checked, name) for name in given})
    merged._source = base._source
    return merged


OPTION_NAMES = {
    "exercises": "--exercise",
    "tips": "--tips",
    "mistakes": "--mistakes",
    "program": "--program",
    "weeks": "--weeks",
    "date": "--date",
    "patient": "--patient",
    "layout": "--layout",
}


def validate_options(model, data: dict):
    """Validate option values; errors name the option, not a file."""
    from handouts.loading import Document, validate

    try:
        checked = validate(model, Document("options", data, {}))
    except HandoutsError as exc:
        raise _as_option_error(exc) from None
    checked._source = None  # options have no file: errors about them name the option
    return checked


def _as_option_error(exc: HandoutsError) -> HandoutsError:
    root = re.split(r"[.\[]", exc.field or "", maxsplit=1)[0]
    exc.file = exc.line = None
    exc.field = OPTION_NAMES.get(root, f"--{root}") if root else None
    return exc


def prepare(
    request: HandoutRequest,
    *,
    library: tuple[Library, Path] | None = None,
    clinic: tuple[Clinic, Path] | None = None,
    today: dt.date | None = None,
    plan: Plan | None = None,
):
    """Load what the request names (unless given), compose the handout and check that its
    text can be printed; every error points at the file, line or option it came from."""
    from handouts.compose import compose
    from handouts.render.story import check_text

    plan = plan or plan_from(request)
    plan_dir = request.plan.resolve().parent if request.plan else None
    if library is None:
        library_path = request.library
        if library_path is None and plan.library and plan_dir is not None:
            library_path = plan_dir / plan.library
        library = open_library(library_path)
    lib, lib_dir = library
    if clinic is None:
        clinic_path = request.clinic
        if clinic_path is None and plan.clinic and plan_dir is not None:
            clinic_path = plan_dir / plan.clinic
        clinic = open_clinic(clinic_path)
    try:
        layout = open_layout(plan.layout, request.paper, near=plan_dir)
        handout = compose(
            plan,
            lib,
            clinic[0],
            layout,
            library_dir=lib_dir,
            clinic_dir=clinic[1],
            today=today,
            with_pictures=request.pictures,
        )
        check_text(handout)
    except HandoutsError as exc:
        raise _placed(exc, request, plan, lib, clinic[0]) from None
    return plan, handout


def build(
    request: HandoutRequest,
    *,
    library: tuple[Library, Path] | None = None,
    clinic: tuple[Clinic, Path] | None = None,
    today: dt.date | None = None,
    plan: Plan | None = None,
    field_prefix: str = "",
) -> tuple[Plan, Rendered]:
    """Load, compose and render the handout a request asks for."""
    from handouts.render.story import render_handout

    plan, handout = prepare(request, library=library, clinic=clinic, today=today, plan=plan)
    return plan, render_handout(handout, field_prefix=field_prefix)


def _placed(
    exc: HandoutsError, request: HandoutRequest, plan: Plan, lib: Library, clinic: Clinic
) -> HandoutsError:
    """The error pointed at the option, or the file and line, its value came from."""
    from handouts.loading import locate

    field = exc.field or ""
    root = re.split(r"[.\[ ]", field, maxsplit=1)[0]
    if root == "" and "layout" in exc.message:
        root = exc.field = "layout"
    if root in PLAN_OPTIONS and getattr(request, root, None) is not None:
        return _as_option_error(exc)  # the bad value came from an option
    if exc.file is not None:
        return exc
    if root in PLAN_OPTIONS:
        file, line = locate(plan, (root,))
    elif root == "exercise":
        exercise_id = field.split("'")[1]
        index = next(i for i, e in enumerate(lib.exercises) if e.id == exercise_id)
        file, line = locate(lib, ("exercises", index))
    elif root in ("tip", "mistake"):
        item_id = field.split("'")[1]
        items = lib.tips if root == "tip" else lib.mistakes
        index = next(i for i, t in enumerate(items) if t.id == item_id)
        file, line = locate(lib, (root + "s", index))
    elif root == "guidance":
        file, line = locate(lib, ("guidance", field.split("'")[1]))
    elif root == "clinic":
        file, line = locate(clinic, (field.split(" ")[-1],))
    else:
        return exc
    return exc.at(file, line)


def default_output(plan: Plan, today: dt.date | None = None) -> Path:
    date = plan.date or today or dt.date.today()
    return Path(f"handout-{safe_name(plan.patient)}-{date.isoformat()}.pdf")


# Names Windows keeps for devices: a file called CON.pdf cannot be opened or copied there.
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def safe_name(text: str, limit: int = 80) -> str:
    """A file-name-safe form of text on every file system (letters kept, accents too):
    at most limit characters and 200 bytes, no separators, no device names."""
    text = re.sub(r"[^\w\-. ]+", "", text, flags=re.UNICODE).strip()
    text = re.sub(r"[\s.]+", "-", text).strip("-.")
    text = text[:limit]
    while len(text.encode("utf-8")) > 200:  # file systems count bytes, not letters
        text = text[:-1]
    text = text.rstrip("-.") or "patient"
    if text.split("-")[0].upper() in _RESERVED:
        text = "_" + text
    return text


def make_handout(request: HandoutRequest, output: Path | None) -> Made:
    from handouts.files import write_atomic

    plan, rendered = build(request)
    path = output or default_output(plan)
    if path.suffix.lower() != ".pdf":
        raise HandoutsError("the output file name must end in .pdf", file=str(path))
    write_atomic(path, rendered.pdf)
    return Made(path, rendered.pages, rendered.checkboxes)
