"""free-exercise-db JSON -> a handouts library folder (``handouts import free-exercise-db``).

The public data set (yuhonas/free-exercise-db, Unlicense) is a JSON list of exercises with
muscles, equipment, instructions and photo names; only some of the photos are present on disk.
The import builds a whole library, validates it with the same model the loader uses, and only
then writes: photos first, ``exercises.yaml`` last and atomically, so a failed run leaves an
existing library as it was.

Entries count from 1 in messages ("entry 1" is the first object in the JSON list).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import msgspec
import yaml
from PIL import Image

from handouts.errors import HandoutsError
from handouts.loading import MAX_YAML_BYTES, explain
from handouts.models import Library, convert

MAX_JSON_BYTES = 200 * 1024 * 1024
MAX_TEXT = 5000  # models.Text
MAX_NAME = 200  # models.ShortText
MAX_ID = 80
MAX_TAG = 60
MAX_STEPS = 60
LIBRARY_FILE = "exercises.yaml"
TITLE = "Free Exercise DB (public domain)"
SOURCE_NOTE = "Imported from free-exercise-db (public domain, Unlicense)."
NO_INSTRUCTIONS = "No instructions in the source data set; ask your therapist."
# What reportlab can place on a page; the extension follows the real format, not the file name.
PHOTO_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}

_STRING_FIELDS = ("id", "name", "category", "level", "equipment", "force", "mechanic")
_LIST_FIELDS = ("primaryMuscles", "secondaryMuscles", "instructions", "images")
# Control characters and the two non-characters YAML refuses to carry.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass
class ImportReport:
    """What an import did, for the CLI to print and for tests to check."""

    library: Path
    exercises: int = 0
    categories: dict[str, int] = field(default_factory=dict)  # category id -> exercises
    photos_copied: int = 0
    photos_missing: int = 0  # named by the JSON, absent from the photo folder
    photos_rejected: list[str] = field(default_factory=list)  # "entry N (id): photo: reason"
    without_instructions: list[str] = field(default_factory=list)  # exercise ids
    instructions_split: int = 0  # instructions over MAX_TEXT characters, split into steps
    steps_shortened: list[str] = field(default_factory=list)  # ids with more than MAX_STEPS
    renamed: list[str] = field(default_factory=list)  # "Source_Id -> slug-2" (clashing slugs)
    skipped: list[str] = field(default_factory=list)  # "entry N (id): reason"

    def summary_lines(self, limit: int = 10) -> list[str]:
        """Human-readable lines; each list is cut to ``limit`` items with an "and N more"."""
        cats = ", ".join(f"{cid} {n}" for cid, n in self.categories.items())
        lines = [
            f"wrote {self.library}: {self.exercises} exercises in "
            f"{len(self.categories)} categories ({cats})",
            f"photos: {self.photos_copied} copied, {self.photos_missing} named in the data set "
            f"but not in its photo folder, {len(self.photos_rejected)} rejected",
        ]
        lines += _listed(self.photos_rejected, "rejected photo", limit)
        if self.without_instructions:
            lines.append(
                f"{len(self.without_instructions)} exercises had no instructions and got a "
                f"placeholder step: " + _short(self.without_instructions, limit)
            )
        if self.instructions_split:
            lines.append(
                f"{self.instructions_split} instructions over {MAX_TEXT} characters were split "
                "into several steps"
            )
        if self.steps_shortened:
            lines.append(
                f"{len(self.steps_shortened)} exercises had more than {MAX_STEPS} steps; the rest "
                "were merged into the last step: " + _short(self.steps_shortened, limit)
            )
        if self.renamed:
            lines.append(
                f"{len(self.renamed)} ids clashed and were numbered: " + _short(self.renamed, limit)
            )
        lines.append(f"skipped {len(self.skipped)} entries")
        lines += _listed(self.skipped, "skipped entry", limit)
        return lines


def import_free_exercise_db(json_path: Path, out_dir: Path, *, photos: bool = True) -> ImportReport:
    """Import the data set at ``json_path`` into ``out_dir/exercises.yaml`` (+ ``images/``).

    Raises HandoutsError for a file that is not the data set (not JSON, not a list, an entry
    of the wrong shape) and for an ``out_dir`` that cannot hold the library. Entries without
    an id, name or category are skipped and listed in the report.
    """
    json_path, out_dir = Path(json_path), Path(out_dir)
    report = ImportReport(library=out_dir / LIBRARY_FILE)
    text = _read_json_text(json_path)
    entries = _parse(text, json_path)
    photo_dir = json_path.parent / "exercises"

    exercises: list[dict[str, Any]] = []
    sources: list[tuple[int, str]] = []  # per exercise: (entry number, source id)
    candidates: list[list[tuple[int, Path]]] = []  # per exercise: (position, photo on disk)
    categories: dict[str, str] = {}  # id -> title, in order of first use
    used_ids: set[str] = set()

    for number, entry in enumerate(entries, start=1):
        _check_shape(entry, number, json_path, text)
        raw_id = entry.get("id") or ""
        label = f"entry {number} ({_clean(raw_id) or '?'})"
        name = _clean(entry.get("name") or "")
        category_text = _clean(entry.get("category") or "").lower()
        slug = _slug(raw_id) or _slug(name)
        reason = (
            "no id"
            if not raw_id
            else "no name"
            if not name
            else "no category"
            if not _slug(category_text)
            else "no letters or digits in its id or name"
            if not slug
            else None
        )
        if reason:
            report.skipped.append(f"{label}: {reason}")
            continue

        exercise_id = _unique(slug, used_ids)
        if exercise_id != slug:
            report.renamed.append(f"{_clean(raw_id)} -> {exercise_id}")
        category = _slug(category_text)
        categories.setdefault(category, _title(category_text))
        report.categories[category] = report.categories.get(category, 0) + 1

        steps = _steps(entry.get("instructions") or [], report)
        if not steps:
            steps = [NO_INSTRUCTIONS]
            report.without_instructions.append(exercise_id)
        elif len(steps) > MAX_STEPS:
            steps = _fit_steps(steps)
            report.steps_shortened.append(exercise_id)

        exercise: dict[str, Any] = {
            "id": exercise_id,
            "name": _cap(name, MAX_NAME),
            "category": category,
            "purpose": _purpose(entry, category),
            "steps": steps,
        }
        dosage = _dosage(category)
        if dosage:
            exercise["dosage"] = dosage
        tags = _tags(entry)
        if tags:
            exercise["tags"] = tags
        exercises.append(exercise)
        sources.append((number, _clean(raw_id)))
        candidates.append(_find_photos(entry, photo_dir, label, report) if photos else [])

    if not exercises:
        raise HandoutsError(
            "no exercise could be imported",
            file=str(json_path),
            hint=report.skipped[0] if report.skipped else "the list is empty",
        )

    copies = _check_photos(exercises, sources, candidates, report) if photos else []
    library = {
        "version": 1,
        "title": TITLE,
        "guidance": {"source": SOURCE_NOTE},
        "categories": [
            {"id": cid, "title": title, "intro": _intro(report.categories[cid], title)}
            for cid, title in categories.items()
        ],
        "exercises": exercises,
        "tips": [],
        "mistakes": [],
    }
    _validate(library, json_path, text, sources)
    # safe_dump's own output, from libyaml's emitter when present (8x faster on 873 exercises).
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    body = (
        f"# Imported from free-exercise-db ({_clean(json_path.name)}) by "
        "`handouts import free-exercise-db`.\n"
        "# The data set is public domain (Unlicense): https://github.com/yuhonas/free-exercise-db\n"
        + yaml.dump(library, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    )
    size = len(body.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        raise HandoutsError(
            f"the library would be {size / 2**20:.1f} MB; handouts reads libraries of at most "
            f"{MAX_YAML_BYTES // 2**20} MB",
            file=str(json_path),
            hint="import a smaller part of the data set",
        )

    # Nothing is written before this point.
    _prepare_out_dir(out_dir)
    for source, target in copies:
        _copy_photo(source, out_dir / target)
    report.photos_copied = len(copies)
    report.exercises = len(exercises)
    _write_atomic(out_dir / LIBRARY_FILE, body)
    return report


# --- reading the JSON ---------------------------------------------------------------------


def _read_json_text(json_path: Path) -> str:
    try:
        size = json_path.stat().st_size
        if not json_path.is_file():
            raise HandoutsError("not a file", file=str(json_path))
        if size > MAX_JSON_BYTES:
            raise HandoutsError(
                f"the file is {size / 2**20:.0f} MB; the import reads at most "
                f"{MAX_JSON_BYTES // 2**20} MB",
                file=str(json_path),
                hint="is this the free-exercise-db exercises.json?",
            )
        data = json_path.read_bytes()
    except FileNotFoundError:
        raise HandoutsError("no such file", file=str(json_path)) from None
    except OSError as exc:
        raise HandoutsError(
            f"cannot read the file: {exc.strerror or exc}", file=str(json_path)
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise HandoutsError(
            f"not UTF-8 text (byte {exc.start + 1})", file=str(json_path), line=line
        ) from None


def _parse(text: str, json_path: Path) -> list[Any]:
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HandoutsError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=str(json_path), line=exc.lineno
        ) from None
    except RecursionError:
        raise HandoutsError("not valid JSON: nested too deeply", file=str(json_path)) from None
    if not isinstance(entries, list):
        raise HandoutsError(
            f"expected a JSON list of exercises, found {_json_type(entries)}",
            file=str(json_path),
            hint="use exercises.json from the free-exercise-db data set",
        )
    return entries


def _check_shape(entry: Any, number: int, json_path: Path, text: str) -> None:
    """Wrong JSON types mean the file is not the data set: stop, and say where."""

    def fail(field_name: str | None, message: str) -> HandoutsError:
        return HandoutsError(
            message,
            file=str(json_path),
            line=_entry_line(text, number - 1),
            field=f"entry {number}" + (f" {field_name}" if field_name else ""),
        )

    if not isinstance(entry, dict):
        raise fail(None, f"expected an exercise (a JSON object), found {_json_type(entry)}")
    for key in _STRING_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, str):
            raise fail(key, f"expected text or null, found {_json_type(value)}")
    for key in _LIST_FIELDS:
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            raise fail(key, f"expected a list of text, found {_json_type(value)}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise fail(f"{key}[{i}]", f"expected text, found {_json_type(item)}")


def _entry_line(text: str, index: int) -> int | None:
    """The line where list item ``index`` starts (json keeps no positions, so scan for it)."""
    decoder = json.JSONDecoder()
    skip = re.compile(r"[ \t\r\n]*")
    pos = skip.match(text).end()
    if not text.startswith("[", pos):
        return None
    pos += 1
    try:
        for _ in range(index):
            pos = skip.match(text, pos).end()
            _, pos = decoder.raw_decode(text, pos)
            pos = skip.match(text, pos).end()
            if text.startswith(",", pos):
                pos += 1
        pos = skip.match(text, pos).end()
    except (json.JSONDecodeError, RecursionError):
        return None
    return text.count("\n", 0, pos) + 1


def _json_type(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), "a value")


# --- building the library -----------------------------------------------------------------


def _clean(value: str) -> str:
    """One line of printable text: control characters out, runs of whitespace to one space."""
    value = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates from \ud800
    return " ".join(_CONTROL.sub(" ", value).split())


def _slug(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_ID].rstrip("-")


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        suffix = f"-{n}"
        candidate = slug[: MAX_ID - len(suffix)].rstrip("-") + suffix
    used.add(candidate)
    return candidate


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _title(category_text: str) -> str:
    return _cap(" ".join(word.capitalize() for word in category_text.split()), MAX_NAME)


def _intro(count: int, title: str) -> str:
    noun = "exercise" if count == 1 else "exercises"
    return f"{count} {title.lower()} {noun} from the public-domain free-exercise-db data set."


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _words(values: Iterable[str]) -> list[str]:
    """Cleaned, lowercase, without empties or repeats, in order."""
    seen: dict[str, None] = {}
    for value in values:
        word = _clean(value).lower()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def _purpose(entry: dict[str, Any], category: str) -> str:
    primary = _words(entry.get("primaryMuscles") or [])
    secondary = [m for m in _words(entry.get("secondaryMuscles") or []) if m not in primary]
    parts = []
    if primary:
        verb = "Stretches" if category == "stretching" else "Works"
        also = f" (also {', '.join(secondary)})" if secondary else ""
        parts.append(f"{verb} the {_join(primary)}{also}.")
    for label, key in (("Level", "level"), ("Equipment", "equipment")):
        value = _clean(entry.get(key) or "").lower()
        if value:
            parts.append(f"{label}: {value}.")
    return _cap(" ".join(parts), MAX_TEXT) or "An exercise from the free-exercise-db data set."


def _tags(entry: dict[str, Any]) -> list[str]:
    values = [*(entry.get("primaryMuscles") or []), *(entry.get("secondaryMuscles") or [])]
    values += [entry.get(key) or "" for key in ("equipment", "level", "force", "mechanic")]
    return _words(value[:MAX_TAG] for value in values)


def _dosage(category: str) -> dict[str, Any]:
    # A fresh dict each time: a shared one would be dumped as a YAML alias, which loaders refuse.
    if category == "stretching":
        return {"sets": 2, "hold": "20–30 seconds"}
    if category == "cardio":
        return {}
    return {"sets": 3, "reps": 10}


def _steps(instructions: list[str], report: ImportReport) -> list[str]:
    steps: list[str] = []
    for instruction in instructions:
        text = _clean(instruction)
        if len(text) > MAX_TEXT:
            steps += _split_long(text)
            report.instructions_split += 1
        elif text:
            steps.append(text)
    return steps


def _split_long(text: str) -> list[str]:
    """Cut at sentence ends into pieces of at most MAX_TEXT characters (at spaces if need be)."""
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > MAX_TEXT:  # one run-on sentence: cut at the last space that fits
            cut = sentence.rfind(" ", 0, MAX_TEXT + 1)
            cut = cut if cut > 0 else MAX_TEXT
            head, sentence = sentence[:cut].rstrip(), sentence[cut:].lstrip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if not current:
            current = sentence
        elif len(current) + 1 + len(sentence) <= MAX_TEXT:
            current += " " + sentence
        else:
            pieces.append(current)
            current = sentence
    if current:
        pieces.append(current)
    return pieces


def _fit_steps(steps: list[str]) -> list[str]:
    """At most MAX_STEPS steps: the extra ones join the last step, or are named in a note."""
    kept, rest = steps[: MAX_STEPS - 1], steps[MAX_STEPS - 1 :]
    merged = " ".join(rest)
    if len(merged) <= MAX_TEXT:
        return [*kept, merged]
    return [
        *kept,
        f"The source data set lists {len(rest)} more steps, left out here; ask your therapist.",
    ]


def _validate(
    library: dict[str, Any], json_path: Path, text: str, sources: list[tuple[int, str]]
) -> None:
    """The built library must load; an error points back at the JSON entry it came from."""

    def error(loc: tuple, message: str, hint: str | None = None) -> HandoutsError:
        line = None
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "exercises" and isinstance(loc[1], int):
            number, source_id = sources[loc[1]]
            line = _entry_line(text, number - 1)
            rest = ".".join(str(part) for part in loc[2:])
            where = f"entry {number} ({source_id})" + (f" {rest}" if rest else "")
        return HandoutsError(
            f"cannot import: {message}", file=str(json_path), line=line, field=where, hint=hint
        )

    try:
        model = convert(library, Library)
    except msgspec.ValidationError as exc:
        loc, message, hint = explain(Library, library, exc)
        raise error(loc, message, hint) from None
    problems = model.problems()
    if problems:
        loc, message, hint = problems[0]
        raise error(loc, message, hint)


# --- photos -------------------------------------------------------------------------------


def _find_photos(
    entry: dict[str, Any], photo_dir: Path, label: str, report: ImportReport
) -> list[tuple[int, Path]]:
    """(position in the JSON list, file) for the named photos that are there; counts the rest."""
    found: list[tuple[int, Path]] = []
    for position, name in enumerate(entry.get("images") or []):
        source = _photo_path(photo_dir, name)
        if source is None:
            report.photos_rejected.append(f"{label}: photo {name!r}: not inside the photo folder")
        elif source.is_file():
            found.append((position, source))
        else:
            report.photos_missing += 1
    return found


def _photo_path(photo_dir: Path, name: str) -> Path | None:
    """The photo the JSON names, or None when the name would leave the photo folder."""
    relative = PurePosixPath(name.replace("\\", "/"))
    if not name or relative.is_absolute() or ".." in relative.parts or ":" in name:
        return None
    return photo_dir.joinpath(*relative.parts)


def _photo_problem(path: Path) -> tuple[str | None, str | None]:
    """(format, None) for a usable photo, (None, reason) for one that is not."""
    try:
        with Image.open(path) as image:
            image_format = image.format
            image.verify()
        if image_format not in PHOTO_FORMATS:
            return None, f"{image_format or 'unknown'} format, not JPEG or PNG"
        # verify() does not decode; a reduced-size decode finds truncated files cheaply.
        with Image.open(path) as image:
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except Image.UnidentifiedImageError:
        return None, "not an image (corrupt, or a format Pillow cannot read)"
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError...)
        return None, f"not a readable image ({exc})"
    return image_format, None


def _check_photos(
    exercises: list[dict[str, Any]],
    sources: list[tuple[int, str]],
    candidates: list[list[tuple[int, Path]]],
    report: ImportReport,
) -> list[tuple[Path, str]]:
    """Decide which photos to copy, set each exercise's ``images``; returns (source, target)."""
    paths = [path for found in candidates for _, path in found]
    # Filters are process-wide, so they are set once here and not inside the worker threads.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. odd EXIF: the photo still decodes and prints
        warnings.simplefilter("error", Image.DecompressionBombWarning)  # huge: skip it
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
            results = dict(zip(paths, pool.map(_photo_problem, paths), strict=True))
    copies: list[tuple[Path, str]] = []
    for exercise, (number, source_id), found in zip(exercises, sources, candidates, strict=True):
        images = []
        for position, path in found:
            image_format, problem = results[path]
            if problem:
                report.photos_rejected.append(
                    f"entry {number} ({source_id}): photo {path.name}: {problem}"
                )
                continue
            target = f"images/{exercise['id']}/{position}{PHOTO_FORMATS[image_format]}"
            images.append(target)
            copies.append((path, target))
        if images:
            exercise["images"] = images
    return copies


# --- writing ------------------------------------------------------------------------------


def _prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise HandoutsError("exists and is not a folder", file=str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HandoutsError(
            f"cannot create the folder: {exc.strerror or exc}", file=str(out_dir)
        ) from None


def _copy_photo(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise HandoutsError(
            f"cannot copy a photo to {target}: {exc.strerror or exc}", file=str(source)
        ) from None


def _write_atomic(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise HandoutsError(
            f"cannot write the library: {exc.strerror or exc}", file=str(path)
        ) from None


# --- report helpers -----------------------------------------------------------------------


def _short(items: list[str], limit: int) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _listed(items: list[str], what: str, limit: int) -> list[str]:
    lines = [f"  {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"  ... and {len(items) - limit} more {what}s")
    return lines
