"""Built-in vector illustrations of the seed exercises, drawn with reportlab.

Each exercise's positions ("Start"/"End", "Cow"/"Cat", or a single pose) are described as
DATA in ``poses.yaml`` next to this module: a jointed stick figure given by a root point (the
hip), absolute segment angles and a few props. This module turns the angles into points
(forward kinematics, plus a two-link solver for limbs that "reach" a point) and draws them.

Public API:

* ``ILLUSTRATIONS`` / ``available()`` -- the ids that have poses.
* ``draw_illustration(canvas, name, x, y, width, height, primary, accent, font_name,
  font_size)`` -- draw into the box (x, y, width, height); the figure keeps its aspect ratio
  and is centred in the box.
* ``Illustration(name, width, height, primary, accent, font_name, font_size)`` -- a platypus
  flowable around ``draw_illustration``.

Each distinct (name, size, colours, font) is drawn once per PDF as a form XObject and every
use after the first is a single ``Do`` operator, so repeating a figure costs a few bytes.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from reportlab.lib.colors import Color, white
from reportlab.pdfbase.pdfdoc import PDFFormXObject, xObjectName
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

__all__ = [
    "ILLUSTRATIONS",  # noqa: F822 - computed on first use by __getattr__ below
    "Illustration",
    "PoseError",
    "available",
    "draw_illustration",
]

POSES_PATH = Path(__file__).with_name("poses.yaml")

# --- body proportions and stroke widths, in figure units (a standing figure is ~92 tall) ---
TORSO = 28.0  # hip joint to shoulder joint
NECK = 3.0  # shoulder to the edge of the head
HEAD_R = 6.5
UPPER_ARM = 15.5
FOREARM = 15.0  # elbow to the heel of the hand
THIGH = 23.0
SHIN = 22.0
FOOT = 7.0  # ankle to toes
SHOULDER_HALF = 8.5  # half the shoulder width, shown only when the chest is turned (twist)

LIMB_W = 5.5
TORSO_W = 7.5
NECK_W = 4.5
TURN_W = 2.2  # rotation arrow stroke
HAND_R = 4.4  # optional hand dot ("hands:" in the pose data) for a hand resting on the body
HAND_RIM = 1.2  # white rim separating that dot from the body under it
FLOOR_W = 1.6
FLOOR_OVERHANG = 5.0  # floor line extends this far beyond the figure on each side
ARROW_GAP = 20.0  # space between two positions, holding the arrow
FLOOR_TOL = 0.75  # how close to the floor an "on_floor" contact must be
# A low, wide pose is never drawn bigger than a figure this tall filling the box's height, so
# every figure in a handout is drawn at about the same scale and strokes stay slim.
MIN_FIGURE_H = 60.0

FLOOR_GREY = Color(0.80, 0.80, 0.80)
LABEL_GREY = Color(0.27, 0.27, 0.27)
FAR_TINT = 0.5  # far limbs: primary mixed this much with white

LIMBS = ("near_arm", "far_arm", "near_leg", "far_leg")
DEFAULT_ORDER = ("far_arm", "far_leg", "torso", "head", "near_leg", "near_arm")
PARTS = frozenset(DEFAULT_ORDER)
_JOINTS = {
    "arm": ("shoulder", "elbow", "hand"),
    "leg": ("hip", "knee", "ankle", "toe"),
}
_SEGMENTS = {
    "arm": ("upper_arm", "forearm"),
    "leg": ("thigh", "shin", "foot"),
}
_LENGTHS = {"arm": (UPPER_ARM, FOREARM), "leg": (THIGH, SHIN, FOOT)}
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class PoseError(ValueError):
    """poses.yaml says something this module cannot draw."""


Point = tuple[float, float]


def _dir(angle: float) -> Point:
    r = math.radians(angle)
    return math.cos(r), math.sin(r)


def _add(p: Point, q: Point, k: float = 1.0) -> Point:
    return p[0] + k * q[0], p[1] + k * q[1]


def _lerp(p: Point, q: Point, t: float) -> Point:
    return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t


# --- geometry of one position -------------------------------------------------------------


@dataclass
class Position:
    """One drawn position, in figure units with the floor surface at y = 0."""

    label: str | None
    points: dict[str, Point]
    torso: tuple[Point, Point, Point]  # quadratic Bezier: hip, control, shoulder
    shoulders: tuple[Point, Point] | None  # near, far shoulder when the chest is turned
    limbs: dict[str, list[Point]]  # part -> polyline from its root joint
    head: Point
    hands: tuple[str, ...]
    order: tuple[str, ...]
    props: list[dict[str, Any]]
    on_floor: tuple[str, ...]
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1
    samples: list[tuple[str, Point, float]] = field(default_factory=list)  # (part, p, radius)
    ops: tuple[tuple[str, str], ...] = ()  # cached drawing operators, see _position_ops


def _torso_point(torso: tuple[Point, Point, Point], t: float) -> Point:
    (x0, y0), (cx, cy), (x1, y1) = torso
    a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
    return a * x0 + b * cx + c * x1, a * y0 + b * cy + c * y1


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PoseError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _pair(value: Any, where: str) -> Point:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PoseError(f"{where}: expected [x, y], got {value!r}")
    return _number(value[0], where), _number(value[1], where)


class _Skeleton:
    """Named points of a figure as they are computed, for limbs that reach for them."""

    def __init__(self) -> None:
        self.points: dict[str, Point] = {}
        self.segments: dict[str, tuple[Point, Point]] = {}
        self.torso: tuple[Point, Point, Point] | None = None

    def resolve(self, target: Any, where: str) -> Point:
        """[x, y] (y may be "floor"), "joint" or "segment@t" -> a point."""
        if isinstance(target, list | tuple) and len(target) == 2 and target[1] == "floor":
            return _number(target[0], where), LIMB_W / 2
        if isinstance(target, list | tuple):
            return _pair(target, where)
        if not isinstance(target, str):
            raise PoseError(f"{where}: cannot reach {target!r}")
        name, _, frac = target.partition("@")
        if frac:
            try:
                t = float(frac)
            except ValueError:
                raise PoseError(f"{where}: bad fraction in {target!r}") from None
            if name == "torso" and self.torso:
                return _torso_point(self.torso, t)
            if name in self.segments:
                return _lerp(*self.segments[name], t)
        elif name in self.points:
            return self.points[name]
        raise PoseError(f"{where}: {target!r} is not a point computed before this limb")


def _two_link(start: Point, target: Point, l1: float, l2: float, bend: str) -> list[Point]:
    """Elbow/knee placement so the chain start-l1-l2 ends at target (or points at it)."""
    dx, dy = target[0] - start[0], target[1] - start[1]
    d = math.hypot(dx, dy)
    base = math.atan2(dy, dx)
    d = min(max(d, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    cos_a = (l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)
    a = math.acos(max(-1.0, min(1.0, cos_a)))
    candidates = []
    for sign in (1, -1):
        ang = base + sign * a
        mid = (start[0] + l1 * math.cos(ang), start[1] + l1 * math.sin(ang))
        candidates.append(mid)
    key = {
        "up": lambda p: p[1],
        "down": lambda p: -p[1],
        "right": lambda p: p[0],
        "left": lambda p: -p[0],
    }.get(bend)
    if key is None:
        raise PoseError(f"bend must be up, down, left or right, not {bend!r}")
    mid = max(candidates, key=key)
    end = (start[0] + d * math.cos(base), start[1] + d * math.sin(base))
    return [start, mid, end]


def _limb(spec: Any, kind: str, root: Point, sk: _Skeleton, where: str) -> list[Point]:
    lengths = list(_LENGTHS[kind])
    if isinstance(spec, list | tuple):
        spec = {"angles": list(spec)}
    if not isinstance(spec, dict):
        raise PoseError(f"{where}: expected a list of angles or a mapping, got {spec!r}")
    unknown = set(spec) - {"angles", "reach", "bend", "foot", "lengths", "offset"}
    if unknown:
        raise PoseError(f"{where}: unknown keys {sorted(unknown)}")
    if "lengths" in spec:
        scale = spec["lengths"]
        if not isinstance(scale, list) or not 1 <= len(scale) <= len(lengths):
            raise PoseError(f"{where}: lengths must be a list of up to {len(lengths)} factors")
        for i, k in enumerate(scale):
            lengths[i] *= _number(k, where)
    if "reach" in spec:
        target = sk.resolve(spec["reach"], where)
        if "offset" in spec:
            target = _add(target, _pair(spec["offset"], where))
        pts = _two_link(root, target, lengths[0], lengths[1], spec.get("bend", "up"))
        if kind == "leg":
            foot = _number(spec.get("foot", 0), where)
            pts.append(_add(pts[-1], _dir(foot), lengths[2]))
        return pts
    angles = spec.get("angles")
    if not isinstance(angles, list) or len(angles) != len(lengths):
        raise PoseError(f"{where}: expected {len(lengths)} angles, got {angles!r}")
    pts = [root]
    for ang, length in zip(angles, lengths, strict=True):
        pts.append(_add(pts[-1], _dir(_number(ang, where)), length))
    return pts


def _position(spec: Any, where: str) -> Position:
    if not isinstance(spec, dict):
        raise PoseError(f"{where}: a position is a mapping")
    known = {
        "label", "hip", "torso", "curve", "neck", "twist", "order", "hands", "props",
        "on_floor", *LIMBS,
    }  # fmt: skip
    unknown = set(spec) - known
    if unknown:
        raise PoseError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("hip", "torso", "neck", *LIMBS):
        if key not in spec:
            raise PoseError(f"{where}: missing {key!r}")
    label = spec.get("label")
    if label is not None and not isinstance(label, str):
        raise PoseError(f"{where}: label must be text")

    sk = _Skeleton()
    hip = _pair(spec["hip"], f"{where}.hip")
    torso_dir = _dir(_number(spec["torso"], f"{where}.torso"))
    shoulder = _add(hip, torso_dir, TORSO)
    # Front of the body is on the clockwise side of hip->shoulder; curve > 0 bulges the
    # back (counterclockwise side), i.e. rounds the spine.
    back = (-torso_dir[1], torso_dir[0])
    curve = _number(spec.get("curve", 0), f"{where}.curve")
    mid = _lerp(hip, shoulder, 0.5)
    torso = (hip, _add(mid, back, 2 * curve), shoulder)
    sk.torso = torso
    head = _add(shoulder, _dir(_number(spec["neck"], f"{where}.neck")), NECK + HEAD_R)
    twist = math.radians(_number(spec.get("twist", 0), f"{where}.twist"))
    front = (torso_dir[1], -torso_dir[0])
    near_sh = _add(shoulder, front, -math.sin(twist) * SHOULDER_HALF)
    far_sh = _add(shoulder, front, math.sin(twist) * SHOULDER_HALF)
    sk.points.update(hip=hip, shoulder=shoulder, head=head)
    sk.points.update(near_shoulder=near_sh, far_shoulder=far_sh)
    sk.segments["torso"] = (hip, shoulder)

    limbs: dict[str, list[Point]] = {}
    roots = {"near_arm": near_sh, "far_arm": far_sh, "near_leg": hip, "far_leg": hip}
    # Limbs given by angles first, then those that reach for a point (legs before arms),
    # so a hand can hold a knee and an ankle can rest on the other knee.
    pending = list(LIMBS)
    pending.sort(key=lambda part: (isinstance(spec[part], dict) and "reach" in spec[part],
                                   part.endswith("arm")))  # fmt: skip
    for part in pending:
        side, kind = part.split("_")
        pts = _limb(spec[part], kind, roots[part], sk, f"{where}.{part}")
        limbs[part] = pts
        for joint, p in zip(_JOINTS[kind][1:], pts[1:], strict=False):
            sk.points[f"{side}_{joint}"] = p
        for seg, a, b in zip(_SEGMENTS[kind], pts, pts[1:], strict=False):
            sk.segments[f"{side}_{seg}"] = (a, b)

    order = tuple(spec.get("order", DEFAULT_ORDER))
    if sorted(order) != sorted(DEFAULT_ORDER):
        raise PoseError(f"{where}.order must list each of {sorted(PARTS)} once")
    hands = tuple(spec.get("hands", ()))
    if not set(hands) <= {"near", "far"}:
        raise PoseError(f"{where}.hands: near and/or far")

    props: list[dict[str, Any]] = []
    for i, prop in enumerate(spec.get("props") or []):
        pw = f"{where}.props[{i}]"
        if not isinstance(prop, dict):
            raise PoseError(f"{pw}: a prop is a mapping")
        if "roller" in prop:  # a foam roller seen end-on, resting on the floor
            r = _number(prop.get("r", 5.5), pw)
            props.append({"kind": "roller", "c": (_number(prop["roller"], pw), r), "r": r})
        elif "turn" in prop:  # a curved arrow around the body: the trunk rotates
            centre = sk.resolve(prop["turn"], pw)
            rx, ry = _number(prop.get("rx", 12), pw), _number(prop.get("ry", 4), pw)
            to = prop.get("to", "left")
            if to not in ("left", "right"):
                raise PoseError(f"{pw}: to must be left or right")
            # The arc runs round the BACK of the body (behind the torso), so its visible ends
            # move the way the trunk turns: "to: right" turns the chest toward the right.
            a0, a1 = (25.0, 155.0) if to == "left" else (155.0, 25.0)
            arc = [_add(centre, (rx * _dir(a)[0], ry * _dir(a)[1]))
                   for a in (a0 + (a1 - a0) * k / 16 for k in range(17))]  # fmt: skip
            props.append({"kind": "turn", "arc": arc})
        elif "mat" in prop:  # a thin exercise mat on the floor from x0 to x1
            x0, x1 = _pair(prop["mat"], pw)
            props.append({"kind": "mat", "x0": x0, "x1": x1})
        else:
            raise PoseError(f"{pw}: unknown prop {prop!r}")

    on_floor = tuple(spec.get("on_floor") or ())
    pos = Position(
        label=label,
        points=sk.points,
        torso=torso,
        shoulders=(near_sh, far_sh) if abs(twist) > 1e-6 else None,
        limbs=limbs,
        head=head,
        hands=hands,
        order=order,
        props=props,
        on_floor=on_floor,
    )
    _sample(pos)
    pos.ops = _position_ops(pos)
    for contact in on_floor:
        if _bottom(pos, contact) is None:
            raise PoseError(f"{where}.on_floor: unknown contact {contact!r}")
    return pos


def _sample(pos: Position) -> None:
    """Points on every drawn outline with their stroke radius: bounding box and floor tests."""
    s: list[tuple[str, Point, float]] = []
    for i in range(9):
        s.append(("torso", _torso_point(pos.torso, i / 8), TORSO_W / 2))
    if pos.shoulders:
        s.extend(("torso", p, TORSO_W / 2) for p in pos.shoulders)
    for t in (0.0, 0.5, 1.0):
        s.append(("torso", _lerp(pos.torso[2], pos.head, t * 0.6), NECK_W / 2))
    s.append(("head", pos.head, HEAD_R))  # a circle's extremes are centre +- radius
    for part, pts in pos.limbs.items():  # a straight stroke's extremes are at its ends
        s.extend((part, p, LIMB_W / 2) for p in pts)
    for side in pos.hands:
        s.append((f"{side}_arm", pos.limbs[f"{side}_arm"][-1], HAND_R + HAND_RIM / 2))
    for prop in pos.props:
        if prop["kind"] == "roller":
            s.append(("prop", prop["c"], prop["r"]))
        elif prop["kind"] == "turn":
            s.extend(("prop", p, TURN_W) for p in prop["arc"])
        else:
            s.append(("prop", (prop["x0"], 1.0), 1.0))
            s.append(("prop", (prop["x1"], 1.0), 1.0))
    pos.samples = s
    xs0 = min(p[0] - r for _, p, r in s)
    xs1 = max(p[0] + r for _, p, r in s)
    ys0 = min(p[1] - r for _, p, r in s)
    ys1 = max(p[1] + r for _, p, r in s)
    pos.bbox = (xs0, ys0, xs1, ys1)


def _bottom(pos: Position, contact: str) -> float | None:
    """Height of the lowest edge of a named contact above the floor (None: unknown name)."""
    if contact == "head":
        return pos.head[1] - HEAD_R
    if contact == "torso":
        return min(p[1] - r for part, p, r in pos.samples if part == "torso")
    if contact in ("hip", "shoulder"):
        return pos.points[contact][1] - TORSO_W / 2
    if contact.endswith("_hand") and contact[: -len("_hand")] in pos.hands:
        return pos.points[contact][1] - HAND_R
    if contact in pos.points:
        return pos.points[contact][1] - LIMB_W / 2
    return None


def floor_problems(pos: Position, where: str = "") -> list[str]:
    """Contacts that float above the floor and anything that sinks through it."""
    problems = []
    for contact in pos.on_floor:
        gap = _bottom(pos, contact)
        if gap is not None and abs(gap) > FLOOR_TOL:
            problems.append(f"{where}: {contact} is {gap:+.2f} from the floor")
    low = min(p[1] - r for _, p, r in pos.samples)
    if low < -FLOOR_TOL:
        part = min(pos.samples, key=lambda s: s[1][1] - s[2])[0]
        problems.append(f"{where}: {part} sinks {low:.2f} below the floor")
    return problems


# --- the pose file, loaded once -------------------------------------------------------------


@cache
def _raw_poses() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with POSES_PATH.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    if not isinstance(data, dict):
        raise PoseError(f"{POSES_PATH}: expected a mapping of exercise id -> positions")
    return data


@cache
def _poses(name: str) -> tuple[Position, ...]:
    raw = _raw_poses()
    if name not in raw:
        raise KeyError(f"no built-in illustration named {name!r}")
    spec = raw[name]
    if not isinstance(spec, list) or not 1 <= len(spec) <= 2:
        raise PoseError(f"{name}: expected a list of one or two positions")
    return tuple(_position(p, f"{name}[{i}]") for i, p in enumerate(spec))


def available() -> frozenset[str]:
    """Ids of the exercises that have a built-in illustration."""
    return frozenset(_raw_poses())


def __getattr__(attr: str) -> Any:
    # ILLUSTRATIONS is computed on first use so importing this module does not read YAML.
    if attr == "ILLUSTRATIONS":
        return available()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def positions(name: str) -> tuple[Position, ...]:
    """The computed positions of an illustration (KeyError when there is none)."""
    if not isinstance(name, str):
        raise KeyError(name)
    return _poses(name)


# --- drawing ----------------------------------------------------------------------------------


def _color(value: str, what: str) -> Color:
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError(f"{what} must be a '#rrggbb' colour, not {value!r}")
    return Color(*(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5)))


def _tint(c: Color, k: float) -> Color:
    return Color(c.red + (1 - c.red) * k, c.green + (1 - c.green) * k, c.blue + (1 - c.blue) * k)


@dataclass(frozen=True)
class _Layout:
    scale: float
    origins: tuple[Point, ...]  # where each position's (0, 0) lands, in box points
    floors: tuple[tuple[float, float], ...]  # floor line x extent per position, figure units
    label_y: float
    arrow: tuple[float, float, float] | None  # x0, x1, y in box points


def _layout(poses: tuple[Position, ...], width: float, height: float, font_size: float):
    labelled = any(p.label for p in poses)
    label_h = font_size * 1.35 if labelled else 0.0
    spans = [(p.bbox[0] - FLOOR_OVERHANG, p.bbox[2] + FLOOR_OVERHANG) for p in poses]
    total_w = sum(x1 - x0 for x0, x1 in spans) + ARROW_GAP * (len(poses) - 1)
    top = max(p.bbox[3] for p in poses)
    total_h = top + FLOOR_W  # the floor line sits just below y = 0
    avail_h = max(height - label_h, 1.0)
    scale = min(width / total_w, avail_h / max(total_h, MIN_FIGURE_H))
    used_w, used_h = total_w * scale, total_h * scale + label_h
    left = (width - used_w) / 2
    bottom = (height - used_h) / 2
    floor_y = bottom + label_h + FLOOR_W * scale
    origins, x = [], left
    for x0, x1 in spans:
        origins.append((x - x0 * scale, floor_y))
        x += (x1 - x0 + ARROW_GAP) * scale
    arrow = None
    if len(poses) == 2:
        a0 = left + (spans[0][1] - spans[0][0]) * scale
        a1 = a0 + ARROW_GAP * scale
        arrow = (a0 + ARROW_GAP * 0.2 * scale, a1 - ARROW_GAP * 0.2 * scale,
                 floor_y + min(top * 0.5, 30.0) * scale)  # fmt: skip
    label_y = bottom + font_size * 0.3
    return _Layout(scale, tuple(origins), tuple(spans), label_y, arrow)


# A position is drawn from a cached list of PDF operators in figure units: ("L", literal
# operators), ("S", colour key) or ("F", colour key). The geometry is formatted once per
# position and reused by every form; colours are filled in per palette (or, on a canvas that
# enforces a colour space, set through its own setStrokeColor/setFillColor to be converted).
_KAPPA = 0.5522847498


def _n(v: float) -> str:
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _n3(v: float) -> str:
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class _Palette:
    colours: dict[str, Color]  # colour key -> colour
    ops: dict[tuple[str, str], str]  # ("S"|"F", colour key) -> PDF operator setting it


@cache
def _palette(primary: str, accent: str) -> _Palette:
    prim, acc = _color(primary, "primary"), _color(accent, "accent")
    colours = {
        "primary": prim,
        "far": _tint(prim, FAR_TINT),
        "accent": acc,
        "accent_tint": _tint(acc, 0.55),
        "mat": _tint(acc, 0.7),
        "white": white,
    }
    ops = {}
    for key, c in colours.items():
        rgb = " ".join(_n3(v) for v in c.rgb())
        ops["S", key], ops["F", key] = f"{rgb} RG", f"{rgb} rg"
    return _Palette(colours, ops)


class _Ops:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []
        self._buf: list[str] = []

    def _flush(self) -> None:
        if self._buf:
            self.items.append(("L", "\n".join(self._buf)))
            self._buf = []

    def stroke_colour(self, key: str) -> None:
        self._flush()
        self.items.append(("S", key))

    def fill_colour(self, key: str) -> None:
        self._flush()
        self.items.append(("F", key))

    def width(self, w: float) -> None:
        self._buf.append(f"{_n(w)} w")

    def polyline(self, pts: list[Point], op: str = "S") -> None:
        parts = [f"{_n(pts[0][0])} {_n(pts[0][1])} m"]
        parts += [f"{_n(x)} {_n(y)} l" for x, y in pts[1:]]
        self._buf.append(" ".join(parts) + f" {op}")

    def circle(self, c: Point, r: float, op: str) -> None:
        x, y, k = c[0], c[1], r * _KAPPA
        self._buf.append(
            f"{_n(x + r)} {_n(y)} m "
            f"{_n(x + r)} {_n(y + k)} {_n(x + k)} {_n(y + r)} {_n(x)} {_n(y + r)} c "
            f"{_n(x - k)} {_n(y + r)} {_n(x - r)} {_n(y + k)} {_n(x - r)} {_n(y)} c "
            f"{_n(x - r)} {_n(y - k)} {_n(x - k)} {_n(y - r)} {_n(x)} {_n(y - r)} c "
            f"{_n(x + k)} {_n(y - r)} {_n(x + r)} {_n(y - k)} {_n(x + r)} {_n(y)} c {op}"
        )

    def raw(self, text: str) -> None:
        self._buf.append(text)

    def done(self) -> tuple[tuple[str, str], ...]:
        self._flush()
        return tuple(self.items)


def _arrow_ops(ops: _Ops, pts: list[Point], width: float, key: str) -> None:
    """A stroked polyline ending in a filled arrowhead at its last point."""
    head = width * 2.6
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    ux, uy = x1 - x0, y1 - y0
    n = math.hypot(ux, uy) or 1.0
    ux, uy = ux / n, uy / n
    base = (x1 - ux * head, y1 - uy * head)
    kept = [p for p in pts[:-1] if (p[0] - x1) * ux + (p[1] - y1) * uy < -head * 0.7]
    ops.stroke_colour(key)
    ops.fill_colour(key)
    ops.width(width)
    ops.polyline([*kept, _lerp(base, (x1, y1), 0.3)])
    tip = [
        (x1, y1),
        (base[0] - uy * head * 0.6, base[1] + ux * head * 0.6),
        (base[0] + uy * head * 0.6, base[1] - ux * head * 0.6),
    ]
    ops.polyline(tip, "h f")


def _position_ops(pos: Position) -> tuple[tuple[str, str], ...]:
    """The operators that draw one position, in figure units."""
    ops = _Ops()
    ops.raw("1 J 1 j")
    for prop in pos.props:
        if prop["kind"] == "mat":
            ops.fill_colour("mat")
            ops.raw(f"{_n(prop['x0'])} 0 {_n(prop['x1'] - prop['x0'])} 1.6 re f")
    for part in pos.order:
        if part == "torso":
            # A roller lies across the body: in front of the far limbs, behind the near ones.
            for prop in pos.props:
                if prop["kind"] == "roller":
                    ops.fill_colour("accent")
                    ops.circle(prop["c"], prop["r"], "f")
                    ops.fill_colour("accent_tint")
                    ops.circle(prop["c"], prop["r"] * 0.42, "f")
                elif prop["kind"] == "turn":
                    _arrow_ops(ops, prop["arc"], TURN_W, "accent")
            ops.stroke_colour("primary")
            ops.width(NECK_W)
            ops.polyline([pos.torso[2], _lerp(pos.torso[2], pos.head, 0.6)])
            ops.width(TORSO_W)
            h, c, s = pos.torso
            c1, c2 = _lerp(h, c, 2 / 3), _lerp(s, c, 2 / 3)
            path = (f"{_n(h[0])} {_n(h[1])} m {_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} "
                    f"{_n(s[0])} {_n(s[1])} c")  # fmt: skip
            if pos.shoulders:
                (ax, ay), (bx, by) = pos.shoulders
                path += f" {_n(ax)} {_n(ay)} m {_n(bx)} {_n(by)} l"
            ops.raw(path + " S")
        elif part == "head":
            ops.fill_colour("primary")
            ops.circle(pos.head, HEAD_R, "f")
        else:
            side = part.split("_")[0]
            key = "primary" if side == "near" else "far"
            ops.stroke_colour(key)
            ops.width(LIMB_W)
            ops.polyline(pos.limbs[part])
            if part.endswith("arm") and side in pos.hands:
                # A hand resting on the body: a dot with a thin white rim so it stands out
                # from the torso under it.
                ops.fill_colour(key)
                ops.stroke_colour("white")
                ops.width(HAND_RIM)
                ops.circle(pos.limbs[part][-1], HAND_R, "B")
    return ops.done()


def _draw_position(canvas, pos: Position, palette: _Palette) -> None:
    """Draw one position in figure units (the caller has scaled the canvas)."""
    if getattr(canvas, "_enforceColorSpace", None) is None:
        # Plain RGB canvas: one literal, colours formatted here (what setFillColor would write).
        rgb = palette.ops
        canvas.addLiteral("\n".join(v if k == "L" else rgb[k, v] for k, v in pos.ops))
        return
    for kind, value in pos.ops:  # let the canvas convert the colours
        if kind == "L":
            canvas.addLiteral(value)
        elif kind == "S":
            canvas.setStrokeColor(palette.colours[value])
        else:
            canvas.setFillColor(palette.colours[value])


def _draw_content(canvas, poses, width, height, palette: _Palette, font_name, font_size):
    lay = _layout(poses, width, height, font_size)
    s = lay.scale
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    # Floor lines first so the figures rest on them.
    canvas.setStrokeColor(FLOOR_GREY)
    canvas.setLineWidth(FLOOR_W * s)
    for (ox, oy), (x0, x1) in zip(lay.origins, lay.floors, strict=True):
        y = oy - FLOOR_W * s / 2
        canvas.line(ox + x0 * s + FLOOR_W * s / 2, y, ox + x1 * s - FLOOR_W * s / 2, y)
    accent = palette.colours["accent"]
    for pos, (ox, oy) in zip(poses, lay.origins, strict=True):
        canvas.saveState()
        canvas.translate(ox, oy)
        canvas.scale(s, s)
        _draw_position(canvas, pos, palette)
        canvas.restoreState()
    if lay.arrow:
        x0, x1, y = lay.arrow
        # In points, nearly independent of the figure's scale so every card's arrow matches.
        w = min(max(1.3, 1.8 * s), 2.2)
        head = min(max(4.5, 5.5 * s), 6.5)
        canvas.setStrokeColor(accent)
        canvas.setFillColor(accent)
        canvas.setLineWidth(w)
        canvas.line(x0, y, x1 - head * 0.8, y)
        path = canvas.beginPath()
        path.moveTo(x1, y)
        path.lineTo(x1 - head, y + head * 0.6)
        path.lineTo(x1 - head, y - head * 0.6)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
    if any(p.label for p in poses):
        canvas.setFillColor(LABEL_GREY)
        canvas.setFont(font_name, font_size)
        for pos, (ox, _), (x0, x1) in zip(poses, lay.origins, lay.floors, strict=True):
            if pos.label:
                cx = ox + (x0 + x1) / 2 * s
                half = stringWidth(pos.label, font_name, font_size) / 2
                cx = min(max(cx, half), width - half)  # never past the box edges
                canvas.drawCentredString(cx, lay.label_y, pos.label)


_REGISTRY_ATTR = "_handouts_illustration_forms"
_FORM_STREAMS: dict[str, bytes] = {}  # form name -> its content stream, kept per process


def draw_illustration(
    canvas,
    name: str,
    x: float,
    y: float,
    width: float,
    height: float,
    primary: str = "#1f6f8b",
    accent: str = "#e07a2e",
    font_name: str = "Helvetica",
    font_size: float = 7.0,
) -> None:
    """Draw illustration ``name`` centred in the box (x, y, width, height) on ``canvas``.

    The first use of a (name, size, colours, font) on a canvas defines a form XObject; every
    use draws that form. Raises KeyError for an unknown name and ValueError for a bad colour.
    """
    positions(name)  # an unknown name fails here, before anything is drawn
    if width <= 0 or height <= 0:
        raise ValueError(f"illustration box must have a positive size, not {width}x{height}")
    if font_size <= 0:
        raise ValueError(f"font_size must be positive, not {font_size}")
    _color(primary, "primary")
    _color(accent, "accent")
    getFont(font_name)  # an unknown font fails here (KeyError), not inside a half-made form
    form = define_illustration(canvas, name, width, height, primary, accent, font_name, font_size)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.doForm(form)
    canvas.restoreState()


def define_illustration(
    canvas,
    name: str,
    width: float,
    height: float,
    primary: str,
    accent: str,
    font_name: str,
    font_size: float,
) -> str:
    """The form XObject's name for this illustration, defining it in the document if new."""
    poses = positions(name)
    primary, accent = primary.lower(), accent.lower()
    key = (name, round(width, 3), round(height, 3), primary, accent, font_name,
           round(font_size, 3))  # fmt: skip
    form = "HoFig" + hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    registry = getattr(canvas, _REGISTRY_ATTR, None)
    if registry is None:
        registry = set()
        setattr(canvas, _REGISTRY_ATTR, registry)
    if form not in registry and not canvas.hasForm(form):
        stream = _FORM_STREAMS.get(form)
        if stream is not None:
            # Drawn before in this process: the same operators make the same form (fonts
            # are seeded alike in every document, see render/replay.py).
            xobject = PDFFormXObject(lowerx=0, lowery=0, upperx=width, uppery=height)
            xobject.compression = canvas._pageCompression
            xobject.stream = stream
            canvas._doc.addForm(form, xobject)
        else:
            palette = _palette(primary, accent)
            # beginForm only saves the page's pending operators when there are some; with
            # none (a figure first on a page) endForm would reset the page's accumulators.
            # An empty entry prints nothing, so the page's stream is the same either way.
            if not canvas._code:
                canvas._code.append("")
            canvas.beginForm(form, 0, 0, width, height)
            try:
                _draw_content(canvas, poses, width, height, palette, font_name, font_size)
            finally:
                canvas.endForm()
            _FORM_STREAMS[form] = canvas._doc.idToObject[xObjectName(form)].stream
        registry.add(form)
    return form


class Illustration(Flowable):
    """A built-in exercise illustration as a platypus flowable of a fixed size."""

    def __init__(
        self,
        name: str,
        width: float,
        height: float,
        primary: str = "#1f6f8b",
        accent: str = "#e07a2e",
        font_name: str = "Helvetica",
        font_size: float = 7.0,
    ) -> None:
        super().__init__()
        positions(name)  # unknown names fail here, not halfway through a build
        _color(primary, "primary")
        _color(accent, "accent")
        self.name = name
        self.width = float(width)
        self.height = float(height)
        self.primary = primary
        self.accent = accent
        self.font_name = font_name
        self.font_size = float(font_size)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        draw_illustration(
            self.canv, self.name, 0, 0, self.width, self.height,
            self.primary, self.accent, self.font_name, self.font_size,
        )  # fmt: skip

    def define(self, canvas) -> None:
        """Make sure this illustration's form exists in canvas's document."""
        define_illustration(
            canvas,
            self.name,
            self.width,
            self.height,
            self.primary,
            self.accent,
            self.font_name,
            self.font_size,
        )

    def __repr__(self) -> str:
        return f"Illustration({self.name!r}, {self.width:g}x{self.height:g})"
