"""The domain, validated: the exercise library, a patient's plan, a clinic and a layout.

Models are msgspec Structs: they forbid unknown keys (a typo in a clinic's YAML is an error,
not a silently ignored field) and validate in microseconds. msgspec rather than pydantic
because a handout is made by a short-lived process: importing pydantic and building these
models cost ~200 ms per run, msgspec ~15 ms. Scalars arrive from loading.py as strings (YAML's
``NO`` and ``1:30`` stay text); msgspec turns them into numbers only where a number is meant.
Cross-references (a category that does not exist, an unknown exercise in a program) are
checked in ``Library.problems`` so loading.py can point at the exact line.
Treat instances as read-only: change one with ``msgspec.structs.replace``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Id = Annotated[str, Meta(pattern=ID_RE.pattern, max_length=80)]
Text = Annotated[str, Meta(min_length=1, max_length=5000)]
ShortText = Annotated[str, Meta(min_length=1, max_length=200)]
HexColor = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
Url = Annotated[str, Meta(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)]
Sides = Literal["alternate", "each", "both", "none"]
# 'all', 'none', 'id,id' (a roster cell) or a list of ids; normalised by _selection.
Selection = str | list[Annotated[str, Meta(min_length=1, max_length=80)]]


class Model(Struct, kw_only=True, forbid_unknown_fields=True, dict=True):
    """Base of every model. ``dict=True`` lets loading.py attach ``_source`` (the file and
    line of every field) to an instance for later error messages."""

    def _text(self, *names: str) -> None:
        # Text is stripped here, once, so ' ' counts as empty and pages get no stray spaces.
        for name in names:
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    raise ValueError(f"{name}: must not be empty")
                setattr(self, name, value)
            elif isinstance(value, list):
                stripped = [v.strip() if isinstance(v, str) else v for v in value]
                for i, v in enumerate(stripped):
                    if v == "":
                        raise ValueError(f"{name}[{i}]: must not be empty")
                setattr(self, name, stripped)


def _selection(value: Any, name: str) -> str | tuple[str, ...] | None:
    """``all``, ``none``, ``id,id`` or a list of ids -> 'all' | 'none' | tuple of ids."""
    if value is None:
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("all", "none", ""):
            return word or "none"
        value = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    for i, item in enumerate(value):
        if not ID_RE.match(item):
            raise ValueError(
                f"{name}[{i}]: must be 'all', 'none' or ids like 'bird-dog', got '{item[:40]}'"
            )
    return tuple(value)


class Dosage(Model, kw_only=True):
    """How much and how often; every field optional so a plan can override one at a time."""

    sets: Annotated[int, Meta(ge=1, le=20)] | None = None
    reps: Annotated[int, Meta(ge=1, le=500)] | None = None
    hold: ShortText | None = None  # "3–5 seconds": free text, printed as written
    sides: Sides | None = None
    frequency: ShortText | None = None  # "daily", "twice a day"

    def __post_init__(self) -> None:
        self._text("hold", "frequency")

    def merged(self, override: Dosage) -> Dosage:
        """This dosage with every field the override sets replaced."""
        changes = {
            f: getattr(override, f) for f in DOSAGE_FIELDS if getattr(override, f) is not None
        }
        return msgspec.structs.replace(self, **changes) if changes else self


DOSAGE_FIELDS = Dosage.__struct_fields__


class AreaList(Model, kw_only=True):
    """A titled list that is not a sequence of steps, e.g. foam rolling's "Where to Roll"."""

    title: ShortText
    items: Annotated[list[Text], Meta(min_length=1)]

    def __post_init__(self) -> None:
        self._text("title", "items")


class Exercise(Model, kw_only=True):
    id: Id
    name: ShortText
    category: Id
    purpose: Text
    steps: Annotated[list[Text], Meta(min_length=1, max_length=60)]
    areas: AreaList | None = None
    tips: list[Text] = []
    cautions: list[Text] = []
    dosage: Dosage = msgspec.field(default_factory=Dosage)
    image: Annotated[str, Meta(min_length=1)] | None = None
    images: list[Annotated[str, Meta(min_length=1)]] = []
    video: Url | None = None
    tags: list[Annotated[str, Meta(min_length=1, max_length=60)]] = []
    # Name of a built-in vector illustration; defaults to the exercise id when one exists.
    illustration: Id | None = None

    def __post_init__(self) -> None:
        self._text("name", "purpose", "steps", "tips", "cautions")

    @property
    def pictures(self) -> list[str]:
        return ([self.image] if self.image else []) + list(self.images)


