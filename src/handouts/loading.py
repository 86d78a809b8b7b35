"""YAML and CSV files in, validated models out; every mistake is one HandoutsError at a line.

YAML is read event by event (not with yaml.safe_load) so that scalars stay text, every value
keeps its line, and anchors, aliases, tags and duplicate keys are refused the moment they
appear: an alias bomb is refused at its first anchor, before anything is built.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

import msgspec
import yaml

from handouts.errors import HandoutsError
from handouts.models import (
    ID_RE,
    PLAN_FIELDS,
    Clinic,
    Layout,
    Library,
    Plan,
    PlanExercise,
    Selection,
    convert,
    did_you_mean,
)

MB = 1024 * 1024
MAX_YAML_BYTES = 5 * MB
MAX_ROSTER_BYTES = 50 * MB
MAX_ROSTER_ROWS = 100_000
MAX_DEPTH = 64
ROSTER_COLUMNS: tuple[str, ...] = PLAN_FIELDS

M = TypeVar("M", bound=msgspec.Struct)

# libyaml's parser when PyYAML was built with it (~10x faster), else the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_YAML_TAG = "tag:yaml.org,2002:"
_NULL_TAG = _YAML_TAG + "null"
_ALLOWED_TAGS = frozenset(
    {None, "!"} | {_YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}
)
# Characters YAML 1.1 refuses (C0/C1 controls other than tab, newline, CR and NEL; surrogates).
_BAD_CHAR = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NO_KEY = object()
_MISSING = object()


@dataclass(frozen=True)
class Document:
    """A parsed file: its data (scalars as strings) and the line of every data path.

    ``parents`` holds the documents a merged layout inherited from; a path's place is taken
    from whichever document knows it most precisely, the child winning ties.
    """

    file: str
    data: Any = field(repr=False)
    lines: dict[tuple, int] = field(repr=False)
    parents: tuple[Document, ...] = field(default=(), repr=False)

    def place(self, path: tuple = ()) -> tuple[str, int]:
        """(file, line) of the deepest known prefix of path."""
        _, file, line = self._nearest(tuple(path))
        return file, line

    def line(self, path: tuple = ()) -> int:
        return self.place(path)[1]

    def sub(self, root: tuple) -> Document:
        """The part of this document below root, with paths relative to it."""
        data = _walk(self.data, root)
        n = len(root)
        lines = {k[n:]: v for k, v in self.lines.items() if k[:n] == root}
        lines.setdefault((), self.line(root))
        parents = tuple(p.sub(root) for p in self.parents)
        return Document(self.file, None if data is _MISSING else data, lines, parents)

    def _nearest(self, path: tuple) -> tuple[int, str, int]:
        best = (0, self.file, self.lines.get((), 1))
        for n in range(len(path), 0, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                best = (n, self.file, line)
                break
        for parent in self.parents:
            found = parent._nearest(path)
            if found[0] > best[0]:
                best = found
        return best


@dataclass
class RosterRow:
    """One patient of a roster: a plan, or the error that row has."""

    number: int  # 1-based among the data rows (blank rows not counted)
    line: int  # where the row starts in the file
    plan: Plan | None = None
    error: HandoutsError | None = None


# ---------------------------------------------------------------- reading files


_READ: dict[tuple, Document] = {}  # small files read in this process, by name, mtime, size


def read_yaml(path: Path | str, *, max_bytes: int = MAX_YAML_BYTES) -> Document:
    """One YAML document as plain dicts, lists, strings and None, with a line for each path.

    A small file read before and unchanged since (same modification time and size) is not
    parsed again: a batch reads the same layout for every row. Documents are never changed
    after reading, so sharing one is safe."""
    file = os.fspath(path)
    try:
        info = os.stat(file)
        key = (file, info.st_mtime_ns, info.st_size)
    except OSError:
        key = None  # _read_text says what is wrong
    if key is not None and key in _READ:
        return _READ[key]
    doc = _read_yaml(path, file, max_bytes)
    if key is not None and key[2] <= 256 * 1024:
        if len(_READ) >= 64:
            _READ.pop(next(iter(_READ)))
        _READ[key] = doc
    return doc


def _read_yaml(path: Path | str, file: str, max_bytes: int) -> Document:
    text = _read_text(Path(path), file, max_bytes)
    bad = _BAD_CHAR.search(text)
    if bad:
        raise HandoutsError(
            f"not valid YAML: the control character {_escape(bad.group())} is not allowed",
            file=file,
            line=text.count("\n", 0, bad.start()) + 1,
        )
    data, lines = _parse(text, file)
    return Document(file, data, lines)


def _read_text(path: Path, file: str, limit: int) -> str:
    text = _decode(_read_bytes(path, file, limit), file)
    if not text.strip():
        raise HandoutsError("the file is empty", file=file)
    return text


def _read_bytes(path: Path, file: str, limit: int) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise HandoutsError("is a folder, not a file", file=file)
        if info.st_size > limit:
            raise _too_big(file, info.st_size, limit)
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # the size may have changed since stat
    except FileNotFoundError:
        raise HandoutsError("no such file", file=file) from None
    except OSError as exc:
        raise HandoutsError(f"cannot read the file: {exc.strerror or exc}", file=file) from None
    if len(raw) > limit:
        raise _too_big(file, len(raw), limit)
    return raw


def _too_big(file: str, size: int, limit: int) -> HandoutsError:
    return HandoutsError(
        f"the file is too big ({size / MB:.1f} MB; the limit is {limit // MB} MB)", file=file
    )


def _decode(raw: bytes, file: str) -> str:
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        raise HandoutsError(
            f"not UTF-8 text: byte 0x{raw[offset]:02x} at offset {offset}",
            file=file,
            line=raw.count(b"\n", 0, offset) + 1,
            hint="the file looks like UTF-16; save it as UTF-8" if utf16 else "save it as UTF-8",
        ) from None


# ---------------------------------------------------------------- YAML events -> data


class _Frame:
    __slots__ = ("obj", "path", "key")

    def __init__(self, obj: dict | list, path: tuple) -> None:
        self.obj = obj
        self.path = path
        self.key: Any = _NO_KEY


def _parse(text: str, file: str) -> tuple[Any, dict[tuple, int]]:
    loader = None
    try:
        loader = _Loader(text)
        return _build(loader, file)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # ReaderError: no mark, only a position
        raise HandoutsError(f"not valid YAML: {_escape(str(exc))}", file=file) from None
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> HandoutsError:
    rows = text.splitlines()
    mark = exc.problem_mark or exc.context_mark
    # A problem found at the end of the file ("did not find ']'") is better shown where it began.
    if exc.context_mark and mark and mark.line >= len(rows):
        mark = exc.context_mark
    line = min(mark.line + 1, len(rows)) if mark else None
    problem = exc.problem or exc.context or "syntax error"
    source = rows[line - 1] if line and line <= len(rows) else ""
    hint = "indent with spaces; YAML does not allow tabs" if "\t" in source else None
    context = exc.context_mark
    if hint is None and exc.context and context and line and context.line + 1 < line:
        hint = f"{exc.context} on line {context.line + 1}"
    return HandoutsError(f"not valid YAML: {_escape(problem)}", file=file, line=line, hint=hint)


def _build(loader: Any, file: str) -> tuple[Any, dict[tuple, int]]:
    """Data and lines from the parser's events, refusing what a handout file has no use for."""
    lines: dict[tuple, int] = {(): 1}
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise HandoutsError("the file is empty", file=file, hint="it holds only comments")
    loader.get_event()  # DocumentStart
    root: Any = None
    stack: list[_Frame] = []
    while True:
        event = loader.get_event()
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            continue
        if kind is yaml.DocumentEndEvent:
            break
        line = event.start_mark.line + 1
        frame = stack[-1] if stack else None
        if frame is not None and type(frame.obj) is dict and frame.key is _NO_KEY:
            _check_node(event, file, line, frame.path)
            frame.key = _key(event, frame, lines, file, line)
            continue
        path = _child_path(frame)
        _check_node(event, file, line, path)
        if kind is yaml.ScalarEvent:
            value: Any = _scalar(event)
        else:
            value = {} if kind is yaml.MappingStartEvent else []
        if frame is None:
            root = value
        elif type(frame.obj) is dict:
            frame.obj[frame.key] = value
            frame.key = _NO_KEY
        else:
            lines[path] = line
            frame.obj.append(value)
        if kind is not yaml.ScalarEvent:
            if len(stack) >= MAX_DEPTH:
                raise HandoutsError(
                    f"nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    line=line,
                    field=dotted(path) or None,
                )
            stack.append(_Frame(value, path))
    _check_single_document(loader, file)
    return root, lines


