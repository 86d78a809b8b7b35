"""The domain, validated: the exercise library, a patient's plan, a clinic and a layout.

Every model is frozen and forbids unknown keys, so a typo in a clinic's YAML is an error and
not a silently ignored field. Scalars arrive from loading.py as strings (YAML's ``NO`` and
``1:30`` stay text); pydantic turns them into numbers only where a number is meant.
Cross-references (a category that does not exist, an unknown exercise in a program) are
checked in ``Library.problems`` so loading.py can point at the exact line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Id = Annotated[str, StringConstraints(pattern=ID_RE.pattern, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
HexColor = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"]+$", max_length=2000)]
Sides = Literal["alternate", "each", "both", "none"]


def _selection(value: Any) -> Any:
    """``all``, ``none``, ``id,id`` or a list of ids -> 'all' | 'none' | tuple of ids."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("all", "none", ""):
            return word or "none"
        return tuple(part.strip() for part in re.split(r"[,;]", value) if part.strip())
    if value is None:
        return "none"
    return value


Selection = Annotated[Literal["all", "none"] | tuple[Id, ...], BeforeValidator(_selection)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
    # Where each field came from (loading.py fills it): path tuple -> (file, line).
    _source: Any = PrivateAttr(default=None)


class Dosage(Model):
    """How much and how often; every field optional so a plan can override one at a time."""

    sets: Annotated[int, Field(ge=1, le=20)] | None = None
    reps: Annotated[int, Field(ge=1, le=500)] | None = None
    hold: ShortText | None = None  # "3–5 seconds": free text, printed as written
    sides: Sides | None = None
    frequency: ShortText | None = None  # "daily", "twice a day"

    def merged(self, override: Dosage) -> Dosage:
        """This dosage with every field the override sets replaced."""
        return self.model_copy(update=override.model_dump(exclude_none=True))


class AreaList(Model):
    """A titled list that is not a sequence of steps, e.g. foam rolling's "Where to Roll"."""

    title: ShortText
    items: list[Text] = Field(min_length=1)


class Exercise(Model):
    id: Id
    name: ShortText
    category: Id
    purpose: Text
    steps: list[Text] = Field(min_length=1, max_length=60)
    areas: AreaList | None = None
    tips: list[Text] = []
    cautions: list[Text] = []
    dosage: Dosage = Dosage()
    image: str | None = None
    images: list[Annotated[str, StringConstraints(min_length=1)]] = []
    video: Url | None = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = []
    # Name of a built-in vector illustration; defaults to the exercise id when one exists.
    illustration: Id | None = None

    @property
    def pictures(self) -> list[str]:
        return ([self.image] if self.image else []) + list(self.images)


class Category(Model):
    id: Id
    title: ShortText
    intro: Text | None = None


class Tip(Model):
    id: Id
    text: Text
    title: ShortText | None = None


class Mistake(Model):
    id: Id
    title: ShortText
    text: Text


class PlanExercise(Dosage):
    """One exercise in a plan or program: an id and the dosage fields to override."""

    id: Id
    notes: Text | None = None

    @property
    def dosage(self) -> Dosage:
        return Dosage(**self.model_dump(include=set(Dosage.model_fields), exclude_none=True))


def _plan_exercises(value: Any) -> Any:
    """A bare id is short for ``{id: ...}``; a ``;``/``,`` separated string is a list of ids."""
    if isinstance(value, str):
        value = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    if isinstance(value, list):
        return [{"id": item} if isinstance(item, str) else item for item in value]
    return value


PlanExercises = Annotated[list[PlanExercise], BeforeValidator(_plan_exercises)]


class Program(Model):
    """A named, reusable set of exercises with dosages ("Low back, week 1")."""

    id: Id
    title: ShortText
    description: Text | None = None
    exercises: PlanExercises = Field(min_length=1)
    tips: Selection | None = None
    mistakes: Selection | None = None
    weeks: Annotated[int, Field(ge=0, le=52)] | None = None


class Library(Model):
    version: Literal[1]
    title: ShortText = "Home Exercise Library"
    guidance: dict[Id, Text] = {}
    categories: list[Category] = Field(min_length=1)
    exercises: list[Exercise] = Field(min_length=1)
    tips: list[Tip]
    mistakes: list[Mistake]
    programs: list[Program] = []

    @field_validator("version", mode="before")
    @classmethod
    def _version_number(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    def problems(self) -> list[tuple[tuple, str, str | None]]:
        """Duplicate ids and dangling references, as (path, message, hint)."""
        found: list[tuple[tuple, str, str | None]] = []
        for section in ("categories", "exercises", "tips", "mistakes", "programs"):
            seen: dict[str, int] = {}
            for i, item in enumerate(getattr(self, section)):
                if item.id in seen:
                    found.append(
                        ((section, i, "id"), f"duplicate id '{item.id}'",
                         f"first used at {section}[{seen[item.id]}]")
                    )
                seen.setdefault(item.id, i)
        categories = [c.id for c in self.categories]
        exercise_ids = [e.id for e in self.exercises]
        for i, ex in enumerate(self.exercises):
            if ex.category not in categories:
                found.append(((("exercises", i, "category")), f"unknown category '{ex.category}'",
                              did_you_mean(ex.category, categories)))
        for i, program in enumerate(self.programs):
            for j, entry in enumerate(program.exercises):
                if entry.id not in exercise_ids:
                    found.append((("programs", i, "exercises", j, "id"),
                                  f"unknown exercise '{entry.id}'",
                                  did_you_mean(entry.id, exercise_ids)))
            for kind, known in (("tips", self.tips), ("mistakes", self.mistakes)):
                chosen = getattr(program, kind)
                if isinstance(chosen, tuple):
                    ids = [k.id for k in known]
                    for j, item in enumerate(chosen):
                        if item not in ids:
                            found.append((("programs", i, kind, j),
                                          f"unknown {kind[:-1]} '{item}'", did_you_mean(item, ids)))
        return found

    def exercise(self, exercise_id: str) -> Exercise | None:
        return self._index().get(exercise_id)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    def _index(self) -> dict[str, Exercise]:
        index = self.__dict__.get("_exercise_index")
        if index is None:
            index = {e.id: e for e in self.exercises}
            object.__setattr__(self, "_exercise_index", index)  # frozen model: cache once
        return index


class Plan(Model):
    """One patient's handout, as a plan file or a roster row gives it."""

    patient: ShortText
    date: dt.date | None = None
    therapist: ShortText | None = None
    exercises: PlanExercises = []
    program: Id | None = None
    tips: Selection = "all"
    mistakes: Selection = "all"
    weeks: Annotated[int, Field(ge=0, le=52)] = 2
    layout: ShortText | None = None
    clinic: ShortText | None = None
    notes: Text | None = None
    title: ShortText | None = None


class Colors(Model):
    primary: HexColor = "#146ea0"
    accent: HexColor = "#f0781e"


class Clinic(Model):
    name: ShortText
    logo: str | None = None
    colors: Colors = Colors()
    phone: ShortText | None = None
    email: ShortText | None = None
    website: Url | None = None
    address: ShortText | None = None
    footer: Text | None = None
    booking_url: Url | None = None

    @property
    def contact_line(self) -> str:
        return "  ·  ".join(p for p in (self.phone, self.email, self.website) if p)


SECTIONS = ("intro", "exercises", "tips", "mistakes", "safety", "notes", "tracking", "booking")
Section = Literal["intro", "exercises", "tips", "mistakes", "safety", "notes", "tracking", "booking"]


class Margins(Model):
    top: Annotated[float, Field(ge=18, le=216)] = 50
    right: Annotated[float, Field(ge=18, le=216)] = 50
    bottom: Annotated[float, Field(ge=18, le=216)] = 50
    left: Annotated[float, Field(ge=18, le=216)] = 50


class TypeSizes(Model):
    body: Annotated[float, Field(ge=6, le=36)] = 11
    small: Annotated[float, Field(ge=6, le=36)] = 9
    heading: Annotated[float, Field(ge=8, le=48)] = 14
    title: Annotated[float, Field(ge=10, le=60)] = 20
    leading: Annotated[float, Field(ge=1.0, le=2.5)] = 1.3  # line height as a multiple of size


class LayoutColors(Model):
    text: HexColor = "#1a1a1a"
    muted: HexColor = "#555555"
    rule: HexColor = "#c8c8c8"
    shade: HexColor = "#f2f5f8"
    primary: HexColor | None = None  # None: the clinic's colour
    accent: HexColor | None = None


class Tracking(Model):
    style: Literal["week", "month"] = "week"
    box: Annotated[float, Field(ge=8, le=40)] = 14  # checkbox side in points
    pain: bool = True
    notes: bool = True


class Layout(Model):
    name: ShortText = "standard"
    description: ShortText = ""
    extends: ShortText | None = None
    paper: Literal["letter", "a4"] = "letter"
    margins: Margins = Margins()
    font: Literal["sans", "serif"] = "sans"
    sizes: TypeSizes = TypeSizes()
    colors: LayoutColors = LayoutColors()
    columns: Literal[1, 2] = 1
    sections: list[Section] = list(SECTIONS)
    pictures: bool = True
    one_exercise_per_page: bool = False
    space: Annotated[float, Field(ge=0.5, le=3)] = 1.0  # multiplies the gaps between blocks
    tracking: Tracking = Tracking()

    @field_validator("columns", mode="before")
    @classmethod
    def _columns_number(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