class Category(Model, kw_only=True):
    id: Id
    title: ShortText
    subtitle: ShortText | None = None
    intro: Text | None = None

    def __post_init__(self) -> None:
        self._text("title", "subtitle", "intro")


class Tip(Model, kw_only=True):
    id: Id
    text: Text
    title: ShortText | None = None

    def __post_init__(self) -> None:
        self._text("text", "title")


class Mistake(Model, kw_only=True):
    id: Id
    title: ShortText
    text: Text

    def __post_init__(self) -> None:
        self._text("title", "text")


class PlanExercise(Dosage, kw_only=True):
    """One exercise in a plan or program: an id and the dosage fields to override."""

    id: Id
    notes: Text | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self._text("notes")

    @property
    def dosage(self) -> Dosage:
        return Dosage(**{f: getattr(self, f) for f in DOSAGE_FIELDS})


# A plan's exercises: ids, {id: ..., sets: ...} mappings, or 'id;id' (a roster cell).
PlanExercises = str | list[Id | PlanExercise]


def _plan_exercises(value: Any) -> list[PlanExercise]:
    if isinstance(value, str):
        ids = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
        for i, item in enumerate(ids):
            if not ID_RE.match(item):
                raise ValueError(
                    f"exercises[{i}]: must be an id like 'bird-dog', got '{item[:40]}'"
                )
        value = ids
    return [PlanExercise(id=item) if isinstance(item, str) else item for item in value]


class Program(Model, kw_only=True):
    """A named, reusable set of exercises with dosages ("Low back, week 1")."""

    id: Id
    title: ShortText
    description: Text | None = None
    exercises: PlanExercises
    tips: Selection | None = None
    mistakes: Selection | None = None
    weeks: Annotated[int, Meta(ge=0, le=52)] | None = None

    def __post_init__(self) -> None:
        self._text("title", "description")
        self.exercises = _plan_exercises(self.exercises)
        if not self.exercises:
            raise ValueError("exercises: must list at least one exercise")
        self.tips = _selection(self.tips, "tips")
        self.mistakes = _selection(self.mistakes, "mistakes")


class Library(Model, kw_only=True):
    version: Literal[1]
    title: ShortText = "Home Exercise Library"
    guidance: dict[Id, Text] = {}
    categories: Annotated[list[Category], Meta(min_length=1)]
    exercises: Annotated[list[Exercise], Meta(min_length=1)]
    tips: list[Tip]
    mistakes: list[Mistake]
    programs: list[Program] = []

    def __post_init__(self) -> None:
        self._text("title")
        self._exercise_index = {e.id: e for e in self.exercises}

    def problems(self) -> list[tuple[tuple, str, str | None]]:
        """Duplicate ids and dangling references, as (path, message, hint)."""
        found: list[tuple[tuple, str, str | None]] = []
        for section in ("categories", "exercises", "tips", "mistakes", "programs"):
            seen: dict[str, int] = {}
            for i, item in enumerate(getattr(self, section)):
                if item.id in seen:
                    found.append(
                        (
                            (section, i, "id"),
                            f"duplicate id '{item.id}'",
                            f"first used at {section}[{seen[item.id]}]",
                        )
                    )
                seen.setdefault(item.id, i)
        categories = [c.id for c in self.categories]
        exercise_ids = list(self._exercise_index)
        for i, ex in enumerate(self.exercises):
            if ex.category not in categories:
                found.append(
                    (
                        ("exercises", i, "category"),
                        f"unknown category '{ex.category}'",
                        did_you_mean(ex.category, categories),
                    )
                )
        for i, program in enumerate(self.programs):
            for j, entry in enumerate(program.exercises):
                if entry.id not in self._exercise_index:
                    found.append(
                        (
                            ("programs", i, "exercises", j),
                            f"unknown exercise '{entry.id}'",
                            did_you_mean(entry.id, exercise_ids),
                        )
                    )
            for kind, known in (("tips", self.tips), ("mistakes", self.mistakes)):
                chosen = getattr(program, kind)
                if isinstance(chosen, tuple):
                    ids = [k.id for k in known]
                    for j, item in enumerate(chosen):
                        if item not in ids:
                            found.append(
                                (
                                    ("programs", i, kind, j),
                                    f"unknown {kind[:-1]} '{item}'",
                                    did_you_mean(item, ids),
                                )
                            )
        return found

    def exercise(self, exercise_id: str) -> Exercise | None:
        return self._exercise_index.get(exercise_id)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)