def _child_path(frame: _Frame | None) -> tuple:
    if frame is None:
        return ()
    if type(frame.obj) is dict:
        return frame.path + (frame.key,)
    return frame.path + (len(frame.obj),)


def _check_node(event: Any, file: str, line: int, path: tuple) -> None:
    if type(event) is yaml.AliasEvent or event.anchor is not None:
        raise HandoutsError(
            "anchors and aliases are not allowed",
            file=file,
            line=line,
            field=dotted(path) or None,
            hint="write the value out in full",
        )
    if event.tag not in _ALLOWED_TAGS:
        tag = event.tag.replace(_YAML_TAG, "!!", 1)
        raise HandoutsError(
            f"the tag '{_escape(tag)}' is not allowed",
            file=file,
            line=line,
            field=dotted(path) or None,
            hint="remove it; values are read as plain text",
        )


def _key(event: Any, frame: _Frame, lines: dict, file: str, line: int) -> str:
    where = dotted(frame.path) or None
    if type(event) is not yaml.ScalarEvent:
        raise HandoutsError(
            "a key must be plain text, not a list or mapping", file=file, line=line, field=where
        )
    key = _scalar(event)
    if key is None:
        raise HandoutsError(
            "a key is empty", file=file, line=line, field=where, hint="write 'name: value'"
        )
    if key == "<<" and not event.style:
        raise HandoutsError(
            "merge keys '<<' are not allowed",
            file=file,
            line=line,
            field=where,
            hint="write the fields out in full",
        )
    path = frame.path + (key,)
    if key in frame.obj:
        raise HandoutsError(
            f"duplicate key '{_clip(key)}'",
            file=file,
            line=line,
            field=dotted(path),
            hint=f"first given on line {lines[path]}",
        )
    lines[path] = line
    return key


