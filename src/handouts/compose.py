"""Plan + Library -> Handout: what goes on the page, in therapist's terms, with no reportlab.

Everything the renderer needs is decided here: which exercises with which dosage, which tips
and mistakes, the tracking weeks. Unknown ids become errors that point at the plan's line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from handouts.branding import check_logo
from handouts.errors import HandoutsError
from handouts.models import (
    DOSAGE_FIELDS,
    AreaList,
    Clinic,
    Dosage,
    Layout,
    Library,
    Mistake,
    Plan,
    PlanExercise,
    Tip,
    did_you_mean,
)
from handouts.pictures import check_picture

DEFAULT_WEEKS = 2
SIDES_WORDS = {"alternate": "alternate sides", "each": "each side", "both": "both sides"}


@dataclass(frozen=True)
class Card:
    """One exercise as printed: its number on the handout and everything the patient reads."""

    number: int
    id: str
    name: str
    purpose: str
    dosage: str | None
    steps: tuple[str, ...]
    areas: AreaList | None = None
    tips: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    note: str | None = None
    illustration: str | None = None
    pictures: tuple[Path, ...] = ()
    video: str | None = None


@dataclass(frozen=True)
class Handout:
    title: str
    patient: str
    date: dt.date
    therapist: str | None
    clinic: Clinic
    logo: Path | None  # the clinic's logo, checked readable
    layout: Layout
    cards: tuple[Card, ...]
    tips: tuple[Tip, ...] = ()
    mistakes: tuple[Mistake, ...] = ()
    guidance: dict[str, str] = field(default_factory=dict)
    # (title, intro) of each category the cards come from, in order of first use
    categories: tuple[tuple[str, str], ...] = ()
    notes: str | None = None
    weeks: int = 2
    program: str | None = None

    @property
    def tracking_rows(self) -> tuple[str, ...]:
        return tuple(f"{card.number}. {card.name}" for card in self.cards)


def dosage_line(dosage: Dosage) -> str | None:
    """'2 sets × 10 reps · hold 3–5 seconds · alternate sides · daily'."""
    parts = []
    if dosage.sets and dosage.reps:
        parts.append(
            f"{dosage.sets} {_plural(dosage.sets, 'set')} × {dosage.reps} "
            f"{_plural(dosage.reps, 'rep')}"
        )
    elif dosage.sets:
        parts.append(f"{dosage.sets} {_plural(dosage.sets, 'set')}")
    elif dosage.reps:
        parts.append(f"{dosage.reps} {_plural(dosage.reps, 'rep')}")
    if dosage.hold:
        parts.append(f"hold {dosage.hold}")
    if dosage.sides in SIDES_WORDS:
        parts.append(SIDES_WORDS[dosage.sides])
    if dosage.frequency:
        parts.append(dosage.frequency)
    return " · ".join(parts) or None


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def compose(
    plan: Plan,
    library: Library,
    clinic: Clinic,
    layout: Layout,
    *,
    library_dir: Path | None = None,
    clinic_dir: Path | None = None,
    today: dt.date | None = None,
    with_pictures: bool = True,
) -> Handout:
    """The handout a plan asks for; raises HandoutsError naming the plan's line for bad ids."""
    entries, tips, mistakes, weeks, title = _program_defaults(plan, library)
    if not entries:
        raise _plan_error(
            plan,
            ("exercises",),
            "no exercises chosen",
            "give --exercise ID (see 'handouts list') or --program ID",
        )
    cards = []
    for i, (path, entry) in enumerate(entries, start=1):
        exercise = library.exercise(entry.id)
        if exercise is None:
            raise _plan_error(
                plan,
                path,
                f"unknown exercise '{entry.id}'",
                did_you_mean(entry.id, [e.id for e in library.exercises]) or "see 'handouts list'",
            )
        pictures: tuple[Path, ...] = ()
        if with_pictures and layout.pictures and library_dir is not None:
            pictures = tuple(_picture(library_dir, p) for p in exercise.pictures)
        cards.append(
            Card(
                number=i,
                id=exercise.id,
                name=exercise.name,
                purpose=exercise.purpose,
                dosage=dosage_line(exercise.dosage.merged(entry.dosage)),
                steps=tuple(exercise.steps),
                areas=exercise.areas,
                tips=tuple(exercise.tips),
                cautions=tuple(exercise.cautions),
                note=entry.notes,
                illustration=(exercise.illustration or exercise.id)
                if with_pictures and layout.pictures
                else None,
                pictures=pictures,
                video=exercise.video,
            )
        )
    return Handout(
        title=plan.title or title or "Home Exercise Program",
        patient=plan.patient,
        date=plan.date or today or dt.date.today(),
        therapist=plan.therapist,
        clinic=clinic,
        logo=check_logo(clinic, clinic_dir),
        layout=layout,
        cards=tuple(cards),
        tips=_select(plan, "tips", tips, library.tips),
        mistakes=_select(plan, "mistakes", mistakes, library.mistakes),
        guidance=dict(library.guidance),
        categories=_category_intros(cards, library),
        notes=plan.notes,
        weeks=weeks,
        program=plan.program,
    )