class Plan(Model, kw_only=True):
    """One patient's handout, as a plan file or a roster row gives it. ``None`` means not
    given: compose fills in the program's value or the default (tips and mistakes all,
    2 weeks)."""

    patient: ShortText
    date: dt.date | None = None
    therapist: ShortText | None = None
    exercises: PlanExercises = []
    program: Id | None = None
    tips: Selection | None = None
    mistakes: Selection | None = None
    weeks: Annotated[int, Meta(ge=0, le=52)] | None = None
    layout: ShortText | None = None
    clinic: ShortText | None = None  # a clinic file, relative to the plan
    library: ShortText | None = None  # an exercise library, relative to the plan
    notes: Text | None = None
    title: ShortText | None = None

    def __post_init__(self) -> None:
        self._text("patient", "therapist", "notes", "title", "layout", "clinic", "library")
        self.exercises = _plan_exercises(self.exercises)
        self.tips = _selection(self.tips, "tips")
        self.mistakes = _selection(self.mistakes, "mistakes")


PLAN_FIELDS = Plan.__struct_fields__


class Colors(Model, kw_only=True):
    primary: HexColor = "#146ea0"
    accent: HexColor = "#f0781e"


class Clinic(Model, kw_only=True):
    name: ShortText
    logo: Annotated[str, Meta(min_length=1)] | None = None
    colors: Colors = msgspec.field(default_factory=Colors)
    phone: ShortText | None = None
    email: ShortText | None = None
    website: Url | None = None
    address: ShortText | None = None
    footer: Text | None = None
    booking_url: Url | None = None

    def __post_init__(self) -> None:
        self._text("name", "phone", "email", "address", "footer")

    @property
    def contact_line(self) -> str:
        return "  ·  ".join(p for p in (self.phone, self.email, self.website) if p)


SECTIONS = ("notes", "about", "exercises", "tips", "mistakes", "safety", "booking", "tracking")
Section = Literal[
    "notes", "intro", "about", "exercises", "tips", "mistakes", "safety", "booking", "tracking"
]
Margin = Annotated[float, Meta(ge=18, le=216)]  # points: a quarter inch to three inches


class Margins(Model, kw_only=True):
    top: Margin = 50
    right: Margin = 50
    bottom: Margin = 50
    left: Margin = 50


class TypeSizes(Model, kw_only=True):
    body: Annotated[float, Meta(ge=6, le=36)] = 11
    small: Annotated[float, Meta(ge=6, le=36)] = 9
    heading: Annotated[float, Meta(ge=8, le=48)] = 14
    title: Annotated[float, Meta(ge=10, le=60)] = 20
    leading: Annotated[float, Meta(ge=1.0, le=2.5)] = 1.3  # line height as a multiple of size


class LayoutColors(Model, kw_only=True):
    text: HexColor = "#1a1a1a"
    muted: HexColor = "#555555"
    rule: HexColor = "#c8c8c8"
    shade: HexColor = "#f2f5f8"
    primary: HexColor | None = None  # None: the clinic's colour
    accent: HexColor | None = None


class Tracking(Model, kw_only=True):
    style: Literal["week", "month"] = "week"
    box: Annotated[float, Meta(ge=8, le=40)] = 14  # checkbox side in points
    pain: bool = True
    notes: bool = True


class Layout(Model, kw_only=True):
    name: ShortText = "standard"
    description: str = ""
    extends: ShortText | None = None
    paper: Literal["letter", "a4"] = "letter"
    margins: Margins = msgspec.field(default_factory=Margins)
    font: Literal["sans", "serif"] = "sans"
    sizes: TypeSizes = msgspec.field(default_factory=TypeSizes)
    colors: LayoutColors = msgspec.field(default_factory=LayoutColors)
    columns: Literal[1, 2] = 1
    sections: list[Section] = msgspec.field(default_factory=lambda: list(SECTIONS))
    pictures: bool = True
    picture_width: Annotated[float, Meta(ge=0.15, le=0.5)] = 0.36  # of the column's width
    one_exercise_per_page: bool = False
    space: Annotated[float, Meta(ge=0.5, le=3)] = 1.0  # multiplies the gaps between blocks
    tracking: Tracking = msgspec.field(default_factory=Tracking)


def convert(data: Any, model: type[Struct]):
    """data (plain dicts, lists and strings) as the model; raises msgspec.ValidationError."""
    return msgspec.convert(data, model, strict=False)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