def _scalar(event: Any) -> str | None:
    if event.tag == _NULL_TAG or (event.tag is None and not event.style and event.value in _NULLS):
        return None
    return event.value


def _check_single_document(loader: Any, file: str) -> None:
    event = loader.get_event()
    if type(event) is not yaml.StreamEndEvent:
        raise HandoutsError(
            "the file holds more than one YAML document",
            file=file,
            line=event.start_mark.line + 1,
            hint="remove the '---' line",
        )


# ---------------------------------------------------------------- validation


def validate(model_cls: type[M], doc: Document, data: Any = None, root: tuple = ()) -> M:
    """model_cls from doc's data (or data, found at root in doc); errors point at a line."""
    if root:
        doc = doc.sub(tuple(root))
    if data is None:
        data = doc.data
    try:
        model = convert(data, model_cls)
    except msgspec.ValidationError as exc:
        path, message, hint = explain(model_cls, data, exc)
        raise error_at(doc, path, message, hint) from None
    model._source = doc
    return model


def locate(model: Any, path: tuple = ()) -> tuple[str | None, int | None]:
    """(file, line) a loaded model's value at path came from; (None, None) if not loaded."""
    source = getattr(model, "_source", None)
    if not isinstance(source, Document):
        return None, None
    return source.place(tuple(path))


def error_at(doc: Document, path: tuple, message: str, hint: str | None = None) -> HandoutsError:
    """A HandoutsError for the value at path in doc (used for checks after validation)."""
    file, line = doc.place(path)
    return HandoutsError(message, file=file, line=line, field=dotted(path) or None, hint=hint)


