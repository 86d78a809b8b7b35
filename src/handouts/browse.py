"""Reading the library in a terminal: list, show, layouts, and validating any of our files."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

from handouts.compose import dosage_line
from handouts.errors import HandoutsError
from handouts.models import Library, did_you_mean

WIDTH = 88


def library_listing(lib: Library) -> str:
    lines = [f"{lib.title}: {len(lib.exercises)} exercises", ""]
    width = max((len(e.id) for e in lib.exercises), default=10) + 2
    for category in lib.categories:
        members = [e for e in lib.exercises if e.category == category.id]
        if not members:
            continue
        lines.append(f"{category.title} ({category.id})")
        lines.extend(f"  {e.id:<{width}}{e.name}" for e in members)
        lines.append("")
    if lib.programs:
        lines.append("Programs (use with --program ID)")
        lines.extend(
            f"  {p.id:<{width}}{p.title}: {', '.join(x.id for x in p.exercises)}"
            for p in lib.programs
        )
        lines.append("")
    for title, items in (("Tips", lib.tips), ("Mistakes", lib.mistakes)):
        if items:
            lines.append(f"{title} (use with --{title.lower()} ID,ID)")
            lines.extend(
                _clip(f"  {t.id:<{width}}{getattr(t, 'title', None) or t.text}") for t in items
            )
            lines.append("")
    return "\n".join(lines).rstrip()


def _clip(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


def describe(lib: Library, item_id: str) -> str:
    exercise = lib.exercise(item_id)
    if exercise is None:
        program = lib.program(item_id)
        if program is not None:
            return _describe_program(lib, program)
        raise HandoutsError(
            f"unknown exercise '{item_id}'",
            field="ID",
            hint=did_you_mean(item_id, [e.id for e in lib.exercises] + [p.id for p in lib.programs])
            or "see 'handouts list'",
        )
    category = lib.category(exercise.category)
    out = [f"{exercise.name} ({exercise.id})", f"Category: {category.title if category else ''}"]
    out += _wrap(f"Purpose: {exercise.purpose}")
    dose = dosage_line(exercise.dosage)
    if dose:
        out.append(f"Dosage: {dose}")
    out.append("Steps:")
    for i, step in enumerate(exercise.steps, 1):
        out += _wrap(step, f"  {i}. ", "     ")
    if exercise.areas:
        out.append(f"{exercise.areas.title}:")
        out += [f"  - {item}" for item in exercise.areas.items]
    for tip in exercise.tips:
        out += _wrap(f"Pro tip: {tip}")
    for caution in exercise.cautions:
        out += _wrap(f"Caution: {caution}")
    if exercise.pictures:
        out.append("Pictures: " + ", ".join(exercise.pictures))
    if exercise.video:
        out.append(f"Video: {exercise.video}")
    if exercise.tags:
        out.append("Tags: " + ", ".join(exercise.tags))
    return "\n".join(out)


def _describe_program(lib: Library, program) -> str:
    out = [f"{program.title} (program {program.id})"]
    if program.description:
        out += _wrap(program.description)
    for i, entry in enumerate(program.exercises, 1):
        exercise = lib.exercise(entry.id)
        base = exercise.dosage.merged(entry.dosage) if exercise else entry.dosage
        dose = dosage_line(base)
        name = exercise.name if exercise else entry.id
        out.append(f"  {i}. {name}" + (f": {dose}" if dose else ""))
    return "\n".join(out)


def _wrap(text: str, first: str = "", rest: str = "  ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest) or [first]


def layout_listing() -> str:
    from handouts.loading import available_layouts, layout_search_dirs, load_layout

    dirs = [Path.cwd() / "layouts", *layout_search_dirs(None)]
    found = available_layouts(dirs)
    width = max((len(n) for n in found), default=8) + 2
    lines = []
    for name, path in found.items():
        try:
            layout = load_layout(path, dirs)
            lines.append(f"{name:<{width}}{layout.description or '(no description)'}")
        except HandoutsError as exc:
            lines.append(f"{name:<{width}}(broken: {exc})")
    return "\n".join(lines)


def _kind(path: Path) -> str:
    """What sort of file this is, from its name or its top-level keys."""
    from handouts.loading import read_yaml

    if path.suffix.lower() == ".csv":
        return "roster"
    data = read_yaml(path, max_bytes=50 * 1024 * 1024).data
    if isinstance(data, list):
        return "roster"
    if not isinstance(data, dict):
        return "unknown"
    keys = set(data)
    if keys & {"extends", "paper", "margins", "sizes", "sections", "columns", "tracking", "font"}:
        return "layout"
    if "patient" in keys:
        return "plan"
    if keys & {"version", "exercises", "categories"}:
        return "library"
    if "name" in keys:
        return "clinic"
    return "unknown"


def validate_files(files: list[Path], library: Path | None) -> Iterator[tuple[str, bool]]:
    """(message, ok) per file: a summary when a file is fine, the error line when not."""
    from handouts.make import open_library

    if not files:
        try:
            lib, _ = open_library(library)
        except HandoutsError as exc:
            yield str(exc), False
            return
        yield _library_summary(lib, str(library) if library else "the bundled library"), True
    for path in files:
        try:
            yield from _validate_one(Path(path), library)
        except HandoutsError as exc:
            yield str(exc.at(str(path), None)), False


def _library_summary(lib: Library, name: str) -> str:
    return (
        f"ok: {name}: library, {len(lib.exercises)} exercises in {len(lib.categories)} "
        f"categories, {len(lib.programs)} programs, {len(lib.tips)} tips, "
        f"{len(lib.mistakes)} mistakes"
    )


def _validate_one(path: Path, library: Path | None):
    from handouts.loading import layout_search_dirs, load_layout, load_library, load_roster
    from handouts.make import HandoutRequest, open_clinic, open_library, prepare

    if not path.exists():
        raise HandoutsError("no such file", file=str(path))
    kind = _kind(path)
    if kind == "library":
        yield _library_summary(load_library(path), str(path)), True
    elif kind == "layout":
        layout = load_layout(path, [path.parent, *layout_search_dirs(None)])
        yield (
            f"ok: {path}: layout '{layout.name}' ({layout.paper}, {layout.columns} column(s))",
            True,
        )
    elif kind == "clinic":
        clinic, folder = open_clinic(path)
        from handouts.branding import check_logo

        check_logo(clinic, folder)
        yield f"ok: {path}: clinic '{clinic.name}'", True
    elif kind == "plan":
        plan, _ = prepare(HandoutRequest(plan=path, library=library))
        yield f"ok: {path}: plan for {plan.patient}, {len(plan.exercises)} exercises", True
    elif kind == "roster":
        loaded = open_library(library)
        rows = load_roster(path)
        bad = 0
        for row in rows:
            error = row.error
            if error is None:
                try:
                    prepare(HandoutRequest(library=library), library=loaded, plan=row.plan)
                except HandoutsError as exc:
                    error = exc.at(str(path), row.line)
            if error is not None:
                bad += 1
                yield f"{error} (row {row.number})", False
        if not bad:
            yield f"ok: {path}: roster of {len(rows)} patients", True
    else:
        raise HandoutsError(
            "cannot tell what kind of file this is",
            file=str(path),
            hint="a library has 'version:', a plan 'patient:', a clinic 'name:'",
        )