def _category_intros(cards: list[Card], library: Library) -> tuple[tuple[str, str], ...]:
    """(title, intro) per category the cards come from, without sentences a card prints."""
    printed = " ".join(card.purpose for card in cards)
    seen: dict[str, tuple[str, str]] = {}
    for card in cards:
        category = library.category(library.exercise(card.id).category)
        if category is None or not category.intro or category.id in seen:
            continue
        sentences = re.split(r"(?<=[.!?])\s+", category.intro)
        intro = " ".join(s for s in sentences if s not in printed)
        if intro:
            seen[category.id] = (category.title, intro)
    return tuple(seen.values())


def _picture(library_dir: Path, relative: str) -> Path:
    """A library picture's path, checked whole before anything is drawn."""
    path = library_dir / relative
    check_picture(path)
    return path


def _program_defaults(plan: Plan, library: Library):
    """The plan laid over its program: (entries with their plan paths, tips, mistakes, weeks,
    title)."""
    entries = [(("exercises", i), e) for i, e in enumerate(plan.exercises)]
    tips, mistakes, weeks = plan.tips, plan.mistakes, plan.weeks
    if plan.program is None:
        return (
            entries,
            _first(tips, "all"),
            _first(mistakes, "all"),
            _first(weeks, DEFAULT_WEEKS),
            None,
        )
    program = library.program(plan.program)
    if program is None:
        raise _plan_error(
            plan,
            ("program",),
            f"unknown program '{plan.program}'",
            did_you_mean(plan.program, [p.id for p in library.programs])
            or _known("programs", [p.id for p in library.programs]),
        )
    overrides = {e.id: (path, e) for path, e in entries}
    merged: list[tuple[tuple, PlanExercise]] = []
    for base in program.exercises:
        if base.id in overrides:
            path, own = overrides.pop(base.id)
            changes = {
                f: getattr(own, f) for f in (*DOSAGE_FIELDS, "notes") if getattr(own, f) is not None
            }
            merged.append((path, msgspec.structs.replace(base, **changes)))
        else:
            merged.append((("program",), base))
    merged.extend(overrides.values())  # exercises the plan adds to the program
    return (
        merged,
        _first(tips, program.tips, "all"),
        _first(mistakes, program.mistakes, "all"),
        _first(weeks, program.weeks, DEFAULT_WEEKS),
        program.title,
    )


def _first(*values):
    """The first value that is given (not None): the plan's, the program's, the default."""
    return next(v for v in values if v is not None)


def _select(plan: Plan, kind: str, chosen, available):
    if chosen == "all":
        return tuple(available)
    if chosen == "none":
        return ()
    by_id = {item.id: item for item in available}
    picked = []
    for i, item_id in enumerate(chosen):
        if item_id not in by_id:
            raise _plan_error(
                plan,
                (kind, i),
                f"unknown {kind[:-1]} '{item_id}'",
                did_you_mean(item_id, list(by_id)) or _known(kind, list(by_id)),
            )
        picked.append(by_id[item_id])
    return tuple(picked)


def _known(kind: str, ids: list[str]) -> str:
    if not ids:
        return f"the library has no {kind}"
    shown = ", ".join(ids[:6]) + (", ..." if len(ids) > 6 else "")
    return f"known {kind}: {shown}"


def _plan_error(plan: Plan, path: tuple, message: str, hint: str | None) -> HandoutsError:
    from handouts.loading import locate

    file, line = locate(plan, path)
    field_name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(
        ".[", "["
    )
    return HandoutsError(message, file=file, line=line, field=field_name, hint=hint)