def dotted(path: tuple) -> str:
    """('exercises', 3, 'dosage', 'sets') -> 'exercises[3].dosage.sets'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# msgspec's messages: "<problem> - at `$.a[0].b`", "... - at `key` in `$.a`" (a dict key),
# or no suffix at all for the top level. A path names struct fields, list indexes and
# "[...]" for a dict value (whose key it does not give).
_AT = re.compile(r"(.*?)(?: - at (`key` in )?`\$([^`]*)`)?", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|(\[\.\.\.\])")
_UNKNOWN = re.compile(r"Object contains unknown field `(.*)`", re.DOTALL)
_REQUIRED = re.compile(r"Object missing required field `(.*)`", re.DOTALL)
_TYPE = re.compile(r"Expected `([^`]+)`, got `([^`]+)`")
_BOUND = re.compile(r"Expected `(\w+)` (<=|>=|<|>) (\S+)")
_LENGTH = re.compile(r"Expected `(\w+)` of length (<=|>=) (\d+)")
_REGEX = re.compile(r"Expected `str` matching regex '(.*)'", re.DOTALL)
_ENUM = re.compile(r"Invalid enum value ", re.DOTALL)
_DATE = re.compile(r"Invalid RFC3339 encoded (date|datetime|time)")
# A model's own check (__post_init__): "tips[1]: must be ...".
_FIELD_PROBLEM = re.compile(r"([A-Za-z_]\w*)((?:\[\d+\])*): (.+)", re.DOTALL)
_ID_PROBLEM = re.compile(r"\bids? like 'bird-dog', got '")
_ANY_KEY = object()  # "[...]" in a msgspec path

_BOUNDS = {"<=": "at most", ">=": "at least", "<": "less than", ">": "more than"}
_EXPECTED = {
    "int": "expected a whole number",
    "float": "expected a number",
    "bool": "expected true or false",
    "str": "expected text",
    "array": "must be a list",
    "object": "must be a mapping of field: value",
    "date": "must be a date like 2026-11-25",
}
_NOUNS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "str": "text",
    "array": "a list",
    "object": "a mapping of field: value",
    "date": "a date like 2026-11-25",
}


def explain(
    model_cls: type[msgspec.Struct], data: Any, exc: msgspec.ValidationError
) -> tuple[tuple, str, str | None]:
    """A msgspec error as (path in data, plain-English message, hint)."""
    problem, in_key, where = _AT.fullmatch(str(exc)).groups()
    path, value = _resolve(model_cls, data, _steps(where or ""))
    if in_key:  # a bad key of the dict at path
        keys = list(value) if isinstance(value, dict) else []
        key = _first_bad(_dict_args(model_cls, path)[0], keys)
        if key is not _MISSING:
            path, value = (*path, key), key
    match = _UNKNOWN.fullmatch(problem)
    if match:
        return _unknown_field(model_cls, path, value, match.group(1))
    match = _REQUIRED.fullmatch(problem)
    if match:
        fields = _struct_fields(model_cls, path)
        if isinstance(value, dict) and fields and any(k not in fields for k in value):
            return _unknown_field(model_cls, path, value, "")  # the typo explains the gap
        return (*path, match.group(1)), "required field missing", None
    if not problem.startswith(("Expected `", "Invalid ")):
        match = _FIELD_PROBLEM.fullmatch(problem)
        if match:
            return _model_problem(path, value, *match.groups())
        return path, _escape(problem), None
    message = _message(model_cls, problem, path, value)
    if not path and message.startswith("must be a mapping"):
        message = "the top level must be a " + message.removeprefix("must be a ")
    return path, message, None


def _steps(where: str) -> list:
    """'.exercises[0].sets' -> ['exercises', 0, 'sets']; '[...]' -> _ANY_KEY."""
    return [name or (int(index) if index else _ANY_KEY) for name, index, _ in _STEP.findall(where)]


def _resolve(model_cls: Any, data: Any, steps: list) -> tuple[tuple, Any]:
    """msgspec's path as a path into the user's data, and the user's value there."""
    path: list = []
    node = data
    for step in steps:
        if step is _ANY_KEY:  # find the dict value msgspec refused
            values = node if isinstance(node, dict) else {}
            step = _first_bad(_dict_args(model_cls, tuple(path))[1], values, values)
            if step is _MISSING:
                break  # point at the dict itself
        path.append(step)
        node = _child(node, step)
    return tuple(path), node


def _first_bad(kind: Any, keys: Any, values: dict | None = None) -> Any:
    """The first key (of values, or itself) that does not convert to kind; _MISSING if none."""
    if kind is None:
        return _MISSING
    for key in keys:
        try:
            convert(values[key] if values is not None else key, kind)
        except (msgspec.ValidationError, TypeError):
            return key
    return _MISSING


def _child(node: Any, step: Any) -> Any:
    if isinstance(node, dict):
        return node.get(step, _MISSING)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return _MISSING


def _unknown_field(
    model_cls: Any, path: tuple, value: Any, reported: str
) -> tuple[tuple, str, str | None]:
    fields = _struct_fields(model_cls, path)
    # The key from the data, not the message: a key may hold any character, backticks too.
    name = (
        next((k for k in value if k not in fields), reported)
        if isinstance(value, dict)
        else reported
    )
    return (*path, name), f"unknown field '{_clip(str(name))}'", did_you_mean(str(name), fields)


def _model_problem(path: tuple, value: Any, name: str, indexes: str, text: str):
    """A model's own check, 'tips[1]: must be ...', raised for the object at path."""
    node = _child(value, name)
    path = (*path, name)
    for index in (int(i) for i in re.findall(r"\d+", indexes)):
        if isinstance(node, str):  # the user wrote 'a;b', which the model split
            parts = [p.strip() for p in re.split(r"[,;]", node) if p.strip()]
            node = parts[index] if 0 <= index < len(parts) else _MISSING
            break
        path = (*path, index)
        node = _child(node, index)
    if _ID_PROBLEM.search(text) and isinstance(node, str):
        return path, _pattern_message(ID_RE.pattern) + f", got {_show(node)}", None
    return path, _escape(text), None


def _message(model_cls: Any, problem: str, path: tuple, value: Any) -> str:
    got = f", got {_show(value)}"
    match = _TYPE.fullmatch(problem)
    if match:
        text = _type_message(model_cls, path, match.group(1), value)
        return text if text == "must not be empty" else text + got
    match = _BOUND.fullmatch(problem)
    if match:
        _, op, bound = match.groups()
        return f"must be {_BOUNDS[op]} {_number(float(bound))}" + got
    match = _LENGTH.fullmatch(problem)
    if match:
        kind, op, size = match.groups()
        unit = "characters" if kind == "str" else "items"
        if op == ">=":
            return "must not be empty" if size == "1" else f"must have at least {size} {unit}" + got
        if kind == "str":
            return f"must be at most {size} characters, got {len(str(value))}"
        count = len(value) if isinstance(value, list | dict) else "more"
        return f"must have at most {size} items, got {count}"
    match = _REGEX.fullmatch(problem)
    if match:
        return _pattern_message(match.group(1)) + got
    if _ENUM.match(problem):
        return (_choices_message(model_cls, path) or "is not one of the allowed values") + got
    if _DATE.fullmatch(problem):
        return "must be a date like 2026-11-25" + got
    return _escape(_lower_first(problem)) + got


def _type_message(model_cls: Any, path: tuple, expected: str, value: Any) -> str:
    kinds = [k for k in expected.split(" | ") if k != "null"]
    choices = _choices_message(model_cls, path)  # e.g. 'version: 1' given a list
    if choices:
        return choices
    if value is None and kinds == ["str"]:
        return "must not be empty"
    if len(kinds) == 1:
        return _EXPECTED.get(kinds[0], f"expected {kinds[0]}")
    options = [option for option in _options(_type_at(model_cls, path)) if option is not NoneType]
    if options == _options(Selection):
        return "must be 'all', 'none' or a list of ids"
    if PlanExercise in options:
        return "must be an exercise id or a mapping of field: value"
    if set(kinds) == {"str", "array"}:
        return "must be a list"
    return "must be " + " or ".join(_NOUNS.get(k, k) for k in kinds)


def _pattern_message(pattern: str) -> str:
    if pattern == ID_RE.pattern:
        return "must be lowercase letters, digits and '-' (e.g. 'bird-dog')"
    if pattern.startswith("^#"):
        return "must be a colour like '#146ea0'"
    if pattern.startswith("^https?"):
        return "must be a web address starting with http:// or https://"
    return "is not in the expected form"


# ---------------------------------------------------------------- types at a data path


def _type_at(model_cls: Any, path: tuple) -> Any:
    """The annotation that validates the value at path (None if the path leaves the model)."""
    kind = model_cls
    for step in path:
        kind = _step_type(kind, step)
        if kind is None:
            return None
    return kind


def _step_type(kind: Any, step: Any) -> Any:
    for option in _options(kind):
        if isinstance(option, type) and issubclass(option, msgspec.Struct):
            hints = _hints(option)
            if isinstance(step, str) and step in hints:
                return hints[step]
        elif get_origin(option) in (list, tuple, set, frozenset) and isinstance(step, int):
            return get_args(option)[0]
        elif get_origin(option) is dict and isinstance(step, str):
            return get_args(option)[1]
    return None


def _options(kind: Any) -> list:
    """The alternatives of a type, with Annotated and unions unwrapped."""
    origin = get_origin(kind)
    if origin is Annotated:
        return _options(get_args(kind)[0])
    if origin in (Union, UnionType):
        return [option for arg in get_args(kind) for option in _options(arg)]
    return [kind]


@functools.cache
def _hints(struct: type) -> dict[str, Any]:
    return get_type_hints(struct, include_extras=True)


def _struct_fields(model_cls: Any, path: tuple) -> tuple[str, ...]:
    """The field names of the struct that validates the mapping at path."""
    for option in _options(_type_at(model_cls, path)):
        if isinstance(option, type) and issubclass(option, msgspec.Struct):
            return option.__struct_fields__
    return ()


def _dict_args(model_cls: Any, path: tuple) -> tuple[Any, Any]:
    """(key type, value type) of the dict at path; (None, None) if it is not one."""
    for option in _options(_type_at(model_cls, path)):
        if get_origin(option) is dict:
            key, value = get_args(option)
            return key, value
    return None, None


def _choices_message(model_cls: Any, path: tuple) -> str | None:
    """'must be one of: a, b' when a Literal validates the value at path, else None."""
    choices = [
        str(choice)
        for option in _options(_type_at(model_cls, path))
        if get_origin(option) is Literal
        for choice in get_args(option)
    ]
    if not choices:
        return None
    if len(choices) == 1:
        return f"must be {choices[0]}"
    return f"must be one of: {', '.join(choices)}"


# ---------------------------------------------------------------- showing values


def _show(value: Any) -> str:
    """A user's value for a message: short, quoted, control characters escaped."""
    if value is None or value is _MISSING:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"'{_clip(str(value))}'"


def _clip(text: str, limit: int = 40) -> str:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _escape(text)


def _escape(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _walk(data: Any, path: tuple) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


# ---------------------------------------------------------------- the files a clinic writes


def load_library(path: Path | str) -> Library:
    doc = read_yaml(path)
    _require_mapping(doc, hint="a library starts with 'version: 1'")
    library = validate(Library, doc)
    problems = library.problems()
    if problems:
        where, message, hint = problems[0]
        found = _walk(doc.data, where)
        if isinstance(found, dict) and "id" in found:  # an entry written as {id: ...}
            where = (*where, "id")
        raise error_at(doc, where, message, hint)
    return library


def load_plan(path: Path | str) -> Plan:
    doc = read_yaml(path)
    _require_mapping(doc, hint="a plan starts with 'patient: NAME'")
    return validate(Plan, doc)


def load_clinic(path: Path | str) -> Clinic:
    """The clinic file; ``logo`` stays as written (relative to the file, resolved later)."""
    doc = read_yaml(path)
    _require_mapping(doc, hint="a clinic file starts with 'name: CLINIC NAME'")
    return validate(Clinic, doc)


def _require_mapping(doc: Document, hint: str | None = None) -> None:
    if not isinstance(doc.data, dict):
        raise HandoutsError(
            f"the top level must be a mapping of field: value, got {_show(doc.data)}",
            file=doc.file,
            line=1,
            hint=hint,
        )


# ---------------------------------------------------------------- layouts


def available_layouts(search_dirs: list[Path]) -> dict[str, Path]:
    """Layout name -> file; a folder earlier in search_dirs wins."""
    found: dict[str, Path] = {}
    for folder in search_dirs:
        if Path(folder).is_dir():
            for file in sorted(Path(folder).glob("*.yaml")):
                if file.is_file():
                    found.setdefault(file.stem, file)
    return found


def load_layout(name_or_path: str | Path, search_dirs: list[Path]) -> Layout:
    """A layout by name (looked up as NAME.yaml in search_dirs) or by path, with its parents."""
    path = _find_layout(name_or_path, search_dirs, base=None)
    if path is None:
        name = str(name_or_path)
        raise HandoutsError(f"unknown layout '{_clip(name)}'", hint=_layout_hint(name, search_dirs))
    doc = _layout_document(path, search_dirs, trail=())
    data = dict(doc.data)
    data.setdefault("name", path.stem)
    return validate(Layout, doc, data=data)


def _find_layout(ref: str | Path, search_dirs: list[Path], base: Path | None) -> Path | None:
    text = str(ref)
    if isinstance(ref, str) and _is_layout_name(text):
        return available_layouts(search_dirs).get(text)
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    return path


def _is_layout_name(text: str) -> bool:
    return "/" not in text and os.sep not in text and not text.endswith((".yaml", ".yml"))


def _layout_hint(name: str, search_dirs: list[Path]) -> str | None:
    names = sorted(available_layouts(search_dirs))
    return did_you_mean(name, names) or (f"the layouts are: {', '.join(names)}" if names else None)


def _layout_document(
    path: Path, search_dirs: list[Path], trail: tuple[tuple[Path, str], ...]
) -> Document:
    """The layout at path merged over the layouts it extends (child wins, lists replace)."""
    doc = read_yaml(path)
    _require_mapping(doc)
    ref = doc.data.get("extends")
    if ref is None:
        return doc
    if not isinstance(ref, str) or not ref.strip():
        raise error_at(doc, ("extends",), f"must be a layout name or path, got {_show(ref)}")
    trail = (*trail, (path.resolve(), path.stem))
    parent_path = _find_layout(ref.strip(), search_dirs, base=path.parent)
    if parent_path is None:
        raise error_at(
            doc,
            ("extends",),
            f"unknown layout '{_clip(ref)}'",
            _layout_hint(ref.strip(), search_dirs),
        )
    _check_cycle(doc, trail, parent_path)
    parent = _layout_document(parent_path, search_dirs, trail)
    inherited = {k: v for k, v in parent.data.items() if k not in ("name", "description")}
    return Document(doc.file, _deep_merge(inherited, doc.data), doc.lines, (parent,))


def _check_cycle(doc: Document, trail: tuple[tuple[Path, str], ...], parent: Path) -> None:
    seen = [resolved for resolved, _ in trail]
    target = parent.resolve()
    if target not in seen:
        return
    names = [stem for _, stem in trail[seen.index(target) :]] + [parent.stem]
    message = f"layout '{names[0]}' extends itself"
    if len(names) > 2:
        message += " via " + " -> ".join(names[1:])
    raise error_at(doc, ("extends",), message)


def _deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------- rosters


def load_roster(path: Path | str) -> list[RosterRow]:
    """A CSV (or YAML list) of plans; a bad row is that row's error, a bad file an exception."""
    if Path(path).suffix.lower() in (".yaml", ".yml"):
        return _yaml_roster(path)
    return _csv_roster(path)


def _yaml_roster(path: Path | str) -> list[RosterRow]:
    doc = read_yaml(path, max_bytes=MAX_ROSTER_BYTES)
    if not isinstance(doc.data, list):
        raise HandoutsError(
            f"a YAML roster must be a list of plans, got {_show(doc.data)}",
            file=doc.file,
            line=1,
            hint="start each plan with '- patient: NAME'",
        )
    _check_row_count(doc.file, len(doc.data))
    per_item: list[dict[tuple, int]] = [{} for _ in doc.data]
    for key, line in doc.lines.items():
        if key:
            per_item[key[0]][key[1:]] = line
    rows = []
    for i, item in enumerate(doc.data):
        sub = Document(doc.file, item, per_item[i])
        rows.append(_roster_row(i + 1, sub))
    return rows


def _csv_roster(path: Path | str) -> list[RosterRow]:
    file = os.fspath(path)
    text = _read_text(Path(path), file, MAX_ROSTER_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _csv_header(reader, file)
        return _csv_rows(reader, columns, file)
    except csv.Error as exc:
        raise HandoutsError(f"not valid CSV: {exc}", file=file, line=reader.line_num) from None


def _csv_header(reader: Any, file: str) -> list[str]:
    header = next((cells for cells in reader if any(c.strip() for c in cells)), None)
    if header is None:
        raise HandoutsError("the file is empty", file=file)
    line = reader.line_num
    columns = [cell.strip().lower() for cell in header]
    for i, name in enumerate(columns):
        if name and name not in ROSTER_COLUMNS:
            raise HandoutsError(
                f"unknown column '{_clip(name)}'",
                file=file,
                line=line,
                hint=did_you_mean(name, ROSTER_COLUMNS)
                or f"the columns are: {', '.join(ROSTER_COLUMNS)}",
            )
        if name and name in columns[:i]:
            raise HandoutsError(f"the column '{name}' appears twice", file=file, line=line)
    if "patient" not in columns:
        raise HandoutsError(
            "the header has no 'patient' column",
            file=file,
            line=line,
            hint="the first row names the columns, e.g. patient,exercises,weeks",
        )
    return columns


def _csv_rows(reader: Any, columns: list[str], file: str) -> list[RosterRow]:
    rows: list[RosterRow] = []
    end = reader.line_num
    for cells in reader:
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        _check_row_count(file, len(rows) + 1)
        rows.append(_csv_row(len(rows) + 1, start, cells, columns, file))
    return rows


def _csv_row(number: int, line: int, cells: list[str], columns: list[str], file: str) -> RosterRow:
    data: dict[str, str] = {}
    for i, cell in enumerate(cells):
        value = cell.strip()
        if not value:
            continue  # a blank cell means "not given"
        name = columns[i] if i < len(columns) else ""
        if not name:
            error = HandoutsError(
                f"the value {_show(value)} in column {i + 1} has no column name in the header",
                file=file,
                line=line,
            )
            return RosterRow(number, line, error=error)
        data[name] = value
    return _roster_row(number, Document(file, data, {(): line}))


def _roster_row(number: int, doc: Document) -> RosterRow:
    line = doc.lines.get((), 1)
    if not isinstance(doc.data, dict):
        error = HandoutsError(
            f"each plan must be a mapping of field: value, got {_show(doc.data)}",
            file=doc.file,
            line=line,
        )
        return RosterRow(number, line, error=error)
    try:
        return RosterRow(number, line, plan=validate(Plan, doc))
    except HandoutsError as error:
        return RosterRow(number, line, error=error)


def _check_row_count(file: str, count: int) -> None:
    if count > MAX_ROSTER_ROWS:
        raise HandoutsError(
            f"too many rows (the limit is {MAX_ROSTER_ROWS:,})",
            file=file,
            hint="split the roster into smaller files",
        )


# ---------------------------------------------------------------- bundled data


def bundled_dir() -> Path:
    """The folder with the bundled exercises.yaml and layouts/ (installed, or the checkout)."""
    from importlib.resources import files

    data = files("handouts") / "data"
    if data.joinpath("exercises.yaml").is_file():
        return Path(str(data))
    return Path(__file__).resolve().parents[2]


def default_library_path() -> Path:
    return bundled_dir() / "exercises.yaml"


def layout_search_dirs(extra: Path | None = None) -> list[Path]:
    """Where layout names are looked up: extra (e.g. --layouts DIR) first, then the bundled."""
    return ([Path(extra)] if extra else []) + [bundled_dir() / "layouts"]
